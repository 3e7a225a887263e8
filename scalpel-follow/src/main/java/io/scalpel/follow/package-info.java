/**
 * {@code scalpel follow}: slices the connections Zeek logs as they are logged, over a capture that
 * is still being written.
 *
 * <p>The way through: a {@link io.scalpel.follow.ConnSource} (a Kafka topic,
 * {@link io.scalpel.follow.KafkaConnSource}, or a growing conn.log, {@link io.scalpel.follow.ConnLogTail})
 * hands over {@link io.scalpel.follow.Arrival}s, conn records parsed by the core's conn.log reader
 * ({@link io.scalpel.follow.ZeekMessages} tells conn records from the other logs); they wait in
 * {@link io.scalpel.follow.PendingConnections}, ordered by the time the capture must reach, until
 * the index of the capture ({@link io.scalpel.api.GrowingCaptures}, extended as it grows)
 * covers them; {@link io.scalpel.follow.Follower} then writes each uid's extract and, once it is
 * durable, lets {@link io.scalpel.follow.Deliveries} move the source's committed position.
 *
 * <p>Depends on {@code io.scalpel.api} (and the types it hands out) and on the Kafka client;
 * scalpel-cli registers {@link io.scalpel.follow.FollowCommand} so that no other command loads
 * anything of this package or of Kafka.
 */
package io.scalpel.follow;
