package io.scalpel.capture;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.function.LongConsumer;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * gzip members one after another (RFC 1952), each parsed here (its header, raw deflate data by
 * {@link Inflater}, its trailer) and checked against its CRC-32 and length, so that member
 * boundaries are known.
 */
final class GzipDecompressor extends Decompressor {
    private static final int FTEXT_HCRC = 2;
    private static final int FEXTRA = 4;
    private static final int FNAME = 8;
    private static final int FCOMMENT = 16;
    private static final int MIN_HEADER_LENGTH = 10;
    private static final int MAX_HEADER_LENGTH = 64 * 1024;
    private static final int TRAILER_LENGTH = 8;
    private static final int METHOD_DEFLATE = 8;

    private final Inflater inflater = new Inflater(true);
    private final ByteBuffer in = ByteBuffer.allocateDirect(INPUT_BUFFER);
    private final CRC32 crc = new CRC32();
    private final byte[] header = new byte[MAX_HEADER_LENGTH];
    private final ByteBuffer trailer = ByteBuffer.allocate(TRAILER_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
    private long next;
    private boolean inMember;
    private long memberStart;
    private long dataStart;
    private long inputPos;
    private long memberOut;

    GzipDecompressor(final Path path, final FileChannel channel, final long storedLength, final LongConsumer unitStarts) {
        super(path, channel, storedLength, unitStarts);
    }

    @Override
    void reset(final long compressedOffset) {
        next = compressedOffset;
        inMember = false;
    }

    @Override
    int decode(final ByteBuffer dst) throws IOException {
        while (true) {
            if (!inMember) {
                if (next >= storedLength) {
                    return -1;
                }
                startMember();
            }
            if (inflater.needsInput()) {
                final long left = storedLength - inputPos;
                if (left <= 0) {
                    throw corrupt(memberStart, "gzip member cut short: the file ends (at compressed byte " + storedLength
                        + ") before the member's compressed data does");
                }
                in.clear().limit((int) Math.min(in.capacity(), left));
                final int r = readFully(in, inputPos);
                inputPos += r;
                in.flip();
                inflater.setInput(in);
            }
            final int p0 = dst.position();
            final int n;
            try {
                n = inflater.inflate(dst);
            } catch (DataFormatException e) {
                throw corrupt(dataStart + inflater.getBytesRead(), "invalid deflate data in the gzip member starting at compressed byte "
                    + memberStart + " (" + e.getMessage() + ")");
            }
            if (n > 0) {
                crc.update(dst.duplicate().position(p0).limit(p0 + n));
                memberOut += n;
            }
            if (inflater.finished()) {
                endMember();
                return n;
            }
            if (n > 0 || !dst.hasRemaining()) {
                return n;
            }
            if (inflater.needsDictionary()) {
                throw corrupt(memberStart, "gzip member asks for a preset dictionary, which gzip does not have");
            }
        }
    }

    private void startMember() throws IOException {
        final ByteBuffer h = ByteBuffer.wrap(header, 0, (int) Math.min(header.length, storedLength - next));
        final int avail = readFully(h, next);
        if (avail < MIN_HEADER_LENGTH) {
            throw corrupt(next, "gzip member header cut short: " + avail + " of at least " + MIN_HEADER_LENGTH + " bytes");
        }
        if ((header[0] & 0xFF) != 0x1F || (header[1] & 0xFF) != 0x8B) {
            throw corrupt(next, String.format("not a gzip member (bytes 0x%02x 0x%02x, not 0x1f 0x8b): "
                + "data after the last member, or a member boundary in the wrong place", header[0] & 0xFF, header[1] & 0xFF));
        }
        if (header[2] != METHOD_DEFLATE) {
            throw corrupt(next + 2, "gzip compression method " + (header[2] & 0xFF) + " is not deflate (8)");
        }
        final int flags = header[3] & 0xFF;
        int p = MIN_HEADER_LENGTH;
        if ((flags & FEXTRA) != 0) {
            p = p + 2 > avail ? Integer.MAX_VALUE : p + 2 + ((header[p] & 0xFF) | (header[p + 1] & 0xFF) << 8);
        }
        for (int flag : new int[] {FNAME, FCOMMENT}) {
            if ((flags & flag) != 0 && p < avail) {
                while (p < avail && header[p] != 0) {
                    p++;
                }
                p++;
            }
        }
        if ((flags & FTEXT_HCRC) != 0 && p != Integer.MAX_VALUE) {
            p += 2;
        }
        if (p > avail) {
            throw corrupt(next, avail == header.length ? "gzip member header longer than " + header.length + " bytes"
                : "gzip member header cut short at the end of the file");
        }
        memberStart = next;
        dataStart = next + p;
        inputPos = dataStart;
        inflater.reset();
        crc.reset();
        memberOut = 0;
        inMember = true;
        unitStart(memberStart);
    }

    private void endMember() throws IOException {
        final long trailerAt = dataStart + inflater.getBytesRead();
        trailer.clear();
        if (readFully(trailer, trailerAt) < TRAILER_LENGTH) {
            throw corrupt(trailerAt, "gzip member (starting at compressed byte " + memberStart
                + ") cut short in its 8-byte trailer");
        }
        final long stored = trailer.getInt(0) & 0xFFFF_FFFFL;
        final long isize = trailer.getInt(4) & 0xFFFF_FFFFL;
        if (stored != crc.getValue()) {
            throw corrupt(trailerAt, String.format("gzip member (starting at compressed byte %d): CRC-32 0x%08x of the data "
                + "differs from the 0x%08x its trailer records", memberStart, crc.getValue(), stored));
        }
        if (isize != (memberOut & 0xFFFF_FFFFL)) {
            throw corrupt(trailerAt, "gzip member (starting at compressed byte " + memberStart + "): " + memberOut
                + " bytes of data, its trailer records " + isize + " (mod 2^32)");
        }
        next = trailerAt + TRAILER_LENGTH;
        inMember = false;
    }

    @Override
    void close() {
        inflater.end();
    }
}
