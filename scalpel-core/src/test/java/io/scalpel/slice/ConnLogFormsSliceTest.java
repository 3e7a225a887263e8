package io.scalpel.slice;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scalpel.api.Scalpel;
import io.scalpel.testdata.CaptureGenerator;
import io.scalpel.testdata.ConnLogForms;
import io.scalpel.testdata.Generated;
import io.scalpel.testdata.GeneratorSpec;
import io.scalpel.testdata.TruthConn;
import io.scalpel.zeek.ConnLogListener;
import io.scalpel.zeek.ConnLogReader;
import io.scalpel.zeek.ConnRecord;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every uid of a generated capture, sliced through its conn.log written in each form analysts
 * keep it in (zeek-cut output with its header line, CSV exports with other column names, Zeek's
 * JSON with {@code json_timestamps}), gives exactly the frames the generator's ground truth gives
 * it. Where the form's {@code ts} is coarser than Zeek's microseconds (whole seconds as
 * {@code zeek-cut -d} prints them, epoch milliseconds), the test also shows from the truth that
 * the window must be widened: some connection has frames after {@code ts + duration} as written.
 */
class ConnLogFormsSliceTest {
    private static final long SLACK = FlowQuery.WINDOW_SLACK_NANOS;

    @TempDir
    Path dir;

    /** How the form is written. */
    enum Writer { ZEEK_CUT, CSV_DOTTED, CSV_UNDERSCORED, CSV_BARE, JSON }

    static Stream<Arguments> forms() {
        return Stream.of(
            Arguments.of(Writer.ZEEK_CUT, ConnLogForms.Ts.EPOCH_SECONDS, 0L),
            Arguments.of(Writer.ZEEK_CUT, ConnLogForms.Ts.ISO_WHOLE_SECONDS, 1_000_000_000L),
            Arguments.of(Writer.CSV_DOTTED, ConnLogForms.Ts.ISO_MICROS, 0L),
            Arguments.of(Writer.CSV_UNDERSCORED, ConnLogForms.Ts.SPACE_MICROS, 0L),
            Arguments.of(Writer.CSV_BARE, ConnLogForms.Ts.EPOCH_MILLIS, 1_000_000L),
            Arguments.of(Writer.JSON, ConnLogForms.Ts.EPOCH_MILLIS, 1_000_000L),
            Arguments.of(Writer.JSON, ConnLogForms.Ts.ISO_MICROS, 0L));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("forms")
    void shouldSliceEveryUidOfTheFormAsTheTruthSays(final Writer writer, final ConnLogForms.Ts ts, final long coarseness)
        throws IOException {
        // No reused 5-tuples: a window widened by a second may reach the next connection of the
        // same key, which no reader of a whole-second log can tell apart.
        final GeneratorSpec spec = GeneratorSpec.defaults(4242 + writer.ordinal() * 10 + ts.ordinal()).withConnections(60)
            .withVlan(true).withQinq(true).withIpv6(true).withFragments(true).withIcmp(true).withOtherProtocols(true);
        final Path capture = dir.resolve("cap." + spec.format().extension());
        final Generated truth = CaptureGenerator.generate(spec, capture, dir.resolve("zeek-conn.log"));
        final Path log = dir.resolve("conn-form.log");
        switch (writer) {
            case ZEEK_CUT -> ConnLogForms.writeZeekCut(truth.conns(), ts, log);
            case CSV_DOTTED -> ConnLogForms.writeCsv(truth.conns(), ConnLogForms.Naming.DOTTED, ts, log);
            case CSV_UNDERSCORED -> ConnLogForms.writeCsv(truth.conns(), ConnLogForms.Naming.UNDERSCORED, ts, log);
            case CSV_BARE -> ConnLogForms.writeCsv(truth.conns(), ConnLogForms.Naming.BARE, ts, log);
            default -> ConnLogForms.writeJson(truth.conns(), ts, log);
        }

        final List<String> notices = new ArrayList<>();
        final List<ConnRecord> rows = new ArrayList<>();
        try (ConnLogReader reader = ConnLogReader.open(log, new ConnLogListener() {
            @Override
            public void malformedLine(final String source, final long line, final String message) {
                throw new AssertionError(source + ":" + line + ": " + message);
            }

            @Override
            public void notice(final String source, final long line, final String message) {
                notices.add(message);
            }
        })) {
            for (ConnRecord r = reader.next(); r != null; r = reader.next()) {
                rows.add(r);
            }
        }
        assertEquals(truth.conns().size(), rows.size(), "rows read");
        assertEquals(coarseness > 0 ? 1 : 0, notices.size(), () -> "notices: " + notices);

        boolean widenedWindowNeeded = false;
        try (Scalpel scalpel = Scalpel.open(capture, Scalpel.Options.defaults().withIndex(dir.resolve("idx")))) {
            final Scalpel.Selection all = scalpel.select(rows);
            for (int i = 0; i < rows.size(); i++) {
                final ConnRecord row = rows.get(i);
                final TruthConn conn = truth.conn(row.uid());
                assertEquals(ConnLogForms.writtenTsNanos(conn.tsNanos(), ts), row.tsNanos(), row.uid() + ": ts as written");
                assertEquals(coarseness, row.tsUncertaintyNanos(), row.uid() + ": coarseness of its ts");
                assertTrue(row.tsNanos() <= conn.tsNanos() && conn.tsNanos() < row.tsNanos() + Math.max(coarseness, 1_000),
                    row.uid() + ": the true start lies in the written ts's interval");
                final long[] expected = truth.framesOf(row.uid()).stream().mapToLong(n -> truth.frame(n).recordOffset())
                    .sorted().toArray();
                assertArrayEquals(expected, all.offsets(i), row.uid() + " in " + writer + " " + ts);
                final long unwidenedEnd = row.tsNanos() + row.durationNanos() + SLACK;
                widenedWindowNeeded |= truth.framesOf(row.uid()).stream().anyMatch(n -> truth.frame(n).hasTimestamp()
                    && truth.frame(n).tsNanos() > unwidenedEnd && !truth.frame(n).isFragment());
            }
        }
        if (coarseness > 0) {
            assertTrue(widenedWindowNeeded, "no connection of this capture ends after ts + duration as written:"
                + " the test would pass without widening the window");
        }
    }
}
