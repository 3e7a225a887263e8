package io.scalpel.cli;

/** Whether this JVM lets Arrow's memory work, which {@code --arrow} needs. */
final class ArrowSupport {
    /** What {@link #requireOpenNio()} says when Arrow's memory cannot work in this JVM. */
    static final String NEEDS_OPEN_NIO = "--arrow needs the JVM option --add-opens=java.base/java.nio=ALL-UNNAMED for Arrow's memory"
        + " (java -jar scalpel.jar has it from the jar's manifest; with java -cp give it on the command line)";

    private ArrowSupport() {
    }

    /**
     * Refuses --arrow, before anything is written, in a JVM that does not open java.nio to
     * Arrow (which would otherwise fail with a stack trace once the first buffer is allocated).
     */
    static void requireOpenNio() {
        if (!Object.class.getModule().isOpen("java.nio", ArrowSupport.class.getModule())) {
            throw new CliException(ExitCode.USAGE, NEEDS_OPEN_NIO);
        }
    }
}
