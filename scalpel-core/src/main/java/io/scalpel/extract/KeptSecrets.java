package io.scalpel.extract;

import io.scalpel.capture.CaptureSource;
import io.scalpel.capture.PcapngBlock;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * What a pcapng extract keeps of a decryption-secrets block: nothing without {@code --keep-secrets};
 * with it, a TLS key log cut down to the lines of the extract's client randoms ({@link TlsKeyLog}),
 * its options as they were, or nothing when no line is left. Secrets of other types cannot be tied
 * to a session and are dropped, with a warning once per type; so is a block too short for its fixed
 * fields, whose secrets overrun it, or longer than {@link #MAX_SECRETS_BLOCK}.
 */
final class KeptSecrets {
    /** Largest decryption-secrets block read to keep some of its lines (it is read into the heap). */
    static final int MAX_SECRETS_BLOCK = 64 * 1024 * 1024;
    private final CaptureSource file;
    private final Set<String> clientRandoms;
    private final Consumer<String> warnings;
    private final Set<Integer> warnedSecretTypes = new TreeSet<>();

    /**
     * @param clientRandoms the client randoms of the extract's TLS ClientHellos; null to keep no secrets
     */
    KeptSecrets(final CaptureSource file, final Set<String> clientRandoms, final Consumer<String> warnings) {
        this.file = file;
        this.clientRandoms = clientRandoms;
        this.warnings = warnings;
    }

    /** What is kept of the decryption-secrets block {@code b} of a section in byte order {@code order}, or null for nothing. */
    byte[] of(final PcapngBlock b, final ByteOrder order) throws IOException {
        if (clientRandoms == null) {
            return null;
        }
        if (b.length() < PcapngEncoder.DSB_SECRETS + PcapngEncoder.BLOCK_TRAILER_LENGTH) {
            warnings.accept(file.path() + ": byte offset " + b.offset() + ": decryption secrets block of " + b.length()
                + " bytes is shorter than its fixed fields: dropped");
            return null;
        }
        final ByteBuffer head = ByteBuffer.allocate(PcapngEncoder.DSB_SECRETS).order(order);
        file.get(b.offset(), head.array(), 0, PcapngEncoder.DSB_SECRETS);
        final int type = head.getInt(PcapngEncoder.DSB_SECRETS_TYPE);
        final long length = Integer.toUnsignedLong(head.getInt(PcapngEncoder.DSB_SECRETS_LENGTH));
        if (type != TlsKeyLog.SECRETS_TYPE_TLS) {
            if (warnedSecretTypes.add(type)) {
                warnings.accept(String.format("%s: byte offset %d: decryption secrets of type 0x%08x are not a TLS key log: "
                    + "dropped (--keep-secrets keeps TLS key-log lines only)", file.path(), b.offset(), type));
            }
            return null;
        }
        if (b.length() > MAX_SECRETS_BLOCK) {
            warnings.accept(file.path() + ": byte offset " + b.offset() + ": decryption secrets block of " + b.length()
                + " bytes exceeds " + MAX_SECRETS_BLOCK + " bytes: dropped");
            return null;
        }
        final long padded = PcapngEncoder.padded(length);
        if (PcapngEncoder.DSB_SECRETS + padded + PcapngEncoder.BLOCK_TRAILER_LENGTH > b.length()) {
            warnings.accept(file.path() + ": byte offset " + b.offset() + ": decryption secrets length " + length
                + " overruns its block of " + b.length() + " bytes: dropped");
            return null;
        }
        final byte[] block = new byte[b.length()];
        file.get(b.offset(), block, 0, b.length());
        final int secretsEnd = PcapngEncoder.DSB_SECRETS + (int) length;
        final byte[] kept = TlsKeyLog.linesOf(Arrays.copyOfRange(block, PcapngEncoder.DSB_SECRETS, secretsEnd), (int) length,
            clientRandoms);
        if (kept.length == 0) {
            return null;
        }
        final int optionsFrom = PcapngEncoder.DSB_SECRETS + (int) padded;
        final int optionsLength = b.length() - PcapngEncoder.BLOCK_TRAILER_LENGTH - optionsFrom;
        return PcapngEncoder.decryptionSecrets(order, type, kept, block, optionsFrom, optionsLength);
    }
}
