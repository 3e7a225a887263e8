package io.scalpel.zeek;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The files a conn.log directory is read from, in the order {@link ConnLogReader} reads them
 * (Zeek's rotated files, ZeekControl's archive, the live {@code conn.log}), for a reader that keeps
 * its own account of them (an index of the rows that refreshes as files grow or appear).
 */
public final class ConnLogFiles {
    /** How deep below the directory logs are looked for. */
    public static final int MAX_DEPTH = RotatedLogs.MAX_DEPTH;

    private ConnLogFiles() {
    }

    /**
     * The conn.log files in {@code dir} and below, in reading order.
     *
     * @param dir a directory of rotated conn logs
     * @return its files, as {@link ConnLogReader#open(Path, ConnLogListener)} reads them one after the other
     * @throws IOException when the directory cannot be walked
     */
    public static List<Path> of(final Path dir) throws IOException {
        return RotatedLogs.files(dir, ZeekLogKind.CONN);
    }
}
