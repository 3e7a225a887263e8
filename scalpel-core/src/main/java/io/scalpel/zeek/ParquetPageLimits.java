package io.scalpel.zeek;

import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.page.DataPage;
import org.apache.parquet.column.page.DictionaryPage;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.column.page.PageReader;
import org.apache.parquet.io.ParquetDecodingException;

/**
 * The pages of one row group of a Parquet log, with the counts their headers declare held to
 * their bytes before parquet-java allocates by them: a dictionary of N entries takes at least N
 * bytes (parquet-java makes an array of N entries first). No checksum covers a page header in the
 * files other tools write.
 */
final class ParquetPageLimits extends io.scalpel.index.ForwardingPageReadStore {
    private ParquetPageLimits(final PageReadStore pages) {
        super(pages);
    }

    static PageReadStore of(final PageReadStore pages) {
        return new ParquetPageLimits(pages);
    }

    @Override
    public PageReader getPageReader(final ColumnDescriptor descriptor) {
        final PageReader reader = pages.getPageReader(descriptor);
        return new PageReader() {
            @Override
            public DictionaryPage readDictionaryPage() {
                final DictionaryPage d = reader.readDictionaryPage();
                if (d != null && (d.getDictionarySize() < 0 || d.getDictionarySize() > d.getUncompressedSize())) {
                    throw new ParquetDecodingException("dictionary page of column " + String.join(".", descriptor.getPath())
                        + " declares " + d.getDictionarySize() + " entries in " + d.getUncompressedSize() + " bytes");
                }
                return d;
            }

            @Override
            public long getTotalValueCount() {
                return reader.getTotalValueCount();
            }

            @Override
            public DataPage readPage() {
                return reader.readPage();
            }
        };
    }
}
