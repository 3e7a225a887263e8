package io.scalpel.cli;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Enumeration;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Opcodes;

/**
 * A build step, run on the shaded {@code scalpel.jar} at {@code package} (scalpel-cli's pom):
 * rewrites its class files older than Java 6's (version 50: picocli's and slf4j's are Java 5's) as
 * version 50 with the stack map frames ASM computes, and leaves every other byte as it is. A JVM
 * then checks them with the type-checking verifier instead of inferring their types, and a
 * class-data archive or AOT cache can hold them (neither stores a class older than version 50, nor
 * one whose verification fell back to inference): the launcher's archive then covers the whole of a
 * slice's classes. The code of the methods is unchanged; version 50 differs from 49 only in
 * allowing the frames. It also rewrites parquet-java's {@code ParquetMetadata} so that its
 * Jackson mapper is made on first use, not when an index's footer is read
 * ({@link ParquetJsonDeferral}).
 *
 * <p>Not part of the product: it lives with the tests because its one dependency, ASM, is a test
 * dependency ({@code ClassFileUpgradeTest} checks it).
 */
public final class ClassFileUpgrade {
    /** The oldest class-file version archives store, and the first with stack map frames (Java 6). */
    static final int JAVA_6 = Opcodes.V1_6;

    /** Whether the last {@link #upgrade} rewrote {@link ParquetJsonDeferral#CLASS_FILE}. */
    private static boolean deferred;

    private ClassFileUpgrade() {
    }

    /** {@code ClassFileUpgrade JAR}: rewrites JAR in place; prints how many class files it rewrote. */
    public static void main(final String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: ClassFileUpgrade JAR");
            System.exit(2);
        }
        final int n = upgrade(Path.of(args[0]));
        System.out.println("ClassFileUpgrade: " + n + " class files of " + args[0] + " rewritten as version " + JAVA_6);
        if (!deferred) {
            System.out.println("ClassFileUpgrade: WARNING: " + ParquetJsonDeferral.CLASS_FILE
                + " not rewritten (not there, or not the static initialiser expected): a slice initialises Jackson");
        }
    }

    /**
     * Rewrites {@code jar}'s class files older than version 50 in place (through a temporary file),
     * and {@link ParquetJsonDeferral#CLASS_FILE} when it is there; returns how many of the former.
     */
    static int upgrade(final Path jar) throws IOException {
        final Path tmp = jar.resolveSibling(jar.getFileName() + ".upgrading");
        int n = 0;
        deferred = false;
        try (ZipFile in = new ZipFile(jar.toFile());
             URLClassLoader classes = new URLClassLoader(new URL[] {jar.toUri().toURL()}, ClassLoader.getPlatformClassLoader());
             ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(tmp))) {
            final Enumeration<? extends ZipEntry> entries = in.entries();
            while (entries.hasMoreElements()) {
                final ZipEntry e = entries.nextElement();
                byte[] bytes;
                try (InputStream s = in.getInputStream(e)) {
                    bytes = s.readAllBytes();
                }
                if (e.getName().endsWith(".class") && version(bytes) < JAVA_6 && version(bytes) > 0) {
                    bytes = upgraded(bytes, classes);
                    n++;
                }
                if (e.getName().equals(ParquetJsonDeferral.CLASS_FILE)) {
                    final byte[] lazy = ParquetJsonDeferral.rewrite(bytes);
                    if (lazy != null) {
                        bytes = lazy;
                        deferred = true;
                    }
                }
                final ZipEntry copy = new ZipEntry(e.getName());
                copy.setTime(e.getTime()); // the same bytes from the same build
                out.putNextEntry(copy);
                out.write(bytes);
                out.closeEntry();
            }
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        Files.move(tmp, jar, StandardCopyOption.REPLACE_EXISTING);
        return n;
    }

    /** A class file's major version; 0 when the bytes are not a class file. */
    static int version(final byte[] classFile) {
        if (classFile.length < 8 || (classFile[0] & 0xFF) != 0xCA || (classFile[1] & 0xFF) != 0xFE
            || (classFile[2] & 0xFF) != 0xBA || (classFile[3] & 0xFF) != 0xBE) {
            return 0;
        }
        return (classFile[6] & 0xFF) << 8 | classFile[7] & 0xFF;
    }

    /** {@code classFile} as version 50 with frames; {@code classes} finds the classes whose common superclass a frame needs. */
    static byte[] upgraded(final byte[] classFile, final ClassLoader classes) {
        final ClassWriter w = new ClassWriter(ClassWriter.COMPUTE_FRAMES) {
            @Override
            protected ClassLoader getClassLoader() {
                return classes;
            }
        };
        new ClassReader(classFile).accept(new ClassVisitor(Opcodes.ASM9, w) {
            @Override
            public void visit(final int version, final int access, final String name, final String signature, final String superName,
                              final String[] interfaces) {
                super.visit(JAVA_6, access, name, signature, superName, interfaces);
            }
        }, ClassReader.SKIP_FRAMES);
        return w.toByteArray();
    }
}
