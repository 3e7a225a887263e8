package io.scalpel.testing;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The guard of the end-to-end tags works in every test run: auto-detected, it knows the running
 * test's tags, so an untagged test that runs an external tool fails before the tool starts.
 */
class TestTagsTest {
    @Test
    void shouldFailAnUntaggedTestThatRunsAnExternalToolNamingTheTagItLacks() {
        final AssertionError e = assertThrows(AssertionError.class, () -> ExternalTools.run(List.of("no-such-tool-runs")));
        assertTrue(e.getMessage().startsWith("this test runs no-such-tool-runs but is not tagged @Tag(\"external\")"),
            e.getMessage());
    }

    @Test
    void shouldFailAnUntaggedTestThatRequiresAToolOrTheCorpus() {
        assertThrows(AssertionError.class, () -> ExternalTools.require(ExternalTools.TSHARK));
        final AssertionError e = assertThrows(AssertionError.class,
            () -> TestTags.require(TestTags.CORPUS, "reads the shared corpus"));
        assertTrue(e.getMessage().contains("is not tagged @Tag(\"corpus\") (its tags: [])"), e.getMessage());
    }

    @Test
    @Tag(TestTags.CORPUS)
    void shouldLetATestCarryingTheTagDoWhatItSays() {
        assertDoesNotThrow(() -> TestTags.require(TestTags.CORPUS, "reads the shared corpus"));
        final AssertionError e = assertThrows(AssertionError.class, () -> TestTags.require(TestTags.E2E, "runs a child JVM"));
        assertTrue(e.getMessage().contains("(its tags: [corpus])"), e.getMessage());
    }
}
