package io.scalpel.cli;

import io.scalpel.api.CaptureSet;
import io.scalpel.api.Scalpel;
import io.scalpel.slice.RunFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine;

/**
 * The files a {@code slice} reads and writes ({@link RunFiles}), checked before anything is
 * written: no output path may be empty, be an input (the capture or a member of the capture set,
 * the index, the conn.log, the tunnel.log) or lie in one (the capture set directory, the index
 * directory), or be another output. The per-uid files of {@code --split-dir} are checked against
 * the same files once their names are known, before the first one is written.
 */
final class SliceFiles {
    /** How a refusal names a per-uid file of --split-dir. */
    static final String SPLIT_FILE = "--split-dir file";

    private SliceFiles() {
    }

    /** Refuses an empty path given to {@code option} (it would mean the working directory). */
    static void refuseEmpty(final CommandLine cl, final String option, final Object path) {
        if (path != null && path.toString().isEmpty()) {
            throw new CommandLine.ParameterException(cl, option + ": the path is empty; name a file or directory");
        }
    }

    /** The inputs of {@code c} and its -w and --arrow outputs; also checks its --split-dir directory. */
    static RunFiles of(final SliceCommand c) throws IOException {
        final RunFiles files = Files.isDirectory(c.capture) ? CaptureSet.inputsOf(c.capture, c.index) : Scalpel.inputsOf(c.capture, c.index);
        log(files, c.conn, "the conn.log");
        log(files, c.tunnelLog, "the tunnel.log");
        if (c.output.write != null && !"-".equals(c.output.write)) {
            files.output(Path.of(c.output.write), "-w");
        }
        if (c.arrow != null && !ArrowOutput.STDOUT.equals(c.arrow.toString())) {
            files.output(c.arrow, "--arrow");
        }
        if (c.output.splitDir != null) {
            files.check(c.output.splitDir, "--split-dir");
        }
        return files;
    }

    /** A log read from a file, or each conn.* file of a directory of rotated logs. */
    private static void log(final RunFiles files, final String log, final String what) throws IOException {
        if (log == null || "-".equals(log)) {
            return;
        }
        final Path path = Path.of(log);
        if (Files.isDirectory(path)) {
            files.inputDirectory(path, "the directory of " + what, what);
        } else {
            files.input(path, what);
        }
    }
}
