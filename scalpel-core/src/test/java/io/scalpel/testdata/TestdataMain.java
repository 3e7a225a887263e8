package io.scalpel.testdata;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * Regenerates the committed fixtures under {@code testdata/}: each capture with its Zeek conn.log
 * ({@code <name>-conn.log}) and ground truth ({@code <name>.truth.tsv}). Run from the project root:
 * <pre>
 * ./mvnw -q -pl scalpel-core test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=io.scalpel.testdata.TestdataMain
 * </pre>
 * An optional argument names another output directory.
 */
public final class TestdataMain {
    private TestdataMain() {
    }

    public static void main(final String[] args) throws IOException {
        writeAll(args.length > 0 ? Paths.get(args[0]) : defaultDirectory(), true);
    }

    /** Writes every fixture into {@code dir}, listing them on standard output when {@code verbose}. */
    static void writeAll(final Path dir, final boolean verbose) throws IOException {
        Files.createDirectories(dir.resolve("linktypes"));

        final GeneratorSpec sample = GeneratorSpec.defaults(20240101).withConnections(40).withVlan(true)
            .withMaxPayload(240).withStartNanos(1_700_000_000_000_000_000L);
        write(dir, verbose, "sample", sample).writeConnLogJson(dir.resolve("sample-conn.json"));

        write(dir, verbose, "ns-be", GeneratorSpec.defaults(7).withFormat(CaptureFileFormat.PCAP_NSEC_BE).withConnections(25)
            .withVlan(true).withTruncate(true).withUnsortedTimestamps(true).withReuseTuples(true)
            .withOtherProtocols(true).withMaxPayload(400));
        write(dir, verbose, "mixed", GeneratorSpec.everything(11).withFormat(CaptureFileFormat.PCAPNG_MIXED_ENDIAN)
            .withLinkType(GeneratorSpec.MIXED_LINK_TYPES).withConnections(40).withTruncate(false)
            .withMaxPayload(200));
        write(dir, verbose, "ethernet-be", GeneratorSpec.everything(13).withFormat(CaptureFileFormat.PCAPNG_BE)
            .withConnections(20).withTruncate(false).withMaxPayload(200));
        write(dir, verbose, "fragments", GeneratorSpec.defaults(17).withFragments(true).withConnections(20)
            .withMaxPayload(200));
        write(dir, verbose, "qinq", GeneratorSpec.defaults(19).withVlan(true).withQinq(true).withSameTupleOnTwoVlans(true)
            .withConnections(25).withMaxPayload(200));

        final int[][] linkTypes = {
            {LinkFrames.LINKTYPE_NULL, 0}, {LinkFrames.LINKTYPE_NULL, 1}, {LinkFrames.LINKTYPE_ETHERNET, 0},
            {LinkFrames.LINKTYPE_FDDI, 0}, {LinkFrames.LINKTYPE_RAW, 0}, {LinkFrames.LINKTYPE_LOOP, 0},
            {LinkFrames.LINKTYPE_LINUX_SLL, 0}, {LinkFrames.LINKTYPE_IPV4, 0}, {LinkFrames.LINKTYPE_IPV6, 0},
            {LinkFrames.LINKTYPE_LINUX_SLL2, 0}};
        for (final int[] entry : linkTypes) {
            final int linkType = entry[0];
            final boolean bigEndian = entry[1] == 1;
            final String name = "linktypes/" + linkTypeName(linkType) + "-" + linkType + (bigEndian ? "-be" : "");
            write(dir, verbose, name, GeneratorSpec.defaults(100 + linkType).withLinkType(linkType).withConnections(8)
                .withFormat(bigEndian ? CaptureFileFormat.PCAP_USEC_BE : CaptureFileFormat.PCAP_USEC_LE)
                .withFragments(true).withMaxPayload(160));
        }
    }

    private static Generated write(final Path dir, final boolean verbose, final String name, final GeneratorSpec spec)
        throws IOException {
        final Path capture = dir.resolve(name + "." + spec.format().extension());
        final Generated generated = CaptureGenerator.generate(spec, capture, dir.resolve(name + "-conn.log"));
        generated.writeTruth(dir.resolve(name + ".truth.tsv"));
        if (verbose) {
            System.out.printf(java.util.Locale.ROOT, "%-30s %8d bytes %5d frames %4d connections%n",
                dir.relativize(capture), Files.size(capture), generated.frames().size(), generated.conns().size());
        }
        return generated;
    }

    static String linkTypeName(final int linkType) {
        switch (linkType) {
            case LinkFrames.LINKTYPE_NULL: return "null";
            case LinkFrames.LINKTYPE_ETHERNET: return "ethernet";
            case LinkFrames.LINKTYPE_FDDI: return "fddi";
            case LinkFrames.LINKTYPE_RAW: return "raw";
            case LinkFrames.LINKTYPE_LOOP: return "loop";
            case LinkFrames.LINKTYPE_LINUX_SLL: return "linux-sll";
            case LinkFrames.LINKTYPE_IPV4: return "ipv4";
            case LinkFrames.LINKTYPE_IPV6: return "ipv6";
            case LinkFrames.LINKTYPE_LINUX_SLL2: return "linux-sll2";
            default: return "linktype";
        }
    }

    /** testdata/ of the project, whether run from the project root or from scalpel-core. */
    private static Path defaultDirectory() {
        final String configured = System.getProperty("scalpel.testdata.dir");
        if (configured != null) {
            return Paths.get(configured);
        }
        return Files.isDirectory(Paths.get("scalpel-core")) ? Paths.get("testdata") : Paths.get("..", "testdata");
    }
}
