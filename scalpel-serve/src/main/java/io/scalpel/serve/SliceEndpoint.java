package io.scalpel.serve;

import io.scalpel.api.ConnLogIndex;
import io.scalpel.api.Failure;
import io.scalpel.api.SliceListener;
import io.scalpel.api.SliceOutcome;
import io.scalpel.api.Slices;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;

/**
 * {@code GET /api/v1/slice}: the extract of what a request asks for ({@link SliceParameters}),
 * made by {@link Slices#run} and streamed through a {@link SliceBody}; uids are found through the
 * {@link ConnLogIndex} kept warm ({@link ConnLogKeeper}) while it is current, else in the logs.
 * Without {@code capture=} and with several captures configured, every capture is sliced and those
 * with packets make the answer: one as it is, several merged in time order into one pcap
 * ({@link PcapMerge}) when they can be one, else into one pcapng ({@link PcapngMerge}; with
 * {@code format=pcap}, a 409).
 *
 * <p>Limits: the slice runs on one of the {@link SlicingThreads} (none free is a 429) while the
 * request's thread waits for it until the request's deadline (then a 504, or the
 * response is cut when it had begun); a capture whose index is being built is waited for within
 * the same deadline (then a 503 with {@code Retry-After}).
 */
final class SliceEndpoint {
    /** The response had begun when the slice failed: it can only be cut. */
    static final class Cut extends Exception {
        private static final long serialVersionUID = 1L;

        Cut(final Throwable cause) {
            super(cause.getMessage(), cause, false, false);
        }
    }

    private final CaptureRoots roots;
    private final ServeSettings settings;
    private final SlicingThreads threads;
    private final ConnLogIndex logIndex;

    SliceEndpoint(final CaptureRoots roots, final ServeSettings settings, final SlicingThreads threads, final ConnLogIndex logIndex) {
        this.logIndex = logIndex;
        this.roots = roots;
        this.settings = settings;
        this.threads = threads;
    }

    /** Answers the request with its extract, or throws what it is answered with instead. */
    void slice(final Request request, final Response response) throws Exception {
        final long deadline = System.nanoTime() + settings.requestTimeout().toNanos();
        final SliceParameters asked = SliceParameters.of(Request.extractQueryParameters(request), settings.maxUids());
        final List<CaptureRoots.Opening> targets = asked.capture() == null ? roots.roots() : List.of(roots.resolve(asked.capture()));
        final SliceBody body = new SliceBody(response, asked.fileName(), settings.maxResponseBytes(), deadline);
        final Future<SliceOutcome> running = threads.submit(() -> allWithPackets(targets, asked, body, deadline), deadline);
        final SliceOutcome outcome;
        try {
            outcome = running.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            body.expire(); // the slicing thread stops at its next write
            throw body.committed() ? new Cut(body.refusal()) : body.refusal();
        } catch (ExecutionException e) {
            throw failure(e.getCause(), body);
        }
        if (outcome.status() == SliceOutcome.Status.NOTHING_FOUND && !body.committed()) {
            throw new ApiError(404, "nothing matched: " + String.join("; ", outcome.problems().subList(0,
                Math.min(3, outcome.problems().size()))) + (outcome.problems().size() > 3 ? "; ..." : ""));
        }
        try {
            body.finish();
        } catch (IOException e) {
            throw failure(e, body);
        }
    }

    /**
     * One target: its slice streamed to {@code body}. Several: each sliced into a buffer (the response's
     * byte limit and deadline holding for all of them together); the one with packets is sent as it is,
     * several are merged in time order ({@link PcapMerge}, {@link PcapngMerge}). The outcome of one with packets, or of the last.
     */
    private SliceOutcome allWithPackets(final List<CaptureRoots.Opening> targets, final SliceParameters asked, final SliceBody body,
                                        final long deadline) throws Exception {
        final Path logs = settings.logs();
        if (targets.size() == 1) {
            return targets.get(0).use(deadline, captures -> Slices.run(captures, asked.request(logs).write(body).build(),
                SliceListener.QUIET, logIndex));
        }
        final List<PcapMerge.Extract> found = new ArrayList<>();
        SliceOutcome outcome = null;
        SliceOutcome last = null;
        long bytes = 0;
        for (CaptureRoots.Opening target : targets) {
            final Buffer buffer = new Buffer(settings.maxResponseBytes() - bytes, deadline, body);
            last = target.use(deadline, captures -> Slices.run(captures, asked.request(logs).write(buffer).build(),
                SliceListener.QUIET, logIndex));
            if (last.status() != SliceOutcome.Status.NOTHING_FOUND) {
                found.add(new PcapMerge.Extract(target.name, buffer.toByteArray()));
                bytes += buffer.size();
                outcome = last;
            }
        }
        if (found.size() == 1) {
            body.write(found.get(0).bytes());
        } else if (found.size() > 1) {
            if (PcapMerge.mergeable(found) || "pcap".equals(asked.format())) {
                PcapMerge.write(found, body); // one pcap, or a 409 that says why not
            } else {
                PcapngMerge.write(found, body);
            }
        }
        return outcome != null ? outcome : last;
    }

    /** An extract held for a merge, within what is left of the response's byte limit and the request's time. */
    private static final class Buffer extends java.io.ByteArrayOutputStream {
        private final long max;
        private final long deadlineNanos;
        private final SliceBody body;

        Buffer(final long max, final long deadlineNanos, final SliceBody body) {
            this.max = max;
            this.deadlineNanos = deadlineNanos;
            this.body = body;
        }

        @Override
        public synchronized void write(final byte[] b, final int off, final int len) {
            if (count + (long) len > max) {
                throw new java.io.UncheckedIOException(new IOException(body.refuse(new ApiError(413, "the extracts are larger than the"
                    + " limit of " + max + " bytes (--max-response-bytes); ask for fewer connections, or one capture="))));
            }
            if (System.nanoTime() - deadlineNanos > 0) {
                body.expire();
                throw new java.io.UncheckedIOException(new IOException("the request's time is up"));
            }
            super.write(b, off, len);
        }
    }

    /** What a failed slice is answered with: its limit, a 400 for a request the API refused, else a 500. */
    private static Exception failure(final Throwable t, final SliceBody body) {
        final ApiError refusal = body.refusal();
        final ApiError e = refusal != null ? refusal : t instanceof ApiError a ? a
            : new ApiError(Failure.kind(t) == Failure.Kind.USAGE ? 400 : 500, Failure.message(t));
        return body.committed() ? new Cut(e) : e;
    }
}
