package io.scalpel.index;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.Encoding;
import org.apache.parquet.column.page.DictionaryPage;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.Types;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@link KeptDictionaries} serves from what it kept, and what it reads again. */
class KeptDictionariesTest {
    @TempDir
    Path dir;

    private static final ColumnDescriptor SRC = new ColumnDescriptor(new String[] {"src"},
        Types.required(PrimitiveType.PrimitiveTypeName.BINARY).named("src"), 0, 0);

    /** A supplier of a dictionary page of {@code value}, counting its reads. */
    private static Supplier<DictionaryPage> file(final String value, final AtomicInteger reads) {
        return () -> {
            reads.incrementAndGet();
            return new DictionaryPage(BytesInput.from(value.getBytes()), 1, Encoding.PLAIN);
        };
    }

    private static byte[] bytes(final DictionaryPage page) throws IOException {
        return page.getBytes().toByteArray();
    }

    private IndexPart part() throws IOException {
        final Path p = Files.writeString(dir.resolve("part-00000.parquet"), "pages");
        return new IndexPart(p, new IndexManifest.PartFile(5, 0, "", ""), "rebuild");
    }

    @Test
    void shouldGiveAReadThatNeedsACheckedPageNoPageKeptUncheckedButTheOtherWayRound() throws IOException {
        final KeptDictionaries kept = new KeptDictionaries();
        final IndexPart part = part();
        final AtomicInteger reads = new AtomicInteger();
        final Object stamp = kept.check(part);

        kept.page(part, 0, SRC, file("a", reads), stamp, false); // read to prune: unchecked
        kept.page(part, 0, SRC, file("a", reads), stamp, false);
        assertEquals(1, reads.get(), "an unchecked read is served the page an unchecked read kept");
        kept.page(part, 0, SRC, file("a", reads), stamp, true);
        assertEquals(2, reads.get(), "a checked read reads its own page: the kept one did not pass the checks");
        kept.page(part, 0, SRC, file("a", reads), stamp, true);
        kept.page(part, 0, SRC, file("a", reads), stamp, false);
        assertEquals(2, reads.get(), "the checked page replaced it and serves both");
        assertEquals(2, kept.read());
    }

    @Test
    void shouldKeepNothingOfAReadThatBeganBeforeItsPartChanged() throws IOException {
        final KeptDictionaries kept = new KeptDictionaries();
        final IndexPart part = part();
        final AtomicInteger reads = new AtomicInteger();
        final Object before = kept.check(part); // a read begins ...

        Files.writeString(part.path(), "other pages, longer"); // ... the part's file changes ...
        final Object after = kept.check(part); // ... and a second read begins, which drops what was kept

        assertArrayEquals("old".getBytes(), bytes(kept.page(part, 0, SRC, file("old", reads), before, true)));
        assertArrayEquals("new".getBytes(), bytes(kept.page(part, 0, SRC, file("new", reads), after, true)),
            "the first read's page, of the file as it was, is not kept for the second");
        assertEquals(2, reads.get());
        assertArrayEquals("new".getBytes(), bytes(kept.page(part, 0, SRC, file("newer", reads), after, true)));
        assertEquals(2, reads.get(), "the second read's page is kept");
    }
}
