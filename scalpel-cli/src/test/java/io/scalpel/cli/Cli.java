package io.scalpel.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Runs the scalpel command in-process and keeps what it printed. */
record Cli(int exit, String out, String err, byte[] binary) {

    static Cli run(final String... args) {
        final ScalpelCommand command = new ScalpelCommand();
        final ByteArrayOutputStream binary = new ByteArrayOutputStream();
        command.binaryOut = binary;
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final int exit = ScalpelCommand.run(command, new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Cli(exit, out.toString(), err.toString(), binary.toByteArray());
    }

    /** The contract sample (sample.pcap, sample-conn.log) copied into {@code dir}; skips when shared data is absent. */
    static Path[] sample(final Path dir) throws IOException {
        final Path contract = SharedData.sharedDir("contract");
        final Path pcap = Files.copy(contract.resolve("sample.pcap"), dir.resolve("sample.pcap"), StandardCopyOption.REPLACE_EXISTING);
        final Path conn = Files.copy(contract.resolve("sample-conn.log"), dir.resolve("sample-conn.log"),
            StandardCopyOption.REPLACE_EXISTING);
        pcap.toFile().setWritable(true);
        conn.toFile().setWritable(true);
        return new Path[] {pcap, conn};
    }

    @Override
    public String toString() {
        return "exit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
}
