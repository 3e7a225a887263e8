package io.scalpel.zeek;

import io.scalpel.decode.Addresses;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The address pairs of some connections, either way round: a row passes when its two addresses
 * are those of one of them. Only the row's addresses are parsed, so that the other rows of a few
 * connections' keys are found in a large log without parsing the rest of every row.
 */
final class AddressPairs implements Predicate<ConnRow> {
    private final Set<List<Long>> pairs = new HashSet<>();

    /** The pairs of {@code rows} that have a 5-tuple. */
    AddressPairs(final Collection<ConnRecord> rows) {
        for (ConnRecord r : rows) {
            if (r.hasFiveTuple()) {
                pairs.add(List.of((long) r.ipVersion(), r.origHi(), r.origLo(), r.respHi(), r.respLo()));
                pairs.add(List.of((long) r.ipVersion(), r.respHi(), r.respLo(), r.origHi(), r.origLo()));
            }
        }
    }

    /** Whether {@code r}, a row already parsed, has one of the pairs. */
    boolean holds(final ConnRecord r) {
        return r.hasFiveTuple() && pairs.contains(List.of((long) r.ipVersion(), r.origHi(), r.origLo(), r.respHi(), r.respLo()));
    }

    @Override
    public boolean test(final ConnRow row) {
        final String orig = row.get(ConnField.ORIG_H);
        final String resp = row.get(ConnField.RESP_H);
        if (orig == null || resp == null) {
            return false;
        }
        try {
            final Addresses.Parsed a = Addresses.parse(orig);
            final Addresses.Parsed b = Addresses.parse(resp);
            return pairs.contains(List.of((long) a.ipVersion(), a.hi(), a.lo(), b.hi(), b.lo()));
        } catch (IllegalArgumentException e) {
            return false; // not an address: not a row of these keys
        }
    }
}
