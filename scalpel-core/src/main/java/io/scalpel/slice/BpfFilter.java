package io.scalpel.slice;

import io.scalpel.capture.Frame;
import java.io.Closeable;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.pcap4j.core.BpfProgram;
import org.pcap4j.core.NotOpenException;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.PcapNativeException;
import org.pcap4j.core.Pcaps;
import org.pcap4j.packet.namednumber.DataLinkType;

/**
 * A libpcap filter expression ({@code tcp port 80}, {@code vlan and host 10.0.0.1}, as tcpdump
 * takes it) that narrows a selection: each selected frame is kept when the filter accepts its
 * bytes, under the link type of the interface that captured it. Only the frames already selected
 * through the index are read; the capture is never scanned for the filter.
 *
 * <p>The expression is compiled by the native libpcap (through pcap4j), once per link type met,
 * with libpcap's optimizer and an unknown netmask (so {@code ip broadcast} is refused), exactly
 * as tcpdump would compile it for a capture of that link type. Thread-safe.
 */
public final class BpfFilter implements Closeable {
    /** libpcap's largest snapshot length: no frame is cut short before the filter sees it. */
    private static final int SNAPLEN = 262_144;
    private static final String LIBRARY_PROPERTY = "org.pcap4j.core.pcapLibName";
    /** Where distributions put the runtime libpcap, which often lacks the unversioned libpcap.so. */
    private static final String[] LIBRARY_DIRECTORIES = {
        "/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/lib/x86_64-linux-gnu", "/lib/aarch64-linux-gnu",
        "/usr/lib64", "/usr/lib", "/usr/local/lib", "/opt/homebrew/opt/libpcap/lib", "/usr/local/opt/libpcap/lib"};
    private static final String[] LIBRARY_NAMES = {"libpcap.so", "libpcap.so.1", "libpcap.so.0.8", "libpcap.A.dylib", "libpcap.dylib"};
    private static final Object COMPILE_LOCK = new Object();
    private static final Inet4Address NETMASK_UNKNOWN;

    static {
        try {
            NETMASK_UNKNOWN = (Inet4Address) InetAddress.getByAddress(new byte[] {-1, -1, -1, -1});
        } catch (UnknownHostException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final String expression;
    /** LINKTYPE_* value to its compiled program. */
    private final Map<Integer, BpfProgram> programs = new HashMap<>();
    private boolean closed;

    private BpfFilter(final String expression) {
        this.expression = expression;
    }

    /**
     * Compiles {@code expression}, checking it against Ethernet (LINKTYPE_ETHERNET); other link
     * types are compiled when a frame of theirs is met.
     *
     * @throws BpfFilterException when libpcap refuses the expression ({@link BpfFilterException#libpcapMissing()}
     *                            false), or the native libpcap cannot be loaded (true)
     */
    public static BpfFilter compile(final String expression) {
        if (expression == null || expression.isBlank()) {
            throw new BpfFilterException("BPF expression is empty", false);
        }
        final BpfFilter f = new BpfFilter(expression);
        f.program(1);
        return f;
    }

    /** The expression as given. */
    public String expression() {
        return expression;
    }

    /** Whether the filter accepts this frame (its bytes as captured, its original length, its link type). */
    public boolean accepts(final Frame frame) {
        final byte[] bytes = new byte[frame.capturedLength()];
        frame.buffer().get(frame.dataOffset(), bytes, 0, bytes.length);
        return program(frame.linkType()).applyFilter(bytes, frame.originalLength(), bytes.length);
    }

    /** The offsets (of frames of {@code slicer}'s capture) whose frames the filter accepts, in the given order. */
    public long[] narrow(final Slicer slicer, final long[] offsets) throws IOException {
        final long[] kept = new long[offsets.length];
        final int[] n = {0};
        slicer.visit(offsets, (frame, decoded) -> {
            if (accepts(frame)) {
                kept[n[0]++] = frame.recordOffset();
            }
        });
        return Arrays.copyOf(kept, n[0]);
    }

    /** Frees the compiled programs. */
    @Override
    public void close() {
        synchronized (programs) {
            closed = true;
            for (BpfProgram p : programs.values()) {
                p.free();
            }
            programs.clear();
        }
    }

    private BpfProgram program(final int linkType) {
        synchronized (programs) {
            if (closed) {
                throw new IllegalStateException("BPF filter " + expression + " is closed");
            }
            BpfProgram p = programs.get(linkType);
            if (p == null) {
                p = compile(expression, linkType);
                programs.put(linkType, p);
            }
            return p;
        }
    }

    private static BpfProgram compile(final String expression, final int linkType) {
        synchronized (COMPILE_LOCK) {
            locateLibpcap();
            final PcapHandle dead;
            try {
                dead = Pcaps.openDead(DataLinkType.getInstance(dlt(linkType)), SNAPLEN);
            } catch (LinkageError e) {
                throw new BpfFilterException("BPF filters need the native libpcap, which could not be loaded ("
                    + reason(e) + "); install it (Debian/Ubuntu: apt-get install libpcap0.8; Fedora/RHEL: dnf install"
                    + " libpcap) or name it with -D" + LIBRARY_PROPERTY + "=/path/to/libpcap.so", true);
            } catch (PcapNativeException e) {
                throw new BpfFilterException("libpcap cannot open a handle for link type " + linkType + ": " + e.getMessage(), false);
            }
            try {
                return dead.compileFilter(expression, BpfProgram.BpfCompileMode.OPTIMIZE, NETMASK_UNKNOWN);
            } catch (PcapNativeException e) {
                String why;
                try {
                    why = dead.getError();
                } catch (NotOpenException notOpen) {
                    why = e.getMessage();
                }
                throw new BpfFilterException("BPF expression '" + expression + "' is invalid"
                    + (linkType == 1 ? "" : " for link type " + linkType) + ": libpcap: " + why, false);
            } catch (NotOpenException e) {
                throw new IllegalStateException(e);
            } finally {
                dead.close();
            }
        }
    }

    /** The first message in a chain of causes, on one line. */
    private static String reason(final Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t.getMessage() != null && !t.getMessage().isBlank()) {
                return t.getMessage().strip().replaceAll("\\s*\\R\\s*", "; ");
            }
        }
        return e.getClass().getName();
    }

    /** The DLT_* value libpcap compiles for, of a LINKTYPE_* value of a capture file (they differ below 104). */
    static int dlt(final int linkType) {
        switch (linkType) {
            case 100:
                return 11; // ATM_RFC1483
            case 101:
                return 12; // RAW (14 on OpenBSD, which this is not built for)
            case 102:
                return 15; // SLIP_BSDOS
            case 103:
                return 16; // PPP_BSDOS
            default:
                return linkType;
        }
    }

    /**
     * Points pcap4j at the runtime libpcap when none is named: JNA looks for the unversioned
     * {@code libpcap.so}, which only the development package installs.
     */
    private static void locateLibpcap() {
        if (System.getProperty(LIBRARY_PROPERTY) != null) {
            return;
        }
        for (String dir : LIBRARY_DIRECTORIES) {
            for (String name : LIBRARY_NAMES) {
                final Path p = Path.of(dir, name);
                if (Files.isRegularFile(p)) {
                    System.setProperty(LIBRARY_PROPERTY, p.toString());
                    return;
                }
            }
        }
    }
}
