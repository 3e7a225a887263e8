package io.scalpel.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.source.tree.ClassTree;
import com.sun.source.tree.CompilationUnitTree;
import com.sun.source.tree.Tree;
import com.sun.source.util.JavacTask;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.lang.model.element.Modifier;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * docs/design.md's package table ("The packages and their types") is current: every public
 * top-level type of the main sources of scalpel-core, scalpel-cli, scalpel-serve and scalpel-follow has a row under its
 * package, and every row names a top-level type (public or not) of the package it is listed
 * under. The types are read from the source trees by javac's parser, not from the page.
 */
class DesignPackageTableTest {
    private static final String SECTION = "## The packages and their types";
    private static final Pattern PACKAGE_HEADING = Pattern.compile("^### `([\\w.]+)`\\s*$");
    private static final Pattern TYPE_ROW = Pattern.compile("^\\| `(\\w+)` \\|");
    private static final List<String> MODULES = List.of("scalpel-core", "scalpel-cli", "scalpel-serve", "scalpel-follow");

    /** Every top-level type of the main sources, by package, and whether it is public. */
    private static Map<String, Map<String, Boolean>> types;
    private static String design;

    @BeforeAll
    static void readSourcesAndPage() throws IOException {
        final String testdata = System.getProperty("scalpel.testdata.dir");
        assertNotNull(testdata, "scalpel.testdata.dir must be set (by surefire)");
        final Path root = Path.of(testdata).toAbsolutePath().normalize().getParent();
        types = topLevelTypes(root);
        design = Files.readString(root.resolve("docs/design.md"), StandardCharsets.UTF_8);
    }

    @Test
    void shouldListEveryPublicTypeAndNoTypeThatIsGone() {
        assertTrue(types.getOrDefault("io.scalpel.api", Map.of()).containsKey("Scalpel")
                && types.getOrDefault("io.scalpel.cli", Map.of()).containsKey("SliceCommand"),
            "the source trees were read: " + types.keySet());
        final List<String> problems = problems(design, types);
        assertTrue(problems.isEmpty(), "docs/design.md, \"" + SECTION.substring(3) + "\":\n" + String.join("\n", problems));
    }

    @Test
    void shouldNameAPublicTypeWithoutItsRow() {
        final String withoutRow = design.replaceFirst("(?m)^\\| `Slices` \\|.*\\n", "");
        assertEquals(List.of("io.scalpel.api.Slices: a public type without a row"), problems(withoutRow, types));
    }

    @Test
    void shouldNameARowOfATypeThatIsGone() {
        final String withStaleRow = design.replaceFirst("(?m)^(\\| `Slices` \\|.*\\n)", "$1| `SliceService` | gone |\n");
        assertEquals(List.of("io.scalpel.api: row `SliceService` names no type of the package (a stale row)"),
            problems(withStaleRow, types));
    }

    @Test
    void shouldNameARowUnderAnotherPackage() {
        final String moved = design.replaceFirst("(?m)^(\\| `Slices` \\|.*\\n)", "")
            .replaceFirst("(?m)^(\\| `ExitCode` \\|.*\\n)", "$1| `Slices` | moved |\n");
        assertEquals(List.of("io.scalpel.api.Slices: a public type without a row",
                "io.scalpel.cli: row `Slices` names no type of the package (a stale row)"),
            problems(moved, types));
    }

    /** What is wrong with the page's table, given the types of the sources; empty when it is current. */
    static List<String> problems(final String markdown, final Map<String, Map<String, Boolean>> sourceTypes) {
        final Map<String, Set<String>> rows = rows(markdown);
        final List<String> problems = new ArrayList<>();
        sourceTypes.forEach((pkg, byName) -> byName.forEach((name, isPublic) -> {
            if (isPublic && !rows.getOrDefault(pkg, Set.of()).contains(name)) {
                problems.add(pkg + "." + name + ": a public type without a row");
            }
        }));
        rows.forEach((pkg, names) -> {
            for (String name : names) {
                if (!sourceTypes.getOrDefault(pkg, Map.of()).containsKey(name)) {
                    problems.add(pkg + ": row `" + name + "` names no type of the package (a stale row)");
                }
            }
        });
        return problems;
    }

    /** The rows of the section, by the package heading they are under. */
    private static Map<String, Set<String>> rows(final String markdown) {
        final int start = markdown.indexOf("\n" + SECTION + "\n");
        assertTrue(start >= 0, "docs/design.md has a section \"" + SECTION + "\"");
        final int next = markdown.indexOf("\n## ", start + 1);
        final String section = markdown.substring(start, next < 0 ? markdown.length() : next);
        final Map<String, Set<String>> rows = new TreeMap<>();
        String pkg = null;
        for (String line : section.split("\n")) {
            final Matcher heading = PACKAGE_HEADING.matcher(line);
            if (heading.matches()) {
                pkg = heading.group(1);
                rows.putIfAbsent(pkg, new TreeSet<>());
                continue;
            }
            final Matcher row = TYPE_ROW.matcher(line);
            if (row.find()) {
                assertNotNull(pkg, "row `" + row.group(1) + "` comes before any package heading");
                rows.get(pkg).add(row.group(1));
            }
        }
        return rows;
    }

    /** The top-level types of every main source file of the modules, parsed (not compiled) by javac. */
    private static Map<String, Map<String, Boolean>> topLevelTypes(final Path root) throws IOException {
        final List<Path> sources = new ArrayList<>();
        for (String module : MODULES) {
            try (Stream<Path> files = Files.walk(root.resolve(module).resolve("src/main/java"))) {
                files.filter(p -> p.toString().endsWith(".java")).forEach(sources::add);
            }
        }
        final JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        final Map<String, Map<String, Boolean>> found = new TreeMap<>();
        try (StandardJavaFileManager files = javac.getStandardFileManager(null, null, StandardCharsets.UTF_8)) {
            final Iterable<? extends JavaFileObject> units = files.getJavaFileObjectsFromPaths(sources);
            final JavacTask task = (JavacTask) javac.getTask(null, files, null, List.of("-proc:none"), null, units);
            for (CompilationUnitTree unit : task.parse()) {
                final String pkg = unit.getPackageName() == null ? "" : unit.getPackageName().toString();
                for (Tree decl : unit.getTypeDecls()) {
                    if (decl instanceof ClassTree c) {
                        found.computeIfAbsent(pkg, p -> new TreeMap<>())
                            .put(c.getSimpleName().toString(), c.getModifiers().getFlags().contains(Modifier.PUBLIC));
                    }
                }
            }
        }
        return found;
    }
}
