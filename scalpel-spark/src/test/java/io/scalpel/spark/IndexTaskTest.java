package io.scalpel.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scalpel.testdata.CaptureGenerator;
import io.scalpel.testdata.GeneratorSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A task's build runs on the task's own thread: with no writer thread (the default) it starts no
 * thread at all, so that a task slot costs the one core Spark counts for it. The threads a build
 * starts are the JVM's own record of them (JFR's {@code jdk.ThreadStart}, whose parent is the
 * thread that started each); a build with one writer thread shows that the record sees a thread the
 * build starts.
 */
class IndexTaskTest {
    @TempDir
    Path dir;

    @Test
    void shouldStartNoThreadInATasksBuildWithoutWriterThreads() throws Exception {
        final Path capture = dir.resolve("trace.pcap");
        CaptureGenerator.generate(GeneratorSpec.defaults(71).withConnections(200), capture, dir.resolve("conn.log"));
        final SparkOptions inline = SparkOptions.defaults().withIndexRoot(dir.resolve("inline").toString());
        assertEquals(0, inline.writerThreads(), "a task's default");
        assertEquals(List.of(), threadsStartedByBuilding(capture, inline), "threads the task's build started");
        final SparkOptions oneWriter = SparkOptions.defaults().withIndexRoot(dir.resolve("one").toString()).withWriterThreads(1);
        assertEquals(List.of("scalpel-index-writer-0"), threadsStartedByBuilding(capture, oneWriter),
            "with a writer thread, the build starts it");
    }

    /** Builds {@code capture}'s index in an {@link IndexTask} on this thread; the names of the threads it started. */
    private List<String> threadsStartedByBuilding(final Path capture, final SparkOptions options) throws Exception {
        final Path events = Files.createTempFile(dir, "threads", ".jfr");
        final Row row;
        try (Recording recording = new Recording()) {
            recording.enable("jdk.ThreadStart");
            recording.start();
            row = new IndexTask(options, false).call(capture.toString()).next();
            recording.stop();
            recording.dump(events);
        }
        final String error = row.getString(IndexTask.SCHEMA.fieldIndex("error"));
        assertNull(error, capture + ": " + error);
        assertEquals("built", row.getString(IndexTask.SCHEMA.fieldIndex("mode")));
        assertTrue(row.getLong(IndexTask.SCHEMA.fieldIndex("packets")) > 0, "packets indexed");
        final List<String> started = new ArrayList<>();
        for (RecordedEvent e : RecordingFile.readAllEvents(events)) {
            final RecordedThread parent = e.getThread("parentThread");
            if (parent != null && parent.getJavaThreadId() == Thread.currentThread().getId()) {
                started.add(e.getThread("thread").getJavaName());
            }
        }
        return started;
    }
}
