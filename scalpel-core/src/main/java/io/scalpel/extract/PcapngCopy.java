package io.scalpel.extract;

import io.scalpel.capture.CaptureSource;
import io.scalpel.capture.Frame;
import io.scalpel.capture.PcapngBlock;
import io.scalpel.capture.PcapngSections;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteOrder;
import java.util.List;

/**
 * pcapng to pcapng: the capture's blocks in capture order, filtered; the frames must come in
 * capture order. A section is written when it holds a frame of the extract (the first frame's
 * section alone for an extract without frames). Of each it keeps:
 * <ul>
 * <li>the section header block, its section length set to unknown (the section now holds less);</li>
 * <li>every interface description block, used or not, so that interface ids stay as they are and
 *     every packet block is copied byte for byte;</li>
 * <li>the selected packet blocks, byte for byte;</li>
 * <li>name resolution blocks and copyable custom blocks (0x00000BAD), whole;</li>
 * <li>decryption secrets only with {@code --keep-secrets}, and then cut down by {@link KeptSecrets}.</li>
 * </ul>
 * It drops interface statistics (they count the whole capture), do-not-copy custom blocks
 * (0x40000BAD) and blocks of other or unknown types. A kept metadata block goes right before the
 * first selected packet that follows it in the capture, or at the end of its section.
 */
final class PcapngCopy extends ExtractWriter {
    private final List<PcapngBlock> structure;
    private final PcapngSections sections;
    private final int firstSection;
    private final KeptSecrets secrets;
    private final byte[] sectionHeader = new byte[PcapngEncoder.SHB_OPTIONS];
    private int section = -1;
    private ByteOrder order;
    private int cursor;

    PcapngCopy(final CaptureSource file, final List<PcapngBlock> structure, final int firstSection, final KeptSecrets secrets,
               final OutputStream out) {
        super(file, out);
        this.structure = structure;
        this.sections = PcapngSections.of(structure);
        this.firstSection = firstSection;
        this.secrets = secrets;
    }

    @Override
    public void start() throws IOException {
        if (section < 0) {
            openSection(firstSection);
        }
    }

    @Override
    public void write(final Frame frame) throws IOException {
        if (frame.section() != section) {
            closeSection();
            openSection(frame.section());
        }
        blocksBefore(frame.recordOffset(), false);
        copy(frame.recordOffset(), frame.recordLength());
        frames++;
    }

    @Override
    public void finish() throws IOException {
        start();
        if (frames == 0) {
            blocksBefore(Long.MAX_VALUE, true);
        } else {
            closeSection();
        }
        out.flush();
    }

    private void closeSection() throws IOException {
        if (section >= 0) {
            blocksBefore(Long.MAX_VALUE, false);
        }
    }

    /** Writes the header block of section {@code s}: its fixed fields with the length unknown, then its options as they are. */
    private void openSection(final int s) throws IOException {
        final int i = sections.header(s);
        if (i < 0) {
            if (s == 0 && structure.isEmpty()) {
                throw new IOException(file.path() + ": the index lists no pcapng section header block; re-run `scalpel index`");
            }
            throw new IOException(file.path() + ": the index lists no header of pcapng section " + s + "; re-run `scalpel index`");
        }
        final PcapngBlock b = structure.get(i);
        section = s;
        cursor = i + 1;
        file.get(b.offset(), sectionHeader, 0, sectionHeader.length);
        order = PcapngEncoder.byteOrderOf(sectionHeader);
        PcapngEncoder.setSectionLengthUnknown(sectionHeader);
        out.write(sectionHeader);
        copy(b.offset() + sectionHeader.length, b.length() - sectionHeader.length);
    }

    /** Writes the kept blocks of the open section that lie before {@code limit}. */
    private void blocksBefore(final long limit, final boolean interfacesOnly) throws IOException {
        while (cursor < structure.size()) {
            final PcapngBlock b = structure.get(cursor);
            if (b.section() != section || b.offset() >= limit) {
                return;
            }
            cursor++;
            switch (b.type()) {
                case PcapngBlock.INTERFACE_DESCRIPTION:
                    copy(b.offset(), b.length());
                    break;
                case PcapngBlock.NAME_RESOLUTION:
                case PcapngBlock.CUSTOM_COPYABLE:
                    if (!interfacesOnly) {
                        copy(b.offset(), b.length());
                    }
                    break;
                case PcapngBlock.DECRYPTION_SECRETS:
                    if (!interfacesOnly) {
                        final byte[] kept = secrets.of(b, order);
                        if (kept != null) {
                            out.write(kept);
                        }
                    }
                    break;
                default:
                    break; // statistics, do-not-copy custom blocks, unknown types
            }
        }
    }
}
