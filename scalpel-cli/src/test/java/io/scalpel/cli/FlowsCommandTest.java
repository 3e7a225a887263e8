package io.scalpel.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.scalpel.testdata.CaptureGenerator;
import io.scalpel.testdata.Generated;
import io.scalpel.testdata.GeneratorSpec;
import io.scalpel.testdata.TruthConn;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code scalpel flows}: one line per connection of the generator's truth, as JSON lines, CSV or a
 * table; sorted, limited, narrowed by a query; usage errors with exit 2, nothing found with 4.
 */
class FlowsCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    Path capture;
    Generated truth;

    @BeforeEach
    void generate() throws IOException {
        capture = dir.resolve("cap.pcap");
        truth = CaptureGenerator.generate(GeneratorSpec.defaults(8200).withConnections(30), capture, null);
    }

    @Test
    void shouldPrintAJsonLinePerConnectionByTime() throws IOException {
        final Cli r = Cli.run("flows", capture.toString(), "--json");

        assertEquals(ExitCode.OK.code(), r.exit(), r::toString);
        final List<JsonNode> rows = lines(r.out());
        assertEquals(truth.conns().size(), rows.size(), r::toString);
        final List<Long> packets = new ArrayList<>();
        for (TruthConn c : truth.conns()) {
            packets.add((long) truth.framesOf(c.uid()).size());
        }
        assertEquals(packets.stream().mapToLong(Long::longValue).sum(), rows.stream().mapToLong(n -> n.get("packets").asLong()).sum());
        for (int i = 1; i < rows.size(); i++) {
            assertTrue(rows.get(i - 1).get("first_ts").asText().compareTo(rows.get(i).get("first_ts").asText()) <= 0, "by time");
        }
        assertTrue(rows.get(0).get("community_id").asText().startsWith("1:"));
    }

    @Test
    void shouldSortLimitAndNarrow() throws IOException {
        final Cli top = Cli.run("flows", capture.toString(), "--json", "--sort", "bytes", "--limit", "3");
        final List<JsonNode> rows = lines(top.out());
        assertEquals(3, rows.size(), top::toString);
        final long most = truth.conns().stream().mapToLong(c -> truth.framesOf(c.uid()).stream()
            .mapToLong(n -> truth.frame(n).originalLength()).sum()).max().orElseThrow();
        assertEquals(most, rows.get(0).get("bytes").asLong());

        final Cli udp = Cli.run("flows", capture.toString(), "--csv", "--query", "udp");
        assertEquals(ExitCode.OK.code(), udp.exit(), udp::toString);
        final String[] csv = udp.out().split("\n");
        assertEquals("first_ts,last_ts,proto,src,src_port,dst,dst_port,vlan,inner_vlan,depth,packets,bytes,community_id", csv[0]);
        assertEquals(truth.conns().stream().filter(c -> c.proto().equals("udp")).count(), csv.length - 1, udp::toString);
        for (int i = 1; i < csv.length; i++) {
            assertEquals("udp", csv[i].split(",")[2]);
        }
    }

    /**
     * stdout that fails after 20 000 bytes, while a sort by bytes (three connections held in
     * memory, the rest in runs of the temporary file) is being printed: exit 6, one line, and no
     * temporary file left.
     */
    @Test
    void shouldExitWithOutputErrorWhenStdoutFailsLeavingNoTemporaryFile() throws IOException {
        final Path many = dir.resolve("many.pcap");
        CaptureGenerator.generate(GeneratorSpec.defaults(8201).withConnections(400), many, null);
        assertEquals(ExitCode.OK.code(), Cli.run("index", "-q", many.toString()).exit());
        final Path tmp = java.nio.file.Files.createDirectory(dir.resolve("tmp"));
        final java.io.OutputStream failing = new java.io.OutputStream() {
            private long written;

            @Override
            public void write(final int b) throws IOException {
                if (++written > 20_000) {
                    throw new IOException("No space left on device");
                }
            }
        };
        final java.io.StringWriter err = new java.io.StringWriter();
        System.setProperty("scalpel.flows.held", "3");
        System.setProperty("scalpel.tmpdir", tmp.toString());
        final int exit;
        try {
            exit = ScalpelCommand.run(new ScalpelCommand(), new java.io.PrintWriter(failing, true), new java.io.PrintWriter(err, true),
                "flows", many.toString(), "--csv", "--sort", "bytes");
        } finally {
            System.clearProperty("scalpel.flows.held");
            System.clearProperty("scalpel.tmpdir");
        }
        assertEquals(ExitCode.OUTPUT.code(), exit, err::toString);
        assertEquals("scalpel: cannot write <stdout> (a pipe whose reader went away, or a full device)\n", err.toString());
        try (java.util.stream.Stream<Path> left = java.nio.file.Files.list(tmp)) {
            assertEquals(List.of(), left.toList(), "the temporary file left behind");
        }
    }

    @Test
    void shouldExitWithNothingFoundWhenNoConnectionMatches() {
        final Cli r = Cli.run("flows", capture.toString(), "--query", "host 192.0.2.254");

        assertEquals(ExitCode.NOTHING_FOUND.code(), r.exit(), r::toString);
        assertEquals("first_ts\tlast_ts\tproto\tsrc\tsrc_port\tdst\tdst_port\tvlan\tinner_vlan\tdepth\tpackets\tbytes\tcommunity_id\n",
            r.out());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "--json --csv|--json and --csv cannot be combined",
        "--sort size|--sort must be time, packets or bytes, not 'size'",
        "--limit -1|--limit -1 is negative",
        "--community-id-seed 70000|--community-id-seed 70000 is not a 16-bit value (0-65535)",
        "--query portt|--query 'portt': column 1: unknown term 'portt'"})
    void shouldExitWithUsageSayingWhatIsWrong(final String options, final String message) {
        final List<String> args = new ArrayList<>(List.of("flows", capture.toString()));
        args.addAll(List.of(options.split(" ")));

        final Cli r = Cli.run(args.toArray(new String[0]));

        assertEquals(ExitCode.USAGE.code(), r.exit(), r::toString);
        assertTrue(r.err().contains(message), r::toString);
        assertTrue(r.out().isEmpty(), r::toString);
    }

    private static List<JsonNode> lines(final String out) throws IOException {
        final List<JsonNode> rows = new ArrayList<>();
        for (String l : out.split("\n")) {
            if (!l.isBlank()) {
                rows.add(JSON.readTree(l));
            }
        }
        return rows;
    }
}
