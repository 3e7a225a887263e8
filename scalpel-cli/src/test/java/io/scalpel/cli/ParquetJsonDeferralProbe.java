package io.scalpel.cli;

import java.util.List;
import java.util.Map;
import org.apache.parquet.hadoop.metadata.FileMetaData;
import org.apache.parquet.hadoop.metadata.ParquetMetadata;
import org.apache.parquet.schema.MessageTypeParser;

/**
 * For {@code ParquetJsonDeferralTest}, run in a JVM of its own: makes a {@code ParquetMetadata}
 * (printing a line when it has), then writes its JSON to the file its argument names and prints a
 * line when it has.
 */
final class ParquetJsonDeferralProbe {
    private ParquetJsonDeferralProbe() {
    }

    static ParquetMetadata metadata() {
        return new ParquetMetadata(new FileMetaData(MessageTypeParser.parseMessageType(
            "message flow { required int64 flow_hash; optional binary src (STRING); }"), Map.of("k", "v"), "scalpel test"), List.of());
    }

    public static void main(final String[] args) throws java.io.IOException {
        final ParquetMetadata m = metadata();
        System.out.println("made " + m.getBlocks().size());
        java.nio.file.Files.writeString(java.nio.file.Path.of(args[0]), ParquetMetadata.toJSON(m));
        System.out.println("json written");
    }
}
