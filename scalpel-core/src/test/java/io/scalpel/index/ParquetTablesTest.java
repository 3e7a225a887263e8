package io.scalpel.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A row group's bloom filters are sized before its first row, never once rows were written to it. */
class ParquetTablesTest {
    @TempDir
    Path dir;

    @Test
    void shouldRefuseToSizeBloomFiltersInsideARowGroup() throws Exception {
        final List<String> columns = List.of(IndexSchema.FLOW);
        try (ParquetTables.ColumnFile file = new ParquetTables.ColumnFile(dir.resolve("p.parquet"), IndexSchema.packets(TimestampUnit.NANOS),
            ParquetTables.properties(ParquetTables.PACKET_PAGE_ROWS, columns), Map.of(), 16)) {
            file.bloomFilterSizes(columns, new long[] {1});
            final PacketChunk chunk = new PacketChunk(16);
            chunk.add(1, 24, 0, 0);
            chunk.writeRow(0, file, TimestampUnit.NANOS);
            final IllegalStateException e = assertThrows(IllegalStateException.class, () -> file.bloomFilterSizes(columns, new long[] {1}));
            assertEquals("bloom filters are sized between row groups, not after 1 rows", e.getMessage());
        }
        assertEquals("PAR1", new String(Files.readAllBytes(dir.resolve("p.parquet")), 0, 4, java.nio.charset.StandardCharsets.US_ASCII));
    }
}
