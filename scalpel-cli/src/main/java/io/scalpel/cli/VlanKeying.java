package io.scalpel.cli;

import io.scalpel.api.Scalpel;
import io.scalpel.slice.FlowQuery;
import io.scalpel.zeek.ConnLogReader;
import io.scalpel.zeek.ConnRecord;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Whether a slice joins conn.log rows VLAN-aware, and why: {@code --vlan-aware}, {@code --vlan-blind},
 * or (neither given) the log itself, when it was written with Zeek's VLAN-aware connection key
 * ({@code id.ctx.vlan} columns). Says so once on stderr, and in {@code --json}.
 */
final class VlanKeying {
    private final Scalpel.VlanKey choice;
    /** The log found to be keyed by VLAN, or null. */
    private String keyedLog;

    VlanKeying(final boolean vlanAware, final boolean vlanBlind) {
        this.choice = vlanAware ? Scalpel.VlanKey.AWARE : vlanBlind ? Scalpel.VlanKey.BLIND : Scalpel.VlanKey.AS_LOGGED;
    }

    Scalpel.VlanKey choice() {
        return choice;
    }

    /**
     * After {@code log} was read to its end by {@code reader}: when it was keyed by VLAN and no
     * option decides, says so once, and re-makes the queries of the rows read before the log showed
     * it (JSON lines leave unset {@code id.ctx} fields out, so its first rows may not have told).
     *
     * @param rows    uid to query, for the uids of {@code records} among others
     * @param records the rows read, in order
     */
    void logRead(final String log, final ConnLogReader reader, final Map<String, FlowQuery> rows, final List<ConnRecord> records,
                 final Function<ConnRecord, FlowQuery> query, final PrintWriter err) {
        if (!reader.vlanKeyed() || keyedLog != null) {
            return;
        }
        keyedLog = log;
        if (choice != Scalpel.VlanKey.AS_LOGGED) {
            return;
        }
        err.println("scalpel: " + log + " has id.ctx.vlan columns (Zeek's VLAN-aware connection key): its rows are joined"
            + " VLAN-aware (--vlan-blind ignores the tags)");
        for (int i = 0; i < records.size(); i++) {
            final ConnRecord r = records.get(i);
            if (!r.vlanKeyed()) {
                records.set(i, r.withVlanKeyed(true));
                rows.replace(r.uid(), query.apply(records.get(i)));
            }
        }
    }

    /** Whether the conn.log rows (and --flow) were joined VLAN-aware. */
    boolean aware() {
        return choice == Scalpel.VlanKey.AWARE || (choice == Scalpel.VlanKey.AS_LOGGED && keyedLog != null);
    }

    /** Why, in a few words. */
    String reason() {
        switch (choice) {
            case AWARE:
                return "--vlan-aware";
            case BLIND:
                return "--vlan-blind";
            default:
                return keyedLog != null ? keyedLog + " has id.ctx.vlan columns (Zeek's VLAN-aware connection key)"
                    : "Zeek's default connection key ignores VLAN tags";
        }
    }

    /** The {@code vlan_aware} and {@code vlan_aware_reason} fields of {@code --json}. */
    void json(final Map<String, Object> summary) {
        summary.put("vlan_aware", aware());
        summary.put("vlan_aware_reason", reason());
    }
}
