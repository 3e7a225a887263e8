package io.scalpel.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scalpel.api.Scalpel;
import io.scalpel.testdata.CaptureGenerator;
import io.scalpel.testdata.Generated;
import io.scalpel.testdata.GeneratorSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several builds of one capture's index at once (a server's background build and an API user's
 * open, two CLI runs): each commits, the last to move its index into place keeps the name, and
 * what is left is one whole index and nothing set aside. Before, a build whose move found the
 * name taken by another between its two moves failed with "Directory not empty".
 */
class ConcurrentBuildsTest {
    private static final int BUILDS = 4;

    @TempDir
    Path dir;

    @RepeatedTest(5)
    void shouldCommitEveryBuildAndLeaveOneWholeIndex(final RepetitionInfo repetition) throws Exception {
        final Path capture = dir.resolve("c.pcap");
        final Path conn = dir.resolve("conn.log");
        final Generated truth = CaptureGenerator.generate(
            GeneratorSpec.everything(7300 + repetition.getCurrentRepetition()).withConnections(60), capture, conn);
        final Path index = dir.resolve("c.pcap.scalpel");
        final ExecutorService pool = Executors.newFixedThreadPool(BUILDS);
        try {
            final CountDownLatch start = new CountDownLatch(1);
            final List<Future<IndexBuilder.Result>> builds = new ArrayList<>();
            for (int i = 0; i < BUILDS; i++) {
                builds.add(pool.submit(() -> {
                    start.await();
                    return new IndexBuilder(capture, index).build();
                }));
            }
            start.countDown();
            for (Future<IndexBuilder.Result> b : builds) {
                assertEquals(truth.frames().size(), b.get().manifest().packets());
            }
        } finally {
            pool.shutdownNow();
        }
        try (Stream<Path> left = Files.list(dir)) {
            final List<String> names = left.map(p -> p.getFileName().toString()).sorted().toList();
            assertEquals(List.of("c.pcap", "c.pcap.scalpel", "conn.log"), names, "nothing set aside or half-built left");
        }
        // the index in place is whole: it opens without a rebuild (its digests are checked) and is
        // found fresh by another build, which then leaves it as it is
        try (Scalpel s = Scalpel.open(capture, Scalpel.Options.defaults().withIndex(index).withBuildIfMissing(false))) {
            assertTrue(Files.isRegularFile(index.resolve("manifest.json")));
        }
    }
}
