package io.scalpel.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scalpel.testdata.ParquetConnLogWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.parquet.HadoopFreeReadOptions;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.ColumnReadStore;
import org.apache.parquet.column.ColumnReader;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.filter2.compat.FilterCompat;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.MessageType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Column readers read by their getters ({@link ColumnReaders}) over a Parquet file that DuckDB
 * wrote, with a column nested in a group as Zeek-to-Parquet converters nest {@code id.orig_h}:
 * every value is the one DuckDB was told to write, over several row groups, read through a
 * projection that leaves a column out and cuts the group down to the fields read.
 */
class ColumnReadersTest {
    private static final int ROWS = 5000;

    @Test
    void shouldReadNestedAndTopLevelColumnsOfEveryRowGroupAsDuckDbWroteThem(@TempDir final Path dir) throws Exception {
        final Path file = dir.resolve("nested.parquet");
        ParquetConnLogWriter.sql("COPY (SELECT i AS n, 'skipped ' || i AS uid, {'orig_h': '10.0.' || (i // 256) || '.' || (i % 256),"
            + " 'orig_p': i * 7, 'resp_p': 80} AS id FROM range(" + ROWS + ") t(i)) TO '" + file.toString().replace("'", "''")
            + "' (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 2048)");
        final List<Long> n = new ArrayList<>();
        final List<String> origH = new ArrayList<>();
        final List<Long> origP = new ArrayList<>();
        int rowGroups = 0;
        try (ParquetFileReader reader = ParquetFileReader.open(new LocalInputFile(file),
            HadoopFreeReadOptions.filtered(FilterCompat.NOOP, ZstdCodecFactory.INSTANCE))) {
            final MessageType schema = reader.getFooter().getFileMetaData().getSchema();
            final GroupType id = schema.getType("id").asGroupType();
            final MessageType projection = new MessageType(schema.getName(), schema.getType("n"),
                id.withNewFields(id.getType("orig_h"), id.getType("orig_p")));
            reader.setRequestedSchema(projection);
            final String createdBy = reader.getFooter().getFileMetaData().getCreatedBy();
            for (PageReadStore pages; (pages = reader.readNextRowGroup()) != null; rowGroups++) {
                final ColumnReadStore store = ColumnReaders.of(pages, projection, createdBy);
                final ColumnDescriptor nColumn = projection.getColumnDescription(new String[] {"n"});
                final ColumnDescriptor hColumn = projection.getColumnDescription(new String[] {"id", "orig_h"});
                final ColumnDescriptor pColumn = projection.getColumnDescription(new String[] {"id", "orig_p"});
                final ColumnReader nValues = store.getColumnReader(nColumn);
                final ColumnReader hValues = store.getColumnReader(hColumn);
                final ColumnReader pValues = store.getColumnReader(pColumn);
                for (long row = 0; row < pages.getRowCount(); row++) {
                    assertEquals(nColumn.getMaxDefinitionLevel(), nValues.getCurrentDefinitionLevel());
                    assertEquals(hColumn.getMaxDefinitionLevel(), hValues.getCurrentDefinitionLevel());
                    assertEquals(pColumn.getMaxDefinitionLevel(), pValues.getCurrentDefinitionLevel());
                    n.add(nValues.getLong());
                    origH.add(hValues.getBinary().toStringUsingUTF8());
                    origP.add(pValues.getLong());
                    nValues.consume();
                    hValues.consume();
                    pValues.consume();
                }
            }
        }
        assertTrue(rowGroups > 1, () -> "DuckDB wrote one row group; the test wants several");
        assertEquals(ROWS, n.size());
        for (int i = 0; i < ROWS; i++) {
            assertEquals(i, n.get(i));
            assertEquals("10.0." + i / 256 + "." + i % 256, origH.get(i));
            assertEquals(i * 7L, origP.get(i));
        }
    }
}
