package io.scalpel.follow;

import io.scalpel.api.Scalpel;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code scalpel follow}: slices each connection as Zeek logs it, from a Kafka topic or a growing
 * conn.log, over a capture still being written ({@link Follower}). Its fields are plain values and
 * nothing of Kafka is touched before {@link #call()}, so registering it loads nothing of it for the
 * other commands.
 */
@Command(name = "follow", mixinStandardHelpOptions = true, addMethodSubcommands = false,
    description = "Write each connection's packets as Zeek logs it (from Kafka or a growing conn.log), over a capture still"
        + " being written, until stopped.")
public final class FollowCommand implements Callable<Integer> {
    /**
     * The most extracts written together: a batch is what is ready, so it is small while the
     * follower keeps up; when it lags, large batches share one pass over the index.
     */
    static final int BATCH = 10_000;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "CAPTURE", description = "the capture being written, or a directory that gains rotated captures")
    Path capture;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    /** Where the records come from: exactly one. */
    static final class Source {
        @Option(names = "--kafka", paramLabel = "BOOTSTRAP", required = true,
            description = "Kafka brokers (HOST:PORT[,HOST:PORT...]) Zeek's Kafka writer sends its logs to")
        String kafka;

        @Option(names = "--conn-tail", paramLabel = "FILE", required = true,
            description = "a conn.log Zeek is writing (TSV or JSON lines), followed across its rotation")
        Path connTail;
    }

    @Option(names = "--topic", paramLabel = "TOPIC", split = ",",
        description = "with --kafka: the topics to read (one for every log, or conn's own); required with --kafka")
    List<String> topics;

    @Option(names = "--group", paramLabel = "GROUP", defaultValue = "scalpel-follow",
        description = "with --kafka: the consumer group whose committed offsets a restart goes on from (default: ${DEFAULT-VALUE})")
    String group;

    @Option(names = "--kafka-option", paramLabel = "KEY=VALUE",
        description = "with --kafka: a setting of the Kafka consumer (security.protocol, sasl.*, ssl.*), repeatable")
    Map<String, String> kafkaOptions = new java.util.LinkedHashMap<>();

    @Option(names = "--split-dir", paramLabel = "DIR", required = true,
        description = "where each uid's extract is written, as UID.pcap (or UID.pcapng)")
    Path splitDir;

    @Option(names = "--index", paramLabel = "DIR", description = "the index directory (default: beside the capture)")
    Path index;

    @Option(names = "--idle-grace", paramLabel = "SECONDS", defaultValue = "10",
        description = "when the capture has not grown for this long, what waits for it is written with the frames it has"
            + " (default: ${DEFAULT-VALUE})")
    long idleGraceSeconds;

    @Option(names = "--capture-grace", paramLabel = "SECONDS", defaultValue = "600",
        description = "the longest a record waits for the capture to reach its end; then it is written with what is there,"
            + " or counted as without packets (default: ${DEFAULT-VALUE})")
    long captureGraceSeconds;

    @Option(names = "--max-pending", paramLabel = "N", defaultValue = "100000",
        description = "records that may wait for the capture; then reading pauses (default: ${DEFAULT-VALUE})")
    int maxPending;

    @Option(names = "--index-interval", paramLabel = "SECONDS", defaultValue = "1",
        description = "how often the index is extended while records wait for the capture (default: ${DEFAULT-VALUE})")
    double indexIntervalSeconds;

    @Option(names = "--tcp-close-delay", paramLabel = "SECONDS", defaultValue = "5",
        description = "Zeek's tcp_close_delay: how long a TCP connection takes packets after both ends closed (default: ${DEFAULT-VALUE})")
    double tcpCloseDelaySeconds;

    @Option(names = "--json", description = "status lines as JSON objects on stdout (default: a line of text on stderr)")
    boolean json;

    @Option(names = "--status-every", paramLabel = "SECONDS", defaultValue = "10",
        description = "how often a status line is written; 0: only the last (default: ${DEFAULT-VALUE})")
    long statusEverySeconds;

    @Option(names = "--exit-idle", paramLabel = "SECONDS", defaultValue = "0",
        description = "stop once nothing arrived, nothing waits and the capture stayed as it is for this long; 0: run until"
            + " stopped (default: ${DEFAULT-VALUE})")
    long exitIdleSeconds;

    @Option(names = "--connect-timeout", paramLabel = "SECONDS", defaultValue = "30",
        description = "with --kafka: how long a broker may take to answer at the start (default: ${DEFAULT-VALUE})")
    long connectTimeoutSeconds;

    @Override
    public Integer call() throws Exception {
        final FollowSettings settings = settings();
        final PrintWriter err = spec.commandLine().getErr();
        final PrintWriter out = spec.commandLine().getOut();
        if (!Files.exists(capture)) {
            throw new NoSuchFileException(capture.toString());
        }
        Follower.prepare(splitDir);
        final FollowCounters counters = new FollowCounters();
        final Follower.Listener listener = new Follower.Listener() {
            @Override
            public void warning(final String message) {
                err.println("scalpel: warning: " + message);
                err.flush();
            }

            @Override
            public void status(final Map<String, Object> status) {
                if (json) {
                    out.println(FollowStatus.json(status));
                    out.flush();
                } else {
                    err.println("scalpel follow: " + FollowStatus.text(status));
                    err.flush();
                }
            }
        };
        try (ConnSource records = open(counters, listener)) {
            err.println("scalpel follow: " + records.name() + " -> " + splitDir + " over " + capture);
            err.flush();
            final AtomicBoolean stop = new AtomicBoolean();
            final CountDownLatch finished = new CountDownLatch(1);
            final Thread hook = new Thread(() -> {
                stop.set(true);
                try {
                    finished.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "scalpel-follow-stop");
            Runtime.getRuntime().addShutdownHook(hook);
            try {
                new Follower(settings, seconds(indexIntervalSeconds, "--index-interval"), records, counters, listener).run(stop::get);
            } finally {
                finished.countDown();
                if (!stop.get()) {
                    Runtime.getRuntime().removeShutdownHook(hook);
                }
            }
        }
        return 0;
    }

    private ConnSource open(final FollowCounters counters, final Follower.Listener listener) throws IOException {
        if (source.kafka != null) {
            return new KafkaConnSource(source.kafka, topics, group, kafkaOptions, Duration.ofSeconds(connectTimeoutSeconds),
                listener::warning, counters);
        }
        return new ConnLogTail(source.connTail, splitDir, listener::warning, counters);
    }

    /** The settings of the options, checked: a usage error says which option is wrong. */
    FollowSettings settings() {
        if (source.kafka != null && (topics == null || topics.isEmpty())) {
            throw new IllegalArgumentException("--kafka needs --topic: the topic(s) Zeek's Kafka writer sends to");
        }
        if (source.kafka == null && (topics != null || !kafkaOptions.isEmpty())) {
            throw new IllegalArgumentException("--topic and --kafka-option go with --kafka, not --conn-tail");
        }
        if (source.kafka != null && source.kafka.isBlank()) {
            throw new IllegalArgumentException("--kafka: the bootstrap address is empty");
        }
        for (String t : topics == null ? List.<String>of() : topics) {
            if (t.isBlank()) {
                throw new IllegalArgumentException("--topic: empty topic name");
            }
        }
        if (captureGraceSeconds < 0 || idleGraceSeconds < 0 || statusEverySeconds < 0 || exitIdleSeconds < 0 || connectTimeoutSeconds < 0) {
            throw new IllegalArgumentException("--idle-grace, --capture-grace, --status-every, --exit-idle and --connect-timeout"
                + " must not be negative");
        }
        if (maxPending < 1) {
            throw new IllegalArgumentException("--max-pending must be at least 1, was " + maxPending);
        }
        final Duration closeDelay = seconds(tcpCloseDelaySeconds, "--tcp-close-delay");
        seconds(indexIntervalSeconds, "--index-interval");
        Scalpel.Options options = Scalpel.Options.defaults().withIndex(index).withTcpCloseDelayNanos(closeDelay.toNanos());
        return new FollowSettings(capture, options, splitDir, Duration.ofSeconds(idleGraceSeconds),
            Duration.ofSeconds(captureGraceSeconds), maxPending, Duration.ofSeconds(statusEverySeconds),
            Duration.ofSeconds(exitIdleSeconds), BATCH);
    }

    private static Duration seconds(final double s, final String option) {
        if (!(s >= 0) || s > 86_400) {
            throw new IllegalArgumentException(option + " must be between 0 and 86400 seconds, was " + s);
        }
        return Duration.ofNanos(Math.round(s * 1e9));
    }
}
