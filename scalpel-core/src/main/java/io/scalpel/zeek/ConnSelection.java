package io.scalpel.zeek;

import io.scalpel.decode.Addresses;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The conn.log rows a slice asks for, and what it must know about the rest of the log to slice
 * them: the first row of each wanted uid (or of every uid), and for each, the start of the log's
 * next row with the same connection key ({@link SameKeyRows}), where a TCP connection's packets
 * after its close end at the latest.
 *
 * <p>For a selection of uids the log is read once: each line is searched in its raw bytes first
 * ({@link LineSieve}) for a wanted uid, and once a wanted row is read, for its address (or Community
 * ID) as Zeek writes it too: the rows of its key logged after it ({@link LaterKeyRows}), where its
 * next row is. Only the lines found are parsed at all, and then checked field by field. A
 * selection whose values cannot be searched for as bytes (more than {@value LineSieve#MAX_NEEDLES}
 * with the addresses, or characters a log may escape), or whose rows' addresses the log writes
 * otherwise than Zeek does, reads the log a second time for the rows of their keys, every line of
 * that pass parsed when the bytes cannot be searched for (the first pass then parses only the uid
 * of other rows, the second only their addresses). A log that cannot be read twice (standard input,
 * a pipe) is first copied to a temporary file, deleted afterwards. For every uid the rows are all
 * at hand after one pass.
 *
 * <p>Only a row whose packets may run past its window has its key's later rows looked for
 * ({@link ConnRecord#mayRunPastItsWindow()}: TCP with a ts, or a row without proto): no other row
 * bounds a UDP or ICMP row's packets. Once every wanted uid's row is read, the uids are no longer
 * searched for (a line that holds one after its row is neither parsed nor reported), and when none
 * of the rows may run past its window, a plain text file is read no further where
 * {@link ConnLogReader#mayStopHere()} says the rest can tell nothing about them: a one-uid slice of a
 * DNS row at a log's start reads that far. The lines after it are then neither parsed nor reported;
 * and a later header block keyed by VLAN (a file of concatenated logs) does not key the rows read
 * before it, as a read to the end makes it do.
 */
public final class ConnSelection {
    /** How {@link #read} names standard input. */
    public static final String STDIN = "-";
    /** The line of a row read only for its key's next start, whose number is never asked for. */
    private static final long UNNUMBERED = 0;

    /**
     * What was read.
     *
     * @param rows           the first row of each uid found, in log order, by uid
     * @param nextRows       the later rows of the rows' keys
     * @param malformedLines lines reported to the listener and skipped (the first pass only)
     * @param source         the log's display name
     * @param tunnelParents  the wanted uids without a row of their own that some row names in its
     *                       {@code tunnel_parents} (without a selection, every uid some row names):
     *                       a tunnel's uid, whose own row may be only in tunnel.log (GRE, ERSPAN,
     *                       IP-in-IP)
     * @param vlanKeyed      the log was written with Zeek's VLAN-aware connection key
     *                       ({@code id.ctx.vlan} columns); its rows say so too
     */
    public record Result(Map<String, ConnRecord> rows, SameKeyRows nextRows, long malformedLines, String source,
                         Set<String> tunnelParents, boolean vlanKeyed) {
        /** How many of {@link #rows()} have no usable ts (unset or masked): windows cannot separate their reused 5-tuples. */
        public long withoutTimestamp() {
            return rows.values().stream().filter(r -> !r.hasTimestamp()).count();
        }

        /**
         * The ts of the log's next row with {@code r}'s key, or {@link SameKeyRows#NONE}: told for a
         * row whose packets may run past its window ({@link ConnRecord#mayRunPastItsWindow()}), the
         * only rows a later row bounds; for another row of a selection it may be {@link SameKeyRows#NONE}
         * though the log has one.
         */
        public long nextStart(final ConnRecord r) {
            return nextRows.nextStart(r);
        }
    }

    private ConnSelection() {
    }

    /**
     * Reads {@code log} ({@link #STDIN} for standard input) for the rows of {@code uids}, or of
     * every uid when {@code uids} is null.
     *
     * @param vlanAware whether a row is joined VLAN-aware (rows on other VLANs are other
     *                  connections, Zeek's VLAN-aware key); asked of the rows as they are once the
     *                  whole log told whether it is keyed by VLAN
     * @throws ConnLogFormatException when the log cannot be read (see {@link ConnLogReader})
     */
    public static Result read(final String log, final Set<String> uids, final java.util.function.Predicate<ConnRecord> vlanAware,
                              final ConnLogListener listener) throws IOException {
        return read(log, uids, vlanAware, listener, SplitLineSearch.Plan.now());
    }

    /**
     * {@link #read(String, Set, java.util.function.Predicate, ConnLogListener)} with at most
     * {@code threads} threads searching a large plain log (1: the caller's alone; the default is a
     * thread per core the system's load average leaves free, and the caller's, up to four).
     */
    public static Result read(final String log, final Set<String> uids, final java.util.function.Predicate<ConnRecord> vlanAware,
                              final ConnLogListener listener, final int threads) throws IOException {
        return read(log, uids, vlanAware, listener, SplitLineSearch.Plan.DEFAULT.withThreads(threads));
    }

    /** {@link #read(String, Set, java.util.function.Predicate, ConnLogListener)}, a large plain file searched as {@code split} says. */
    static Result read(final String log, final Set<String> uids, final java.util.function.Predicate<ConnRecord> vlanAware,
                       final ConnLogListener listener, final SplitLineSearch.Plan split) throws IOException {
        final LogSpool spool = uids != null && LogSpool.needed(log) ? LogSpool.start() : null;
        try {
            final Path path = STDIN.equals(log) ? null : Path.of(log);
            final String name = STDIN.equals(log) ? "<stdin>" : log;
            final Map<String, ConnRecord> rows = new LinkedHashMap<>();
            final List<ConnRecord> every = new ArrayList<>(); // every row, when every uid is wanted
            final Set<String> parents = new java.util.HashSet<>();
            final long malformed;
            final boolean keyed;
            final boolean[] zeekAddresses = {true}; // the wanted rows write their addresses as Zeek does
            final LaterKeyRows later = uids != null ? new LaterKeyRows(uids) : null;
            try (ConnLogReader reader = spool != null ? ConnLogReader.open(spool.read(log), name, listener)
                : open(path, name, listener, split)) {
                if (uids != null) {
                    // The wanted rows, and the rows that name a wanted uid as their tunnel's: their lines hold its bytes.
                    reader.sieve(LineSieve.of(uids));
                    reader.filter(row -> {
                        final String uid = row.get(ConnField.UID);
                        if (uid != null && uids.contains(uid) && !writtenAsZeekDoes(row)) {
                            zeekAddresses[0] = false;
                        }
                        return uid == null || uids.contains(uid) || row.tunnelParents().stream().anyMatch(uids::contains)
                            || later.complete() && later.test(row);
                    });
                }
                // Only a wanted uid's first row is numbered (and a row with a coarse ts, which the reader's notice names):
                // counting the lines before a row may take a pass over them.
                final ConnLogReader.RowConverter<ConnRecord> numbered = (row, line) -> {
                    final String uid = row.get(ConnField.UID);
                    if (uids == null || uid != null && uids.contains(uid) && !rows.containsKey(uid)) {
                        return row.toRecord(line.get());
                    }
                    final ConnRecord unnumbered = row.toRecord(UNNUMBERED);
                    return unnumbered.tsUncertaintyNanos() > 0 ? row.toRecord(line.get()) : unnumbered;
                };
                ConnRecord r;
                while ((r = reader.next(numbered)) != null) {
                    for (String p : r.tunnelParents()) {
                        if (uids == null || uids.contains(p)) {
                            parents.add(p);
                        }
                    }
                    if (uids == null) {
                        every.add(r);
                    }
                    if ((uids == null || uids.contains(r.uid())) && !rows.containsKey(r.uid())) {
                        rows.put(r.uid(), r);
                        if (later != null && later.complete()) {
                            // from here on, the lines with its address too: the later rows of its key
                            final LineSieve sieve = later.add(r, zeekAddresses[0], rows.keySet());
                            if (sieve != null) {
                                reader.sieve(sieve);
                            }
                        }
                        if (uids != null && rows.size() == uids.size() && !needRowsAfter(rows.values()) && reader.mayStopHere()) {
                            break; // every wanted row read, none bounded by a later row: the rest of the file tells nothing
                        }
                    } else if (later != null && later.complete()) {
                        later.offer(r);
                    }
                }
                malformed = reader.malformedLines();
                keyed = reader.vlanKeyed();
            }
            if (keyed) {
                // JSON lines leave unset id.ctx fields out: the first rows may not have told.
                rows.replaceAll((uid, row) -> row.withVlanKeyed(true));
                every.replaceAll(row -> row.withVlanKeyed(true));
            }
            if (uids != null) {
                parents.removeAll(rows.keySet()); // a uid is no longer searched for once its row is read
            }
            final boolean aware = rows.values().stream().anyMatch(vlanAware);
            final SameKeyRows next = new SameKeyRows(aware);
            every.forEach(next::add);
            if (later != null && later.complete()) {
                later.found().forEach(next::add);
            } else if (uids != null && needRowsAfter(rows.values())) {
                addRowsOfTheirKeys(spool != null ? spool.file() : path, name, rows.values(), zeekAddresses[0], next, split);
            }
            return new Result(rows, next, malformed, name, Set.copyOf(parents), keyed);
        } finally {
            if (spool != null) {
                spool.close();
            }
        }
    }

    /** Whether some of {@code rows} needs the log's later rows of its key: its packets may run past its window. */
    private static boolean needRowsAfter(final Collection<ConnRecord> rows) {
        for (ConnRecord r : rows) {
            if (r.mayRunPastItsWindow()) {
                return true;
            }
        }
        return false;
    }

    /**
     * Second pass: every row that has the addresses (or the Community ID) of one of {@code rows}.
     *
     * @param zeekAddresses the rows' addresses are written as Zeek writes them, so the other rows of
     *                      their keys write them alike and are found by their bytes
     */
    private static void addRowsOfTheirKeys(final Path path, final String name, final Collection<ConnRecord> rows,
                                           final boolean zeekAddresses, final SameKeyRows next, final SplitLineSearch.Plan split)
        throws IOException {
        final List<ConnRecord> withTuple = new ArrayList<>();
        final Set<String> communityIds = new java.util.HashSet<>();
        final Set<String> needles = new java.util.LinkedHashSet<>(); // one of the two addresses is in every row of the key
        for (ConnRecord r : rows) {
            if (!r.mayRunPastItsWindow()) {
                continue; // no later row bounds its packets
            }
            if (r.hasFiveTuple()) {
                withTuple.add(r);
                needles.add(Addresses.format(r.ipVersion(), r.origHi(), r.origLo()));
            } else if (r.communityId() != null) {
                communityIds.add(r.communityId());
                needles.add(r.communityId());
            }
        }
        final ConnLogListener quiet = (source, line, message) -> { }; // already reported by the first pass
        try (ConnLogReader reader = open(path, name, quiet, split)) {
            reader.sieve(zeekAddresses ? LineSieve.of(needles) : null);
            final java.util.function.Predicate<ConnRow> byAddress = new AddressPairs(withTuple);
            reader.filter(communityIds.isEmpty() ? byAddress
                : row -> communityIds.contains(row.get(ConnField.COMMUNITY_ID)) || byAddress.test(row));
            ConnRecord r;
            while ((r = reader.next()) != null) {
                next.add(r);
            }
        }
    }

    /** Whether both addresses of {@code row} are written as Zeek writes them (or absent, or no address). */
    private static boolean writtenAsZeekDoes(final ConnRow row) {
        for (ConnField f : new ConnField[] {ConnField.ORIG_H, ConnField.RESP_H}) {
            final String text = row.get(f);
            if (text != null) {
                try {
                    final Addresses.Parsed a = Addresses.parse(text);
                    if (!Addresses.format(a.ipVersion(), a.hi(), a.lo()).equals(text)) {
                        return false;
                    }
                } catch (IllegalArgumentException e) {
                    // not an address: the row is reported as malformed, and has no key to look for
                }
            }
        }
        return true;
    }

    private static ConnLogReader open(final Path path, final String name, final ConnLogListener listener, final SplitLineSearch.Plan split)
        throws IOException {
        return path == null ? ConnLogReader.open(System.in, name, listener) : ConnLogReader.open(path, listener, ZeekLogKind.CONN, split);
    }
}
