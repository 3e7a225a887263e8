package io.scalpel.follow;

import io.scalpel.zeek.ConnLogReader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * A conn.log that Zeek is writing, read as it grows (Zeek's TSV or JSON lines), followed across
 * its rotation: when the name is given to a new file (Zeek renames conn.log and opens a new one),
 * the renamed file is read to its end, then the new one from its start. Each file is a partition
 * of its own (a generation, known by its device and inode); the position committed is a byte
 * offset, kept in a checkpoint file ({@code .scalpel-follow-tail} in the output directory) with
 * the file's identity, so a restart goes on from there, in the renamed file first when the
 * rotation came in between (found by its identity beside the log). A line is read once it ends
 * with a line feed.
 */
final class ConnLogTail implements ConnSource {
    /** The checkpoint's name in the output directory. */
    static final String CHECKPOINT = ".scalpel-follow-tail";
    private static final int CHUNK = 4 << 20;

    /** One file the name conn.log stood for. */
    private static final class Generation {
        final String key;
        final Path file;
        final FileChannel channel;
        /** Where the next read starts (after the last whole line read). */
        long position;
        /** The position committed: every line before it is done. */
        long committed;
        /** The name now stands for another file, and this one was read to its end. */
        boolean drained;
        /** A TSV log's '#' lines so far (the header every row is parsed with). */
        List<byte[]> header = new ArrayList<>();
        /** Bytes of a line too long to read are being skipped up to its end. */
        boolean skipping;

        Generation(final String key, final Path file, final FileChannel channel, final long position) {
            this.key = key;
            this.file = file;
            this.channel = channel;
            this.position = position;
            this.committed = position;
        }

        String partition() {
            return "tail-" + key;
        }
    }

    private final Path path;
    private final Path checkpoint;
    private final Consumer<String> warnings;
    private final FollowCounters counters;
    private final Deque<Generation> generations = new ArrayDeque<>();
    private final ByteBuffer buffer = ByteBuffer.allocate(CHUNK);
    private boolean paused;

    /**
     * Opens the log, going on from the checkpoint in {@code stateDirectory} when there is one.
     *
     * @param path           the conn.log Zeek writes
     * @param stateDirectory where the checkpoint is kept
     * @param warnings       receives one-line warnings
     * @param counters       counts the rows read and bad
     * @throws IOException when the log cannot be opened
     */
    ConnLogTail(final Path path, final Path stateDirectory, final Consumer<String> warnings, final FollowCounters counters)
        throws IOException {
        this.path = path;
        this.checkpoint = stateDirectory.resolve(CHECKPOINT);
        this.warnings = warnings;
        this.counters = counters;
        if (!Files.isRegularFile(path)) {
            throw new NoSuchFileException(path.toString(), null, "--conn-tail names no regular file");
        }
        resume();
        final String current = keyOf(path);
        if (generations.stream().noneMatch(g -> g.key.equals(current))) {
            generations.add(open(path, current, 0));
        }
    }

    /** The generations of the checkpoint, each at its committed offset. */
    private void resume() throws IOException {
        if (!Files.isRegularFile(checkpoint)) {
            return;
        }
        for (String line : Files.readAllLines(checkpoint, StandardCharsets.UTF_8)) {
            final String[] f = line.split("\t", 3);
            if (f.length < 3) {
                continue;
            }
            final long offset = Long.parseLong(f[1]);
            final Path file = locate(f[0], Path.of(f[2]));
            if (file == null) {
                warnings.accept(f[2] + " (" + f[0] + ") is gone: the rows after its byte offset " + offset
                    + " are not sliced");
                continue;
            }
            generations.add(open(file, f[0], offset));
        }
    }

    /** The file with identity {@code key}: the log itself, the file last known, or one beside the log. */
    private Path locate(final String key, final Path known) throws IOException {
        for (Path p : List.of(path, known)) {
            if (Files.isRegularFile(p) && key.equals(keyOf(p))) {
                return p;
            }
        }
        final Path dir = path.toAbsolutePath().getParent();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path p : files) {
                if (Files.isRegularFile(p) && key.equals(keyOf(p))) {
                    return p;
                }
            }
        }
        return null;
    }

    private Generation open(final Path file, final String key, final long offset) throws IOException {
        final FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
        final Generation g = new Generation(key, file, ch, offset);
        if (offset > 0) {
            // The rows after the checkpoint are parsed with the header at the file's start.
            final ByteBuffer head = ByteBuffer.allocate((int) Math.min(offset, CHUNK));
            ch.read(head, 0);
            for (byte[] line : lines(Arrays.copyOf(head.array(), head.position()))) {
                if (line.length > 0 && line[0] == '#') {
                    header(g, line);
                } else {
                    break;
                }
            }
        }
        return g;
    }

    private static List<byte[]> lines(final byte[] bytes) {
        final List<byte[]> out = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == '\n') {
                out.add(Arrays.copyOfRange(bytes, start, i));
                start = i + 1;
            }
        }
        return out;
    }

    private static void header(final Generation g, final byte[] line) {
        if (startsWith(line, "#separator")) {
            g.header = new ArrayList<>();
        }
        g.header.add(line);
    }

    private static boolean startsWith(final byte[] line, final String prefix) {
        if (line.length < prefix.length()) {
            return false;
        }
        for (int i = 0; i < prefix.length(); i++) {
            if (line[i] != prefix.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** The identity of a file: its device and inode, as the file system gives them. */
    static String keyOf(final Path file) throws IOException {
        final Object k = Files.readAttributes(file, BasicFileAttributes.class).fileKey();
        return k == null ? file.toAbsolutePath().toString() : k.toString().replaceAll("[^0-9A-Za-z=,]", "");
    }

    @Override
    public List<Arrival> poll(final Duration wait) throws IOException {
        if (paused) {
            sleep(wait);
            return List.of();
        }
        final Generation g = reading();
        if (g == null) {
            sleep(wait);
            return List.of();
        }
        buffer.clear();
        final int n = g.channel.read(buffer, g.position);
        if (n <= 0) {
            followRotation(g);
            sleep(wait);
            return List.of();
        }
        return arrivals(g, Arrays.copyOf(buffer.array(), buffer.position()));
    }

    /** The oldest generation not read to its end. */
    private Generation reading() {
        for (Generation g : generations) {
            if (!g.drained) {
                return g;
            }
        }
        return null;
    }

    /** At the end of {@code g}: when the name now stands for another file, {@code g} is done and the new file is read next. */
    private void followRotation(final Generation g) throws IOException {
        if (!Files.isRegularFile(path)) {
            return; // between the rename and the new file
        }
        final String now = keyOf(path);
        if (!now.equals(g.key)) {
            if (g.channel.size() > g.position) {
                return; // still bytes to read in the renamed file
            }
            g.drained = true;
            if (generations.stream().noneMatch(x -> x.key.equals(now))) {
                generations.add(open(path, now, 0));
            }
        } else if (g.channel.size() < g.position) {
            warnings.accept(path + " was cut to " + g.channel.size() + " bytes (it had " + g.position
                + "): read again from its start");
            g.position = 0;
            g.committed = 0;
            g.header = new ArrayList<>();
        }
    }

    private List<Arrival> arrivals(final Generation g, final byte[] bytes) throws IOException {
        final long now = System.nanoTime();
        final List<Arrival> out = new ArrayList<>();
        final List<byte[]> rows = new ArrayList<>();
        final List<long[]> rowAt = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] != '\n') {
                continue;
            }
            final long offset = g.position + start;
            final long next = g.position + i + 1;
            final byte[] line = Arrays.copyOfRange(bytes, start, i);
            start = i + 1;
            if (g.skipping) {
                g.skipping = false;
                out.add(new Arrival(g.partition(), offset, next, null, now, now));
            } else if (line.length == 0 || line[0] == '#') {
                if (line.length > 0) {
                    header(g, line);
                }
                out.add(new Arrival(g.partition(), offset, next, null, now, now));
            } else {
                rows.add(line);
                rowAt.add(new long[] {out.size(), offset, next});
                out.add(null);
            }
        }
        if (start == 0 && bytes.length == CHUNK) {
            // A line longer than the chunk: skipped up to its end.
            if (!g.skipping) {
                counters.bad++;
                warnings.accept(g.file + ": byte offset " + g.position + ": line longer than " + ConnLogReader.MAX_LINE_LENGTH
                    + " bytes (line skipped)");
            }
            g.skipping = true;
            g.position += bytes.length;
            return List.of();
        }
        g.position += start;
        final ZeekMessages.Parsed parsed = ZeekMessages.parse(g.header, rows, g.file.toString());
        for (int k = 0; k < rows.size(); k++) {
            final long[] at = rowAt.get(k);
            counters.read++;
            if (parsed.records()[k] == null) {
                counters.bad++;
                warnings.accept(g.file + ": byte offset " + at[1] + ": " + parsed.errors()[k] + " (line skipped)");
            } else {
                counters.conns++;
            }
            out.set((int) at[0], new Arrival(g.partition(), at[1], at[2], parsed.records()[k], now, now));
        }
        return out;
    }

    @Override
    public void pause(final boolean pause) {
        paused = pause;
    }

    @Override
    public void commit(final Map<String, Long> next) throws IOException {
        for (Generation g : generations) {
            final Long c = next.get(g.partition());
            if (c != null) {
                g.committed = c;
            }
        }
        // A renamed file read to its end and done is forgotten.
        while (generations.size() > 1 && generations.peekFirst().drained
            && generations.peekFirst().committed >= generations.peekFirst().position) {
            generations.pollFirst().channel.close();
        }
        final StringBuilder b = new StringBuilder();
        for (Generation g : generations) {
            b.append(g.key).append('\t').append(g.committed).append('\t').append(g.file.toAbsolutePath()).append('\n');
        }
        final Path tmp = checkpoint.resolveSibling(CHECKPOINT + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING)) {
            ch.write(ByteBuffer.wrap(b.toString().getBytes(StandardCharsets.UTF_8)));
            ch.force(false);
        }
        Files.move(tmp, checkpoint, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    @Override
    public Set<String> revoked() {
        return Set.of();
    }

    @Override
    public long lag() {
        long behind = 0;
        for (Generation g : generations) {
            try {
                behind += Math.max(0, g.channel.size() - g.position);
            } catch (IOException e) {
                return -1;
            }
        }
        return behind;
    }

    @Override
    public String name() {
        return path.toString();
    }

    private static void sleep(final Duration wait) {
        try {
            Thread.sleep(wait.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() throws IOException {
        for (Generation g : generations) {
            g.channel.close();
        }
    }
}
