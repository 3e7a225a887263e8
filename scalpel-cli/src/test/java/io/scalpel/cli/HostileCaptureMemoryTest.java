package io.scalpel.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scalpel.testing.ExternalTools;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * pcapng captures built to exhaust the heap through their structure: 700 000 empty section headers
 * (19.6 MB), and 3 000 sections of 200 interfaces each with a packet. Each is indexed and sliced
 * by a child JVM with {@code -Xmx256m} (where an OutOfMemoryError would show); the index stays
 * small, and the extract carries the right section and interface blocks: tshark, the oracle,
 * reads each packet on the interface the file put it on.
 */
class HostileCaptureMemoryTest {
    private static final int LINKTYPE_ETHERNET = 1;
    private static final int LINKTYPE_RAW = 101;
    private static final long WAIT_MINUTES = 5;

    @TempDir
    Path dir;

    @Test
    void shouldIndex700000EmptySectionsInABoundedHeapAndKeepOnlyThoseWithPackets() throws Exception {
        final Path capture = dir.resolve("empty-sections.pcapng");
        try (Pcapng out = new Pcapng(capture)) {
            out.shb().idb(LINKTYPE_RAW).epb(0, 1, 1000);
            for (int i = 0; i < 700_000; i++) {
                out.shb();
            }
            out.shb().idb(LINKTYPE_RAW).epb(0, 2, 2000);
        }
        assertEquals(19_600_224, Files.size(capture), "the capture of the attack");

        final Child index = Child.run(dir, "index", capture.toString());
        assertEquals(0, index.exit, index::toString);
        assertTrue(Files.size(dir.resolve("empty-sections.pcapng.scalpel/manifest.json")) < 64 * 1024, "manifest size");

        final Path out = dir.resolve("out.pcapng");
        final Child slice = Child.run(dir, "slice", capture.toString(), "--from", "0", "-w", out.toString());
        assertEquals(0, slice.exit, slice::toString);
        assertEquals(List.of("0\t1000", "0\t2000"), tshark(out));
    }

    @Test
    void shouldIndex3000SectionsOf200InterfacesInABoundedHeapUpToTheStructureLimit() throws Exception {
        final int sections = 3000;
        final int interfaces = 200;
        final Path capture = dir.resolve("interfaces.pcapng");
        try (Pcapng out = new Pcapng(capture)) {
            for (int s = 0; s < sections; s++) {
                out.shb();
                for (int i = 0; i < interfaces - 1; i++) {
                    out.idb(LINKTYPE_ETHERNET);
                }
                out.idb(LINKTYPE_RAW).epb(interfaces - 1, s, 1000 + s);
            }
        }
        // sections kept: as many as fit 65536 section and interface blocks (the first always)
        final int kept = 65_536 / (1 + interfaces);

        final Child index = Child.run(dir, "index", "--json", capture.toString());
        assertEquals(0, index.exit, index::toString);
        assertTrue(index.err.contains("more than 65536 section header and interface description blocks"), index::toString);
        assertTrue(index.out.contains("\"packets\":" + kept + ","), index::toString);
        assertTrue(Files.size(dir.resolve("interfaces.pcapng.scalpel/manifest.json")) < 16L << 20, "manifest size");

        final Path out = dir.resolve("out.pcapng");
        final Child slice = Child.run(dir, "slice", capture.toString(), "--from", "0", "-w", out.toString());
        assertEquals(0, slice.exit, slice::toString);
        final List<String> packets = tshark(out);
        assertEquals(kept, packets.size());
        for (int s = 0; s < kept; s++) {
            assertEquals((interfaces - 1) + "\t" + (1000 + s), packets.get(s), "packet of section " + s);
        }
    }

    private static List<String> tshark(final Path file) throws IOException, InterruptedException {
        ExternalTools.require(ExternalTools.TSHARK);
        return ExternalTools.run(List.of("tshark", "-r", file.toString(), "-T", "fields", "-e", "frame.interface_id", "-e",
            "udp.srcport")).lines().filter(l -> !l.isBlank()).toList();
    }

    /** A scalpel command run in a child JVM with -Xmx256m. */
    private record Child(int exit, String out, String err) {
        static Child run(final Path dir, final String... args) throws Exception {
            final Path out = dir.resolve("child.out");
            final Path err = dir.resolve("child.err");
            final Process p = ChildJvm.start(out, err, args);
            assertTrue(p.waitFor(WAIT_MINUTES, TimeUnit.MINUTES), "scalpel " + String.join(" ", args) + " still running");
            final Child c = new Child(p.exitValue(), Files.readString(out), Files.readString(err));
            assertFalse(c.err.contains("OutOfMemoryError") || c.err.contains("out of memory") || c.err.contains("\tat "), c::toString);
            return c;
        }

        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    /** A little-endian pcapng file written block by block. */
    private static final class Pcapng implements AutoCloseable {
        private final OutputStream out;
        private final ByteBuffer b = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);

        Pcapng(final Path file) throws IOException {
            out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20);
        }

        /** Section header block: 28 bytes, no options. */
        Pcapng shb() throws IOException {
            b.clear();
            b.putInt(0x0A0D0D0A).putInt(28)     // type, length
                .putInt(0x1A2B3C4D)             // byte-order magic
                .putShort((short) 1).putShort((short) 0) // version 1.0
                .putLong(-1)                    // section length: unknown
                .putInt(28);                    // trailing length
            return flush();
        }

        /** Interface description block: 20 bytes, no options. */
        Pcapng idb(final int linkType) throws IOException {
            b.clear();
            b.putInt(1).putInt(20)              // type, length
                .putShort((short) linkType).putShort((short) 0) // link type, reserved
                .putInt(0)                      // snaplen: none
                .putInt(20);                    // trailing length
            return flush();
        }

        /** Enhanced packet block: a raw IPv4 UDP packet 10.0.0.1:sport > 10.0.0.2:53, at {@code second} s. */
        Pcapng epb(final int interfaceId, final long second, final int sport) throws IOException {
            final long micros = (1_700_000_000L + second) * 1_000_000L;
            b.clear();
            b.putInt(6).putInt(64)                               // type, length
                .putInt(interfaceId)                             // interface id
                .putInt((int) (micros >>> 32)).putInt((int) micros) // timestamp high, low (µs)
                .putInt(32).putInt(32)                           // captured, original length
                .put(new byte[] {0x45, 0, 0, 32, 0, 1, 0, 0, 64, 17, 0, 0}) // IPv4, 32 bytes, UDP
                .put(new byte[] {10, 0, 0, 1, 10, 0, 0, 2})      // 10.0.0.1 > 10.0.0.2
                .order(ByteOrder.BIG_ENDIAN)                     // UDP header, in network order:
                .putShort((short) sport).putShort((short) 53)    // source and destination port
                .putShort((short) 12).putShort((short) 0)        // length, no checksum
                .order(ByteOrder.LITTLE_ENDIAN)
                .put(new byte[] {'a', 'b', 'c', 'd'})            // payload
                .putInt(64);                                     // trailing length
            final byte[] block = b.array();
            out.write(block, 0, 64);
            return this;
        }

        private Pcapng flush() throws IOException {
            out.write(b.array(), 0, b.position());
            return this;
        }

        @Override
        public void close() throws IOException {
            out.close();
        }
    }
}
