package io.scalpel.follow;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Zeek's logs from Kafka topics, as its Kafka writer sends them ({@link ZeekMessages}): a consumer
 * of a group that commits nothing by itself; {@link #commit} commits the offsets after the records
 * whose extracts are durable. Other logs are ignored and counted, bad records skipped with their
 * topic, partition and offset in the warning. Partitions taken away by a rebalance are reported by
 * {@link #revoked()} after what was done of them is committed.
 */
final class KafkaConnSource implements ConnSource {
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final String name;
    private final Consumer<String> warnings;
    private final FollowCounters counters;
    private final Set<String> revoked = new HashSet<>();
    private final Map<String, TopicPartition> partitions = new HashMap<>();
    private final Map<String, Long> uncommitted = new HashMap<>();
    private boolean paused;

    /**
     * Connects to the brokers and subscribes to the topics.
     *
     * @param bootstrap       the brokers, {@code HOST:PORT[,HOST:PORT...]}
     * @param topics          the topics Zeek writes to
     * @param group           the consumer group, whose committed offsets a restart goes on from
     * @param extra           more consumer settings ({@code security.protocol}, SASL, TLS)
     * @param connectTimeout  how long to wait for a broker to answer at the start
     * @param warnings        receives one-line warnings
     * @param counters        counts the records read, ignored and bad
     * @throws IllegalArgumentException when the settings are refused (a bootstrap address that cannot be parsed)
     * @throws IOException when no broker answers within {@code connectTimeout}
     */
    KafkaConnSource(final String bootstrap, final List<String> topics, final String group, final Map<String, String> extra,
                    final Duration connectTimeout, final Consumer<String> warnings, final FollowCounters counters) throws IOException {
        this.name = "kafka " + bootstrap + " topic " + String.join(",", topics);
        this.warnings = warnings;
        this.counters = counters;
        final Properties p = new Properties();
        p.putAll(extra);
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.putIfAbsent(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.putIfAbsent(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "2000");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        try {
            consumer = new KafkaConsumer<>(p);
        } catch (KafkaException e) {
            throw new IllegalArgumentException("--kafka " + bootstrap + ": " + message(e), e);
        }
        try {
            consumer.listTopics(connectTimeout);
        } catch (TimeoutException e) {
            consumer.close(Duration.ZERO);
            throw new IOException("--kafka " + bootstrap + ": no broker answered within " + connectTimeout.toSeconds() + " s");
        } catch (KafkaException e) {
            consumer.close(Duration.ZERO);
            throw new IOException("--kafka " + bootstrap + ": " + message(e), e);
        }
        consumer.subscribe(topics, new ConsumerRebalanceListener() {
            @Override
            public void onPartitionsRevoked(final Collection<TopicPartition> taken) {
                commitUncommitted();
                for (TopicPartition tp : taken) {
                    revoked.add(key(tp));
                }
            }

            @Override
            public void onPartitionsAssigned(final Collection<TopicPartition> given) {
                // A partition given back after it was taken is read again from its committed offset: what
                // waited of it before is dropped all the same (revoked() still names it).
                for (TopicPartition tp : given) {
                    partitions.put(key(tp), tp);
                }
                if (paused) {
                    consumer.pause(given);
                }
            }
        });
    }

    @Override
    public List<Arrival> poll(final Duration wait) throws IOException {
        final ConsumerRecords<byte[], byte[]> records;
        try {
            records = consumer.poll(wait);
        } catch (KafkaException e) {
            throw new IOException(name + ": " + message(e), e);
        }
        if (records.isEmpty()) {
            return List.of();
        }
        final long now = System.nanoTime();
        final List<Arrival> arrivals = new ArrayList<>(records.count());
        final List<byte[]> lines = new ArrayList<>();
        final List<Integer> lineOf = new ArrayList<>();
        final List<ConsumerRecord<byte[], byte[]>> all = new ArrayList<>(records.count());
        for (ConsumerRecord<byte[], byte[]> r : records) {
            final ZeekMessages.Classified c = ZeekMessages.classify(r.value());
            all.add(r);
            counters.read++;
            switch (c.kind()) {
                case CONN:
                    lineOf.add(all.size() - 1);
                    lines.add(c.line());
                    arrivals.add(null); // filled below
                    break;
                case OTHER:
                    counters.otherLogs++;
                    arrivals.add(arrival(r, null, now));
                    break;
                default:
                    bad(r, c.reason());
                    arrivals.add(arrival(r, null, now));
            }
        }
        final ZeekMessages.Parsed parsed = ZeekMessages.parse(List.of(), lines, name);
        int k = 0;
        for (int i = 0; i < arrivals.size(); i++) {
            if (arrivals.get(i) == null) {
                final ConsumerRecord<byte[], byte[]> r = all.get(lineOf.get(k));
                if (parsed.records()[k] == null) {
                    bad(r, parsed.errors()[k]);
                } else {
                    counters.conns++;
                }
                arrivals.set(i, arrival(r, parsed.records()[k], now));
                k++;
            }
        }
        return arrivals;
    }

    private void bad(final ConsumerRecord<byte[], byte[]> r, final String reason) {
        counters.bad++;
        warnings.accept("topic " + r.topic() + " partition " + r.partition() + " offset " + r.offset() + ": " + reason
            + " (record skipped)");
    }

    private Arrival arrival(final ConsumerRecord<byte[], byte[]> r, final io.scalpel.zeek.ConnRecord conn, final long now) {
        // The record's timestamp on the nanoTime clock (never later than now).
        final long age = Math.max(0, System.currentTimeMillis() - r.timestamp()) * 1_000_000L;
        return new Arrival(r.topic() + "-" + r.partition(), r.offset(), r.offset() + 1, conn, now, now - age);
    }

    @Override
    public void pause(final boolean pause) {
        if (pause == paused) {
            return;
        }
        paused = pause;
        if (pause) {
            consumer.pause(consumer.assignment());
        } else {
            consumer.resume(consumer.assignment());
        }
    }

    @Override
    public void commit(final Map<String, Long> next) throws IOException {
        uncommitted.putAll(next);
        commitUncommitted();
    }

    private void commitUncommitted() {
        if (uncommitted.isEmpty()) {
            return;
        }
        final Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        uncommitted.forEach((k, v) -> {
            final TopicPartition tp = partitions.get(k);
            if (tp != null) {
                offsets.put(tp, new OffsetAndMetadata(v));
            }
        });
        uncommitted.clear();
        if (!offsets.isEmpty()) {
            consumer.commitSync(offsets);
        }
    }

    @Override
    public Set<String> revoked() {
        if (revoked.isEmpty()) {
            return Set.of();
        }
        final Set<String> r = Set.copyOf(revoked);
        revoked.clear();
        return r;
    }

    @Override
    public long lag() {
        final Set<TopicPartition> assigned = consumer.assignment();
        if (assigned.isEmpty()) {
            return -1; // not (yet) given a partition: nothing is known
        }
        long lag = 0;
        for (TopicPartition tp : assigned) {
            final java.util.OptionalLong l = consumer.currentLag(tp);
            if (l.isEmpty()) {
                return -1;
            }
            lag += l.getAsLong();
        }
        return lag;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(5));
    }

    private static String key(final TopicPartition tp) {
        return tp.topic() + "-" + tp.partition();
    }

    /** A Kafka exception's message and its cause's, on one line. */
    private static String message(final Throwable e) {
        final StringBuilder b = new StringBuilder(String.valueOf(e.getMessage()));
        if (e.getCause() != null && e.getCause().getMessage() != null && !b.toString().contains(e.getCause().getMessage())) {
            b.append(" (").append(e.getCause().getMessage()).append(')');
        }
        return b.toString();
    }
}
