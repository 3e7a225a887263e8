package io.scalpel.cli;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The command line speaks only the API: scalpel-cli's classes use no package of scalpel-core but
 * {@code io.scalpel.api} (docs/design.md). What an embedder would need lives in the API, not in a
 * command. Read from the compiled classes, so fully qualified names count as much as imports.
 */
class CliUsesTheApiOnlyTest {
    @Test
    void shouldUseNoCorePackageButTheApi() {
        final JavaClasses cli = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.scalpel.cli");
        noClasses().that().resideInAPackage("io.scalpel.cli..")
            .should().dependOnClassesThat().resideInAnyPackage("io.scalpel.capture..", "io.scalpel.decode..", "io.scalpel.index..",
                "io.scalpel.zeek..", "io.scalpel.slice..", "io.scalpel.extract..")
            .check(cli);
    }
}
