package io.scalpel.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scalpel.testdata.CaptureGenerator;
import io.scalpel.testdata.ConnLogForms;
import io.scalpel.testdata.Generated;
import io.scalpel.testdata.GeneratorSpec;
import io.scalpel.testdata.TruthConn;
import io.scalpel.zeek.ConnLogListener;
import io.scalpel.zeek.ConnRecord;
import io.scalpel.zeek.ConnSelection;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ConnLogIndex} against the oracle of reading the log ({@link ConnSelection#read}): for every
 * uid of generated logs (reused 5-tuples, VLANs, each form a conn.log comes in), the same rows and
 * the same next row of each key; and after the log grows (a last line without its line feed
 * included), is rewritten, or gets a new file in its directory.
 */
class ConnLogIndexTest {
    @TempDir
    static Path dir;
    static Generated truth;

    @BeforeAll
    static void generate() throws IOException {
        truth = CaptureGenerator.generate(GeneratorSpec.everything(41),
            dir.resolve("trace.pcap"), dir.resolve("conn.log"));
    }

    @Test
    void shouldFindEveryUidOfAZeekTsvLogAsReadingItDoes() throws IOException {
        assertEveryUidAsRead(dir.resolve("conn.log"));
    }

    @Test
    void shouldFindEveryUidOfJsonZeekCutCsvAndGzipLogsAsReadingThemDoes() throws IOException {
        final Path json = dir.resolve("conn.json");
        truth.writeConnLogJson(json);
        assertEveryUidAsRead(json);
        final Path cut = dir.resolve("conn.cut");
        ConnLogForms.writeZeekCut(truth.conns(), ConnLogForms.Ts.EPOCH_SECONDS, cut);
        assertEveryUidAsRead(cut);
        final Path csv = dir.resolve("conn.csv");
        ConnLogForms.writeCsv(truth.conns(), ConnLogForms.Naming.UNDERSCORED, ConnLogForms.Ts.ISO_MICROS, csv);
        assertEveryUidAsRead(csv);
        final Path gz = dir.resolve("conn.log.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
            out.write(Files.readAllBytes(dir.resolve("conn.log")));
        }
        assertEveryUidAsRead(gz);
    }

    @Test
    void shouldFollowALogThatGrowsLineByLineAndOneWithoutItsLastLineFeed() throws IOException {
        final byte[] whole = Files.readAllBytes(dir.resolve("conn.log"));
        final Path log = dir.resolve("growing.log");
        final int third = cut(whole, whole.length / 3);
        Files.write(log, java.util.Arrays.copyOf(whole, third + 20)); // the last line is half written
        final ConnLogIndex index = ConnLogIndex.of(log);
        assertFalse(index.ready());
        assertNull(index.select(log.toString(), uids(), Scalpel.VlanKey.AS_LOGGED::aware), "not built: the log is read");
        index.refresh();
        assertTrue(index.ready());
        assertSameAsRead(index, log, uids(), Scalpel.VlanKey.AS_LOGGED::aware);
        final int twoThirds = cut(whole, 2 * whole.length / 3);
        append(log, java.util.Arrays.copyOfRange(whole, third + 20, twoThirds));
        assertFalse(index.current(), "grown");
        assertNull(index.select(log.toString(), uids(), Scalpel.VlanKey.AS_LOGGED::aware), "behind the log: the log is read");
        assertTrue(index.refresh());
        assertFalse(index.refresh(), "nothing changed since");
        assertSameAsRead(index, log, uids(), Scalpel.VlanKey.AS_LOGGED::aware);
        append(log, java.util.Arrays.copyOfRange(whole, twoThirds, whole.length));
        index.refresh();
        assertSameAsRead(index, log, uids(), Scalpel.VlanKey.AS_LOGGED::aware);
        assertEquals(truth.conns().size(), index.rows());
    }

    @Test
    void shouldReadAgainAFileRewrittenInPlace() throws IOException {
        final Path log = dir.resolve("rewritten.log");
        final Generated firstHalf = new Generated(truth.frames(), truth.conns().subList(0, truth.conns().size() / 2), truth.blocks());
        firstHalf.writeConnLogJson(log);
        final ConnLogIndex index = ConnLogIndex.of(log);
        index.refresh();
        assertSameAsRead(index, log, uids(), Scalpel.VlanKey.AS_LOGGED::aware);
        final FileTime before = Files.getLastModifiedTime(log);
        truth.writeConnLog(log); // another form, more rows: not an append
        Files.setLastModifiedTime(log, FileTime.fromMillis(before.toMillis() + 2000));
        assertFalse(index.current());
        index.refresh();
        assertSameAsRead(index, log, uids(), Scalpel.VlanKey.AS_LOGGED::aware);
        assertEquals(truth.conns().size(), index.rows());
    }

    @Test
    void shouldSeeANewFileInADirectoryOfRotatedLogs() throws IOException {
        final Path logs = Files.createDirectories(dir.resolve("logs"));
        final int half = truth.conns().size() / 2;
        final Path rotated = logs.resolve("conn.2026-11-30-10-00-00.log");
        new Generated(truth.frames(), truth.conns().subList(0, half), truth.blocks()).writeConnLog(rotated);
        final ConnLogIndex index = ConnLogIndex.of(logs);
        index.refresh();
        assertEquals(1, index.files());
        assertSameAsRead(index, logs, uids(), Scalpel.VlanKey.AS_LOGGED::aware);
        final Path live = logs.resolve("conn.log");
        new Generated(truth.frames(), truth.conns().subList(half, truth.conns().size()), truth.blocks()).writeConnLogJson(live);
        Files.setLastModifiedTime(logs, FileTime.fromMillis(Files.getLastModifiedTime(logs).toMillis() + 2000));
        assertFalse(index.current(), "a new file in the directory");
        index.refresh();
        assertEquals(2, index.files());
        assertSameAsRead(index, logs, uids(), Scalpel.VlanKey.AS_LOGGED::aware);
        assertSameAsRead(index, logs, uids(), Scalpel.VlanKey.AWARE::aware);
    }

    @Test
    void shouldAnswerNullForAnotherLogThanItsOwn() throws IOException {
        final ConnLogIndex index = ConnLogIndex.of(dir.resolve("conn.log"));
        index.refresh();
        assertNull(index.select(dir.resolve("other.log").toString(), uids(), r -> false));
        assertNotNull(index.select(dir.resolve("conn.log").toString(), uids(), r -> false));
    }

    private static void assertEveryUidAsRead(final Path log) throws IOException {
        final ConnLogIndex index = ConnLogIndex.of(log);
        index.refresh();
        assertTrue(index.current());
        for (String uid : uids()) {
            assertSameAsRead(index, log, List.of(uid), Scalpel.VlanKey.AS_LOGGED::aware);
        }
        assertSameAsRead(index, log, uids(), Scalpel.VlanKey.AS_LOGGED::aware);
        assertSameAsRead(index, log, List.of("CNoSuchUid000"), Scalpel.VlanKey.AS_LOGGED::aware);
    }

    /** The index's rows, next rows, tunnel parents and VLAN keying are reading the log's. */
    private static void assertSameAsRead(final ConnLogIndex index, final Path log, final List<String> uids,
                                         final Predicate<ConnRecord> aware) throws IOException {
        final ConnSelection.Result read = ConnSelection.read(log.toString(), new LinkedHashSet<>(uids), aware, ConnLogListener.IGNORE);
        final ConnSelection.Result indexed = index.select(log.toString(), uids, aware);
        assertNotNull(indexed, "current");
        assertEquals(new ArrayList<>(read.rows().entrySet()), new ArrayList<>(indexed.rows().entrySet()), log + " " + uids.size());
        for (Map.Entry<String, ConnRecord> r : read.rows().entrySet()) {
            if (r.getValue().mayRunPastItsWindow()) { // no later row bounds another row's packets: the read does not look for them
                assertEquals(read.nextStart(r.getValue()), indexed.nextStart(r.getValue()), log + ": the next row of " + r.getKey());
            }
        }
        assertEquals(read.tunnelParents(), indexed.tunnelParents());
        assertEquals(read.vlanKeyed(), indexed.vlanKeyed());
        assertEquals(read.source(), indexed.source());
    }

    private static List<String> uids() {
        return truth.conns().stream().map(TruthConn::uid).toList();
    }

    /** The offset just after the line feed at or after {@code at}. */
    private static int cut(final byte[] b, final int at) {
        int i = at;
        while (b[i] != '\n') {
            i++;
        }
        return i + 1;
    }

    private static void append(final Path log, final byte[] bytes) throws IOException {
        final FileTime before = Files.getLastModifiedTime(log);
        Files.write(log, bytes, StandardOpenOption.APPEND);
        Files.setLastModifiedTime(log, FileTime.fromMillis(before.toMillis() + 2000)); // a coarse clock still sees it
    }
}
