package io.scalpel.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The uids of {@code --uids-from FILE|-}: one per line, or the first column of a zeek-cut, TSV or
 * CSV file (columns split at tabs, or at commas when a line has no tab). A line naming a
 * {@code uid} column (zeek-cut's header, a CSV header) is a header: it is skipped, and the column
 * it names is read from then on; so is a {@code #fields} line. Other lines starting with
 * {@code #} and blank lines are skipped. Values are trimmed and unquoted; an empty one is refused
 * with its line number.
 */
final class UidList {
    private static final String STDIN = "-";
    private static final String FIELDS = "#fields";
    private static final String UID = "uid";

    private UidList() {
    }

    /**
     * Reads the uids of {@code file} ({@code -}: {@code stdin}), in order.
     *
     * @throws CliException (bad input) naming the file and line of an empty uid, or a file without any uid
     */
    static List<String> read(final String file, final InputStream stdin) throws IOException {
        final String name = STDIN.equals(file) ? "<stdin>" : file;
        try (BufferedReader in = new BufferedReader(new InputStreamReader(
            STDIN.equals(file) ? stdin : Files.newInputStream(Path.of(file)), StandardCharsets.UTF_8))) {
            final List<String> uids = read(in, name);
            if (uids.isEmpty()) {
                throw new CliException(ExitCode.BAD_INPUT, "--uids-from " + name + ": no uids in it");
            }
            return uids;
        }
    }

    private static List<String> read(final BufferedReader in, final String name) throws IOException {
        final List<String> uids = new ArrayList<>();
        int column = 0;
        boolean header = false;
        long number = 0;
        String line;
        while ((line = in.readLine()) != null) {
            number++;
            if (number == 1 && line.startsWith("\uFEFF")) {
                line = line.substring(1);
            }
            if (line.isBlank()) {
                continue;
            }
            final List<String> columns = columns(line.startsWith(FIELDS) ? line.substring(FIELDS.length()).strip() : line);
            if (line.startsWith("#")) {
                if (line.startsWith(FIELDS) && columns.contains(UID)) {
                    column = columns.indexOf(UID);
                    header = true;
                }
                continue;
            }
            if (!header) {
                header = true;
                final List<String> lower = columns.stream().map(c -> c.toLowerCase(Locale.ROOT)).toList();
                if (lower.contains(UID)) {
                    column = lower.indexOf(UID);
                    continue;
                }
            }
            if (column >= columns.size()) {
                throw new CliException(ExitCode.BAD_INPUT, "--uids-from " + name + " line " + number + ": no column "
                    + (column + 1) + ", where the header names the uid (the line has " + columns.size() + ")");
            }
            final String uid = columns.get(column);
            if (uid.isEmpty()) {
                throw new CliException(ExitCode.BAD_INPUT, "--uids-from " + name + " line " + number + ": empty uid");
            }
            uids.add(uid);
        }
        return uids;
    }

    /** The trimmed, unquoted columns of a line: split at tabs, or at commas when it has no tab. */
    private static List<String> columns(final String line) {
        final String separator = line.indexOf('\t') >= 0 ? "\t" : ",";
        final List<String> columns = new ArrayList<>();
        for (String c : line.split(separator, -1)) {
            String v = c.strip();
            if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
                v = v.substring(1, v.length() - 1).strip();
            }
            columns.add(v);
        }
        return columns;
    }
}
