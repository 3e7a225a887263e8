package io.scalpel.index;

import java.io.Closeable;
import java.io.IOException;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.apache.parquet.column.page.DictionaryPageReadStore;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.filter2.compat.FilterCompat;
import org.apache.parquet.hadoop.BloomFilterReader;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.schema.MessageType;

/**
 * Parquet readers of an index's part files kept open from one lookup to the next, so that a warm
 * lookup does not set up a reader, parse page indexes and read bloom filters again: each reader
 * keeps the column and offset indexes of the row groups it read ({@link ParquetFileReader#getColumnIndexStore}),
 * and the bloom filters it consulted here.
 *
 * <p>Bounded whatever the index's size: at most {@link #MAX_OPEN} readers (least recently used
 * closed first), each replaced by a fresh one once it has cached the indexes of
 * {@link #MAX_ROW_GROUPS} row groups. A reader serves one read at a time: a read that finds its
 * reader busy (another thread, or a lookup inside a lookup's visitor) gets a reader of its own,
 * closed when it is done. A read that fails closes its reader. {@link #NONE} keeps nothing: every
 * read opens and closes its own reader, as a one-off scan of a part wants.
 *
 * <p>The dictionary pages the reads decompress are kept too ({@link KeptDictionaries}), across
 * readers replaced, until a part's file changes.
 */
final class PartReaders implements Closeable {
    /**
     * Most readers kept open: a query expression in an index of one scan reads two parts of the
     * packets table and two of the flows table, each of these with two projections (the columns its
     * conditions test, then the rows' other columns): eight readers. With four, each query closed the
     * readers of the one before and parsed every page index and bloom filter again. A grown
     * capture's index can have many parts, and a capture set opens an index per member.
     */
    static final int MAX_OPEN = 8;
    /** Row groups whose page indexes one reader caches before it is replaced. */
    static final int MAX_ROW_GROUPS = 32;

    /** Keeps no reader. */
    static final PartReaders NONE = new PartReaders(0);

    private final int maxOpen;
    /** The dictionary pages read through the readers kept (none kept by {@link #NONE}). */
    private final KeptDictionaries dictionaries;
    private final LinkedHashMap<Key, Lease> open = new LinkedHashMap<>(16, 0.75f, true);
    /** Readers opened so far. */
    private long opened;

    PartReaders() {
        this(MAX_OPEN);
    }

    private PartReaders(final int maxOpen) {
        this.maxOpen = maxOpen;
        this.dictionaries = maxOpen > 0 ? new KeptDictionaries() : null;
    }

    /**
     * Forgets the dictionary pages kept of {@code part} if its file changed since they were read
     * ({@link KeptDictionaries#check}), and holds the pages {@code lease}'s read keeps to the file as it is now.
     */
    void checkDictionaries(final IndexPart part, final Lease lease) {
        if (dictionaries != null) {
            lease.dictionaryStamp = dictionaries.check(part);
        }
    }

    /** {@code pages} of row group {@code g} of {@code part}, read through {@code lease}, their dictionary pages kept once read (as they are when nothing is kept). */
    PageReadStore keptDictionaries(final IndexPart part, final int g, final CheckedPageStore pages, final Lease lease) {
        return dictionaries == null ? pages : dictionaries.over(part, g, pages, lease.dictionaryStamp);
    }

    /** As {@link #keptDictionaries(IndexPart, int, CheckedPageStore, Lease)}, of the dictionaries a row group is pruned by (unchecked pages). */
    DictionaryPageReadStore keptDictionaries(final IndexPart part, final int g, final DictionaryPageReadStore pages, final Lease lease) {
        return dictionaries == null ? pages : dictionaries.over(part, g, pages, lease.dictionaryStamp);
    }

    /** Dictionary pages read from the part files, not from those kept (for tests). */
    long dictionariesRead() {
        return dictionaries == null ? 0 : dictionaries.read();
    }

    private record Key(IndexPart part, MessageType projection) {
    }

    /** One open reader of a part (every row group, no filter: a read prunes with its own), and what it cached. */
    static final class Lease {
        final ParquetFileReader reader;
        private final IndexInputFile.Stream stream;
        private final Key key;
        private final Set<Integer> rowGroups = new HashSet<>();
        private final Map<Integer, BloomFilterReader> blooms = new java.util.HashMap<>();
        private boolean busy;
        private boolean kept;
        /** The stamp of the part's file when this lease's current read began ({@link KeptDictionaries#check}). */
        private Object dictionaryStamp;

        private Lease(final Key key, final ParquetFileReader reader, final IndexInputFile.Stream stream) {
            this.key = key;
            this.reader = reader;
            this.stream = stream;
        }

        /** Notes that row group {@code g} is read (its page indexes are then cached by the reader). */
        void touch(final int g) {
            rowGroups.add(g);
        }

        /** The bloom filters of row group {@code g}, read once per reader. */
        BloomFilterReader blooms(final int g) {
            return blooms.computeIfAbsent(g, i -> reader.getBloomFilterDataReader(i));
        }
    }

    /** A reader of {@code part} with {@code projection}'s columns (every column when null), for one read; give it back with {@link #release}. */
    Lease acquire(final IndexPart part, final MessageType projection) throws IOException {
        final Key key = new Key(part, projection);
        synchronized (this) {
            final Lease cached = open.get(key);
            if (cached != null && !cached.busy) {
                cached.busy = true;
                cached.stream.discardBuffer(); // every page of a read comes from the file and is checked as it is now
                return cached;
            }
        }
        synchronized (this) {
            opened++;
        }
        final IndexPart.Opened table = part.open();
        final IndexInputFile.Stream stream = table.file().newStream();
        final ParquetFileReader r = ParquetFileReader.open(table.file(), table.footer(), IndexPart.readOptions(FilterCompat.NOOP), stream);
        if (projection != null) {
            r.setRequestedSchema(projection);
        }
        final Lease lease = new Lease(key, r, stream);
        lease.busy = true;
        synchronized (this) {
            if (maxOpen > 0 && !open.containsKey(key)) {
                lease.kept = true;
                open.put(key, lease);
                evict();
            }
        }
        return lease;
    }

    /** Gives back a reader; closes it if it is not kept, if the read failed or if it has cached enough. */
    void release(final Lease lease, final boolean failed) throws IOException {
        synchronized (this) {
            lease.busy = false;
            if (lease.kept && !failed && lease.rowGroups.size() < MAX_ROW_GROUPS) {
                return;
            }
            if (lease.kept && open.get(lease.key) == lease) {
                open.remove(lease.key);
            }
            lease.kept = false;
        }
        lease.reader.close();
    }

    private void evict() throws IOException {
        final Iterator<Lease> it = open.values().iterator();
        while (open.size() > maxOpen && it.hasNext()) {
            final Lease eldest = it.next();
            it.remove();
            eldest.kept = false;
            if (!eldest.busy) {
                eldest.reader.close();
            }
        }
    }

    /** Readers opened so far, kept or not (for tests). */
    synchronized long opened() {
        return opened;
    }

    /** Readers kept open now. */
    synchronized int kept() {
        return open.size();
    }

    /** Whether {@code lease}'s reader stays open after its read. */
    synchronized boolean isKept(final Lease lease) {
        return lease.kept;
    }

    /** Closes every reader kept (the index is closed). */
    @Override
    public synchronized void close() throws IOException {
        IOException failure = null;
        for (Lease l : open.values()) {
            l.kept = false;
            if (!l.busy) {
                try {
                    l.reader.close();
                } catch (IOException e) {
                    failure = e;
                }
            }
        }
        open.clear();
        if (failure != null) {
            throw failure;
        }
    }
}
