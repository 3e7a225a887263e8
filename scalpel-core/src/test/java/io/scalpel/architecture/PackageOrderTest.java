package io.scalpel.architecture;

import static com.tngtech.archunit.library.Architectures.layeredArchitecture;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The data flows one way (docs/design.md, "One-way data flow"): each package of scalpel-core uses
 * only the packages to its left, capture → decode → index → zeek → extract → slice → api. The decoder's
 * tunnels ({@code decode.tunnel}) are part of the decode stage. Read from the compiled classes, so
 * fully qualified names count as much as imports.
 */
class PackageOrderTest {
    private static final JavaClasses CORE = new ClassFileImporter()
        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages("io.scalpel");

    @Test
    void shouldUseOnlyThePackagesToTheLeftOfEachPackage() {
        layeredArchitecture().consideringOnlyDependenciesInLayers()
            .layer("capture").definedBy("io.scalpel.capture..")
            .layer("decode").definedBy("io.scalpel.decode..")
            .layer("index").definedBy("io.scalpel.index..")
            .layer("zeek").definedBy("io.scalpel.zeek..")
            .layer("extract").definedBy("io.scalpel.extract..")
            .layer("slice").definedBy("io.scalpel.slice..")
            .layer("api").definedBy("io.scalpel.api..")
            .whereLayer("api").mayNotBeAccessedByAnyLayer()
            .whereLayer("slice").mayOnlyBeAccessedByLayers("api")
            .whereLayer("extract").mayOnlyBeAccessedByLayers("slice", "api")
            .whereLayer("zeek").mayOnlyBeAccessedByLayers("extract", "slice", "api")
            .whereLayer("index").mayOnlyBeAccessedByLayers("zeek", "extract", "slice", "api")
            .whereLayer("decode").mayOnlyBeAccessedByLayers("index", "zeek", "extract", "slice", "api")
            .whereLayer("capture").mayOnlyBeAccessedByLayers("decode", "index", "zeek", "extract", "slice", "api")
            .check(CORE);
    }
}
