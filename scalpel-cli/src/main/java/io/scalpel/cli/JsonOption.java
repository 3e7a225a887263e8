package io.scalpel.cli;

import picocli.CommandLine.Option;

/** A JSON summary on stdout instead of the lines on stderr. */
final class JsonOption {
    @Option(names = "--json", description = "print a JSON summary on stdout (not with -w -)")
    boolean json;
}
