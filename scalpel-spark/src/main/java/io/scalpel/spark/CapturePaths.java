package io.scalpel.spark;

import io.scalpel.index.CaptureSetBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The paths a job is given, as the driver sees them: local paths and {@code file:} URIs, which
 * every executor must see at the same place (a shared filesystem). A directory given to
 * {@link ScalpelSpark#index} stands for its capture files, chosen as a capture set's members are
 * (a pcap or pcapng magic number; hidden files left out), in name order.
 */
final class CapturePaths {
    /** A URI's scheme: two characters at least, so that a Windows drive letter is not one. */
    private static final java.util.regex.Pattern URI_SCHEME = java.util.regex.Pattern.compile("^([A-Za-z][A-Za-z0-9+.-]+):");
    private CapturePaths() {
    }

    /**
     * The local path a job's argument names.
     *
     * @throws IllegalArgumentException for a URI of another scheme (object stores are not read)
     */
    static Path of(final String path) {
        final java.util.regex.Matcher uri = URI_SCHEME.matcher(path);
        if (uri.find()) {
            final String scheme = uri.group(1).toLowerCase(Locale.ROOT);
            if (!scheme.equals("file")) {
                throw new IllegalArgumentException(path + ": only local paths and file: URIs are read (a filesystem every"
                    + " executor shares), not " + scheme + ":");
            }
            return Path.of(URI.create(path)).normalize();
        }
        return Path.of(path).toAbsolutePath().normalize();
    }

    /** The capture files of {@code paths}: each file as it is, each directory's captures in name order. */
    static List<String> captures(final List<String> paths) {
        final List<String> out = new ArrayList<>();
        for (String p : paths) {
            final Path path = of(p);
            if (!Files.isDirectory(path)) {
                out.add(path.toString());
                continue;
            }
            try {
                for (Path c : CaptureSetBuilder.members(path, null)) {
                    out.add(c.toString());
                }
            } catch (IOException e) {
                throw new UncheckedIOException(path + ": cannot list its captures: " + e.getMessage(), e);
            }
        }
        return out;
    }
}
