package io.scalpel.testing;

import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The tags that set the end-to-end tests apart, and their guard: a test that reads the shared
 * corpus is tagged {@value #CORPUS}, one that runs tcpdump, tshark or the native libpcap
 * {@value #EXTERNAL}, one that runs scalpel (or a benchmark) in a process of its own
 * {@value #E2E}. {@code -DexcludedGroups=corpus,external,e2e} runs the rest, the fast part;
 * {@code -Dgroups=corpus,external,e2e} the end-to-end part.
 *
 * <p>Registered for every test by JUnit's extension auto-detection (the surefire and failsafe
 * configuration), this extension keeps the tags of the test running; {@link #require} fails a
 * test that does what a tag says without the tag, so an untagged external run cannot slip into
 * the fast part unnoticed.
 */
public final class TestTags implements BeforeAllCallback, BeforeEachCallback, AfterEachCallback, AfterAllCallback {
    public static final String CORPUS = "corpus";
    public static final String EXTERNAL = "external";
    public static final String E2E = "e2e";

    /** The tags of the test (or the class, in its {@code @BeforeAll}) running now; null outside a test. */
    private static volatile Set<String> running;

    @Override
    public void beforeAll(final ExtensionContext context) {
        running = context.getTags();
    }

    @Override
    public void beforeEach(final ExtensionContext context) {
        running = context.getTags();
    }

    @Override
    public void afterEach(final ExtensionContext context) {
        running = context.getParent().map(ExtensionContext::getTags).orElse(null);
    }

    @Override
    public void afterAll(final ExtensionContext context) {
        running = null;
    }

    /** Fails the running test unless it carries {@code tag}: it is about to do {@code what}. */
    public static void require(final String tag, final String what) {
        final Set<String> tags = running;
        if (tags != null && !tags.contains(tag)) {
            throw new AssertionError("this test " + what + " but is not tagged @Tag(\"" + tag + "\") (its tags: "
                + new TreeSet<>(tags) + "); tag it, so that -DexcludedGroups=" + CORPUS + "," + EXTERNAL + "," + E2E
                + " leaves it out");
        }
    }
}
