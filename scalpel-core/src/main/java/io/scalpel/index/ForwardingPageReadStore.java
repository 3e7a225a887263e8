package io.scalpel.index;

import java.util.Optional;
import java.util.PrimitiveIterator;
import org.apache.parquet.column.page.PageReadStore;

/**
 * The pages of one row group as parquet-java read them, passed on with each column's pages
 * checked by a subclass ({@link #getPageReader}) before they are decoded; everything else is
 * forwarded as it is.
 */
public abstract class ForwardingPageReadStore implements PageReadStore {
    /** The row group as parquet-java read it. */
    protected final PageReadStore pages;

    protected ForwardingPageReadStore(final PageReadStore pages) {
        this.pages = pages;
    }

    @Override
    public long getRowCount() {
        return pages.getRowCount();
    }

    @Override
    public Optional<Long> getRowIndexOffset() {
        return pages.getRowIndexOffset();
    }

    @Override
    public Optional<PrimitiveIterator.OfLong> getRowIndexes() {
        return pages.getRowIndexes();
    }

    @Override
    public void close() {
        pages.close();
    }
}
