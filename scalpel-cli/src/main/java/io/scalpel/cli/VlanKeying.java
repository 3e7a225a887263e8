package io.scalpel.cli;

import io.scalpel.api.Scalpel;
import java.io.PrintWriter;
import java.util.Map;

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
     * After {@code log} was read: when it was keyed by VLAN and no option decides, says so once
     * (the log's rows are then joined VLAN-aware, {@link io.scalpel.zeek.ConnSelection}).
     */
    void logRead(final String log, final boolean keyed, final PrintWriter err) {
        if (!keyed || keyedLog != null) {
            return;
        }
        keyedLog = log;
        if (choice == Scalpel.VlanKey.AS_LOGGED) {
            err.println("scalpel: " + log + " has id.ctx.vlan columns (Zeek's VLAN-aware connection key): its rows are joined"
                + " VLAN-aware (--vlan-blind ignores the tags)");
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
