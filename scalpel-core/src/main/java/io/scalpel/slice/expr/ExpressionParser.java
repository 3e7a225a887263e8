package io.scalpel.slice.expr;

import io.scalpel.decode.Addresses;
import io.scalpel.decode.FlowKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reads a query expression (docs/cli.md, "Query expressions"):
 *
 * <pre>
 * expr    = and { ("or" | "||") and }
 * and     = unary { ("and" | "&amp;&amp;") unary }
 * unary   = ("not" | "!") unary | "(" expr ")" | term
 * term    = [ "src" | "dst" ] ( "host" ADDR | "net" ADDR/BITS | "port" N | "portrange" N-M )
 *         | ( "tcp" | "udp" | "sctp" ) [ [ "src" | "dst" ] ( "port" N | "portrange" N-M ) ]
 *         | "icmp" | "icmp6" | "ip" | "ip6" | ( "ip" | "proto" ) "proto"? N
 *         | "vlan" [ N ] | "after" TIME | "before" TIME
 * TIME    = ISO-8601 | epoch seconds | N{s,m,h,d} "ago"
 * </pre>
 *
 * Words are separated by white space and parentheses, and are not case-sensitive. An error says
 * at which column it is ({@link ExpressionException}).
 */
public final class ExpressionParser {
    private record Token(String text, int column) {
    }

    /** How deep parentheses and {@code not}s may nest: deeper is refused, not a stack overflow. */
    static final int MAX_NESTING = 100;
    /** How many terms an expression may have: each is a level of the evaluation's recursion. */
    static final int MAX_TERMS = 1_000;

    private final String text;
    private final long nowNanos;
    private final List<Token> tokens;
    private int at;
    private int depth;
    private int terms;

    private ExpressionParser(final String text, final long nowNanos) {
        this.text = text;
        this.nowNanos = nowNanos;
        this.tokens = tokens(text);
    }

    /**
     * The expression {@code text} says, its relative times ({@code 15m ago}) counted back from {@code nowNanos}.
     *
     * @throws ExpressionException saying what is wrong and at which column
     */
    public static Expression parse(final String text, final long nowNanos) {
        final ExpressionParser p = new ExpressionParser(text, nowNanos);
        if (p.tokens.isEmpty()) {
            throw new ExpressionException(text, 1, "the expression is empty");
        }
        final Expression e = p.or();
        if (p.at < p.tokens.size()) {
            throw p.error(p.tokens.get(p.at), "expected 'and', 'or' or the end, got '" + p.tokens.get(p.at).text + "'");
        }
        return e;
    }

    private static List<Token> tokens(final String text) {
        final List<Token> out = new ArrayList<>();
        int i = 0;
        while (i < text.length()) {
            final char c = text.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (c == '(' || c == ')' || c == '!') {
                out.add(new Token(String.valueOf(c), i + 1));
                i++;
            } else {
                final int start = i;
                while (i < text.length() && !Character.isWhitespace(text.charAt(i)) && text.charAt(i) != '(' && text.charAt(i) != ')') {
                    i++;
                }
                out.add(new Token(text.substring(start, i), start + 1));
            }
        }
        return out;
    }

    private Expression or() {
        Expression e = and();
        while (accept("or") || accept("||")) {
            e = new Expression.Or(e, and());
        }
        return e;
    }

    private Expression and() {
        Expression e = unary();
        while (accept("and") || accept("&&")) {
            e = new Expression.And(e, unary());
        }
        return e;
    }

    private Expression unary() {
        final boolean not = accept("not") || accept("!");
        final boolean group = !not && accept("(");
        if (!not && !group) {
            return term();
        }
        if (++depth > MAX_NESTING) {
            throw error(tokens.get(at - 1), "parentheses and 'not' nest deeper than " + MAX_NESTING);
        }
        final Expression e;
        if (not) {
            e = new Expression.Not(unary());
        } else {
            e = or();
            if (!accept(")")) {
                throw error(peek(), "expected ')'" + (at < tokens.size() ? ", got '" + tokens.get(at).text + "'" : ""));
            }
        }
        depth--;
        return e;
    }

    private Expression term() {
        final Token t = next("a term (host, net, port, portrange, tcp, udp, icmp, ip proto, vlan, after, before)");
        if (++terms > MAX_TERMS) {
            throw error(t, "more than " + MAX_TERMS + " terms");
        }
        final String word = t.text.toLowerCase(Locale.ROOT);
        switch (word) {
            case "src":
            case "dst":
                return sided(word.equals("src") ? Expression.Side.SRC : Expression.Side.DST, true);
            case "host":
            case "net":
            case "port":
            case "portrange":
                at--;
                return sided(Expression.Side.EITHER, true);
            case "tcp":
            case "udp":
            case "sctp":
                return transport(protocolNumber(word));
            case "icmp":
                return new Expression.Protocol(FlowKey.PROTO_ICMP, FlowKey.PROTO_ICMPV6);
            case "icmp6":
                return new Expression.Protocol(FlowKey.PROTO_ICMPV6, FlowKey.PROTO_ICMPV6);
            case "ip":
            case "ip6":
                if (accept("proto")) {
                    final int n = number(next("a protocol number"), 0, 255, "protocol number");
                    return new Expression.Protocol(n, n);
                }
                return new Expression.IpVersion(word.equals("ip") ? FlowKey.IPV4 : FlowKey.IPV6);
            case "proto": {
                final int n = number(next("a protocol number"), 0, 255, "protocol number");
                return new Expression.Protocol(n, n);
            }
            case "vlan":
                return isNumber(peekWord()) ? new Expression.Vlan(number(next("a VLAN id"), 0, 4095, "VLAN id"))
                    : new Expression.Tagged();
            case "after":
                return new Expression.After(time(t));
            case "before":
                return new Expression.Before(time(t));
            default:
                throw error(t, "unknown term '" + t.text + "' (expected host, net, port, portrange, src, dst, tcp, udp,"
                    + " icmp, ip proto, vlan, after, before, not or '(')");
        }
    }

    /** {@code tcp}, or {@code tcp [src|dst] port N}: the protocol and the port. */
    private Expression transport(final int protocol) {
        final Expression p = new Expression.Protocol(protocol, protocol);
        final String n1 = peekWord();
        final boolean sided = (n1.equals("src") || n1.equals("dst")) && at + 1 < tokens.size();
        final String n2 = sided ? tokens.get(at + 1).text.toLowerCase(Locale.ROOT) : "";
        final String kind = sided ? n2 : n1;
        if (kind.equals("port") || kind.equals("portrange")) {
            Expression.Side side = Expression.Side.EITHER;
            if (sided) {
                side = n1.equals("src") ? Expression.Side.SRC : Expression.Side.DST;
                at++;
            }
            return new Expression.And(p, sided(side, false));
        }
        if (sided) {
            throw error(tokens.get(at + 1), "expected port or portrange, got '" + tokens.get(at + 1).text + "'");
        }
        return p;
    }

    /** {@code host}, {@code net}, {@code port} or {@code portrange} after an optional side. */
    private Expression sided(final Expression.Side side, final boolean addresses) {
        final Token kind = next("host, net, port or portrange");
        final String k = kind.text.toLowerCase(Locale.ROOT);
        switch (k) {
            case "host":
            case "net":
                if (!addresses) {
                    break;
                }
                return net(side, next("an address"), k.equals("host"));
            case "port": {
                final int p = number(next("a port number"), 0, 65535, "port");
                return new Expression.Port(side, p, p);
            }
            case "portrange": {
                final Token r = next("a port range N-M");
                final int dash = r.text.indexOf('-');
                if (dash <= 0 || dash == r.text.length() - 1) {
                    throw error(r, "'" + r.text + "' is not a port range N-M");
                }
                final int low = number(new Token(r.text.substring(0, dash), r.column), 0, 65535, "port");
                final int high = number(new Token(r.text.substring(dash + 1), r.column + dash + 1), 0, 65535, "port");
                if (low > high) {
                    throw error(r, "port range " + r.text + " runs backwards");
                }
                return new Expression.Port(side, low, high);
            }
            default:
                break;
        }
        throw error(kind, "expected " + (addresses ? "host, net, port or portrange" : "port or portrange") + ", got '"
            + kind.text + "'");
    }

    private Expression net(final Expression.Side side, final Token t, final boolean host) {
        final int slash = t.text.indexOf('/');
        if (host && slash >= 0) {
            throw error(t, "a host is one address; write 'net " + t.text + "' for a network");
        }
        final Addresses.Parsed a;
        try {
            a = Addresses.parse(slash >= 0 ? t.text.substring(0, slash) : t.text);
        } catch (IllegalArgumentException e) {
            throw error(t, "'" + t.text + "' is not an IP address" + (host ? "" : " or network (ADDR/BITS)"));
        }
        final int max = a.ipVersion() == FlowKey.IPV4 ? 32 : 128;
        final int bits = slash < 0 ? max : number(new Token(t.text.substring(slash + 1), t.column + slash + 1), 0, max,
            "prefix length");
        return new Expression.Net(side, a.ipVersion(), a.hi(), a.lo(), bits);
    }

    private long time(final Token term) {
        final Token t = next("a time after '" + term.text + "'");
        String when = t.text;
        if ("ago".equalsIgnoreCase(peekWord())) {
            when = when + " ago";
            at++;
        }
        try {
            return TimeText.parse(when, nowNanos);
        } catch (IllegalArgumentException e) {
            throw error(t, e.getMessage());
        }
    }

    private static int protocolNumber(final String word) {
        return switch (word) {
            case "tcp" -> FlowKey.PROTO_TCP;
            case "udp" -> FlowKey.PROTO_UDP;
            default -> FlowKey.PROTO_SCTP;
        };
    }

    private int number(final Token t, final int min, final int max, final String what) {
        final int n;
        try {
            n = Integer.parseInt(t.text);
        } catch (NumberFormatException e) {
            throw error(t, "expected a " + what + ", got '" + t.text + "'");
        }
        if (n < min || n > max) {
            throw error(t, what + " " + n + " is out of range (" + min + "-" + max + ")");
        }
        return n;
    }

    private boolean accept(final String word) {
        if (at < tokens.size() && tokens.get(at).text.equalsIgnoreCase(word)) {
            at++;
            return true;
        }
        return false;
    }

    /** Whether {@code word} is meant as a number: it starts with a digit (a bad one is then an error at its column). */
    private static boolean isNumber(final String word) {
        return !word.isEmpty() && word.charAt(0) >= '0' && word.charAt(0) <= '9';
    }

    private String peekWord() {
        return at < tokens.size() ? tokens.get(at).text.toLowerCase(Locale.ROOT) : "";
    }

    /** The next token, or the error that the expression ends where {@code wanted} was expected. */
    private Token next(final String wanted) {
        if (at >= tokens.size()) {
            throw new ExpressionException(text, text.length() + 1, "the expression ends where " + wanted + " was expected");
        }
        return tokens.get(at++);
    }

    private Token peek() {
        return at < tokens.size() ? tokens.get(at) : new Token("", text.length() + 1);
    }

    private ExpressionException error(final Token t, final String what) {
        return new ExpressionException(text, t.column, what);
    }
}
