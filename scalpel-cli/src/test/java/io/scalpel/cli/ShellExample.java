package io.scalpel.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A shell example of a markdown page, as {@link DocShellExamplesIT} runs it: a fenced {@code ```sh}
 * block (its commands, no output shown), or a fenced block of {@code $ command} lines each followed
 * by the output it prints (a transcript). A command is one line, or several joined by a trailing
 * backslash.
 *
 * <p>What an example promises:
 * <ul>
 *   <li>every command exits 0, except a transcript command followed by {@code $ echo $?}, whose
 *       status that line shows;</li>
 *   <li>a transcript command prints exactly the lines under it (stdout and stderr as one stream;
 *       none shown means it prints nothing). In those lines {@code ...} stands for any text
 *       within a line, and a line that is only {@code ...} for any number of lines: the paths
 *       and timings that change from run to run. The lines of a pipe, whose programs run at
 *       once, may come in any order.</li>
 * </ul>
 * An example that needs inputs the checkout does not have says so in the paragraph right before
 * it, with the words "not run by the tests": it is {@linkplain #illustrative() illustrative}.
 * Only examples that run scalpel or use {@code testdata/} are examples of the product
 * ({@link #ofTheProduct()}); build commands ({@code ./mvnw}) are not run, since the test runs in
 * the build they make.
 */
record ShellExample(String page, int line, boolean transcript, boolean illustrative, List<Command> commands) {
    /** The words that mark an example as not run. */
    static final String NOT_RUN = "not run by the tests";
    /** Within an expected line: any text. Alone on a line: any lines. */
    static final String ELISION = "...";

    private static final Pattern FENCE = Pattern.compile("^(\\s*)```\\s*([A-Za-z]*)\\s*$");
    private static final Pattern RUNS_SCALPEL = Pattern.compile("(^|[\\s|;&(])(bin/)?scalpel(\\s|$)|scalpel\\.jar");
    private static final String PROMPT = "$ ";
    private static final String STATUS = "echo $?";
    private static final String BUILD = "./mvnw";

    /**
     * One command of an example.
     *
     * @param line   its first line in the page, 1-based
     * @param text   the command as bash gets it (continuation lines joined by backslash-newline)
     * @param output the lines shown under it in a transcript; {@code null} in a {@code ```sh} block
     */
    record Command(int line, String text, List<String> output) {
        /** A build command, not run: the test runs in the build it makes. */
        boolean build() {
            return text.startsWith(BUILD + " ");
        }

        /** A pipe: its programs run at once, so their lines interleave as they happen. */
        boolean pipe() {
            return masked(text).contains("|");
        }

        /** The command names the program (as a command word: after a space, a pipe, a semicolon...). */
        boolean uses(final String program) {
            return Pattern.compile("(^|[\\s|;&(])" + Pattern.quote(program) + "(\\s|$)").matcher(withoutComment(text)).find();
        }
    }

    /** "page:line", how a failure names the example. */
    String where() {
        return page + ":" + line;
    }

    /** The example runs scalpel (the command, the jar, bin/scalpel) or uses the checkout's testdata/. */
    boolean ofTheProduct() {
        return commands.stream().map(c -> withoutComment(c.text()))
            .anyMatch(t -> t.contains("testdata/") || RUNS_SCALPEL.matcher(t).find());
    }

    /** The commands that are run: all but the build's. */
    List<Command> runnable() {
        return commands.stream().filter(c -> !c.build()).toList();
    }

    /** Whether command {@code i} of {@link #runnable()} may exit with another status than 0: the next one shows it. */
    boolean statusShownAfter(final int i) {
        final List<Command> run = runnable();
        return i + 1 < run.size() && run.get(i + 1).text().strip().equals(STATUS);
    }

    /** The shell examples of a markdown page, in page order. */
    static List<ShellExample> parse(final String page, final String markdown) {
        final List<String> lines = markdown.replace("\r\n", "\n").lines().toList();
        final List<ShellExample> examples = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            final Matcher fence = FENCE.matcher(lines.get(i));
            if (!fence.matches()) {
                continue;
            }
            final int open = i;
            final int indent = fence.group(1).length();
            final String language = fence.group(2).toLowerCase(Locale.ROOT);
            final List<String> body = new ArrayList<>();
            for (i++; i < lines.size() && !lines.get(i).strip().equals("```"); i++) {
                final String l = lines.get(i);
                body.add(l.substring(Math.min(indent, l.length() - l.stripLeading().length())));
            }
            final boolean script = language.equals("sh") || language.equals("bash") || language.equals("shell");
            final boolean transcript = (language.isEmpty() || language.equals("console") || language.equals("text"))
                && body.stream().anyMatch(l -> l.startsWith(PROMPT));
            if (script || transcript) {
                final boolean illustrative = paragraphBefore(lines, open).toLowerCase(Locale.ROOT).contains(NOT_RUN);
                examples.add(new ShellExample(page, open + 1, transcript, illustrative,
                    transcript ? transcriptCommands(body, open + 2) : scriptCommands(body, open + 2)));
            }
        }
        return examples;
    }

    /** The text of the paragraph that ends right before line {@code at} (blank lines between skipped). */
    private static String paragraphBefore(final List<String> lines, final int at) {
        int end = at - 1;
        while (end >= 0 && lines.get(end).isBlank()) {
            end--;
        }
        int start = end;
        while (start > 0 && !lines.get(start - 1).isBlank() && !lines.get(start - 1).strip().startsWith("```")) {
            start--;
        }
        return end < 0 ? "" : String.join(" ", lines.subList(start, end + 1));
    }

    private static List<Command> scriptCommands(final List<String> body, final int firstLine) {
        final List<Command> commands = new ArrayList<>();
        for (int i = 0; i < body.size(); i++) {
            final String l = body.get(i);
            if (l.isBlank() || l.strip().startsWith("#")) {
                continue;
            }
            final int start = i;
            final StringBuilder text = new StringBuilder(l);
            while (text.toString().endsWith("\\") && i + 1 < body.size()) {
                text.append('\n').append(body.get(++i));
            }
            commands.add(new Command(firstLine + start, text.toString(), null));
        }
        return commands;
    }

    private static List<Command> transcriptCommands(final List<String> body, final int firstLine) {
        final List<Command> commands = new ArrayList<>();
        int i = 0;
        while (i < body.size() && !body.get(i).startsWith(PROMPT)) {
            i++;
        }
        while (i < body.size()) {
            final int start = i;
            final StringBuilder text = new StringBuilder(body.get(i).substring(PROMPT.length()));
            while (text.toString().endsWith("\\") && i + 1 < body.size()) {
                text.append('\n').append(body.get(++i));
            }
            final List<String> output = new ArrayList<>();
            for (i++; i < body.size() && !body.get(i).startsWith(PROMPT); i++) {
                output.add(body.get(i));
            }
            commands.add(new Command(firstLine + start, text.toString(), trimmed(output)));
        }
        return commands;
    }

    /**
     * Why {@code actual} is not the output shown for {@code command}, or {@code null} when it is.
     * Trailing white space of each line and trailing blank lines are not compared.
     */
    static String mismatch(final Command command, final String actual) {
        final List<String> expected = command.output();
        final List<String> got = trimmed(actual.replace("\r\n", "\n").lines().toList());
        final boolean same = command.pipe() ? sameLinesInAnyOrder(expected, got) : sameLines(expected, got);
        return same ? null : "shown:\n" + indented(expected) + "printed:\n" + indented(got);
    }

    private static boolean sameLines(final List<String> expected, final List<String> got) {
        final StringBuilder regex = new StringBuilder();
        for (String e : expected) {
            regex.append(e.equals(ELISION) ? "(?:[^\\n]*\\n)*?" : lineRegex(e) + "\\n");
        }
        return Pattern.compile(regex.toString()).matcher(got.isEmpty() ? "" : String.join("\n", got) + "\n").matches();
    }

    private static boolean sameLinesInAnyOrder(final List<String> expected, final List<String> got) {
        final List<String> left = new ArrayList<>(got);
        for (String e : expected) {
            if (e.equals(ELISION)) {
                continue;
            }
            final Pattern p = Pattern.compile(lineRegex(e));
            final int at = indexOfMatch(left, p);
            if (at < 0) {
                return false;
            }
            left.remove(at);
        }
        return left.isEmpty() || expected.contains(ELISION);
    }

    private static int indexOfMatch(final List<String> lines, final Pattern p) {
        for (int i = 0; i < lines.size(); i++) {
            if (p.matcher(lines.get(i)).matches()) {
                return i;
            }
        }
        return -1;
    }

    /** One expected line as a regular expression: literal, but for {@code ...}, which is any text. */
    private static String lineRegex(final String expected) {
        final String[] parts = expected.split(Pattern.quote(ELISION), -1);
        final StringBuilder regex = new StringBuilder();
        for (int i = 0; i < parts.length; i++) {
            regex.append(i == 0 ? "" : "[^\\n]*").append(parts[i].isEmpty() ? "" : Pattern.quote(parts[i]));
        }
        return regex.toString();
    }

    private static List<String> trimmed(final List<String> lines) {
        final List<String> out = new ArrayList<>(lines.stream().map(String::stripTrailing).toList());
        while (!out.isEmpty() && out.get(out.size() - 1).isEmpty()) {
            out.remove(out.size() - 1);
        }
        return out;
    }

    private static String indented(final List<String> lines) {
        final StringBuilder b = new StringBuilder();
        lines.forEach(l -> b.append("    ").append(l).append('\n'));
        return b.length() == 0 ? "    (nothing)\n" : b.toString();
    }

    /** The text with what single or double quotes enclose, quotes included, masked as {@code _}: same length, same lines. */
    private static String masked(final String text) {
        final StringBuilder b = new StringBuilder(text);
        char quote = 0;
        for (int i = 0; i < b.length(); i++) {
            final char c = b.charAt(i);
            if (quote != 0 || c == '\'' || c == '"') {
                quote = quote == 0 ? c : c == quote ? 0 : quote;
                b.setCharAt(i, c == '\n' ? c : '_');
            }
        }
        return b.toString();
    }

    /** The text without a trailing comment ({@code #} after white space, outside quotes) on each line. */
    private static String withoutComment(final String text) {
        final String[] lines = text.split("\n", -1);
        final String[] mask = masked(text).split("\n", -1);
        final StringBuilder b = new StringBuilder();
        for (int l = 0; l < lines.length; l++) {
            int end = lines[l].length();
            for (int i = 0; i < end; i++) {
                if (mask[l].charAt(i) == '#' && (i == 0 || Character.isWhitespace(mask[l].charAt(i - 1)))) {
                    end = i;
                }
            }
            b.append(lines[l], 0, end).append('\n');
        }
        return b.toString();
    }
}
