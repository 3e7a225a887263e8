package io.scalpel.slice;

import io.scalpel.index.PacketIndex;
import java.io.IOException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Flow rows whose frames are to be read back from the capture, each with the {@link Candidates}
 * its packet rows go to, looked up at once ({@link PacketIndex#lookupFlowRows}): what a listing
 * reads back for the keys (or connections) its flow rows cannot split.
 */
final class FlowRowFrames {
    private int size;
    private int[] chunk = new int[16];
    private int[] flow = new int[16];
    private long[] first = new long[16];
    private long[] last = new long[16];
    private final Map<Long, Candidates> frames = new HashMap<>();

    /** Flow row {@code f} of chunk {@code c}, its frames from {@code firstTs} to {@code lastTs}, to go to {@code to}. */
    void add(final int c, final int f, final long firstTs, final long lastTs, final Candidates to) {
        if (size == chunk.length) {
            final int n = size * 2;
            chunk = Arrays.copyOf(chunk, n);
            flow = Arrays.copyOf(flow, n);
            first = Arrays.copyOf(first, n);
            last = Arrays.copyOf(last, n);
        }
        chunk[size] = c;
        flow[size] = f;
        first[size] = firstTs;
        last[size] = lastTs;
        size++;
        frames.put(PacketIndex.flowRow(c, f), to);
    }

    /** Hands each row's packet rows to its candidates, then forgets the rows. */
    void lookUp(final PacketIndex index) throws IOException {
        if (size > 0) {
            index.lookupFlowRows(size, chunk, flow, first, last,
                (ts, offset, c, f, dgramTs) -> frames.get(PacketIndex.flowRow(c, f)).add(ts, offset, dgramTs));
        }
        size = 0;
        frames.clear();
    }
}
