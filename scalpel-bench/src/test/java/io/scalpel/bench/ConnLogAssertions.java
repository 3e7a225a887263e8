package io.scalpel.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.scalpel.decode.Addresses;
import io.scalpel.zeek.ConnRecord;
import java.util.List;

/** Checks on the generator's conn.logs, and tcpdump filters of their rows, shared by the workload tests. */
final class ConnLogAssertions {
    private ConnLogAssertions() {
    }

    /** The TSV and the JSON log hold the same rows in the same order (every field the join reads). */
    static void assertSameRows(final List<ConnRecord> tsv, final List<ConnRecord> json) {
        assertEquals(tsv.size(), json.size(), "rows of the TSV and the JSON log");
        for (int i = 0; i < tsv.size(); i++) {
            assertEquals(fields(tsv.get(i)), fields(json.get(i)), "TSV and JSON rows " + i);
        }
    }

    /**
     * tcpdump's filter for a row's frames: its 5-tuple in either direction (ICMP: its two hosts),
     * under one VLAN tag or two when the row has them.
     */
    static String fiveTupleFilter(final ConnRecord r) {
        final String a = Addresses.format(r.ipVersion(), r.origHi(), r.origLo());
        final String b = Addresses.format(r.ipVersion(), r.respHi(), r.respLo());
        final String five = "icmp".equals(r.proto())
            ? (r.ipVersion() == 6 ? "icmp6" : "icmp") + " and host " + a + " and host " + b
            : r.proto() + " and ((src host " + a + " and src port " + r.origPort() + " and dst host " + b + " and dst port "
                + r.respPort() + ") or (src host " + b + " and src port " + r.respPort() + " and dst host " + a
                + " and dst port " + r.origPort() + "))";
        return r.innerVlan() >= 0 ? "vlan and vlan and (" + five + ")" : r.vlan() >= 0 ? "vlan and (" + five + ")" : five;
    }

    private static List<Object> fields(final ConnRecord r) {
        return List.of(r.uid(), r.tsNanos(), r.durationNanos(), r.proto(), r.ipProto(), r.ipVersion(), r.origHi(), r.origLo(),
            r.origPort(), r.respHi(), r.respLo(), r.respPort(), r.vlan(), r.innerVlan(), r.origPkts(), r.respPkts());
    }
}
