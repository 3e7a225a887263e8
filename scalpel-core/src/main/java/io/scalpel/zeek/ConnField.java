package io.scalpel.zeek;

import java.util.HashMap;
import java.util.Map;

/** The conn.log columns the join uses, by their Zeek names (JSON nesting flattened with dots). */
enum ConnField {
    TS("ts", false),
    UID("uid", true),
    ORIG_H("id.orig_h", true, true),
    ORIG_P("id.orig_p", true, true),
    RESP_H("id.resp_h", true, true),
    RESP_P("id.resp_p", true, true),
    PROTO("proto", true, true),
    DURATION("duration", false),
    ORIG_PKTS("orig_pkts", false),
    RESP_PKTS("resp_pkts", false),
    TUNNEL_PARENTS("tunnel_parents", false),
    VLAN("vlan", false),
    INNER_VLAN("inner_vlan", false),
    /** Zeek 8's VLAN-aware connection key logs the tags inside the id record. */
    CTX_VLAN("id.ctx.vlan", false),
    CTX_INNER_VLAN("id.ctx.inner_vlan", false),
    COMMUNITY_ID("community_id", false),
    IP_PROTO("ip_proto", false);

    static final ConnField[] ALL = values();
    private static final Map<String, ConnField> BY_KEY = new HashMap<>();

    static {
        for (ConnField f : ALL) {
            BY_KEY.put(f.key, f);
        }
    }

    final String key;
    /** Every row needs it; for the 5-tuple fields, unless the row has a community_id instead. */
    final boolean required;
    /** One of the 5-tuple fields, which a community_id can stand in for. */
    final boolean fiveTuple;

    ConnField(final String key, final boolean required) {
        this(key, required, false);
    }

    ConnField(final String key, final boolean required, final boolean fiveTuple) {
        this.key = key;
        this.required = required;
        this.fiveTuple = fiveTuple;
    }

    /** The field with this Zeek name, or null when the join does not use it. */
    static ConnField byKey(final String key) {
        return BY_KEY.get(key);
    }
}
