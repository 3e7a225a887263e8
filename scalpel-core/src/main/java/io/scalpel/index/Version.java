package io.scalpel.index;

/** The version of scalpel that writes an index. */
public final class Version {
    public static final String WRITER = "scalpel " + version();

    private Version() {
    }

    private static String version() {
        final String v = Version.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }
}
