package io.scalpel.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Zeek's {@code .cut} baselines are {@code zeek-cut -m} subsets, and some leave {@code proto} out
 * although every row needs it to be joined. Their {@code service} says it: http, ssh and ftp run
 * over TCP. This writes a copy of such a baseline with a {@code proto} column taken from
 * {@code service} (the test's knowledge of those protocols, not the reader's), for the product's
 * own reader to read; a baseline that has {@code proto}, or no {@code service}, is returned as it is.
 */
public final class ZeekCutBaselines {
    /** Services of the corpus's subsets that run over TCP only. */
    public static final Map<String, String> PROTO_OF_SERVICE = Map.of("http", "tcp", "ssh", "tcp", "ftp", "tcp");

    private ZeekCutBaselines() {
    }

    /** The baseline, or a copy in {@code dir} with a proto column after the others. */
    public static Path withProtoFromService(final Path baseline, final Path dir) throws IOException {
        final List<String> lines = Files.readAllLines(baseline, StandardCharsets.UTF_8);
        int header = 0;
        while (header < lines.size() && lines.get(header).startsWith("#")) {
            header++;
        }
        if (header == lines.size()) {
            return baseline;
        }
        final List<String> names = List.of(lines.get(header).split("\t", -1));
        final int service = names.indexOf("service");
        if (names.contains("proto") || service < 0) {
            return baseline;
        }
        final List<String> out = new ArrayList<>(lines.subList(0, header));
        out.add(lines.get(header) + "\tproto");
        for (String row : lines.subList(header + 1, lines.size())) {
            if (row.isBlank() || row.startsWith("#")) {
                out.add(row);
                continue;
            }
            final String[] values = row.split("\t", -1);
            out.add(row + "\t" + (service < values.length ? PROTO_OF_SERVICE.getOrDefault(values[service], "-") : "-"));
        }
        final Path copy = Files.createDirectories(dir).resolve(baseline.getParent().getFileName() + "-" + baseline.getFileName());
        Files.write(copy, out, StandardCharsets.UTF_8);
        return copy;
    }
}
