package io.scalpel.conformance;

import io.scalpel.testing.ZeekCutBaselines;
import io.scalpel.zeek.ConnLogFormatException;
import io.scalpel.zeek.ConnLogReader;
import io.scalpel.zeek.ConnRecord;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One of Zeek's conn.log baselines as the product's own reader reads it: Zeek's TSV, or a
 * {@code zeek-cut -m} subset with its header line ({@code .cut}, and a few {@code conn.log}s). A
 * subset without {@code proto} is given the one its {@code service} implies first
 * ({@link ZeekCutBaselines}). A subset the reader refuses (it lacks a column every row needs) has
 * no records, only the refusal; a line the reader skips is kept with its message.
 *
 * @param records  the rows read, by uid, in log order
 * @param refusal  the reader's message when it refused the whole log, else null
 * @param skipped  the messages of the lines it skipped
 */
record BaselineLog(Map<String, ConnRecord> records, String refusal, List<String> skipped) {

    static BaselineLog read(final Path baseline, final Path work) throws IOException {
        final Path log = ZeekCutBaselines.withProtoFromService(baseline, work);
        final Map<String, ConnRecord> records = new LinkedHashMap<>();
        final List<String> skipped = new ArrayList<>();
        try (ConnLogReader reader = ConnLogReader.open(log, (source, line, message) -> skipped.add("line " + line + ": " + message))) {
            for (ConnRecord r = reader.next(); r != null; r = reader.next()) {
                if (records.put(r.uid(), r) != null) {
                    throw new AssertionError(baseline + ": uid " + r.uid() + " twice");
                }
            }
        } catch (ConnLogFormatException e) {
            return new BaselineLog(Map.of(), e.getMessage(), List.copyOf(skipped));
        }
        return new BaselineLog(records, null, List.copyOf(skipped));
    }
}
