package io.scalpel.api;

import io.scalpel.capture.CaptureFormat;
import io.scalpel.extract.MergedExtract;
import io.scalpel.extract.RunFiles;
import io.scalpel.index.CaptureSetManifest;
import io.scalpel.index.IndexManifest;
import io.scalpel.slice.ExtractOptions;
import io.scalpel.slice.Slicer;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import io.scalpel.zeek.ConnRecord;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The extracts of a capture set's selections ({@link CaptureSet#write}, {@link CaptureSet#writeEach}):
 * a query's frames of every member merged by timestamp ({@link MergedExtract}), or, when one
 * member in its own format holds them all, that member's single-capture extract, its records
 * copied as they are; and the Arrow pairs of conn rows with their packets, member by member. The format when none is asked for is the members' own when they agree; a
 * pcap of members of different link types is refused, and so is an output that is an input of
 * the set, before any file is created.
 */
final class SetExtracts {
    private final CaptureSetManifest manifest;
    private final Path directory;
    private final Path indexDirectory;
    /** What the set reads, located once for every write: a set may have many members, and many outputs. */
    private RunFiles located;

    SetExtracts(final CaptureSetManifest manifest, final Path directory, final Path indexDirectory) {
        this.manifest = manifest;
        this.directory = directory;
        this.indexDirectory = indexDirectory;
    }

    private RunFiles located() throws IOException {
        if (located == null) {
            located = CaptureSetIndex.inputsOf(directory, indexDirectory);
        }
        return located;
    }

    /** The format of query {@code query}'s extract (-1: of every query) without {@link ExtractOptions#format()}. */
    CaptureFormat defaultFormat(final CaptureSet.Selection selection, final int query) throws IOException {
        final List<MergedExtract.Source> sources = sources(selection, query);
        final List<CaptureFormat> formats = new ArrayList<>();
        for (CaptureSet.MemberSelection m : selectionMembers(selection, query)) {
            formats.add(m.capture().captureFormat());
        }
        return sources.isEmpty() ? formatOfEmpty() : MergedExtract.defaultFormat(sources, formats);
    }

    /** Writes the frames of query {@code query} (-1: of every query, each frame once) as one capture file, atomically. */
    long write(final CaptureSet.Selection selection, final int query, final ExtractOptions extract, final Path output)
        throws IOException {
        final CaptureFormat format = extract.format() != null ? extract.format() : defaultFormat(selection, query);
        if (format == CaptureFormat.PCAP) {
            MergedExtract.checkOneLinkType(sources(selection, query)); // before the output file is created
        }
        located().check(output, "the output");
        return AtomicWrites.write(output, out -> write(selection, query, extract, out));
    }

    /** As {@link #write(CaptureSet.Selection, int, ExtractOptions, Path)}, to a stream. */
    long write(final CaptureSet.Selection selection, final int query, final ExtractOptions extract, final OutputStream output)
        throws IOException {
        final CaptureFormat format = extract.format() != null ? extract.format() : defaultFormat(selection, query);
        final List<CaptureSet.MemberSelection> members = selectionMembers(selection, query);
        if (members.size() == 1 && members.get(0).capture().captureFormat() == format) {
            // One member in its own format: the single-capture extract, records copied as they are.
            return members.get(0).capture().write(offsetsOf(members.get(0), query), extract.withFormat(format), output);
        }
        if (extract.keepSecrets()) {
            extract.warnings().accept("--keep-secrets: an extract merged from several capture set members has no decryption secrets");
        }
        return MergedExtract.write(sources(selection, query), format, extract.warnings(), output);
    }

    /** Writes the frames of each query {@code i} to its own file {@code outputs[i]} (null: none), committed together. */
    long[] writeEach(final CaptureSet.Selection selection, final Path[] outputs, final Path outputDirectory,
                     final ExtractOptions extract)
        throws IOException {
        for (int i = 0; i < outputs.length; i++) {
            if (outputs[i] != null) {
                located().check(outputs[i], "the output");
                final CaptureFormat format = extract.format() != null ? extract.format() : defaultFormat(selection, i);
                if (format == CaptureFormat.PCAP) {
                    MergedExtract.checkOneLinkType(sources(selection, i)); // before any file is created
                }
            }
        }
        return AtomicWrites.writeEach(outputs.length, outputs, outputDirectory, (i, out) -> write(selection, i, extract, out));
    }

    /** Adds the pairs of each conn row with each of its packets to {@code writer}, member by member in time order. */
    static long addPairs(final CaptureSet.Selection selection, final List<ConnRecord> rows, final ArrowPairs.FileWriter writer)
        throws IOException {
        final List<CaptureSet.MemberSelection> inTimeOrder = new ArrayList<>(selection.members());
        inTimeOrder.sort(Comparator.comparingLong(m -> m.member().firstTimestampNanos()));
        long pairs = 0;
        for (CaptureSet.MemberSelection m : inTimeOrder) {
            pairs += writer.add(m.capture(), rows, m.offsets());
        }
        return pairs;
    }

    /** The members with frames for the query (-1: any query). */
    private static List<CaptureSet.MemberSelection> selectionMembers(final CaptureSet.Selection selection, final int query) {
        final List<CaptureSet.MemberSelection> with = new ArrayList<>();
        for (CaptureSet.MemberSelection m : selection.members()) {
            if (offsetsOf(m, query).length > 0) {
                with.add(m);
            }
        }
        return with;
    }

    private static long[] offsetsOf(final CaptureSet.MemberSelection m, final int query) {
        return query >= 0 ? m.offsets()[query] : Slicer.union(m.offsets());
    }

    private static List<MergedExtract.Source> sources(final CaptureSet.Selection selection, final int query) {
        final List<MergedExtract.Source> sources = new ArrayList<>();
        for (CaptureSet.MemberSelection m : selectionMembers(selection, query)) {
            final IndexManifest im = m.capture().manifest();
            sources.add(new MergedExtract.Source(m.capture().capture(), im.fingerprint().length(),
                im.pcapngBlocks() == null ? List.of() : im.pcapngBlocks(), im.linkTypes(), offsetsOf(m, query)));
        }
        return sources;
    }

    /** The format of an empty extract: that of the first member, pcapng when the set's members differ. */
    private CaptureFormat formatOfEmpty() {
        String f = null;
        for (CaptureSetManifest.Member m : manifest.members()) {
            if (f == null) {
                f = m.captureFormat();
            } else if (!f.equals(m.captureFormat())) {
                return CaptureFormat.PCAPNG;
            }
        }
        return "pcapng".equals(f) ? CaptureFormat.PCAPNG : CaptureFormat.PCAP;
    }
}
