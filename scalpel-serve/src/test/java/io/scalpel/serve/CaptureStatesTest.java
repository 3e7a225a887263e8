package io.scalpel.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.scalpel.testdata.CaptureGenerator;
import io.scalpel.testdata.GeneratorSpec;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The states {@code /api/v1/captures} gives each capture: {@code building} until it is open,
 * {@code failed} when it cannot be, then {@code fresh}, {@code growing} once a file grew (or a set
 * got a new file), {@code stale} once a file was cut short or rewritten under its index. The server
 * here never extends its captures, so each state stays until the files change again
 * ({@link GrowingCaptureTest} has them extended).
 */
class CaptureStatesTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void shouldSayBuildingUntilOpenAndFailedWhenItCannotBe() throws IOException {
        final Path file = Files.writeString(dir.resolve("x.pcap"), "not yet");
        final CaptureRoots.Opening o = new CaptureRoots.Opening("x.pcap", file);
        assertEquals("building", o.state());
        o.captures.completeExceptionally(new IOException("x.pcap: not a capture"));
        assertEquals("failed", o.state());
    }

    @Test
    void shouldSayFreshThenGrowingThenStaleAsTheFileChanges() throws Exception {
        final Path capture = dir.resolve("trace.pcap");
        CaptureGenerator.generate(GeneratorSpec.defaults(5), capture, dir.resolve("conn.log"));
        try (ServeFixture serve = new ServeFixture(List.of(capture), dir.resolve("conn.log"), null, 8, 1L << 30, 1000, -1, 0)) {
            assertEquals("fresh", awaitOpen(serve, "trace.pcap"));
            final long size = Files.size(capture);
            final FileTime t = Files.getLastModifiedTime(capture);
            Files.write(capture, new byte[64], StandardOpenOption.APPEND); // a record header's worth, still being written
            assertEquals("growing", state(serve, "trace.pcap"));
            try (RandomAccessFile f = new RandomAccessFile(capture.toFile(), "rw")) {
                f.setLength(size - 10);
            }
            assertEquals("stale", state(serve, "trace.pcap"), "cut short");
            try (RandomAccessFile f = new RandomAccessFile(capture.toFile(), "rw")) {
                f.setLength(size);
            }
            Files.setLastModifiedTime(capture, FileTime.fromMillis(t.toMillis() + 5000));
            assertEquals("stale", state(serve, "trace.pcap"), "rewritten at the same size");
        }
    }

    @Test
    void shouldSayGrowingWhenASetGetsANewFile() throws Exception {
        final Path set = Files.createDirectories(dir.resolve("set"));
        CaptureGenerator.generate(GeneratorSpec.defaults(6), set.resolve("a.pcap"), dir.resolve("conn.log"));
        try (ServeFixture serve = new ServeFixture(List.of(set), dir.resolve("conn.log"), null, 8, 1L << 30, 1000, -1, 0)) {
            assertEquals("fresh", awaitOpen(serve, "set"));
            Files.copy(set.resolve("a.pcap"), set.resolve("b.pcap"));
            assertEquals("growing", state(serve, "set"));
            Files.delete(set.resolve("a.pcap"));
            assertEquals("stale", state(serve, "set"), "a member gone");
        }
    }

    private static String awaitOpen(final ServeFixture serve, final String name) throws Exception {
        for (int i = 0; i < 600; i++) {
            final String s = state(serve, name);
            if (!s.equals("building")) {
                return s;
            }
            Thread.sleep(100);
        }
        throw new AssertionError(name + " was not opened within a minute");
    }

    private static String state(final ServeFixture serve, final String name) throws Exception {
        for (JsonNode c : JSON.readTree(serve.get("/api/v1/captures").body()).get("captures")) {
            if (c.get("name").asText().equals(name)) {
                return c.get("state").asText();
            }
        }
        throw new AssertionError("no capture " + name);
    }
}
