package io.scalpel.zeek;

import java.util.EnumSet;
import java.util.Set;

/** The Zeek logs the readers take, each with the columns a row of it must have. */
enum ZeekLogKind {
    CONN("conn.log", EnumSet.of(ConnField.UID, ConnField.ORIG_H, ConnField.ORIG_P, ConnField.RESP_H, ConnField.RESP_P,
        ConnField.PROTO)),
    TUNNEL("tunnel.log", EnumSet.of(ConnField.UID, ConnField.ORIG_H, ConnField.ORIG_P, ConnField.RESP_H, ConnField.RESP_P,
        ConnField.TUNNEL_TYPE, ConnField.ACTION));

    /** How messages name the log. */
    final String logName;
    private final Set<ConnField> required;

    ZeekLogKind(final String logName, final Set<ConnField> required) {
        this.logName = logName;
        this.required = required;
    }

    boolean requires(final ConnField field) {
        return required.contains(field);
    }
}
