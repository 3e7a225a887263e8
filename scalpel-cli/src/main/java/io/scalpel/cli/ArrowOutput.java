package io.scalpel.cli;

import io.scalpel.api.ArrowPairs;
import io.scalpel.api.Scalpel;
import io.scalpel.zeek.ConnRecord;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** {@code slice --arrow FILE}: the selected conn.log rows paired with their packets, as an Arrow IPC file. */
final class ArrowOutput {
    private ArrowOutput() {
    }

    /**
     * Writes the pairs of the selection's conn.log rows (tunnels named only in a tunnel.log have no
     * conn.log row and are left out), atomically; no file when there is no pair.
     */
    static SliceCommand.Written write(final Scalpel scalpel, final Scalpel.Selection selection, final List<ConnRecord> connRows,
                                      final Path file) throws IOException {
        final Map<String, ConnRecord> byUid = new HashMap<>();
        for (ConnRecord r : connRows) {
            byUid.putIfAbsent(r.uid(), r);
        }
        final List<ConnRecord> conns = new ArrayList<>();
        final List<long[]> offsets = new ArrayList<>();
        long pairs = 0;
        for (int i = 0; i < selection.size(); i++) {
            final ConnRecord row = byUid.get(selection.queries().get(i).label());
            if (row != null && selection.offsets(i).length > 0) {
                conns.add(row);
                offsets.add(selection.offsets(i));
                pairs += selection.offsets(i).length;
            }
        }
        if (pairs == 0) {
            return new SliceCommand.Written(0, List.of()); // no file for nothing, as with -w
        }
        final long rows = ArrowPairs.write(scalpel, conns, offsets.toArray(new long[0][]), file);
        return new SliceCommand.Written(rows, List.of(file.toString()));
    }
}
