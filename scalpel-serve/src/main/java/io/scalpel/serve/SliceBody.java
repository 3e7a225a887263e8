package io.scalpel.serve;

import java.io.IOException;
import java.io.OutputStream;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Response;

/**
 * The body of a slice's response: the extract the API writes, held back until it is known to be
 * more than a file header (so that "nothing matched" can still be a 404), then streamed. The
 * content type is the format the first bytes show (pcapng's section header, else pcap). It
 * enforces the response's byte limit and the request's deadline at every write: past them, a
 * write throws, and {@link #refusal()} says which status the request ends with.
 *
 * <p>The API writes from a slicing thread while the request's thread may give up on it
 * ({@link #expire}): the two meet under this object's lock.
 */
final class SliceBody extends OutputStream {
    /** Bytes held back before the response is committed: more than any file header an extract starts with. */
    static final int HELD_BYTES = 64 * 1024;
    private static final int PCAPNG_SHB = 0x0A0D0D0A;

    private final Response response;
    private final String fileName;
    private final long maxBytes;
    private final long deadlineNanos;
    private final byte[] held = new byte[HELD_BYTES];
    private int heldLength;
    private long written;
    private OutputStream sink;
    private ApiError refusal;

    SliceBody(final Response response, final String fileName, final long maxBytes, final long deadlineNanos) {
        this.response = response;
        this.fileName = fileName;
        this.maxBytes = maxBytes;
        this.deadlineNanos = deadlineNanos;
    }

    @Override
    public void write(final int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(final byte[] b, final int off, final int len) throws IOException {
        final OutputStream out;
        final int heldToSend;
        synchronized (this) {
            if (refusal != null) {
                throw new IOException(refusal.getMessage());
            }
            if (written + len > maxBytes) {
                refusal = new ApiError(413, "the extract is larger than the limit of " + maxBytes + " bytes (--max-response-bytes);"
                    + " ask for fewer connections or a narrower window");
                throw new IOException(refusal.getMessage());
            }
            if (System.nanoTime() - deadlineNanos > 0) {
                refusal = timeout();
                throw new IOException(refusal.getMessage());
            }
            written += len;
            if (sink == null && heldLength + len <= HELD_BYTES) {
                System.arraycopy(b, off, held, heldLength, len);
                heldLength += len;
                return;
            }
            heldToSend = sink == null ? commit() : 0;
            out = sink;
        }
        // the network write, outside the lock (a slow client must not hold up expire()) and outside the slice's turn
        SlicingThreads.awayFromTurn(() -> {
            out.write(held, 0, heldToSend);
            out.write(b, off, len);
        });
    }

    @Override
    public void flush() throws IOException {
        final OutputStream out;
        synchronized (this) {
            out = sink;
        }
        if (out != null) {
            SlicingThreads.awayFromTurn(out::flush);
        }
    }

    /** The request ran out of time: later writes fail, and nothing more is committed. */
    synchronized void expire() {
        if (refusal == null) {
            refusal = timeout();
        }
    }

    /** Why the slice was stopped (413, 504), or null. */
    synchronized ApiError refusal() {
        return refusal;
    }

    /** Whether the status and headers were sent (then an error can only cut the response). */
    synchronized boolean committed() {
        return sink != null;
    }

    /** Ends the request with {@code e} (unless it already ends otherwise); the message it ends with. */
    synchronized String refuse(final ApiError e) {
        if (refusal == null) {
            refusal = e;
        }
        return refusal.getMessage();
    }

    /** Sends what is held back (committing the response if it was not) and ends the body. */
    void finish() throws IOException {
        final OutputStream out;
        final int heldToSend;
        synchronized (this) {
            if (refusal != null) {
                throw new IOException(refusal.getMessage());
            }
            heldToSend = sink == null ? commit() : 0;
            out = sink;
        }
        out.write(held, 0, heldToSend);
        out.close();
    }

    /** Bytes of the extract so far. */
    synchronized long written() {
        return written;
    }

    /** Sets the status and headers and opens the body; returns how many held bytes the caller sends first. */
    private int commit() {
        final boolean pcapng = heldLength >= 4 && ((held[0] & 0xFF) << 24 | (held[1] & 0xFF) << 16 | (held[2] & 0xFF) << 8
            | (held[3] & 0xFF)) == PCAPNG_SHB;
        response.setStatus(200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, pcapng ? "application/x-pcapng" : "application/vnd.tcpdump.pcap");
        response.getHeaders().put(HttpHeader.CONTENT_DISPOSITION,
            "attachment; filename=\"" + fileName + (pcapng ? ".pcapng" : ".pcap") + "\"");
        response.getHeaders().put("X-Content-Type-Options", "nosniff");
        sink = Content.Sink.asOutputStream(response);
        return heldLength;
    }

    private ApiError timeout() {
        return new ApiError(504, "the slice took longer than the request time limit (--request-timeout); ask for fewer connections");
    }
}
