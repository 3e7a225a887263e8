package io.scalpel.zeek;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

/**
 * A conn.log read as a stream (stdin, a pipe, a device) is refused by its first bytes when they
 * cannot start a Zeek log, however long the stream: never read on in search of a line end. The
 * streams here never end; each counts what was read from it, and the test checks that the
 * refusal came after a few buffers at most.
 */
class ConnLogStreamStartTest {
    /** Most bytes a refusal may read: the reader's buffers, with room to spare. */
    private static final long READ_BOUND = 1 << 20;
    /** Where an endless stream gives up on the reader (so that a reader that reads on fails instead of hanging). */
    private static final long GIVE_UP = 64L << 20;

    /** {@code prefix}, then the byte {@code fill} for ever; counts the bytes read. */
    private static final class Endless extends InputStream {
        private final byte[] prefix;
        private final byte fill;
        long read;

        Endless(final byte[] prefix, final int fill) {
            this.prefix = prefix;
            this.fill = (byte) fill;
        }

        @Override
        public int read() {
            final byte[] one = new byte[1];
            read(one, 0, 1);
            return one[0] & 0xFF;
        }

        @Override
        public int read(final byte[] b, final int off, final int len) {
            if (read > GIVE_UP) {
                throw new AssertionError("read " + read + " bytes of an endless stream without refusing it");
            }
            for (int i = 0; i < len; i++) {
                final long at = read + i;
                b[off + i] = at < prefix.length ? prefix[(int) at] : fill;
            }
            read += len;
            return len;
        }
    }

    @Test
    void shouldRefuseAnEndlessStreamOfZerosByItsFirstByte() {
        final Endless zeros = new Endless(new byte[0], 0);

        final ConnLogFormatException e = assertThrows(ConnLogFormatException.class,
            () -> ConnLogReader.open(zeros, "/dev/zero", ConnLogListener.IGNORE));

        assertEquals("/dev/zero line 1: not a Zeek conn.log: starting with byte 0x00; Zeek TSV starts with '#', JSON lines"
            + " with '{', and zeek-cut or CSV output with a line naming its columns, such as uid and id.orig_h (zeek-cut keeps it"
            + " with -m or -c)", e.getMessage());
        assertTrue(zeros.read <= READ_BOUND, "bytes read before the refusal: " + zeros.read);
    }

    @Test
    void shouldRefuseAnEndlessLineAfterBlankLinesByItsFirstByteAndNameItsLine() {
        final Endless text = new Endless("\n\n  \r\n".getBytes(StandardCharsets.US_ASCII), 'x');

        final ConnLogFormatException e = assertThrows(ConnLogFormatException.class,
            () -> ConnLogReader.open(text, "<stdin>", ConnLogListener.IGNORE, ZeekLogKind.TUNNEL));

        assertTrue(e.getMessage().startsWith("<stdin> line 4: not a Zeek tunnel.log: starting with byte 0x78 ('x')"), e.getMessage());
        assertTrue(text.read <= READ_BOUND, "bytes read before the refusal: " + text.read);
    }

    @Test
    void shouldRefuseAnEndlessStreamOfZerosInsideGzipByItsFirstDecompressedByte() throws IOException {
        final ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
            out.write(new byte[4 << 20]);
        }
        final Endless after = new Endless(new byte[0], 0);
        final InputStream in = new SequenceInputStream(new java.io.ByteArrayInputStream(gz.toByteArray()), after);

        final ConnLogFormatException e = assertThrows(ConnLogFormatException.class,
            () -> ConnLogReader.open(in, "zeros.gz", ConnLogListener.IGNORE));

        assertTrue(e.getMessage().startsWith("zeros.gz line 1: not a Zeek conn.log: starting with byte 0x00"), e.getMessage());
        assertEquals(0, after.read, "nothing read past the gzip member");
    }

    @Test
    void shouldRefuseTheCharacterDeviceDevZero() {
        final Path zero = Path.of("/dev/zero");
        assumeTrue(Files.exists(zero), "skipped: no /dev/zero here");

        final ConnLogFormatException e = assertThrows(ConnLogFormatException.class,
            () -> ConnLogReader.open(zero, ConnLogListener.IGNORE));

        assertTrue(e.getMessage().startsWith("/dev/zero line 1: not a Zeek conn.log: starting with byte 0x00"), e.getMessage());
    }
}
