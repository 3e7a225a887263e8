package io.scalpel.zeek;

import java.util.HashMap;
import java.util.Map;

/**
 * The conn.log and tunnel.log columns the join uses, by their Zeek names (JSON nesting flattened
 * with dots). Which of them a row must have depends on the log ({@link ZeekLogKind}).
 */
enum ConnField {
    TS("ts"),
    UID("uid"),
    ORIG_H("id.orig_h", true),
    ORIG_P("id.orig_p", true),
    RESP_H("id.resp_h", true),
    RESP_P("id.resp_p", true),
    PROTO("proto", true),
    DURATION("duration"),
    ORIG_PKTS("orig_pkts"),
    RESP_PKTS("resp_pkts"),
    TUNNEL_PARENTS("tunnel_parents"),
    VLAN("vlan"),
    INNER_VLAN("inner_vlan"),
    /** Zeek 8's VLAN-aware connection key logs the tags inside the id record. */
    CTX_VLAN("id.ctx.vlan"),
    CTX_INNER_VLAN("id.ctx.inner_vlan"),
    COMMUNITY_ID("community_id"),
    IP_PROTO("ip_proto"),
    /** tunnel.log: Tunnel::GRE, Tunnel::IP, Tunnel::VXLAN, ... */
    TUNNEL_TYPE("tunnel_type"),
    /** tunnel.log: Tunnel::DISCOVER, Tunnel::CLOSE, Tunnel::EXPIRE. */
    ACTION("action");

    static final ConnField[] ALL = values();
    private static final Map<String, ConnField> BY_KEY = new HashMap<>();

    static {
        for (ConnField f : ALL) {
            BY_KEY.put(f.key, f);
        }
    }

    final String key;
    /** One of the 5-tuple fields, which a conn.log row's community_id can stand in for. */
    final boolean fiveTuple;

    ConnField(final String key) {
        this(key, false);
    }

    ConnField(final String key, final boolean fiveTuple) {
        this.key = key;
        this.fiveTuple = fiveTuple;
    }

    /** The field with this Zeek name, or null when the join does not use it. */
    static ConnField byKey(final String key) {
        return BY_KEY.get(key);
    }
}
