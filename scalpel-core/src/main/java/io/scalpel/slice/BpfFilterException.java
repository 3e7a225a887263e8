package io.scalpel.slice;

/**
 * A BPF filter that cannot be used: libpcap refuses the expression (its message is quoted), or
 * the native libpcap is not installed ({@link #libpcapMissing()}).
 */
public final class BpfFilterException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final boolean libpcapMissing;

    BpfFilterException(final String message, final boolean libpcapMissing) {
        super(message);
        this.libpcapMissing = libpcapMissing;
    }

    /** True when the native libpcap could not be loaded; false when the expression is invalid. */
    public boolean libpcapMissing() {
        return libpcapMissing;
    }
}
