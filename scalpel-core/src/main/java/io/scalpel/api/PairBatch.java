package io.scalpel.api;

import io.scalpel.capture.Frame;
import io.scalpel.decode.Addresses;
import io.scalpel.zeek.ConnRecord;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.DurationVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.TimeStampNanoTZVector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * The Arrow batch of conn rows paired with their packets being filled ({@link ArrowPairs}): a row
 * per packet, the conn row's columns (its text encoded once per conn row) then the packet's, in one
 * {@link VectorSchemaRoot} that is handed to the consumer whenever it holds {@code maxRows} rows
 * or the next frame would take it past {@code maxFrameBytes} bytes of frames (a batch always
 * takes at least one frame), then refilled.
 */
final class PairBatch {
    private final VectorSchemaRoot root;
    private final int maxRows;
    private final long maxFrameBytes;
    private final ArrowPairs.BatchConsumer consumer;
    private final VarCharVector uid;
    private final TimeStampNanoTZVector ts;
    private final VarCharVector origH;
    private final IntVector origP;
    private final VarCharVector respH;
    private final IntVector respP;
    private final VarCharVector proto;
    private final DurationVector duration;
    private final VarCharVector communityId;
    private final TimeStampNanoTZVector packetTs;
    private final IntVector caplen;
    private final IntVector wirelen;
    private final IntVector linktype;
    private final BigIntVector recordOffset;
    private final VarBinaryVector frame;
    private int n;
    private long frameBytes;
    private long rows;
    private ConnRecord conn;
    private byte[] uidBytes;
    private byte[] origHBytes;
    private byte[] respHBytes;
    private byte[] protoBytes;
    private byte[] communityIdBytes;

    PairBatch(final VectorSchemaRoot root, final int maxRows, final long maxFrameBytes, final ArrowPairs.BatchConsumer consumer) {
        this.root = root;
        this.maxRows = maxRows;
        this.maxFrameBytes = maxFrameBytes;
        this.consumer = consumer;
        uid = (VarCharVector) root.getVector(ArrowPairs.UID);
        ts = (TimeStampNanoTZVector) root.getVector(ArrowPairs.TS);
        origH = (VarCharVector) root.getVector(ArrowPairs.ORIG_H);
        origP = (IntVector) root.getVector(ArrowPairs.ORIG_P);
        respH = (VarCharVector) root.getVector(ArrowPairs.RESP_H);
        respP = (IntVector) root.getVector(ArrowPairs.RESP_P);
        proto = (VarCharVector) root.getVector(ArrowPairs.PROTO);
        duration = (DurationVector) root.getVector(ArrowPairs.DURATION);
        communityId = (VarCharVector) root.getVector(ArrowPairs.COMMUNITY_ID);
        packetTs = (TimeStampNanoTZVector) root.getVector(ArrowPairs.PACKET_TS);
        caplen = (IntVector) root.getVector(ArrowPairs.CAPLEN);
        wirelen = (IntVector) root.getVector(ArrowPairs.WIRELEN);
        linktype = (IntVector) root.getVector(ArrowPairs.LINKTYPE);
        recordOffset = (BigIntVector) root.getVector(ArrowPairs.RECORD_OFFSET);
        frame = (VarBinaryVector) root.getVector(ArrowPairs.FRAME);
        root.allocateNew();
    }

    /** The conn row of the frames that follow; its text columns are encoded once. */
    void conn(final ConnRecord c) {
        conn = c;
        uidBytes = utf8(c.uid());
        origHBytes = c.hasFiveTuple() ? utf8(Addresses.format(c.ipVersion(), c.origHi(), c.origLo())) : null;
        respHBytes = c.hasFiveTuple() ? utf8(Addresses.format(c.ipVersion(), c.respHi(), c.respLo())) : null;
        protoBytes = utf8(c.proto());
        communityIdBytes = c.communityId() == null || c.communityId().isEmpty() ? null : utf8(c.communityId());
    }

    void add(final Frame f) throws IOException {
        if (n == maxRows || (n > 0 && frameBytes + f.capturedLength() > maxFrameBytes)) {
            flush();
        }
        uid.setSafe(n, uidBytes);
        if (conn.hasTimestamp()) {
            ts.setSafe(n, conn.tsNanos());
        } else {
            ts.setNull(n);
        }
        text(origH, origHBytes);
        if (conn.hasFiveTuple() && conn.origPort() >= 0) {
            origP.setSafe(n, conn.origPort());
        } else {
            origP.setNull(n);
        }
        text(respH, respHBytes);
        if (conn.hasFiveTuple() && conn.respPort() >= 0) {
            respP.setSafe(n, conn.respPort());
        } else {
            respP.setNull(n);
        }
        text(proto, protoBytes);
        duration.setSafe(n, conn.durationNanos());
        text(communityId, communityIdBytes);
        if (f.timestampKnown()) {
            packetTs.setSafe(n, f.timestampNanos());
        } else {
            packetTs.setNull(n);
        }
        caplen.setSafe(n, f.capturedLength());
        wirelen.setSafe(n, f.originalLength());
        linktype.setSafe(n, f.linkType());
        recordOffset.setSafe(n, f.recordOffset());
        frame.setSafe(n, f.buffer(), f.dataOffset(), f.capturedLength());
        frameBytes += f.capturedLength();
        n++;
    }

    private void text(final VarCharVector v, final byte[] value) {
        if (value == null) {
            v.setNull(n);
        } else {
            v.setSafe(n, value);
        }
    }

    /** Hands the rows filled so far to the consumer and starts the next batch in the same buffers. */
    void flush() throws IOException {
        if (n == 0) {
            return;
        }
        root.setRowCount(n);
        consumer.batch(root);
        rows += n;
        n = 0;
        frameBytes = 0;
        for (FieldVector v : root.getFieldVectors()) {
            if (v.getValueCapacity() == 0) {
                v.allocateNew(); // moved out by the consumer
            } else {
                v.reset();
            }
        }
        root.setRowCount(0);
    }

    /** Rows handed to the consumer so far. */
    long rows() {
        return rows;
    }

    private static byte[] utf8(final String s) {
        return s == null ? null : s.getBytes(StandardCharsets.UTF_8);
    }
}
