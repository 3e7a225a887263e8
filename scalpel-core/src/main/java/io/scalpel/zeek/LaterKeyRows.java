package io.scalpel.zeek;

import io.scalpel.decode.Addresses;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The rows of the wanted rows' keys that the log holds after them, found in the same pass that
 * finds the wanted rows ({@link ConnSelection}): once a wanted row is read, the lines after it are
 * searched for one of its addresses (or its Community ID) as well as for the uids, and the rows
 * with its address pair are kept. A key's next row is logged after its row (Zeek logs a connection
 * when it ends, and a key has one connection at a time), which is all a slice asks of them
 * ({@link SameKeyRows#nextStart}); the rows of a key logged before its wanted row are not looked
 * for.
 *
 * <p>When the wanted rows' values cannot all be searched for as bytes (addresses not written as
 * Zeek writes them, more values than a sieve holds), {@link #complete()} is false from then on and
 * the caller reads the log once more for the rows of their keys.
 */
final class LaterKeyRows implements Predicate<ConnRow> {
    private final Set<String> uids;
    private final List<ConnRecord> withTuple = new ArrayList<>();
    private final Set<String> communityIds = new HashSet<>();
    /** One of the two addresses of each wanted row, or its Community ID: one of them is in every row of its key. */
    private final Set<String> needles = new LinkedHashSet<>();
    private AddressPairs pairs = new AddressPairs(List.of());
    private final List<ConnRecord> found = new ArrayList<>();
    private boolean complete = true;

    LaterKeyRows(final Set<String> uids) {
        this.uids = uids;
    }

    /**
     * Looks for the rows of {@code wanted}'s key from now on, when its packets may run past its
     * window ({@link ConnRecord#mayRunPastItsWindow()}: no other row bounds a UDP or ICMP row's);
     * returns the sieve for the lines to search from now on: for the wanted uids not read yet and
     * the keys' values (when there are none, for every wanted uid, as before: a caller that reads on
     * then does so for the keying of a log that tells it only in its rows); null when they cannot be
     * searched for (then {@link #complete()} is false).
     *
     * @param zeekAddresses {@code wanted}'s addresses are written as Zeek writes them, so the
     *                      other rows of its key write them alike and are found by their bytes
     * @param read          the uids of the wanted rows read so far, {@code wanted}'s included
     */
    LineSieve add(final ConnRecord wanted, final boolean zeekAddresses, final Set<String> read) {
        if (!wanted.mayRunPastItsWindow()) {
            // no later row bounds it: nothing more to look for
        } else if (wanted.hasFiveTuple()) {
            withTuple.add(wanted);
            pairs = new AddressPairs(withTuple);
            final String orig = Addresses.format(wanted.ipVersion(), wanted.origHi(), wanted.origLo());
            final String resp = Addresses.format(wanted.ipVersion(), wanted.respHi(), wanted.respLo());
            needles.add(resp.length() > orig.length() ? resp : orig); // the longer, the faster its search
        } else if (wanted.communityId() != null) {
            communityIds.add(wanted.communityId());
            needles.add(wanted.communityId());
        }
        final Set<String> all = new LinkedHashSet<>(uids);
        all.removeAll(read);
        if (all.isEmpty() && needles.isEmpty()) {
            all.addAll(uids);
        }
        all.addAll(needles);
        final LineSieve sieve = zeekAddresses ? LineSieve.of(all) : null;
        if (sieve == null) {
            complete = false;
        }
        found.add(wanted);
        return sieve;
    }

    /** Whether {@code row} has the address pair or the Community ID of a wanted row read so far. */
    @Override
    public boolean test(final ConnRow row) {
        return !communityIds.isEmpty() && communityIds.contains(row.get(ConnField.COMMUNITY_ID)) || pairs.test(row);
    }

    /** Keeps {@code r}, a row read after a wanted row, when it is of a wanted row's key (its address pair or Community ID). */
    void offer(final ConnRecord r) {
        if (pairs.holds(r) || r.communityId() != null && communityIds.contains(r.communityId())) {
            found.add(r);
        }
    }

    /** The wanted rows and the later rows of their keys read so far. */
    List<ConnRecord> found() {
        return found;
    }

    /** Whether every row of the wanted rows' keys after them was searched for; false: the log must be read again for them. */
    boolean complete() {
        return complete;
    }
}
