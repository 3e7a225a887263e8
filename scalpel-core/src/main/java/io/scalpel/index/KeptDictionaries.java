package io.scalpel.index;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.Encoding;
import org.apache.parquet.column.page.DataPage;
import org.apache.parquet.column.page.DictionaryPage;
import org.apache.parquet.column.page.DictionaryPageReadStore;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.column.page.PageReader;
import org.apache.parquet.io.ParquetDecodingException;

/**
 * The dictionary pages of row groups read through kept readers ({@link PartReaders}), decompressed
 * once and kept: a query reads the {@code src} and {@code dst} dictionaries of every row group that
 * may hold its host up to three times (to rule the row group out, to test its rows, to give the
 * rows that passed their addresses), and a warm index is asked again. Each page is kept as it was
 * read and checked ({@link CheckedPageStore}) under its part, row group and column.
 *
 * <p>Bounded: at most {@link #MAX_BYTES} of pages (least recently used dropped first). Never
 * stale: a part's pages are dropped when its file is no longer the one they were read from (its
 * size, modification time or file key changed since the read that kept them began:
 * {@link #check}, before each read of the part).
 */
final class KeptDictionaries {
    /** Most bytes of dictionary pages kept. */
    static final long MAX_BYTES = 32L << 20;

    private record Key(IndexPart part, int group, List<String> column) {
    }

    /**
     * A page's values as read (plain-encoded entries), how many, their encoding, and whether the page
     * came through {@link CheckedPageStore}'s checks (a page read to prune a row group did not).
     */
    private record Kept(byte[] bytes, int entries, Encoding encoding, boolean checked) {
        DictionaryPage page() {
            return new DictionaryPage(BytesInput.from(bytes), bytes.length, entries, encoding);
        }
    }

    private final long maxBytes;
    private final LinkedHashMap<Key, Kept> pages = new LinkedHashMap<>(16, 0.75f, true);
    /** Per part with pages kept: the file's attributes when they were read. */
    private final Map<IndexPart, Object> stamps = new HashMap<>();
    private long bytes;
    /** Dictionary pages read from the files, not from here (for tests). */
    private long read;

    KeptDictionaries() {
        this(MAX_BYTES);
    }

    KeptDictionaries(final long maxBytes) {
        this.maxBytes = maxBytes;
    }

    /**
     * Before a read of {@code part}: drops the pages kept of it when its file changed since they
     * were read (or cannot be read: a read of it then fails as it would without them), and notes
     * the file as it is now.
     *
     * @return the file's stamp now, which the pages this read keeps are held to: a page is kept only
     *         while the part's stamp is still this one, so a read that began before the file changed
     *         keeps nothing of it
     */
    Object check(final IndexPart part) {
        final Object now = stamp(part);
        synchronized (this) {
            final Object then = stamps.put(part, now);
            if (then != null && !then.equals(now)) {
                drop(part);
            }
        }
        return now;
    }

    private static Object stamp(final IndexPart part) {
        try {
            final BasicFileAttributes a = Files.readAttributes(part.path(), BasicFileAttributes.class);
            return List.of(a.size(), a.lastModifiedTime(), String.valueOf(a.fileKey()));
        } catch (IOException e) {
            return e.getClass(); // equals no stamp of a file that was read
        }
    }

    private void drop(final IndexPart part) {
        final Iterator<Map.Entry<Key, Kept>> it = pages.entrySet().iterator();
        while (it.hasNext()) {
            final Map.Entry<Key, Kept> e = it.next();
            if (e.getKey().part() == part) {
                bytes -= e.getValue().bytes().length;
                it.remove();
            }
        }
    }

    /**
     * The dictionary page of {@code column} of row group {@code g} of {@code part}: kept, else
     * {@code from}'s, then kept while the part's stamp is still {@code stamp}. A read that needs a
     * checked page ({@code checked}) is not given one kept unchecked: it reads its own, which replaces it.
     */
    DictionaryPage page(final IndexPart part, final int g, final ColumnDescriptor column, final java.util.function.Supplier<DictionaryPage> from,
                        final Object stamp, final boolean checked) {
        final Key key = new Key(part, g, List.of(column.getPath()));
        synchronized (this) {
            final Kept k = pages.get(key);
            if (k != null && (k.checked() || !checked)) {
                return k.page();
            }
        }
        final DictionaryPage page = from.get();
        if (page == null) {
            return null;
        }
        final Kept k;
        try {
            k = new Kept(DeltaPacked.bytes(page.getBytes()), page.getDictionarySize(), page.getEncoding(), checked);
        } catch (IOException e) {
            throw new ParquetDecodingException("dictionary of column " + String.join(".", column.getPath()) + ": " + e.getMessage(), e);
        }
        synchronized (this) {
            read++;
            final Kept before = pages.get(key);
            if (k.bytes().length <= maxBytes && stamp != null && stamp.equals(stamps.get(part))
                && (before == null || !before.checked() && checked)) {
                if (before != null) {
                    bytes -= before.bytes().length;
                }
                pages.put(key, k);
                bytes += k.bytes().length;
                final Iterator<Kept> it = pages.values().iterator();
                while (bytes > maxBytes && it.hasNext()) {
                    bytes -= it.next().bytes().length;
                    it.remove();
                }
            }
        }
        return k.page();
    }

    /** Dictionary pages read from the files so far, not from here. */
    synchronized long read() {
        return read;
    }

    /** {@code dictionaries} of row group {@code g} of {@code part} (unchecked: read to prune), each page kept once read. */
    DictionaryPageReadStore over(final IndexPart part, final int g, final DictionaryPageReadStore dictionaries, final Object stamp) {
        return column -> page(part, g, column, () -> dictionaries.readDictionaryPage(column), stamp, false);
    }

    /** {@code pages} of row group {@code g} of {@code part} (checked: {@link CheckedPageStore}), each column's dictionary page kept once read. */
    PageReadStore over(final IndexPart part, final int g, final CheckedPageStore pages, final Object stamp) {
        return new ForwardingPageReadStore(pages) {
            @Override
            public PageReader getPageReader(final ColumnDescriptor column) {
                final PageReader under = pages.getPageReader(column);
                return new PageReader() {
                    @Override
                    public DictionaryPage readDictionaryPage() {
                        return page(part, g, column, under::readDictionaryPage, stamp, true);
                    }

                    @Override
                    public long getTotalValueCount() {
                        return under.getTotalValueCount();
                    }

                    @Override
                    public DataPage readPage() {
                        return under.readPage();
                    }
                };
            }
        };
    }
}
