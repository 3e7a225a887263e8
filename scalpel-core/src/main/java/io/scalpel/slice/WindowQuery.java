package io.scalpel.slice;

/**
 * Every frame whose timestamp lies in a window ({@code --from}/{@code --to} alone).
 *
 * @param label what to call it in messages
 * @param from  window start, ns (inclusive)
 * @param to    window end, ns (inclusive)
 */
public record WindowQuery(String label, long from, long to) implements Query {
    /** A window has no TCP connection to follow. */
    @Override
    public TcpEnding tcpEnding() {
        return null;
    }
}
