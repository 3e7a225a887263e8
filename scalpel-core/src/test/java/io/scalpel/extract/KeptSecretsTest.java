package io.scalpel.extract;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.scalpel.capture.MappedFile;
import io.scalpel.capture.PcapngBlock;
import java.io.ByteArrayOutputStream;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@code --keep-secrets} keeps of a decryption-secrets block written by hand (big-endian, so byte order is checked). */
class KeptSecretsTest {
    private static final String RANDOM_A = "aa".repeat(32);
    private static final String RANDOM_B = "bb".repeat(32);
    private static final String LINE_A = "CLIENT_RANDOM " + RANDOM_A + " 01\n";  // 82 bytes
    private static final String LINE_B = "CLIENT_RANDOM " + RANDOM_B + " 02\n";  // 82 bytes

    @TempDir
    Path dir;

    private final List<String> warnings = new ArrayList<>();

    @Test
    void shouldCutAKeyLogDownToTheLinesOfTheExtractsClientRandomsKeepingItsOptionsAndByteOrder() throws Exception {
        final ByteArrayOutputStream block = new ByteArrayOutputStream();
        block.write(Hex.of(
            "00 00 00 0a",                           // block type: decryption secrets
            "00 00 00 c4",                           // block length 196
            "54 4c 53 4b",                           // secrets type "TLSK": a TLS key log
            "00 00 00 a4"));                         // secrets length 164
        block.write((LINE_A + LINE_B).getBytes(StandardCharsets.US_ASCII));  // two key-log lines, 164 bytes: no padding
        block.write(Hex.of(
            "00 01 00 02 68 69 00 00",               // opt_comment "hi"
            "00 00 00 00",                           // opt_endofopt
            "00 00 00 c4"));                         // block length 196 again
        final PcapngBlock dsb = new PcapngBlock(PcapngBlock.DECRYPTION_SECRETS, 0, 0, 196, -1, -1);

        final byte[] kept = keep(block.toByteArray(), dsb, Set.of(RANDOM_A));

        final ByteArrayOutputStream expected = new ByteArrayOutputStream();
        expected.write(Hex.of(
            "00 00 00 0a",                           // block type: decryption secrets
            "00 00 00 74",                           // block length 116
            "54 4c 53 4b",                           // secrets type "TLSK"
            "00 00 00 52"));                         // secrets length 82: A's line only
        expected.write(LINE_A.getBytes(StandardCharsets.US_ASCII));
        expected.write(Hex.of(
            "00 00",                                 // padding to 84
            "00 01 00 02 68 69 00 00",               // opt_comment "hi", as it was
            "00 00 00 00",                           // opt_endofopt
            "00 00 00 74"));                         // block length 116 again
        assertArrayEquals(expected.toByteArray(), kept);
        assertEquals(List.of(), warnings);
    }

    @Test
    void shouldKeepNothingOfABlockWithoutALineOfTheExtractsClientRandoms() throws Exception {
        final ByteArrayOutputStream block = new ByteArrayOutputStream();
        block.write(Hex.of("00 00 00 0a", "00 00 00 68", "54 4c 53 4b", "00 00 00 52"));  // type, length 104, "TLSK", 82 bytes
        block.write(LINE_B.getBytes(StandardCharsets.US_ASCII));
        block.write(Hex.of("00 00", "00 00 00 68"));                                       // padding, length again

        assertNull(keep(block.toByteArray(), new PcapngBlock(PcapngBlock.DECRYPTION_SECRETS, 0, 0, 104, -1, -1),
            Set.of(RANDOM_A)));
        assertEquals(List.of(), warnings);
    }

    @Test
    void shouldKeepNoSecretsAndSayNothingWithoutKeepSecrets() throws Exception {
        final byte[] block = Hex.of("00 00 00 0a", "00 00 00 14", "54 4c 53 4b", "00 00 00 00", "00 00 00 14");

        assertNull(keep(block, new PcapngBlock(PcapngBlock.DECRYPTION_SECRETS, 0, 0, 20, -1, -1), null));
        assertEquals(List.of(), warnings);
    }

    @Test
    void shouldDropSecretsWhoseLengthOverrunsTheirBlockWithAWarningNamingTheBlock() throws Exception {
        final byte[] block = Hex.of(
            "00 00 00 0a",   // block type: decryption secrets
            "00 00 00 1c",   // block length 28
            "54 4c 53 4b",   // secrets type "TLSK"
            "00 00 00 10",   // secrets length 16: 16 + 16 + 4 is more than 28
            "61 62 63 0a",   // 4 bytes of secrets
            "00 00 00 00",   // 4 more
            "00 00 00 1c");  // block length 28 again
        final Path capture = dir.resolve("secrets.pcapng");

        assertNull(keep(block, new PcapngBlock(PcapngBlock.DECRYPTION_SECRETS, 0, 0, 28, -1, -1), Set.of(RANDOM_A)));
        assertEquals(List.of(capture + ": byte offset 0: decryption secrets length 16 overruns its block of 28 bytes: dropped"),
            warnings);
    }

    private byte[] keep(final byte[] bytes, final PcapngBlock block, final Set<String> clientRandoms) throws Exception {
        final Path capture = Files.write(dir.resolve("secrets.pcapng"), bytes);
        try (MappedFile file = new MappedFile(capture, bytes.length, MappedFile.DEFAULT_SEGMENT_SIZE)) {
            return new KeptSecrets(file, clientRandoms, warnings::add).of(block, ByteOrder.BIG_ENDIAN);
        }
    }
}
