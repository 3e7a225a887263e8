package io.scalpel.cli;

import static io.scalpel.testing.Frames.rawIpv4Udp;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scalpel.testing.CaptureBytes;
import io.scalpel.testing.ExternalTools;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * pcapng captures built to exhaust the heap through their structure: 700 000 empty section headers
 * (19.6 MB), and 3 000 sections of 200 interfaces each with a packet. Each is indexed and sliced
 * by a child JVM with {@code -Xmx256m} (where an OutOfMemoryError would show); the index stays
 * small, and the extract carries the right section and interface blocks: tshark, the oracle,
 * reads each packet on the interface the file put it on.
 */
@Tag("e2e")
@Tag("external")
class HostileCaptureMemoryTest {
    private static final int LINKTYPE_ETHERNET = 1;
    private static final int LINKTYPE_RAW = 101;
    private static final long WAIT_MINUTES = 5;

    @TempDir
    Path dir;

    @Test
    void shouldIndex700000EmptySectionsInABoundedHeapAndKeepOnlyThoseWithPackets() throws Exception {
        final Path capture = dir.resolve("empty-sections.pcapng");
        try (OutputStream file = new BufferedOutputStream(Files.newOutputStream(capture), 1 << 20)) {
            final CaptureBytes b = new CaptureBytes(ByteOrder.LITTLE_ENDIAN);
            b.shb().idb(LINKTYPE_RAW, 0, -1, 0).epb(0, micros(1), rawIpv4Udp(1000)).drainTo(file);
            for (int i = 0; i < 700_000; i++) {
                b.shb().drainTo(file);
            }
            b.shb().idb(LINKTYPE_RAW, 0, -1, 0).epb(0, micros(2), rawIpv4Udp(2000)).drainTo(file);
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
        try (OutputStream file = new BufferedOutputStream(Files.newOutputStream(capture), 1 << 20)) {
            final CaptureBytes b = new CaptureBytes(ByteOrder.LITTLE_ENDIAN);
            for (int s = 0; s < sections; s++) {
                b.shb();
                for (int i = 0; i < interfaces - 1; i++) {
                    b.idb(LINKTYPE_ETHERNET, 0, -1, 0);
                }
                b.idb(LINKTYPE_RAW, 0, -1, 0).epb(interfaces - 1, micros(s), rawIpv4Udp(1000 + s)).drainTo(file);
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

    /** The timestamp in µs of second {@code second} after 2023-11-14T22:13:20Z. */
    private static long micros(final long second) {
        return (1_700_000_000L + second) * 1_000_000L;
    }
}
