package io.scalpel.zeek;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The conn.log and tunnel.log columns the join uses, by their Zeek names (JSON nesting flattened
 * with dots). Which of them a row must have depends on the log ({@link ZeekLogKind}).
 */
enum ConnField {
    TS("ts"),
    UID("uid"),
    ORIG_H("id.orig_h", true, false),
    ORIG_P("id.orig_p", true, false),
    RESP_H("id.resp_h", true, false),
    RESP_P("id.resp_p", true, false),
    PROTO("proto", true, false),
    DURATION("duration"),
    ORIG_PKTS("orig_pkts"),
    RESP_PKTS("resp_pkts"),
    TUNNEL_PARENTS("tunnel_parents"),
    VLAN("vlan"),
    INNER_VLAN("inner_vlan"),
    /**
     * Zeek 8's VLAN-aware connection key ({@code frameworks/conn_key/vlan_fivetuple}) logs the tags
     * inside the id record: a log with these columns was keyed by VLAN.
     */
    CTX_VLAN("id.ctx.vlan", false, true),
    CTX_INNER_VLAN("id.ctx.inner_vlan", false, true),
    COMMUNITY_ID("community_id"),
    IP_PROTO("ip_proto"),
    /** tunnel.log: Tunnel::GRE, Tunnel::IP, Tunnel::VXLAN, ... */
    TUNNEL_TYPE("tunnel_type"),
    /** tunnel.log: Tunnel::DISCOVER, Tunnel::CLOSE, Tunnel::EXPIRE. */
    ACTION("action");

    static final ConnField[] ALL = values();
    private static final String ID_PREFIX = "id.";
    private static final Map<String, ConnField> BY_KEY = new HashMap<>();
    private static final Map<String, ConnField> BY_COLUMN_NAME = new HashMap<>();

    static {
        for (ConnField f : ALL) {
            BY_KEY.put(f.key, f);
            for (String name : f.columnNames()) {
                BY_COLUMN_NAME.put(name, f);
            }
        }
    }

    final String key;
    /** One of the 5-tuple fields, which a conn.log row's community_id can stand in for. */
    final boolean fiveTuple;
    /** A column of Zeek's VLAN-aware connection key: its presence says the log was keyed by VLAN. */
    final boolean vlanKey;

    ConnField(final String key) {
        this(key, false, false);
    }

    ConnField(final String key, final boolean fiveTuple, final boolean vlanKey) {
        this.key = key;
        this.fiveTuple = fiveTuple;
        this.vlanKey = vlanKey;
    }

    /** The field with this Zeek name, or null when the join does not use it. */
    static ConnField byKey(final String key) {
        return BY_KEY.get(key);
    }

    /**
     * The field a column of a header line names (zeek-cut, CSV exports, Parquet), or null: its Zeek
     * name ({@code id.orig_h}), with underscores for dots ({@code id_orig_h}), or without the
     * {@code id.} prefix ({@code orig_h}, {@code ctx.vlan}); letter case is ignored.
     */
    static ConnField byColumnName(final String name) {
        return BY_COLUMN_NAME.get(name.toLowerCase(Locale.ROOT));
    }

    /** The names {@link #byColumnName} takes for this field, the Zeek name first. */
    List<String> columnNames() {
        final List<String> names = new ArrayList<>(4);
        names.add(key);
        names.add(key.replace('.', '_'));
        if (key.startsWith(ID_PREFIX)) {
            final String bare = key.substring(ID_PREFIX.length());
            names.add(bare);
            names.add(bare.replace('.', '_'));
        }
        return List.copyOf(new LinkedHashSet<>(names));
    }
}
