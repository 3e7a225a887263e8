package io.scalpel.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scalpel.testdata.PcapngMetadataCapture;
import io.scalpel.testing.ExternalTools;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code slice --keep-secrets}: a pcapng extract keeps the TLS key-log lines of its own
 * connections' client randoms (tshark learns exactly those session keys from it), and none
 * without the option.
 */
class SliceSecretsCommandTest {
    private static final String UID_A = "CAaaaaaaaaaaaaaaaa";
    private static final String UID_B = "CBbbbbbbbbbbbbbbbb";

    @TempDir
    Path dir;
    private Path capture;
    private Path conn;

    @BeforeEach
    void writeCapture() throws Exception {
        capture = dir.resolve("meta.pcapng");
        PcapngMetadataCapture.write(capture);
        conn = dir.resolve("conn.log");
        final long start = PcapngMetadataCapture.T0 / 1_000_000_000L;
        Files.writeString(conn, String.join("\n",
            "#separator \\x09",
            "#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tduration",
            "#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tinterval",
            start + ".000000\t" + UID_A + "\t10.1.0.1\t40001\t10.2.0.1\t443\ttcp\t2.500000",
            start + ".005000\t" + UID_B + "\t2001:db8::1\t40002\t2001:db8::b\t443\ttcp\t2.500000",
            ""), StandardCharsets.US_ASCII);
    }

    @Tag("external")
    @Test
    void shouldKeepTheKeyLogLinesOfTheSlicedConnectionOnlyWithKeepSecrets() throws Exception {
        final Path with = dir.resolve("with.pcapng");
        final Path without = dir.resolve("without.pcapng");

        final Cli kept = Cli.run("slice", capture.toString(), "--conn", conn.toString(), "--uid", UID_A, "-w", with.toString(),
            "--keep-secrets");
        final Cli dropped = Cli.run("slice", capture.toString(), "--conn", conn.toString(), "--uid", UID_A, "-w",
            without.toString());

        assertEquals(ExitCode.OK.code(), kept.exit(), kept::toString);
        assertEquals(ExitCode.OK.code(), dropped.exit(), dropped::toString);
        assertTrue(kept.err().contains("scalpel: warning: " + capture + ": byte offset ")
            && kept.err().contains("decryption secrets of type 0x57474b4c are not a TLS key log: dropped"), kept::toString);
        assertFalse(dropped.err().contains("warning"), dropped::toString);
        final String withText = Files.readString(with, StandardCharsets.ISO_8859_1);
        assertTrue(withText.contains(PcapngMetadataCapture.LINE_A), "A's key-log line is in the extract");
        assertFalse(withText.contains(PcapngMetadataCapture.RANDOM_B), "nothing of B's key log");
        assertFalse(Files.readString(without, StandardCharsets.ISO_8859_1).contains(PcapngMetadataCapture.MASTER_A),
            "no secret without --keep-secrets");
        assertEquals("CLIENT_RANDOM " + PcapngMetadataCapture.RANDOM_A + " " + PcapngMetadataCapture.MASTER_A,
            tsharkSessionKeys(with));
        assertEquals("", tsharkSessionKeys(without));
    }

    @Tag("external")
    @Test
    void shouldGiveEachSplitFileTheSecretsOfItsOwnConnection() throws Exception {
        final Path split = dir.resolve("split");

        final Cli r = Cli.run("slice", capture.toString(), "--conn", conn.toString(), "--all", "--split-dir", split.toString(),
            "--keep-secrets");

        assertEquals(ExitCode.OK.code(), r.exit(), r::toString);
        assertEquals("CLIENT_RANDOM " + PcapngMetadataCapture.RANDOM_A + " " + PcapngMetadataCapture.MASTER_A,
            tsharkSessionKeys(split.resolve(UID_A + ".pcapng")));
        assertEquals("CLIENT_RANDOM " + PcapngMetadataCapture.RANDOM_B + " " + PcapngMetadataCapture.MASTER_B,
            tsharkSessionKeys(split.resolve(UID_B + ".pcapng")));
    }

    @Test
    void shouldWarnThatAPcapExtractHoldsNoSecrets() throws Exception {
        final Path out = dir.resolve("a.pcap");

        final Cli r = Cli.run("slice", capture.toString(), "--conn", conn.toString(), "--uid", UID_A, "-w", out.toString(),
            "--format", "pcap", "--keep-secrets");

        assertEquals(ExitCode.OK.code(), r.exit(), r::toString);
        assertTrue(r.err().contains("scalpel: warning: --keep-secrets: a pcap file has no place for decryption secrets"),
            r::toString);
    }

    /** The TLS session keys tshark learns from the file ({@code --export-tls-session-keys}), one line each. */
    private String tsharkSessionKeys(final Path file) throws Exception {
        ExternalTools.require(ExternalTools.TSHARK);
        final Path keys = dir.resolve(file.getFileName() + ".keys");
        Files.deleteIfExists(keys);
        ExternalTools.run(List.of("tshark", "-n", "-r", file.toString(), "-q", "--export-tls-session-keys", keys.toString()));
        return Files.isRegularFile(keys) ? Files.readString(keys, StandardCharsets.US_ASCII).strip() : "";
    }
}
