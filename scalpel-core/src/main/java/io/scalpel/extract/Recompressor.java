package io.scalpel.extract;

import com.github.luben.zstd.ZstdCompressCtx;
import io.scalpel.capture.CaptureReader;
import io.scalpel.capture.CaptureSource;
import io.scalpel.capture.Compression;
import io.scalpel.capture.Frame;
import io.scalpel.capture.MappedFile;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * Writes a seekable compressed copy of a capture (plain, gzip or zstd): gzip members, or zstd
 * frames, of about {@link #MEMBER_SIZE} bytes of the capture each, cut at record boundaries
 * (a record longer than the rest of the buffer is cut through). The copy is an ordinary gzip or
 * zstd file that any tool reads; its index gets a seek table, so a slice decompresses only the
 * members holding the packets it needs. Written atomically; memory use is fixed.
 */
public final class Recompressor {
    /** Bytes of the capture per member or frame. */
    public static final int MEMBER_SIZE = 1 << 20;
    /**
     * The header of each gzip member (RFC 1952 §2.3): ID1 ID2, CM 8 (deflate), FLG 0 (no name,
     * comment or extra field), MTIME 0 (none), XFL 0, OS 255 (unknown).
     */
    private static final byte[] GZIP_MEMBER_HEADER = {0x1F, (byte) 0x8B, 8, 0, 0, 0, 0, 0, 0, (byte) 0xFF};
    /** The trailer of each gzip member: CRC-32 and ISIZE, little-endian. */
    private static final int GZIP_TRAILER_LENGTH = 8;
    private static final int DEFLATE_BUFFER = 64 * 1024;
    private static final int ZSTD_LEVEL = 3;

    /**
     * What was written.
     *
     * @param codec   gzip or zstd
     * @param members members or frames written
     * @param bytesIn bytes of the capture
     * @param bytesOut bytes of the copy
     */
    public record Result(Compression codec, long members, long bytesIn, long bytesOut) {
    }

    private final byte[] buffer;
    private final int memberSize;
    private int buffered;
    private final Compression codec;
    private final OutputStream out;
    private long members;
    private long bytesOut;
    private final Deflater deflater;
    private final byte[] deflated;
    private final CRC32 crc = new CRC32();
    private final ZstdCompressCtx zstd;

    private Recompressor(final Compression codec, final OutputStream out, final int memberSize) {
        this.memberSize = memberSize;
        this.buffer = new byte[memberSize + 2 * MappedFile.OVERLAP];
        this.codec = codec;
        this.out = out;
        if (codec == Compression.GZIP) {
            deflater = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
            deflated = new byte[DEFLATE_BUFFER];
            zstd = null;
        } else {
            deflater = null;
            deflated = null;
            zstd = new ZstdCompressCtx().setLevel(ZSTD_LEVEL).setChecksum(true);
        }
    }

    /** The codec a copy named {@code out} gets: zstd for a name ending in .zst or .zstd, else gzip. */
    public static Compression codecFor(final Path out) {
        final String name = out.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
        return name.endsWith(".zst") || name.endsWith(".zstd") ? Compression.ZSTD : Compression.GZIP;
    }

    /**
     * Writes the seekable copy of {@code capture} to {@code target} (atomically), in {@code codec}.
     *
     * @throws io.scalpel.extract.OutputConflictException when {@code target} is the capture, by any path or link
     */
    public static Result recompress(final Path capture, final Path target, final Compression codec) throws IOException {
        return recompress(capture, target, codec, MEMBER_SIZE);
    }

    /** As {@link #recompress(Path, Path, Compression)}, with members of about {@code memberSize} bytes of the capture. */
    public static Result recompress(final Path capture, final Path target, final Compression codec, final int memberSize)
        throws IOException {
        if (memberSize <= 0) {
            throw new IllegalArgumentException("member size " + memberSize + " is not positive");
        }
        new RunFiles().input(capture, "the capture").output(target, "the copy");
        try (CaptureReader reader = CaptureReader.open(capture);
             AtomicOutput output = AtomicOutput.open(target)) {
            final Recompressor r = new Recompressor(codec, output.stream(), memberSize);
            try {
                // a capture cut short or modified while it is copied is refused before the copy is committed
                final long p = io.scalpel.capture.CaptureChangedException.read(reader.file(), () -> r.copyAll(reader));
                r.member();
                output.stream().flush();
                output.commit();
                return new Result(codec, r.members, p, r.bytesOut);
            } finally {
                r.close();
            }
        }
    }

    /** Copies the whole capture: every record, and what follows the last one; returns the bytes copied. */
    private long copyAll(final CaptureReader reader) throws IOException {
        final CaptureSource file = reader.file();
        final Frame frame = new Frame();
        long copied = 0;
        while (reader.next(frame)) {
            final long end = reader.position();
            copy(file, copied, end);
            copied = end;
            if (buffered >= memberSize) {
                member();
            }
        }
        // what follows the last record: trailing non-packet blocks, an incomplete record
        long p = copied;
        while (true) {
            final long bound = file.ensure(p, p + MappedFile.OVERLAP);
            final long to = Math.min(bound, p + MappedFile.OVERLAP);
            if (to <= p) {
                break;
            }
            copy(file, p, to);
            p = to;
        }
        return p;
    }

    /** Appends capture bytes [from, to) to the buffer, writing full members as it fills. */
    private void copy(final CaptureSource file, final long from, final long to) throws IOException {
        long at = from;
        while (at < to) {
            final int n = (int) Math.min(to - at, buffer.length - buffered);
            file.get(at, buffer, buffered, n);
            buffered += n;
            at += n;
            if (buffered == buffer.length) {
                member();
            }
        }
    }

    /** Writes the buffered bytes as one member or frame. */
    private void member() throws IOException {
        if (buffered == 0 && members > 0) {
            return;
        }
        if (codec == Compression.GZIP) {
            write(GZIP_MEMBER_HEADER, GZIP_MEMBER_HEADER.length);
            deflater.reset();
            deflater.setInput(buffer, 0, buffered);
            deflater.finish();
            while (!deflater.finished()) {
                final int n = deflater.deflate(deflated);
                write(deflated, n);
            }
            crc.reset();
            crc.update(buffer, 0, buffered);
            final ByteBuffer trailer = ByteBuffer.allocate(GZIP_TRAILER_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
            trailer.putInt((int) crc.getValue()).putInt(buffered);
            write(trailer.array(), GZIP_TRAILER_LENGTH);
        } else {
            final byte[] frame = zstd.compress(java.util.Arrays.copyOf(buffer, buffered));
            write(frame, frame.length);
        }
        members++;
        buffered = 0;
    }

    private void write(final byte[] bytes, final int length) throws IOException {
        out.write(bytes, 0, length);
        bytesOut += length;
    }

    private void close() {
        if (deflater != null) {
            deflater.end();
        }
        if (zstd != null) {
            zstd.close();
        }
    }
}
