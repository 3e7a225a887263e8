package io.scalpel.index;

import java.io.IOException;
import java.util.List;
import static org.apache.parquet.filter2.predicate.FilterApi.and;
import static org.apache.parquet.filter2.predicate.FilterApi.gtEq;
import static org.apache.parquet.filter2.predicate.FilterApi.ltEq;

import org.apache.parquet.filter2.compat.FilterCompat;
import org.apache.parquet.filter2.predicate.FilterPredicate;
import org.apache.parquet.io.ColumnIOFactory;
import org.apache.parquet.io.MessageColumnIO;
import org.apache.parquet.io.RecordReader;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.Types;

/**
 * Reads the flows table record by record, a projection of its columns at a time, into a
 * {@link FlowRowMaterializer}: the filter prunes row groups (statistics, bloom filters) and pages,
 * and decides each remaining row.
 */
final class FlowRows {
    /** The columns of flows.parquet a join reads. */
    static final MessageType JOIN_COLUMNS = Types.buildMessage()
        .addFields(IndexSchema.FLOWS_SCHEMA.getType(IndexSchema.CHUNK), IndexSchema.FLOWS_SCHEMA.getType(IndexSchema.FLOW),
            IndexSchema.FLOWS_SCHEMA.getType(IndexSchema.FLOW_HASH), IndexSchema.FLOWS_SCHEMA.getType(IndexSchema.FIRST_TS),
            IndexSchema.FLOWS_SCHEMA.getType(IndexSchema.LAST_TS))
        .named("flow");

    /** The columns of flows.parquet a Community ID lookup reads, keys included for other seeds. */
    static final MessageType COMMUNITY_COLUMNS = Types.buildMessage()
        .addFields(IndexSchema.FLOWS_SCHEMA.getType(IndexSchema.CHUNK), IndexSchema.FLOWS_SCHEMA.getType(IndexSchema.FLOW),
            IndexSchema.FLOWS_SCHEMA.getType(IndexSchema.FIRST_TS), IndexSchema.FLOWS_SCHEMA.getType(IndexSchema.LAST_TS),
            IndexSchema.FLOWS_SCHEMA.getType(IndexSchema.IP_VERSION), IndexSchema.FLOWS_SCHEMA.getType(IndexSchema.PROTO),
            IndexSchema.FLOWS_SCHEMA.getType(IndexSchema.SRC), IndexSchema.FLOWS_SCHEMA.getType(IndexSchema.SRC_PORT),
            IndexSchema.FLOWS_SCHEMA.getType(IndexSchema.DST), IndexSchema.FLOWS_SCHEMA.getType(IndexSchema.DST_PORT),
            IndexSchema.FLOWS_SCHEMA.getType(IndexSchema.COMMUNITY_ID))
        .named("flow");

    private FlowRows() {
    }

    /** Called for each row that passes the filter; the materializer holds its values. */
    @FunctionalInterface
    interface RowSink {
        void accept() throws IOException;
    }

    /** Every row of every part whose time span meets [{@code from}, {@code to}], every column read. */
    static void scanKeys(final List<IndexPart> parts, final long from, final long to, final FlowRowView.Visitor visitor)
        throws IOException {
        FilterPredicate filter = null;
        if (from != Long.MIN_VALUE) {
            filter = gtEq(IndexSchema.LAST_TS_COLUMN, from);
        }
        if (to != Long.MAX_VALUE) {
            filter = filter == null ? ltEq(IndexSchema.FIRST_TS_COLUMN, to) : and(filter, ltEq(IndexSchema.FIRST_TS_COLUMN, to));
        }
        final FilterCompat.Filter compiled = filter == null ? FilterCompat.NOOP : FilterCompat.get(filter);
        final FlowRowMaterializer m = new FlowRowMaterializer(IndexSchema.FLOWS_SCHEMA);
        for (IndexPart part : parts) {
            read(part, IndexSchema.FLOWS_SCHEMA, compiled, m, () -> visitor.flow(m));
        }
    }

    /** The flow rows of every part that pass {@code filter}, for a join: chunk, flow, hash and time span. */
    static void scan(final List<IndexPart> parts, final FilterCompat.Filter filter, final PacketIndex.FlowVisitor visitor)
        throws IOException {
        final FlowRowMaterializer m = new FlowRowMaterializer(JOIN_COLUMNS);
        for (IndexPart part : parts) {
            read(part, JOIN_COLUMNS, filter, m, () -> visitor.flow(m.chunk, m.flow, m.hash, m.firstTs, m.lastTs));
        }
    }

    /** Each row of {@code part} that passes {@code filter}, its {@code projection} columns read into {@code row}. */
    static void read(final IndexPart part, final MessageType projection, final FilterCompat.Filter filter,
                     final FlowRowMaterializer row, final RowSink sink) throws IOException {
        final MessageColumnIO io = new ColumnIOFactory().getColumnIO(projection);
        PartReader.read(part, projection, filter, (pages, n) -> {
            final RecordReader<?> records = io.getRecordReader(pages, row, filter);
            for (long i = 0; i < n; i++) {
                final Object r = records.read();
                if (r == null || records.shouldSkipCurrentRecord()) {
                    continue;
                }
                try {
                    sink.accept();
                } catch (IOException | RuntimeException e) {
                    throw new PartReader.VisitorFailure(e);
                }
            }
        });
    }
}
