package io.scalpel.api;

import io.scalpel.decode.CommunityId;
import io.scalpel.zeek.ConnRecord;
import io.scalpel.zeek.SafeText;

/**
 * The audit of a conn.log's community_id column: each row's logged community_id is compared with
 * the Community ID of its 5-tuple under the captures' seed, and a row whose two differ is warned
 * of (the first {@value Slices#SHOWN}, then a count). Such a row is still joined by its 5-tuple.
 */
final class CommunityIdAudit {
    private final Captures captures;
    private final String log;
    private final SliceListener listener;
    private long mismatches;

    /** Audits the rows of {@code log} against {@code captures}' seed, telling {@code listener}. */
    CommunityIdAudit(final Captures captures, final String log, final SliceListener listener) {
        this.captures = captures;
        this.log = log;
        this.listener = listener;
    }

    /** Compares the row's logged community_id with its 5-tuple's; warns when they differ. */
    void audit(final ConnRecord r) {
        if (r.communityId() == null || r.communityId().isEmpty() || !r.hasFiveTuple()) {
            return;
        }
        final String computed = captures.communityIdOf(r);
        if (computed == null || computed.equals(r.communityId())) {
            return;
        }
        final int seed = captures.options().communityIdSeed();
        if (mismatches++ < Slices.SHOWN) {
            listener.warning(log + " line " + r.line() + ": uid " + SafeText.escape(r.uid(), SafeText.MAX_VALUE_CHARS)
                + ": community_id " + SafeText.escape(r.communityId(), SafeText.MAX_VALUE_CHARS) + " is not the Community ID of its"
                + " 5-tuple with seed " + seed + " (" + computed + "); joined by the 5-tuple"
                + (seed == CommunityId.DEFAULT_SEED ? " (if Zeek used another seed, give it with --community-id-seed)" : ""));
        }
    }

    /** Counts the rows not shown, once every row is audited. */
    void finish() {
        if (mismatches > Slices.SHOWN) {
            listener.warning(log + ": " + (mismatches - Slices.SHOWN) + " more rows whose community_id is not that of their 5-tuple");
        }
    }

    /** Rows whose logged community_id is not their 5-tuple's. */
    long mismatches() {
        return mismatches;
    }
}
