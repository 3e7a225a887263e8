package io.scalpel.cli;

import java.util.ArrayList;
import java.util.List;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.FieldVisitor;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * A build step of {@link ClassFileUpgrade}: parquet-java's {@code ParquetMetadata} rewritten so that
 * its Jackson {@code ObjectMapper} (used only by {@code toJSON}, {@code toPrettyJSON}, {@code fromJSON}
 * and {@code toString}) is made when one of them first asks for it, not when the class is
 * initialised. Every footer parquet-java reads is a {@code ParquetMetadata}, so a one-uid slice
 * initialised Jackson's mapper (its shaded copy in parquet-java, with the locale data its date
 * format loads) to read the index and never used it: 40 to 70 ms of a slice's wall time
 * (docs/performance.md).
 *
 * <p>The rewrite: the static initialiser no longer makes the mapper; the field is no longer final;
 * each read of the field becomes a call of a new synchronized static method that makes the mapper
 * as the initialiser did ({@code new ObjectMapper().configure(FAIL_ON_EMPTY_BEANS, false)}) the
 * first time, and returns it. A read of the field and the call both leave the mapper on the stack,
 * so the methods' stack map frames stay as they are. The class is rewritten only when its static
 * initialiser is exactly the one described, instruction for instruction; otherwise (another
 * parquet-java) it is left as it is, and {@code OneUidSliceClassesIT} then sees Jackson loaded.
 *
 * <p>Not part of the product: it runs at {@code package} with the tests' classpath, as
 * {@code ClassFileUpgrade} does ({@code ParquetJsonDeferralTest} checks it).
 */
final class ParquetJsonDeferral {
    /** The class file rewritten. */
    static final String CLASS_FILE = "org/apache/parquet/hadoop/metadata/ParquetMetadata.class";
    private static final String OWNER = "org/apache/parquet/hadoop/metadata/ParquetMetadata";
    private static final String FIELD = "objectMapper";
    private static final String MAPPER = "shaded/parquet/com/fasterxml/jackson/databind/ObjectMapper";
    private static final String MAPPER_DESC = "L" + MAPPER + ";";
    private static final String FEATURE = "shaded/parquet/com/fasterxml/jackson/databind/SerializationFeature";
    /** The method that makes the mapper on first use. */
    static final String LAZY_METHOD = "scalpelObjectMapper";
    private static final String LAZY_DESC = "()" + MAPPER_DESC;
    /** The static initialiser this rewrite expects, one entry per instruction. */
    private static final List<String> EXPECTED_INITIALISER = List.of(
        "NEW " + MAPPER, "DUP", "INVOKESPECIAL " + MAPPER + ".<init>()V",
        "GETSTATIC " + FEATURE + ".FAIL_ON_EMPTY_BEANS", "ICONST_0",
        "INVOKEVIRTUAL " + MAPPER + ".configure(L" + FEATURE + ";Z)" + MAPPER_DESC,
        "PUTSTATIC " + OWNER + "." + FIELD, "RETURN");

    private ParquetJsonDeferral() {
    }

    /** {@code classFile} (ParquetMetadata's) with the mapper made on first use, or null when its initialiser is not the one expected. */
    static byte[] rewrite(final byte[] classFile) {
        if (!EXPECTED_INITIALISER.equals(initialiser(classFile))) {
            return null;
        }
        final ClassReader reader = new ClassReader(classFile);
        final ClassWriter w = new ClassWriter(reader, ClassWriter.COMPUTE_MAXS);
        reader.accept(new ClassVisitor(Opcodes.ASM9, w) {
            @Override
            public FieldVisitor visitField(final int access, final String name, final String descriptor, final String signature,
                                           final Object value) {
                return super.visitField(FIELD.equals(name) ? access & ~Opcodes.ACC_FINAL : access, name, descriptor, signature, value);
            }

            @Override
            public MethodVisitor visitMethod(final int access, final String name, final String descriptor, final String signature,
                                             final String[] exceptions) {
                final MethodVisitor mv = super.visitMethod(access, name, descriptor, signature, exceptions);
                if ("<clinit>".equals(name)) {
                    mv.visitCode();
                    mv.visitInsn(Opcodes.RETURN);
                    mv.visitMaxs(0, 0);
                    mv.visitEnd();
                    return null; // the original code is dropped
                }
                return new MethodVisitor(Opcodes.ASM9, mv) {
                    @Override
                    public void visitFieldInsn(final int opcode, final String owner, final String field, final String desc) {
                        if (opcode == Opcodes.GETSTATIC && OWNER.equals(owner) && FIELD.equals(field)) {
                            super.visitMethodInsn(Opcodes.INVOKESTATIC, OWNER, LAZY_METHOD, LAZY_DESC, false);
                        } else {
                            super.visitFieldInsn(opcode, owner, field, desc);
                        }
                    }
                };
            }

            @Override
            public void visitEnd() {
                lazyMethod(cv);
                super.visitEnd();
            }
        }, 0);
        return w.toByteArray();
    }

    /** {@code private static synchronized ObjectMapper scalpelObjectMapper()}: the mapper, made the first time as the initialiser made it. */
    private static void lazyMethod(final ClassVisitor cv) {
        final MethodVisitor mv = cv.visitMethod(Opcodes.ACC_PRIVATE | Opcodes.ACC_STATIC | Opcodes.ACC_SYNCHRONIZED | Opcodes.ACC_SYNTHETIC,
            LAZY_METHOD, LAZY_DESC, null, null);
        mv.visitCode();
        final Label made = new Label();
        mv.visitFieldInsn(Opcodes.GETSTATIC, OWNER, FIELD, MAPPER_DESC);
        mv.visitJumpInsn(Opcodes.IFNONNULL, made);
        mv.visitTypeInsn(Opcodes.NEW, MAPPER);
        mv.visitInsn(Opcodes.DUP);
        mv.visitMethodInsn(Opcodes.INVOKESPECIAL, MAPPER, "<init>", "()V", false);
        mv.visitFieldInsn(Opcodes.GETSTATIC, FEATURE, "FAIL_ON_EMPTY_BEANS", "L" + FEATURE + ";");
        mv.visitInsn(Opcodes.ICONST_0);
        mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, MAPPER, "configure", "(L" + FEATURE + ";Z)" + MAPPER_DESC, false);
        mv.visitFieldInsn(Opcodes.PUTSTATIC, OWNER, FIELD, MAPPER_DESC);
        mv.visitLabel(made);
        mv.visitFrame(Opcodes.F_SAME, 0, null, 0, null);
        mv.visitFieldInsn(Opcodes.GETSTATIC, OWNER, FIELD, MAPPER_DESC);
        mv.visitInsn(Opcodes.ARETURN);
        mv.visitMaxs(0, 0);
        mv.visitEnd();
    }

    /** The instructions of {@code classFile}'s static initialiser, as {@link #EXPECTED_INITIALISER} lists them; empty without one. */
    static List<String> initialiser(final byte[] classFile) {
        final List<String> code = new ArrayList<>();
        new ClassReader(classFile).accept(new ClassVisitor(Opcodes.ASM9) {
            @Override
            public MethodVisitor visitMethod(final int access, final String name, final String descriptor, final String signature,
                                             final String[] exceptions) {
                if (!"<clinit>".equals(name)) {
                    return null;
                }
                return new MethodVisitor(Opcodes.ASM9) {
                    @Override
                    public void visitInsn(final int opcode) {
                        code.add(opcode == Opcodes.DUP ? "DUP" : opcode == Opcodes.ICONST_0 ? "ICONST_0"
                            : opcode == Opcodes.RETURN ? "RETURN" : "op " + opcode);
                    }

                    @Override
                    public void visitTypeInsn(final int opcode, final String type) {
                        code.add((opcode == Opcodes.NEW ? "NEW " : "type op " + opcode + " ") + type);
                    }

                    @Override
                    public void visitFieldInsn(final int opcode, final String owner, final String name, final String desc) {
                        code.add((opcode == Opcodes.GETSTATIC ? "GETSTATIC " : opcode == Opcodes.PUTSTATIC ? "PUTSTATIC " : "field op "
                            + opcode + " ") + owner + "." + name);
                    }

                    @Override
                    public void visitMethodInsn(final int opcode, final String owner, final String name, final String desc,
                                                final boolean itf) {
                        code.add((opcode == Opcodes.INVOKESPECIAL ? "INVOKESPECIAL " : opcode == Opcodes.INVOKEVIRTUAL ? "INVOKEVIRTUAL "
                            : "invoke op " + opcode + " ") + owner + "." + name + desc);
                    }

                    @Override
                    public void visitVarInsn(final int opcode, final int var) {
                        code.add("var op " + opcode);
                    }

                    @Override
                    public void visitJumpInsn(final int opcode, final Label label) {
                        code.add("jump op " + opcode);
                    }

                    @Override
                    public void visitLdcInsn(final Object value) {
                        code.add("LDC " + value);
                    }

                    @Override
                    public void visitIntInsn(final int opcode, final int operand) {
                        code.add("int op " + opcode);
                    }

                    @Override
                    public void visitInvokeDynamicInsn(final String name, final String desc, final org.objectweb.asm.Handle bsm,
                                                       final Object... args) {
                        code.add("INVOKEDYNAMIC " + name);
                    }
                };
            }
        }, ClassReader.SKIP_DEBUG | ClassReader.SKIP_FRAMES);
        return code;
    }
}
