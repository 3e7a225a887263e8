package io.scalpel.api;

import io.scalpel.zeek.ConnLogListener;
import io.scalpel.zeek.ConnSelection;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A slice's conn.log read for its uids on a thread of its own while the captures are opened, so the
 * log's search and the index's opening overlap: {@link #start} before the captures are opened,
 * {@link Slices#run(Captures, SliceRequest, SliceListener, LogReadAhead)} once they are, which takes
 * the rows read (waiting for them) instead of reading the log itself; {@link #close} when the captures
 * could not be opened, which stops the read and waits for its thread.
 *
 * <p>Nothing of the read shows before it is taken: its malformed lines and notices are kept (the first
 * {@value Slices#SHOWN} malformed lines, the others counted) and told when the rows are taken, where
 * a read of the slice's own would have told them; a read that failed throws its exception there, as
 * it is. So a slice says the same things in the same order with or without it, and a capture or
 * index that cannot be opened is reported as before, whatever the log holds.
 *
 * <p>Only a log that can be read twice is read ahead: a regular file or a directory, not standard
 * input, a named pipe or a {@code /dev/fd} stream, for the uids asked (not every uid of a log).
 *
 * <p>A command line may start the read before its request is even built ({@link #start(String, Collection, Scalpel.VlanKey)}:
 * the log and uids its arguments name, read while the command's parser is made); the request built
 * afterwards takes it only when it asks for that very read ({@link #orStart}), otherwise it is
 * stopped and the request's own is started.
 */
public final class LogReadAhead implements AutoCloseable {
    private static final LogReadAhead NONE = new LogReadAhead(null, null, null);

    private final String conn;
    private final Set<String> uids;
    private final Scalpel.VlanKey vlanKey;
    private final Heard heard = new Heard();
    private Thread thread;
    private ConnSelection.Result result;
    private Throwable failure;
    private boolean taken;

    private LogReadAhead(final String conn, final Set<String> uids, final Scalpel.VlanKey vlanKey) {
        this.conn = conn;
        this.uids = uids;
        this.vlanKey = vlanKey;
    }

    /**
     * Starts reading the conn.log of {@code request} for its uids, when it asks for uids from a log
     * that can be read twice; otherwise reads nothing (the slice reads the log itself).
     *
     * @param request the slice's request
     * @param options the options the captures are opened with (whether a row is joined VLAN-aware)
     * @return the read under way, to be taken by {@link Slices#run(Captures, SliceRequest, SliceListener, LogReadAhead)} and closed
     */
    public static LogReadAhead start(final SliceRequest request, final Scalpel.Options options) {
        if (!readsAhead(request)) {
            return NONE;
        }
        return start(request.conn(), request.uids(), options.vlanKey());
    }

    /**
     * Starts reading {@code conn} for {@code uids}, joined as {@code vlanKey} says, when it is a log
     * that can be read twice and there are uids; otherwise reads nothing. For a command line that
     * names its log and uids before its request is built; the request then takes this read only if
     * it asks for the same ({@link #orStart}).
     *
     * @param conn    the conn.log as the request will name it
     * @param uids    the uids asked for
     * @param vlanKey how the rows are to be joined with VLAN tags
     * @return the read under way, to be given to {@link #orStart} and closed
     */
    public static LogReadAhead start(final String conn, final Collection<String> uids, final Scalpel.VlanKey vlanKey) {
        if (conn == null || uids.isEmpty() || !readableTwice(conn)) {
            return NONE;
        }
        final LogReadAhead ahead = new LogReadAhead(conn, new LinkedHashSet<>(uids), vlanKey);
        final VlanKeying vlan = new VlanKeying(vlanKey);
        final Thread t = new Thread(() -> ahead.read(vlan), "scalpel-log-read-ahead");
        t.setDaemon(true);
        ahead.thread = t;
        t.start();
        return ahead;
    }

    /**
     * This read when it is the one {@code request} would start with {@code options} (the same log,
     * uids and VLAN keying, not taken yet); otherwise this read is stopped ({@link #close}) and the
     * request's own is started ({@link #start(SliceRequest, Scalpel.Options)}).
     *
     * @param request the slice's request
     * @param options the options the captures are opened with
     * @return the read for the request, to be taken by {@link Slices#run(Captures, SliceRequest, SliceListener, LogReadAhead)} and closed
     */
    public LogReadAhead orStart(final SliceRequest request, final Scalpel.Options options) {
        if (thread != null && !taken && readsAhead(request) && conn.equals(request.conn())
            && uids.equals(new LinkedHashSet<>(request.uids())) && vlanKey == options.vlanKey()) {
            return this;
        }
        close();
        return start(request, options);
    }

    /**
     * A read of nothing: {@link #orStart} starts the request's own.
     *
     * @return the read that reads nothing
     */
    public static LogReadAhead none() {
        return NONE;
    }

    /** Whether {@code request} is read ahead: uids (not every uid) from a conn.log. */
    private static boolean readsAhead(final SliceRequest request) {
        return request.kind() == SliceRequest.Kind.UIDS && !request.all() && request.conn() != null;
    }

    /**
     * Whether {@code conn} names a regular file or a directory: not standard input, a named pipe or
     * a {@code /dev/fd} stream, whose opening and reading a stopped read-ahead could not interrupt
     * (a pipe without a writer blocks its opening), nor a path that does not exist (the slice's own
     * read reports it).
     */
    private static boolean readableTwice(final String conn) {
        if (ConnSelection.STDIN.equals(conn)) {
            return false;
        }
        final Path path = Path.of(conn);
        return Files.isRegularFile(path) || Files.isDirectory(path);
    }

    private void read(final VlanKeying vlan) {
        try {
            result = ConnSelection.read(conn, uids, vlan::aware, heard);
        } catch (Throwable e) { // handed, as it is, to the thread that takes the rows
            failure = e;
        }
    }

    /**
     * The rows of {@code uids} in {@code log}, once read (their malformed lines and notices told to
     * {@code listener} first), or null when this read is not of them (nothing read ahead, another
     * log, other uids, taken already).
     */
    ConnSelection.Result take(final String log, final Set<String> wanted, final MalformedLines listener) throws IOException {
        if (thread == null || taken || !log.equals(conn) || !uids.equals(wanted)) {
            return null;
        }
        taken = true;
        joinUninterruptibly();
        heard.tell(listener);
        if (failure instanceof IOException e) {
            throw e;
        } else if (failure instanceof RuntimeException e) {
            throw e;
        } else if (failure instanceof Error e) {
            throw e;
        } else if (failure != null) {
            throw new UncheckedIOException(new IOException(failure));
        }
        return result;
    }

    /** Stops a read not taken (its thread interrupted) and waits for its thread; what it read or met is dropped. */
    @Override
    public void close() {
        if (thread != null && !taken) {
            taken = true;
            thread.interrupt();
            joinUninterruptibly();
        }
    }

    /** Whether the read's thread has ended (or there was none). */
    boolean ended() {
        return thread == null || !thread.isAlive();
    }

    private void joinUninterruptibly() {
        boolean interrupted = false;
        while (true) {
            try {
                thread.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** What the read told its listener: the notices and the first malformed lines in order, the further malformed lines counted. */
    private static final class Heard implements ConnLogListener {
        private record Told(boolean malformed, String source, long line, String message) {
        }

        private final List<Told> told = new ArrayList<>();
        private long malformed;

        @Override
        public synchronized void malformedLine(final String source, final long line, final String message) {
            if (malformed++ < Slices.SHOWN) {
                told.add(new Told(true, source, line, message));
            }
        }

        @Override
        public synchronized void notice(final String source, final long line, final String message) {
            told.add(new Told(false, source, line, message));
        }

        synchronized void tell(final MalformedLines listener) {
            for (Told t : told) {
                if (t.malformed()) {
                    listener.malformedLine(t.source(), t.line(), t.message());
                } else {
                    listener.notice(t.source(), t.line(), t.message());
                }
            }
            listener.skipped(Math.max(0, malformed - Slices.SHOWN));
        }
    }
}
