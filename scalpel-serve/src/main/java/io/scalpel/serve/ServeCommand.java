package io.scalpel.serve;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code scalpel serve}: the slicing API over HTTP and its web page. Its fields are plain values
 * and its server ({@link SliceServer}) is made only in {@link #call()}, so registering this
 * subcommand loads nothing of Jetty or Prometheus for the other commands.
 */
@Command(name = "serve", mixinStandardHelpOptions = true, addMethodSubcommands = false,
    description = "Serve slices over HTTP (an API and a web page) until stopped; loopback only unless --token-file is given.")
public final class ServeCommand implements Callable<Integer> {
    @Option(names = "--captures", required = true, arity = "1..*", paramLabel = "DIR|FILE",
        description = "capture files and directories (capture sets) to serve; a request names one by its file name (capture=NAME)")
    List<Path> captures;

    @Option(names = "--logs", required = true, paramLabel = "DIR|FILE",
        description = "the Zeek conn.log uids are looked up in, or a directory of rotated conn logs")
    Path logs;

    @Option(names = "--bind", paramLabel = "HOST:PORT", defaultValue = ServeSettings.DEFAULT_BIND,
        description = "address to listen on (default: ${DEFAULT-VALUE}); a non-loopback address needs --token-file")
    String bind;

    @Option(names = "--token-file", paramLabel = "FILE",
        description = "a file holding the token every request must carry as 'Authorization: Bearer TOKEN'")
    Path tokenFile;

    @Option(names = "--max-slices", paramLabel = "N", defaultValue = "8",
        description = "slices and look-ups run at once; one more is answered 429 (default: ${DEFAULT-VALUE})")
    int maxSlices;

    @Option(names = "--slicing-threads", paramLabel = "N",
        description = "slices computed at once; the others of --max-slices wait their turn in the order they came"
            + " (default: the number of cores)")
    Integer slicingThreads;

    @Option(names = "--max-response-bytes", paramLabel = "BYTES", defaultValue = "1073741824",
        description = "bytes of one extract; a larger one is answered 413, or cut once sent (default: ${DEFAULT-VALUE})")
    long maxResponseBytes;

    @Option(names = "--request-timeout", paramLabel = "SECONDS", defaultValue = "60",
        description = "seconds a request may take, a wait for an index build included; then 504, or 503 while building"
            + " (default: ${DEFAULT-VALUE})")
    long requestTimeoutSeconds;

    @Option(names = "--max-uids", paramLabel = "N", defaultValue = "1000",
        description = "uids, flows or Community IDs in one request; more is answered 413 (default: ${DEFAULT-VALUE})")
    int maxUids;

    @Option(names = "--tls-keystore", paramLabel = "FILE",
        description = "a PKCS#12 keystore (a private key and its certificate chain): answer HTTPS with it; needs --tls-password-file")
    Path tlsKeystore;

    @Option(names = "--tls-password-file", paramLabel = "FILE",
        description = "a file whose first line is the password of --tls-keystore (and of its key)")
    Path tlsPasswordFile;

    @Override
    public Integer call() throws Exception {
        if ((tlsKeystore == null) != (tlsPasswordFile == null)) {
            throw new IllegalArgumentException(tlsKeystore == null ? "--tls-password-file needs --tls-keystore"
                : "--tls-keystore needs --tls-password-file (a file whose first line is its password)");
        }
        if (slicingThreads != null && slicingThreads < 1) {
            throw new IllegalArgumentException("--slicing-threads " + slicingThreads + ": at least 1 slice must be computed at once");
        }
        final ServeSettings settings = new ServeSettings(captures, logs, ServeSettings.parseBind(bind), token(), maxSlices,
            maxResponseBytes, Duration.ofSeconds(requestTimeoutSeconds), maxUids,
            tlsKeystore == null ? null : TlsKeystore.open(tlsKeystore, tlsPasswordFile),
            slicingThreads == null ? SlicingThreads.defaultTurns() : slicingThreads);
        if (!Files.exists(logs)) {
            throw new IllegalArgumentException("--logs " + logs + ": no such file or directory");
        }
        SliceServer.serve(settings, System.err);
        return 0;
    }

    /** The token of --token-file (its first line, trimmed), or null. */
    private byte[] token() throws IOException {
        if (tokenFile == null) {
            return null;
        }
        final String text;
        try {
            text = Files.readString(tokenFile, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new IllegalArgumentException("--token-file " + tokenFile + ": cannot be read (" + e.getMessage() + ")", e);
        }
        if (text.length() < 16 || text.contains("\n")) {
            throw new IllegalArgumentException("--token-file " + tokenFile
                + ": the token must be one line of at least 16 characters (e.g. openssl rand -hex 32)");
        }
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
