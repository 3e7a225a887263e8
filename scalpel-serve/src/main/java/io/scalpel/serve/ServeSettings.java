package io.scalpel.serve;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * What {@code scalpel serve} was started with.
 *
 * @param captures          the capture files and directories a request may slice (the roots)
 * @param logs              the Zeek conn.log, or a directory of rotated conn logs, uids are looked up in
 * @param bind              the address and port to listen on
 * @param token             the bearer token every request must carry, or null (then loopback only)
 * @param maxSlices         slices run at once; one more is answered 429
 * @param maxResponseBytes  bytes of one extract; more is answered 413 (or the response is cut, once started)
 * @param requestTimeout    time of one request, a wait for an index build included; more is 504 (503 while building)
 * @param maxUids           uids, flows or Community IDs of one request; more is 413
 * @param tls               the keystore TLS is answered with, or null: plain HTTP
 * @param slicingThreads    slices computed at once; the others of {@code maxSlices} wait their turn in order
 */
public record ServeSettings(List<Path> captures, Path logs, InetSocketAddress bind, byte[] token, int maxSlices,
                            long maxResponseBytes, Duration requestTimeout, int maxUids, TlsKeystore tls, int slicingThreads) {
    /** The address listened on by default: loopback only. */
    public static final String DEFAULT_BIND = "127.0.0.1:7373";

    /** Settings without TLS. */
    public ServeSettings(final List<Path> captures, final Path logs, final InetSocketAddress bind, final byte[] token,
                         final int maxSlices, final long maxResponseBytes, final Duration requestTimeout, final int maxUids) {
        this(captures, logs, bind, token, maxSlices, maxResponseBytes, requestTimeout, maxUids, null);
    }

    /** Settings computing as many slices at once as the JVM has cores. */
    public ServeSettings(final List<Path> captures, final Path logs, final InetSocketAddress bind, final byte[] token,
                         final int maxSlices, final long maxResponseBytes, final Duration requestTimeout, final int maxUids,
                         final TlsKeystore tls) {
        this(captures, logs, bind, token, maxSlices, maxResponseBytes, requestTimeout, maxUids, tls, SlicingThreads.defaultTurns());
    }

    public ServeSettings {
        captures = List.copyOf(captures);
        if (maxSlices < 1 || maxResponseBytes < 1 || maxUids < 1 || requestTimeout.isNegative() || requestTimeout.isZero()
            || slicingThreads < 1) {
            throw new IllegalArgumentException("limits must be positive");
        }
        if (token == null && !bind.getAddress().isLoopbackAddress()) {
            throw new IllegalArgumentException("--bind " + bind.getHostString() + ":" + bind.getPort()
                + " is not a loopback address: give --token-file, so that every request must carry its bearer token");
        }
    }

    /**
     * {@code HOST:PORT}, {@code [V6]:PORT} or {@code PORT} (on loopback) as a socket address.
     *
     * @throws IllegalArgumentException saying what is wrong with it
     */
    static InetSocketAddress parseBind(final String text) {
        final int colon = text.lastIndexOf(':');
        final String host = colon < 0 ? "127.0.0.1" : text.substring(0, colon).replaceAll("^\\[(.*)]$", "$1");
        final String port = colon < 0 ? text : text.substring(colon + 1);
        final int p;
        try {
            p = Integer.parseInt(port);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--bind '" + text + "': the port must be a number (HOST:PORT)");
        }
        if (p < 0 || p > 65535) {
            throw new IllegalArgumentException("--bind '" + text + "': the port must be 0-65535");
        }
        try {
            return new InetSocketAddress(InetAddress.getByName(host.isEmpty() ? "127.0.0.1" : host), p);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("--bind '" + text + "': unknown host " + host);
        }
    }
}
