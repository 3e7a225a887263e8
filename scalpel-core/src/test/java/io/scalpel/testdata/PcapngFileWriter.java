package io.scalpel.testdata;

import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes pcapng blocks: type, total length, body, options, total length again; lengths are
 * multiples of 4, padding is zero. Every number is in the current section's byte order.
 */
final class PcapngFileWriter implements Closeable {
    static final int BLOCK_SHB = 0x0a0d0d0a;
    static final int BLOCK_IDB = 1;
    static final int BLOCK_OPB = 2;
    static final int BLOCK_SPB = 3;
    static final int BLOCK_NRB = 4;
    static final int BLOCK_ISB = 5;
    static final int BLOCK_EPB = 6;
    static final int BLOCK_DSB = 10;
    static final int BLOCK_CUSTOM_COPY = 0x00000bad;
    static final int BLOCK_CUSTOM_NO_COPY = 0x40000bad;
    static final long BYTE_ORDER_MAGIC = 0x1a2b3c4dL;

    static final int OPT_ENDOFOPT = 0;
    static final int OPT_COMMENT = 1;
    static final int SHB_HARDWARE = 2;
    static final int SHB_OS = 3;
    static final int SHB_USERAPPL = 4;
    static final int IF_NAME = 2;
    static final int IF_DESCRIPTION = 3;
    static final int IF_TSRESOL = 9;
    static final int IF_TSOFFSET = 14;
    static final int EPB_FLAGS = 2;
    static final int EPB_DROPCOUNT = 4;
    static final int ISB_STARTTIME = 2;
    static final int ISB_ENDTIME = 3;
    static final int ISB_IFRECV = 4;
    static final int ISB_IFDROP = 5;
    static final int NRB_RECORD_END = 0;
    static final int NRB_RECORD_IPV4 = 1;
    static final int NRB_RECORD_IPV6 = 2;
    static final long SECRETS_TLS_KEY_LOG = 0x544c534bL;
    /** IANA's example Private Enterprise Number (RFC 5612), for custom blocks. */
    static final long EXAMPLE_PEN = 32473;

    private static final int BLOCK_HEADER_LENGTH = 8;
    private static final int BLOCK_TRAILER_LENGTH = 4;

    /** One option: code and raw value (already in the section's byte order where numeric). */
    record Option(int code, byte[] value) {
        static Option text(final int code, final String value) {
            return new Option(code, value.getBytes(StandardCharsets.UTF_8));
        }
    }

    private final OutputStream out;
    private final List<TruthBlock> blocks = new ArrayList<>();
    private ByteOrder order = ByteOrder.LITTLE_ENDIAN;
    private int section = -1;
    private long position;

    PcapngFileWriter(final OutputStream out) {
        this.out = out;
    }

    ByteOrder order() {
        return order;
    }

    List<TruthBlock> blocks() {
        return blocks;
    }

    /** A numeric option value in the current section's order. */
    Option u32Option(final int code, final long value) {
        return new Option(code, new ByteArrayBuilder(order).u32(value).toByteArray());
    }

    Option u64Option(final int code, final long value) {
        return new Option(code, new ByteArrayBuilder(order).u64(value).toByteArray());
    }

    /** A 64-bit timestamp option: high word then low word, each in section order. */
    Option timestampOption(final int code, final long units) {
        return new Option(code, new ByteArrayBuilder(order).u32(units >>> 32).u32(units).toByteArray());
    }

    void sectionHeader(final ByteOrder sectionOrder, final List<Option> options) throws IOException {
        order = sectionOrder;
        section++;
        final ByteArrayBuilder body = body();
        body.u32(BYTE_ORDER_MAGIC).u16(1).u16(0); // version 1.0
        body.u64(-1L);                            // section length not given
        write(BLOCK_SHB, body, options, "SHB", 0);
    }

    void interfaceDescription(final int linkType, final int snaplen, final List<Option> options) throws IOException {
        final ByteArrayBuilder body = body();
        body.u16(linkType).u16(0).u32(snaplen);
        write(BLOCK_IDB, body, options, "IDB", 0);
    }

    long enhancedPacket(final int frame, final int interfaceId, final long tsUnits, final byte[] data,
                        final int capturedLength, final List<Option> options) throws IOException {
        final ByteArrayBuilder body = body();
        body.u32(interfaceId).u32(tsUnits >>> 32).u32(tsUnits).u32(capturedLength).u32(data.length);
        body.bytes(data, 0, capturedLength).pad4();
        return write(BLOCK_EPB, body, options, "EPB", frame);
    }

    long obsoletePacket(final int frame, final int interfaceId, final int drops, final long tsUnits, final byte[] data,
                        final int capturedLength, final List<Option> options) throws IOException {
        final ByteArrayBuilder body = body();
        body.u16(interfaceId).u16(drops).u32(tsUnits >>> 32).u32(tsUnits).u32(capturedLength).u32(data.length);
        body.bytes(data, 0, capturedLength).pad4();
        return write(BLOCK_OPB, body, options, "OPB", frame);
    }

    /** SPB: interface 0, no timestamp; holds {@code capturedLength} bytes (min of length and snaplen). */
    long simplePacket(final int frame, final byte[] data, final int capturedLength) throws IOException {
        final ByteArrayBuilder body = body();
        body.u32(data.length).bytes(data, 0, capturedLength).pad4();
        return write(BLOCK_SPB, body, List.of(), "SPB", frame);
    }

    /** NRB with IPv4/IPv6 records: each address (4 or 16 bytes) followed by a NUL-terminated name. */
    long nameResolution(final List<byte[]> addresses, final List<String> names) throws IOException {
        final ByteArrayBuilder body = body();
        for (int i = 0; i < addresses.size(); i++) {
            final byte[] address = addresses.get(i);
            final byte[] name = (names.get(i) + "\0").getBytes(StandardCharsets.US_ASCII);
            body.u16(address.length == IpPackets.IPV4_ADDRESS_LENGTH ? NRB_RECORD_IPV4 : NRB_RECORD_IPV6);
            body.u16(address.length + name.length).bytes(address).bytes(name).pad4();
        }
        body.u16(NRB_RECORD_END).u16(0);
        return write(BLOCK_NRB, body, List.of(), "NRB", 0);
    }

    long interfaceStatistics(final int interfaceId, final long tsUnits, final List<Option> options) throws IOException {
        final ByteArrayBuilder body = body();
        body.u32(interfaceId).u32(tsUnits >>> 32).u32(tsUnits);
        return write(BLOCK_ISB, body, options, "ISB", 0);
    }

    void decryptionSecrets(final long secretsType, final byte[] secrets) throws IOException {
        decryptionSecrets(secretsType, secrets, List.of());
    }

    /** DSB: secrets type, secrets length, the secrets padded to 4 bytes, then options. */
    long decryptionSecrets(final long secretsType, final byte[] secrets, final List<Option> options) throws IOException {
        final ByteArrayBuilder body = body();
        body.u32(secretsType).u32(secrets.length).bytes(secrets).pad4();
        return write(BLOCK_DSB, body, options, "DSB", 0);
    }

    /** A block of any type with the given body (padded to 4 bytes), e.g. a type this writer does not know. */
    long otherBlock(final int type, final byte[] body, final String name) throws IOException {
        return write(type, body().bytes(body).pad4(), List.of(), name, 0);
    }

    long custom(final boolean copyable, final byte[] data) throws IOException {
        final ByteArrayBuilder body = body();
        body.u32(EXAMPLE_PEN).bytes(data).pad4();
        return write(copyable ? BLOCK_CUSTOM_COPY : BLOCK_CUSTOM_NO_COPY, body, List.of(), copyable ? "CB" : "DCB", 0);
    }

    private ByteArrayBuilder body() {
        return new ByteArrayBuilder(order);
    }

    private long write(final int type, final ByteArrayBuilder body, final List<Option> options, final String name,
                       final int frame) throws IOException {
        final ByteArrayBuilder block = new ByteArrayBuilder(order, BLOCK_HEADER_LENGTH + body.size() + 64);
        block.u32(type).u32(0); // total length, set below
        block.bytes(body.array(), 0, body.size());
        if (!options.isEmpty()) {
            for (final Option option : options) {
                block.u16(option.code()).u16(option.value().length).bytes(option.value()).pad4();
            }
            block.u16(OPT_ENDOFOPT).u16(0);
        }
        final int total = block.size() + BLOCK_TRAILER_LENGTH;
        if (total % 4 != 0) {
            throw new IllegalStateException(name + " block length " + total + " is not a multiple of 4");
        }
        block.u32(total);
        block.setU32(4, total);
        out.write(block.array(), 0, block.size());
        final long offset = position;
        blocks.add(new TruthBlock(offset, total, name, frame, section));
        position += total;
        return offset;
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
