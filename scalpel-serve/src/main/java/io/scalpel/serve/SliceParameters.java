package io.scalpel.serve;

import io.scalpel.api.Flows;
import io.scalpel.api.SliceRequest;
import io.scalpel.api.Slices;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import io.scalpel.slice.expr.ExpressionException;
import org.eclipse.jetty.util.Fields;

/**
 * What a request asks for, from its query string: {@code uid=U[,U]}, {@code flow=},
 * {@code community_id=} (one kind a request, repeated or comma-separated), or {@code query=EXPR} (a
 * query expression, checked here: one that cannot be read is a 400 at its column), {@code from=} and
 * {@code to=} (seconds since the epoch, or an ISO-8601 instant), {@code format=pcap|pcapng} and
 * {@code capture=NAME}. A bad value is a 400, too many values a 413.
 *
 * @param uids         the uids, looked up in the configured logs
 * @param flows        flows as {@code PROTO ADDR:PORT ADDR:PORT}
 * @param communityIds Community IDs v1
 * @param query        a query expression, or null
 * @param nowNanos     the time the expression's relative times count back from
 * @param from         window start, ns (Long.MIN_VALUE: none)
 * @param to           window end, ns (Long.MAX_VALUE: none)
 * @param format       pcap, pcapng or null (the capture's own)
 * @param capture      the capture's name, or null for every configured capture
 */
record SliceParameters(List<String> uids, List<String> flows, List<String> communityIds, String query, long nowNanos,
                       long from, long to, String format, String capture) {

    static SliceParameters of(final Fields query, final int maxValues) {
        final List<String> uids = values(query, "uid", true, maxValues);
        final List<String> flows = values(query, "flow", false, maxValues);
        final List<String> ids = values(query, "community_id", true, maxValues);
        final String expression = single(query, "query");
        final int kinds = (uids.isEmpty() ? 0 : 1) + (flows.isEmpty() ? 0 : 1) + (ids.isEmpty() ? 0 : 1) + (expression == null ? 0 : 1);
        if (kinds != 1) {
            throw new ApiError(400, "give one of uid=, flow=, community_id= or query= (" + (kinds == 0 ? "none" : "several")
                + " given)");
        }
        final long now = SliceRequest.currentNanos();
        if (expression != null) {
            try {
                Flows.check(expression, now);
            } catch (IllegalArgumentException e) {
                final Throwable at = e.getCause() instanceof ExpressionException ? e.getCause() : e;
                throw ApiError.atColumn("query=" + Json.quote(expression) + ": " + at.getMessage().replaceFirst("^'.*': ", ""),
                    at instanceof ExpressionException x ? x.column() : -1);
            }
        }
        for (String u : uids) {
            if (!Slices.SAFE_UID.matcher(u).matches()) {
                throw new ApiError(400, "uid=" + Json.quote(u) + " is not a Zeek uid (letters and digits)");
            }
        }
        for (String id : ids) {
            if (!SliceRequest.isCommunityId(id)) {
                throw new ApiError(400, "community_id=" + Json.quote(id) + " is not a Community ID v1 (1: and 28 base64 characters)");
            }
        }
        final String format = single(query, "format");
        if (format != null && !format.equals("pcap") && !format.equals("pcapng")) {
            throw new ApiError(400, "format=" + Json.quote(format) + ": pcap or pcapng");
        }
        final long from = time(single(query, "from"), "from", Long.MIN_VALUE);
        final long to = time(single(query, "to"), "to", Long.MAX_VALUE);
        if (from > to) {
            throw new ApiError(400, "from= is after to=");
        }
        if (!uids.isEmpty() && (from != Long.MIN_VALUE || to != Long.MAX_VALUE)) {
            throw new ApiError(400, "from= and to= bound flows and Community IDs; a uid's window is its conn.log row's");
        }
        return new SliceParameters(uids, flows, ids, expression, now, from, to, format, single(query, "capture"));
    }

    /** The request of the API this asks for, writing to {@code out}; uids are looked up in {@code logs}. */
    SliceRequest.Builder request(final Path logs) {
        final SliceRequest.Builder b = SliceRequest.builder().format(format);
        if (!uids.isEmpty()) {
            return b.conn(logs.toString()).uids(uids);
        }
        if (query != null) {
            return b.query(query).now(nowNanos).window(from, to);
        }
        return b.flows(flows).communityIds(communityIds).window(from, to);
    }

    /** A file name for the extract (without extension): the uid, or what and how many. */
    String fileName() {
        if (uids.size() == 1) {
            return "scalpel-" + uids.get(0);
        }
        if (query != null) {
            return "scalpel-query";
        }
        final int n = uids.size() + flows.size() + communityIds.size();
        return "scalpel-" + n + (!uids.isEmpty() ? "-uids" : !flows.isEmpty() ? "-flows" : "-community-ids");
    }

    private static List<String> values(final Fields query, final String name, final boolean commas, final int max) {
        final List<String> out = new ArrayList<>();
        final List<String> given = query.getValues(name);
        if (given == null) {
            return out;
        }
        for (String v : given) {
            for (String part : commas ? v.split(",") : new String[] {v}) {
                if (!part.isBlank()) {
                    out.add(part.strip()); // white space only: a control character stays, to be refused
                }
                if (out.size() > max) {
                    throw new ApiError(413, "more than " + max + " values of " + name + "= (--max-uids)");
                }
            }
        }
        return out;
    }

    private static String single(final Fields query, final String name) {
        final List<String> v = query.getValues(name);
        if (v == null || v.isEmpty()) {
            return null;
        }
        if (v.size() > 1) {
            throw new ApiError(400, name + "= is given " + v.size() + " times");
        }
        return v.get(0);
    }

    /** Seconds since the epoch (with a fraction) or an ISO-8601 instant, as ns. */
    static long time(final String text, final String name, final long none) {
        if (text == null || text.isEmpty()) {
            return none;
        }
        try {
            if (text.matches("-?[0-9]{1,12}(\\.[0-9]{1,9})?")) {
                return new BigDecimal(text).movePointRight(9).longValueExact();
            }
            final Instant t = Instant.parse(text);
            return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000_000L), t.getNano());
        } catch (DateTimeParseException | ArithmeticException e) {
            throw new ApiError(400, name + "=" + Json.quote(text) + " is neither seconds since the epoch nor an ISO-8601 instant");
        }
    }
}
