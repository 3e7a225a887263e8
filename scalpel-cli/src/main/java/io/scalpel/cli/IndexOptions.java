package io.scalpel.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Where a capture's index is, and whether a stale one is rebuilt. */
final class IndexOptions {
    @Option(names = "--index", paramLabel = "DIR", description = "index directory (default CAPTURE.scalpel)")
    Path index;

    @Option(names = "--reindex", description = "rebuild the index when the capture changed since it was indexed (otherwise refuse it)")
    boolean reindex;
}
