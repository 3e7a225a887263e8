package io.scalpel.index;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.io.OutputFile;
import org.apache.parquet.io.PositionOutputStream;

/**
 * A local Parquet file that digests its bytes as they are written, so that a part's size and
 * digests ({@link IndexManifest.PartFile}) come without reading the file back: SHA-256 of every
 * byte, and of the footer region from the point {@link #startFooter} marks (the end of the last
 * column chunk) to the end. The footer region (page indexes, bloom filters, footer: a small part
 * of the file) is held until the file is closed, and written with its column chunks' encodings in
 * a fixed order ({@link FooterEncodings}), so that the bytes do not depend on the JVM.
 */
final class DigestingOutputFile implements OutputFile {
    /** Parquet's magic number at the start of a file: where the first column chunk starts. */
    private static final int MAGIC_LENGTH = 4;

    private final LocalOutputFile file;
    private final MessageDigest whole = Digests.sha256();
    private final MessageDigest footer = Digests.sha256();
    private long footerOffset = -1;
    private Stream stream;

    DigestingOutputFile(final Path path) {
        this.file = new LocalOutputFile(path);
    }

    @Override
    public PositionOutputStream create(final long blockSizeHint) throws IOException {
        stream = new Stream(file.create(blockSizeHint));
        return stream;
    }

    @Override
    public PositionOutputStream createOrOverwrite(final long blockSizeHint) throws IOException {
        stream = new Stream(file.createOrOverwrite(blockSizeHint));
        return stream;
    }

    @Override
    public boolean supportsBlockSize() {
        return file.supportsBlockSize();
    }

    @Override
    public long defaultBlockSize() {
        return file.defaultBlockSize();
    }

    @Override
    public String getPath() {
        return file.getPath();
    }

    /**
     * Marks where the footer region starts: what is written from now on is held until the file is
     * closed, and digested as the footer too.
     */
    void startFooter() throws IOException {
        footerOffset = Math.max(MAGIC_LENGTH, stream.getPos());
        stream.footerRegion = new ByteArrayOutputStream();
    }

    /** The file's size and digests, once it is written and closed. */
    IndexManifest.PartFile describe() throws IOException {
        if (footerOffset < 0 || stream == null) {
            throw new IllegalStateException(file.getPath() + ": described before its footer was written");
        }
        return new IndexManifest.PartFile(stream.getPos(), footerOffset, HexFormat.of().formatHex(footer.digest()),
            HexFormat.of().formatHex(whole.digest()));
    }

    private final class Stream extends PositionOutputStream {
        private final PositionOutputStream out;
        /** The footer region written so far, once it has started; null before, and once written out. */
        private ByteArrayOutputStream footerRegion;

        Stream(final PositionOutputStream out) {
            this.out = out;
        }

        @Override
        public long getPos() throws IOException {
            return out.getPos() + (footerRegion != null ? footerRegion.size() : 0);
        }

        @Override
        public void write(final int b) throws IOException {
            if (footerRegion != null) {
                footerRegion.write(b);
            } else {
                out.write(b);
                whole.update((byte) b);
            }
        }

        @Override
        public void write(final byte[] b, final int off, final int len) throws IOException {
            if (footerRegion != null) {
                footerRegion.write(b, off, len);
            } else {
                out.write(b, off, len);
                whole.update(b, off, len);
            }
        }

        @Override
        public void flush() throws IOException {
            out.flush();
        }

        /** Writes the footer region, its encodings ordered, then closes the file. */
        @Override
        public void close() throws IOException {
            if (footerRegion != null) {
                final byte[] region = FooterEncodings.ordered(footerRegion.toByteArray());
                footerRegion = null;
                out.write(region);
                whole.update(region);
                footer.update(region);
            }
            out.close();
        }
    }
}
