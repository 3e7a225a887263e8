package io.scalpel.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The tests' pcap and pcapng writer: capture bytes made by hand, every field written explicitly
 * with a comment, in either byte order. A capture made here is an oracle for the readers and the
 * extract writers: it shares no code with them. (The traffic generator of {@code testdata} keeps
 * writers of its own, for the same reason.)
 */
public final class CaptureBytes {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteOrder order;

    public CaptureBytes(final ByteOrder order) {
        this.order = order;
    }

    public CaptureBytes u8(final int v) {
        out.write(v);
        return this;
    }

    public CaptureBytes u16(final int v) {
        return put(ByteBuffer.allocate(2).order(order).putShort((short) v).array());
    }

    public CaptureBytes u32(final long v) {
        return put(ByteBuffer.allocate(4).order(order).putInt((int) v).array());
    }

    public CaptureBytes u64(final long v) {
        return put(ByteBuffer.allocate(8).order(order).putLong(v).array());
    }

    public CaptureBytes put(final byte[] b) {
        out.write(b, 0, b.length);
        return this;
    }

    public CaptureBytes zeros(final int n) {
        return put(new byte[n]);
    }

    public int size() {
        return out.size();
    }

    public byte[] bytes() {
        return out.toByteArray();
    }

    public Path writeTo(final Path file) throws IOException {
        Files.write(file, bytes());
        return file;
    }

    /** Writes what was made so far to {@code stream} and starts again empty: for captures too large to hold. */
    public CaptureBytes drainTo(final OutputStream stream) throws IOException {
        out.writeTo(stream);
        out.reset();
        return this;
    }

    /** Classic pcap file header. */
    public static CaptureBytes pcapHeader(final ByteOrder order, final boolean nanos, final int snaplen, final int linkType) {
        return new CaptureBytes(order)
            .u32(nanos ? 0xA1B23C4DL : 0xA1B2C3D4L) // magic
            .u16(2).u16(4)                            // version 2.4
            .u32(0)                                   // thiszone
            .u32(0)                                   // sigfigs
            .u32(snaplen)                             // snaplen
            .u32(linkType);                           // link type
    }

    /** Classic pcap record: header and {@code caplen} bytes of frame. */
    public CaptureBytes pcapRecord(final long seconds, final long fraction, final int caplen, final int origlen) {
        return u32(seconds)      // ts_sec
            .u32(fraction)       // ts_usec / ts_nsec
            .u32(caplen)         // incl_len
            .u32(origlen)        // orig_len
            .zeros(caplen);      // frame bytes
    }

    /** Classic pcap record holding {@code data}, captured whole. */
    public CaptureBytes pcapRecord(final long seconds, final long fraction, final byte[] data) {
        return pcapRecord(seconds, fraction, data, data.length);
    }

    /** Classic pcap record holding {@code data} of a packet of {@code origlen} bytes. */
    public CaptureBytes pcapRecord(final long seconds, final long fraction, final byte[] data, final long origlen) {
        return u32(seconds)      // ts_sec
            .u32(fraction)       // ts_usec / ts_nsec
            .u32(data.length)    // incl_len
            .u32(origlen)        // orig_len
            .put(data);          // frame bytes
    }

    /** pcapng section header block with no options. */
    public CaptureBytes shb() {
        return u32(0x0A0D0D0AL)  // block type
            .u32(28)             // block total length
            .u32(0x1A2B3C4DL)    // byte-order magic
            .u16(1).u16(0)       // version 1.0
            .u64(-1)             // section length: unknown
            .u32(28);            // trailing length
    }

    /** pcapng interface description block, optionally with if_tsresol and if_tsoffset. */
    public CaptureBytes idb(final int linkType, final int snaplen, final int tsresol, final long tsoffset) {
        final int options = (tsresol >= 0 ? 8 : 0) + (tsoffset != 0 ? 12 : 0) + (tsresol >= 0 || tsoffset != 0 ? 4 : 0);
        final int length = 20 + options;
        u32(1).u32(length)       // type, length
            .u16(linkType).u16(0) // link type, reserved
            .u32(snaplen);        // snaplen
        if (tsresol >= 0) {
            u16(9).u16(1).u8(tsresol).zeros(3); // if_tsresol, padded
        }
        if (tsoffset != 0) {
            u16(14).u16(8).u64(tsoffset);        // if_tsoffset
        }
        if (options > 0) {
            u16(0).u16(0);                       // opt_endofopt
        }
        return u32(length);
    }

    /** pcapng enhanced packet block. */
    public CaptureBytes epb(final int interfaceId, final long units, final int caplen, final int origlen) {
        final int padded = (caplen + 3) & ~3;
        final int length = 32 + padded;
        return u32(6).u32(length)                      // type, length
            .u32(interfaceId)                          // interface id
            .u32(units >>> 32).u32(units & 0xFFFF_FFFFL) // timestamp high, low
            .u32(caplen).u32(origlen)                  // captured, original length
            .zeros(padded)                             // data, padded
            .u32(length);                              // trailing length
    }

    /** pcapng enhanced packet block holding {@code data}, captured whole. */
    public CaptureBytes epb(final int interfaceId, final long units, final byte[] data) {
        return epb(interfaceId, units, data, data.length);
    }

    /** pcapng enhanced packet block holding {@code data} of a packet of {@code origlen} bytes. */
    public CaptureBytes epb(final int interfaceId, final long units, final byte[] data, final int origlen) {
        final int padded = (data.length + 3) & ~3;
        final int length = 32 + padded;
        return u32(6).u32(length)                      // type, length
            .u32(interfaceId)                          // interface id
            .u32(units >>> 32).u32(units & 0xFFFF_FFFFL) // timestamp high, low
            .u32(data.length).u32(origlen)             // captured, original length
            .put(data).zeros(padded - data.length)     // data, padded
            .u32(length);                              // trailing length
    }

    /** pcapng simple packet block. */
    public CaptureBytes spb(final int origlen, final int dataBytes) {
        final int padded = (dataBytes + 3) & ~3;
        final int length = 16 + padded;
        return u32(3).u32(length).u32(origlen).zeros(padded).u32(length);
    }

    /** An arbitrary block with a body of {@code body} zero bytes. */
    public CaptureBytes block(final long type, final int body) {
        final int length = 12 + body;
        return u32(type).u32(length).zeros(body).u32(length);
    }
}
