package io.scalpel.serve;

import io.scalpel.api.Scalpel;
import java.io.IOException;
import java.io.PrintStream;
import java.net.BindException;
import java.nio.ByteBuffer;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The HTTP server of {@code scalpel serve} (Jetty 12's core server, without servlets): the
 * {@link Routes} behind a {@link GracefulHandler}, so that {@link #close()} stops accepting and
 * lets the responses in flight finish (up to {@link #STOP_TIMEOUT_MS}); Jetty's own errors (a bad
 * request line, headers or URI too long) answered as JSON too; one {@link JsonAccessLog} line per
 * request.
 */
public final class SliceServer implements AutoCloseable {
    /** How long {@link #close()} lets responses in flight finish, ms. */
    static final long STOP_TIMEOUT_MS = 30_000;
    /** Bytes of a request's line and headers: more is a 431 (or 414 for the URI). */
    static final int MAX_REQUEST_HEADER_BYTES = 16 * 1024;
    /** How often the captures are looked at, and extended when they grew, ms. */
    static final long EXTEND_MS = 1000;

    private final Server server;
    private final ServerConnector connector;
    private final CaptureRoots roots;
    private final ExecutorService opener;
    private final ExecutorService slicers;
    private final ConnLogKeeper logIndex;

    /**
     * Opens the captures (in the background) and starts listening.
     *
     * @param settings what to serve and how
     * @param accessLog where the access log's lines go
     * @throws IllegalArgumentException when a capture does not exist, or the address cannot be listened on
     * @throws IOException when a capture cannot be located
     */
    public SliceServer(final ServeSettings settings, final PrintStream accessLog) throws Exception {
        this(settings, accessLog, -1, EXTEND_MS);
    }

    /**
     * As the public constructor, with the send buffer of accepted sockets ({@code -1}: the system's), for tests of
     * slow clients, and how often growing captures are looked at ({@code 0}: never), for tests of their states.
     */
    SliceServer(final ServeSettings settings, final PrintStream accessLog, final int sendBufferBytes, final long extendMillis)
        throws Exception {
        this.opener = Executors.newCachedThreadPool(daemons("scalpel-open"));
        this.slicers = Executors.newCachedThreadPool(daemons("scalpel-slice"));
        this.roots = new CaptureRoots(settings.captures(), Scalpel.Options.defaults(), opener, extendMillis);
        this.logIndex = new ConnLogKeeper(settings.logs());
        final ServiceMetrics metrics = new ServiceMetrics();
        final SlicingThreads threads = new SlicingThreads(slicers, settings.maxSlices(), settings.slicingThreads(), metrics);
        final Routes routes = new Routes(settings.token() == null ? null : new BearerToken(settings.token()),
            new SliceEndpoint(roots, settings, threads, logIndex.index()),
            new ConnectionsEndpoint(roots, settings, threads, logIndex.index()),
            new CapturesEndpoint(roots, settings.logs(), logIndex), metrics, m -> roots.redact(m, settings.logs()));
        final QueuedThreadPool pool = new QueuedThreadPool(200, 8);
        pool.setName("scalpel-http");
        pool.setDaemon(true);
        server = new Server(pool);
        final HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setRequestHeaderSize(MAX_REQUEST_HEADER_BYTES);
        if (settings.tls() != null) {
            final SslContextFactory.Server ssl = new SslContextFactory.Server();
            ssl.setKeyStore(settings.tls().keyStore());
            ssl.setKeyStorePassword(settings.tls().password());
            http.addCustomizer(new SecureRequestCustomizer(false)); // a client may ask for 127.0.0.1 of a certificate for a name
            connector = new ServerConnector(server, ssl, new HttpConnectionFactory(http));
        } else {
            connector = new ServerConnector(server, new HttpConnectionFactory(http));
        }
        connector.setHost(settings.bind().getAddress().getHostAddress());
        connector.setPort(settings.bind().getPort());
        connector.setAcceptedSendBufferSize(sendBufferBytes);
        server.addConnector(connector);
        server.setHandler(new GracefulHandler(routes));
        server.setErrorHandler(new JsonErrors());
        server.setRequestLog(new JsonAccessLog(accessLog, metrics));
        server.setStopTimeout(STOP_TIMEOUT_MS);
        try {
            server.start();
        } catch (IOException e) {
            close();
            if (e instanceof BindException || e.getCause() instanceof BindException) {
                throw new IllegalArgumentException("--bind " + settings.bind().getHostString() + ":" + settings.bind().getPort()
                    + ": cannot listen there (" + e.getMessage() + ")", e);
            }
            throw e;
        }
    }

    /**
     * Serves until the JVM is told to stop (SIGTERM, Ctrl-C), then stops gracefully ({@link #close()}).
     *
     * @param settings what to serve and how
     * @param log where the access log and the start-up line go
     * @throws Exception as the constructor
     */
    public static void serve(final ServeSettings settings, final PrintStream log) throws Exception {
        final SliceServer server = new SliceServer(settings, log);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                server.close();
            } catch (Exception e) {
                log.println("scalpel serve: stopping: " + e.getMessage());
            }
        }, "scalpel-serve-stop"));
        log.println("scalpel serve: listening on " + (settings.tls() != null ? "https" : "http") + "://" + settings.bind().getHostString() + ":" + server.port() + "/"
            + (settings.token() == null ? " (loopback only, no token)" : " (every API request needs its bearer token)"));
        server.join();
    }

    /**
     * The port listened on (the one asked for, or the one chosen for port 0).
     *
     * @return the local port
     */
    public int port() {
        return connector.getLocalPort();
    }

    /** The index of the logs kept warm. */
    ConnLogKeeper logIndex() {
        return logIndex;
    }

    /** Waits until the server stops. @throws InterruptedException when interrupted */
    public void join() throws InterruptedException {
        server.join();
    }

    /** Stops accepting, lets the responses in flight finish, then closes the captures. */
    @Override
    public void close() throws Exception {
        try {
            server.stop();
        } finally {
            slicers.shutdown();
            logIndex.close();
            opener.shutdown(); // a build under way ends as it would (its daemon thread does not hold up the JVM's exit)
            roots.close();
        }
    }

    private static ThreadFactory daemons(final String name) {
        final AtomicInteger n = new AtomicInteger();
        return r -> {
            final Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** Jetty's own errors (a malformed request, headers too long) as JSON, without its page or a stack trace. */
    private static final class JsonErrors extends ErrorHandler {
        @Override
        public boolean handle(final Request request, final Response response, final Callback callback) {
            final Object status = request.getAttribute(ERROR_STATUS);
            final int code = status instanceof Integer i ? i : response.getStatus();
            final Object message = request.getAttribute(ERROR_MESSAGE);
            final byte[] body = Json.error(code, message != null ? message.toString()
                : org.eclipse.jetty.http.HttpStatus.getMessage(code));
            response.setStatus(code);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
            response.write(true, ByteBuffer.wrap(body), callback);
            return true;
        }
    }
}
