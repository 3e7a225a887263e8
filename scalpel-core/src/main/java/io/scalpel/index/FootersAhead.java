package io.scalpel.index;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The footers of an index's parts read on a thread of their own, flows parts first, then packets
 * parts (the order a lookup reads them), while the caller does something else first, such as
 * searching a conn.log: a lookup then finds them read. Each part is checked and parsed as a lookup
 * would ({@link IndexPart#open}, which a lookup arriving meanwhile waits on); a part that cannot be
 * read is not taken as read, and is left to the lookup, which reads it again and reports it.
 */
final class FootersAhead {
    private final List<IndexPart> parts;
    private final AtomicBoolean started = new AtomicBoolean();

    FootersAhead(final List<IndexPart> flows, final List<IndexPart> packets) {
        final List<IndexPart> all = new ArrayList<>(flows);
        all.addAll(packets);
        this.parts = List.copyOf(all);
    }

    /** Starts the thread, once: null when it was started before, or every footer was read already. */
    Thread start() {
        if (!started.compareAndSet(false, true)) {
            return null;
        }
        final List<IndexPart> unread = new ArrayList<>(parts);
        unread.removeIf(IndexPart::isOpen);
        if (unread.isEmpty()) {
            return null;
        }
        final Thread t = new Thread(() -> {
            for (IndexPart part : unread) {
                try {
                    part.open();
                } catch (IndexException | RuntimeException e) {
                    // the lookup reads this part again and reports it; this thread reports nothing
                }
            }
        }, "index footers ahead");
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** Whether the footer of every part was read and checked. */
    boolean allRead() {
        return parts.stream().allMatch(IndexPart::isOpen);
    }
}
