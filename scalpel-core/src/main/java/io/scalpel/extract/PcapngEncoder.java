package io.scalpel.extract;

import io.scalpel.capture.CaptureReader;
import io.scalpel.capture.Frame;
import io.scalpel.capture.PcapngBlock;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The pcapng blocks an extract writes or rewrites (RFC draft "PCAP Next Generation Dump File
 * Format"). Every block is its type, its total length, a body and the total length again, a
 * multiple of 4 bytes; options are a code, a length and a value padded to 4 bytes, ended by
 * {@code opt_endofopt}. The blocks written here are little-endian; a rewritten secrets block keeps
 * its section's byte order.
 *
 * <pre>
 * section header (no options)  interface description         enhanced packet               decryption secrets
 *  0 type 0x0A0D0D0A             0 type 1                       0 type 6                      0 type 10
 *  4 length 28                   4 length                       4 length                      4 length
 *  8 byte-order magic            8 link type (2 bytes)          8 interface id                8 secrets type
 * 12 version major 1            10 reserved (2 bytes)          12 timestamp, high 32 bits    12 secrets length
 * 14 version minor 0            12 snaplen (0: no limit)       16 timestamp, low 32 bits     16 secrets, padded
 * 16 section length (8 bytes)   16 options                     20 captured length               options
 * 24 length                        length                      24 original length               length
 *                                                              28 frame, padded; length
 * </pre>
 *
 * <p>One encoder reuses one block buffer, so writing a frame allocates nothing.
 */
final class PcapngEncoder {
    static final int BYTE_ORDER_MAGIC = 0x1A2B3C4D;
    static final int VERSION_MAJOR = 1;
    static final int VERSION_MINOR = 0;
    /** Section length of a section whose length is not given (an extract holds less than its source section). */
    static final long SECTION_LENGTH_UNKNOWN = -1L;
    /** Snaplen of an interface whose frames have no length limit. */
    static final int NO_SNAPLEN = 0;
    static final ByteOrder BYTE_ORDER = ByteOrder.LITTLE_ENDIAN;

    static final int BLOCK_TYPE = 0;
    static final int BLOCK_LENGTH = 4;
    static final int BLOCK_TRAILER_LENGTH = 4;
    static final int ALIGNMENT = 4;

    static final int SHB_BYTE_ORDER = 8;
    static final int SHB_SECTION_LENGTH = 16;
    static final int SHB_OPTIONS = 24;
    static final int SHB_LENGTH = SHB_OPTIONS + BLOCK_TRAILER_LENGTH;

    /** Offset of an interface description's options: after the link type, 2 reserved bytes and the snaplen. */
    static final int IDB_OPTIONS = 16;
    static final int RESERVED = 0;

    static final int EPB_INTERFACE = 8;
    static final int EPB_TS_HIGH = 12;
    static final int EPB_TS_LOW = 16;
    static final int EPB_CAPTURED_LENGTH = 20;
    static final int EPB_ORIGINAL_LENGTH = 24;
    static final int EPB_DATA = 28;

    static final int DSB_SECRETS_TYPE = 8;
    static final int DSB_SECRETS_LENGTH = 12;
    static final int DSB_SECRETS = 16;

    static final int OPTION_HEADER_LENGTH = 4;
    static final int OPT_ENDOFOPT = 0;
    static final int OPT_ENDOFOPT_LENGTH = 0;
    static final int IF_DESCRIPTION = 3;
    static final int IF_TSRESOL = 9;
    /** {@code if_tsresol} of nanoseconds: 10^-9 s (one byte, then 3 bytes of padding). */
    static final int TSRESOL_NANOSECONDS = 9;
    static final int TSRESOL_LENGTH = 1;

    private final byte[] block = new byte[EPB_DATA + padded(CaptureReader.MAX_CAPLEN) + BLOCK_TRAILER_LENGTH];
    private final ByteBuffer fields = ByteBuffer.wrap(block).order(BYTE_ORDER);

    /** {@code length} rounded up to the 4-byte alignment of pcapng fields. */
    static int padded(final int length) {
        return (length + ALIGNMENT - 1) & -ALIGNMENT;
    }

    /** {@code length} rounded up to the 4-byte alignment of pcapng fields. */
    static long padded(final long length) {
        return (length + ALIGNMENT - 1) & -ALIGNMENT;
    }

    /** A section header block of one little-endian section of unknown length, without options. */
    static byte[] sectionHeader() {
        final ByteBuffer shb = ByteBuffer.allocate(SHB_LENGTH).order(BYTE_ORDER);
        shb.putInt(PcapngBlock.SECTION_HEADER).putInt(SHB_LENGTH).putInt(BYTE_ORDER_MAGIC)
            .putShort((short) VERSION_MAJOR).putShort((short) VERSION_MINOR).putLong(SECTION_LENGTH_UNKNOWN).putInt(SHB_LENGTH);
        return shb.array();
    }

    /** The byte order of a section, from the first {@link #SHB_OPTIONS} bytes (at least) of its header block. */
    static ByteOrder byteOrderOf(final byte[] sectionHeader) {
        return ByteBuffer.wrap(sectionHeader).order(ByteOrder.BIG_ENDIAN).getInt(SHB_BYTE_ORDER) == BYTE_ORDER_MAGIC
            ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
    }

    /** Sets the section length field of a section header block (its first {@link #SHB_OPTIONS} bytes at least) to unknown. */
    static void setSectionLengthUnknown(final byte[] sectionHeader) {
        ByteBuffer.wrap(sectionHeader).putLong(SHB_SECTION_LENGTH, SECTION_LENGTH_UNKNOWN); // all ones in either byte order
    }

    /**
     * An interface description block.
     *
     * @param snaplen     the longest frame of the interface, {@link #NO_SNAPLEN} for no limit
     * @param description {@code if_description}, or null for none
     * @param nanoseconds whether timestamps are in nanoseconds ({@code if_tsresol} 9) rather than the default microseconds
     */
    static byte[] interfaceDescription(final int linkType, final int snaplen, final String description, final boolean nanoseconds) {
        final byte[] text = description == null ? null : description.getBytes(StandardCharsets.UTF_8);
        int options = 0;
        if (text != null) {
            options += OPTION_HEADER_LENGTH + padded(text.length);
        }
        if (nanoseconds) {
            options += OPTION_HEADER_LENGTH + padded(TSRESOL_LENGTH);
        }
        if (options > 0) {
            options += OPTION_HEADER_LENGTH; // opt_endofopt
        }
        final int length = IDB_OPTIONS + options + BLOCK_TRAILER_LENGTH;
        final ByteBuffer idb = ByteBuffer.allocate(length).order(BYTE_ORDER);
        idb.putInt(PcapngBlock.INTERFACE_DESCRIPTION).putInt(length).putShort((short) linkType).putShort((short) RESERVED)
            .putInt(snaplen);
        if (text != null) {
            idb.putShort((short) IF_DESCRIPTION).putShort((short) text.length).put(text);
            idb.position(idb.position() + padded(text.length) - text.length);
        }
        if (nanoseconds) {
            idb.putShort((short) IF_TSRESOL).putShort((short) TSRESOL_LENGTH).put((byte) TSRESOL_NANOSECONDS);
            idb.position(idb.position() + padded(TSRESOL_LENGTH) - TSRESOL_LENGTH);
        }
        if (options > 0) {
            idb.putShort((short) OPT_ENDOFOPT).putShort((short) OPT_ENDOFOPT_LENGTH);
        }
        idb.putInt(length);
        return idb.array();
    }

    /**
     * A decryption-secrets block holding {@code secrets} (padded), then the options
     * {@code block[optionsFrom, optionsFrom + optionsLength)} as they are.
     *
     * @param order the byte order of the section it is written in
     */
    static byte[] decryptionSecrets(final ByteOrder order, final int secretsType, final byte[] secrets,
                                    final byte[] block, final int optionsFrom, final int optionsLength) {
        final int length = DSB_SECRETS + padded(secrets.length) + optionsLength + BLOCK_TRAILER_LENGTH;
        final ByteBuffer dsb = ByteBuffer.allocate(length).order(order);
        dsb.putInt(PcapngBlock.DECRYPTION_SECRETS).putInt(length).putInt(secretsType).putInt(secrets.length).put(secrets);
        dsb.position(DSB_SECRETS + padded(secrets.length));
        dsb.put(block, optionsFrom, optionsLength).putInt(length);
        return dsb.array();
    }

    /**
     * Writes {@code frame} as an enhanced packet block without options.
     *
     * @param timestamp the frame's timestamp in its interface's units
     */
    void writeEnhancedPacket(final int interfaceId, final long timestamp, final Frame frame, final OutputStream out)
        throws IOException {
        final int caplen = frame.capturedLength();
        final int padded = padded(caplen);
        final int length = EPB_DATA + padded + BLOCK_TRAILER_LENGTH;
        fields.putInt(BLOCK_TYPE, PcapngBlock.ENHANCED_PACKET).putInt(BLOCK_LENGTH, length).putInt(EPB_INTERFACE, interfaceId)
            .putInt(EPB_TS_HIGH, (int) (timestamp >>> Integer.SIZE)).putInt(EPB_TS_LOW, (int) timestamp)
            .putInt(EPB_CAPTURED_LENGTH, caplen).putInt(EPB_ORIGINAL_LENGTH, frame.originalLength());
        frame.buffer().get(frame.dataOffset(), block, EPB_DATA, caplen);
        Arrays.fill(block, EPB_DATA + caplen, EPB_DATA + padded, (byte) 0);
        fields.putInt(EPB_DATA + padded, length);
        out.write(block, 0, length);
    }
}
