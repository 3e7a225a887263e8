package io.scalpel.api;

import io.scalpel.zeek.ConnRecord;

/**
 * Whether a slice joins conn.log rows VLAN-aware, and why: always ({@link Scalpel.VlanKey#AWARE}),
 * never ({@link Scalpel.VlanKey#BLIND}), or (the default) as the log says, when it was written with
 * Zeek's VLAN-aware connection key ({@code id.ctx.vlan} columns). Says so once.
 */
final class VlanKeying {
    private final Scalpel.VlanKey choice;
    /** The log found to be keyed by VLAN, or null. */
    private String keyedLog;

    VlanKeying(final Scalpel.VlanKey choice) {
        this.choice = choice;
    }

    /** Whether {@code conn} is joined VLAN-aware. */
    boolean aware(final ConnRecord conn) {
        return choice.aware(conn);
    }

    /** After {@code log} was read: when it was keyed by VLAN and no option decides, says so once. */
    void logRead(final String log, final boolean keyed, final SliceListener listener) {
        if (!keyed || keyedLog != null) {
            return;
        }
        keyedLog = log;
        if (choice == Scalpel.VlanKey.AS_LOGGED) {
            listener.note(log + " has id.ctx.vlan columns (Zeek's VLAN-aware connection key): its rows are joined"
                + " VLAN-aware (--vlan-blind ignores the tags)");
        }
    }

    /** Whether the conn.log rows (and flows) were joined VLAN-aware. */
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
}
