package io.scalpel.cli;

import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertNotSame;

import io.scalpel.api.LogReadAhead;
import io.scalpel.api.Scalpel;
import io.scalpel.api.SliceRequest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The conn.log read that a slice's raw arguments name, started before picocli parses them: the
 * request picocli then builds takes it when it asks for the same log, uids and VLAN keying; a
 * command line it cannot be sure of reads nothing. Oracle: the request each command line asks for,
 * written out by hand.
 */
class EarlyLogReadTest {
    @TempDir
    Path dir;

    private SliceRequest request(final Path log, final List<String> uids) {
        return SliceRequest.builder().conn(log.toString()).uids(uids).write(dir.resolve("o.pcap")).build();
    }

    private Path log() throws IOException {
        return Files.writeString(dir.resolve("conn.log"), "#separator \\x09\n#fields\tts\tuid\n1.0\tCa\n");
    }

    @Test
    void shouldReadTheLogAndUidsOfASliceCommandLineForTheRequestThatAsksForThem() throws IOException {
        final Path log = log();
        final Scalpel.Options plain = Scalpel.Options.defaults();
        final List<String[]> lines = List.of(
            new String[] {"slice", "x.pcap", "--conn", log.toString(), "--uid", "Ca,Cb", "-w", "o.pcap"},
            new String[] {"slice", "--uid=Cb", "x.pcap", "--conn=" + log, "--uid", "Ca"});
        for (String[] args : lines) {
            try (LogReadAhead early = EarlyLogRead.start(args)) {
                assertSame(early, early.orStart(request(log, List.of("Ca", "Cb")), plain), String.join(" ", args));
            }
        }
        try (LogReadAhead early = EarlyLogRead.start(new String[] {"slice", "x.pcap", "--conn", log.toString(), "--uid", "Ca", "--vlan-blind"})) {
            assertSame(early, early.orStart(request(log, List.of("Ca")), plain.withVlanKey(Scalpel.VlanKey.BLIND)));
        }
        try (LogReadAhead early = EarlyLogRead.start(new String[] {"slice", "x.pcap", "--conn", log.toString(), "--uid", "Ca", "--vlan-aware"});
             LogReadAhead own = early.orStart(request(log, List.of("Ca")), plain)) {
            assertNotSame(early, own, "read for another keying than the request's: not taken");
        }
        // an option's parameter that reads like --uid is misread as uids here: the request does not take that read
        try (LogReadAhead early = EarlyLogRead.start(new String[] {"slice", "--bpf", "--uid", "x.pcap", "--uid", "Ca", "--conn", log.toString()});
             LogReadAhead own = early.orStart(request(log, List.of("Ca")), plain)) {
            assertNotSame(early, own, "a misread command line: its read is not taken");
        }
    }

    @Test
    void shouldReadNothingForAnotherCommandOrACommandLineItCannotBeSureOf() throws IOException {
        final String log = log().toString();
        final List<String[]> lines = List.of(
            new String[] {},
            new String[] {"index", "x.pcap", "--conn", log, "--uid", "Ca"},
            new String[] {"slice", "x.pcap", "--conn", log, "--uid", "Ca", "--all"},
            new String[] {"slice", "x.pcap", "--conn", log, "--uid", "Ca", "--uids-from", "u.txt"},
            new String[] {"slice", "x.pcap", "--conn", log, "--uids-from=u.txt", "--uid", "Ca"},
            new String[] {"slice", "--conn", log, "--uid", "Ca", "--", "x.pcap"},
            new String[] {"slice", "x.pcap", "--conn", log, "--uid", "Ca,,Cb"},
            new String[] {"slice", "x.pcap", "--conn", "-", "--uid", "Ca"},
            new String[] {"slice", "x.pcap", "--conn", dir.resolve("missing.log").toString(), "--uid", "Ca"},
            new String[] {"slice", "x.pcap", "--conn", log},
            new String[] {"slice", "x.pcap", "--uid", "Ca"},
            new String[] {"slice", "x.pcap", "--uid"},
            new String[] {"slice", "x.pcap", "--conn", "a\0b", "--uid", "Ca"}); // no path here: left for the command to report
        for (String[] args : lines) {
            try (LogReadAhead early = EarlyLogRead.start(args)) {
                assertSame(LogReadAhead.none(), early, String.join(" ", args));
            }
        }
    }
}
