package io.scalpel.index;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The JSON form of the versioned manifests ({@link IndexManifest}, {@link CaptureSetManifest}):
 * snake_case fields, indented, unknown fields ignored; and the checks every manifest gets on
 * reading (parsable, its own format name, the version this build reads), each refused with a
 * message naming the file and what to re-run.
 */
final class ManifestJson {
    private static final ObjectMapper JSON = new ObjectMapper()
        .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
        .enable(SerializationFeature.INDENT_OUTPUT)
        .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /** What a manifest says of itself. */
    interface Versioned {
        String format();

        int version();
    }

    private ManifestJson() {
    }

    static byte[] write(final Object manifest) {
        try {
            return JSON.writeValueAsBytes(manifest);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Reads {@code file} as a {@code type} and checks its format name and version.
     *
     * @param what   what the file is, for messages ("index manifest")
     * @param rerun  the command that makes a good one, for messages
     * @param format the format name it must have
     * @param version the version it must have
     * @param versionName what the version numbers ("index format"), for messages
     */
    static <T extends Versioned> T read(final Path file, final Class<T> type, final String what, final String rerun,
                                        final String format, final int version, final String versionName) throws IndexException {
        final T m;
        try {
            m = JSON.readValue(file.toFile(), type);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            // Jackson's own message runs over several lines and quotes its API: say what and where in one
            final com.fasterxml.jackson.core.JsonLocation at = e.getLocation();
            throw new IndexException(IndexException.Kind.CORRUPT, file + ": unreadable " + what + " ("
                + (at != null ? "line " + at.getLineNr() + ", column " + at.getColumnNr() + ": " : "")
                + String.valueOf(e.getOriginalMessage()).lines().findFirst().orElse("") + "); " + rerun, e);
        } catch (IOException e) {
            throw new IndexException(IndexException.Kind.CORRUPT, file + ": unreadable " + what + " (" + e.getMessage() + "); " + rerun, e);
        }
        if (!format.equals(m.format())) {
            throw new IndexException(IndexException.Kind.CORRUPT, file + ": not a scalpel " + what + "; " + rerun);
        }
        if (m.version() != version) {
            throw new IndexException(IndexException.Kind.VERSION, file + ": " + versionName + " version " + m.version()
                + " is not the version this scalpel reads (" + version + "); " + rerun);
        }
        return m;
    }
}
