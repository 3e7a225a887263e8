package io.scalpel.index;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * An index's part files read where its {@link LookupFile} says: the lookup file read and checked on
 * first use, the part files opened on first use and kept open until {@link #close} (a warm lookup
 * opens nothing), each read a positional read: a bloom filter's block ({@link #mightContain}), a
 * page's body checked against its CRC ({@link #page}). Thread-safe.
 */
final class LookupParts implements Closeable {
    private final Path directory;
    private final IndexManifest manifest;
    private final String advice;
    private volatile LookupFile file;
    /**
     * The lookup file, opened with the index and read on first use: an extension of the index
     * meanwhile writes a new lookup file under the same name (the parts it keeps are the same
     * files), and this index must read its own. Null when it could not be opened (the first use
     * reports why).
     */
    private FileChannel unread;
    private final Map<Path, FileChannel> channels = new HashMap<>();

    LookupParts(final Path directory, final IndexManifest manifest, final String advice) {
        this.directory = directory;
        this.manifest = manifest;
        this.advice = advice;
        try {
            this.unread = FileChannel.open(directory.resolve(IndexSchema.LOOKUP_FILE), StandardOpenOption.READ);
        } catch (IOException e) {
            this.unread = null; // missing or unreadable: LookupFile.read says so on first use
        }
    }

    String advice() {
        return advice;
    }

    /** The lookup file, read and checked on first use ({@link LookupFile#read}). */
    LookupFile file() throws IndexException {
        LookupFile f = file;
        if (f == null) {
            synchronized (this) {
                f = file;
                if (f == null) {
                    f = unread != null ? LookupFile.read(directory, unread, manifest, advice) : LookupFile.read(directory, manifest, advice);
                    file = f;
                    closeUnread();
                }
            }
        }
        return f;
    }

    /** Whether the flows row group {@code group} of {@code table} may hold {@code hash} ({@link FlowHashBloom#hash}); true without a filter. */
    boolean mightContain(final LookupFile.Table table, final LookupFile.RowGroup group, final long hash) throws IndexException {
        if (group.bloomOffset() == 0) {
            return true;
        }
        final long at = group.bloomOffset() + (long) FlowHashBloom.block(hash, group.bloomBytes()) * FlowHashBloom.BLOCK_BYTES;
        final byte[] block = read(table.file(), at, FlowHashBloom.BLOCK_BYTES);
        return FlowHashBloom.mightContain(block, 0, hash);
    }

    /**
     * The body of page {@code p} of {@code column} (dictionary page when {@code p} is -1), checked
     * against its CRC: the definition levels, then the values, as the file holds them. {@code name}
     * and {@code group} name the column for a refusal.
     */
    byte[] page(final LookupFile.Table table, final LookupFile.Column column, final int p, final String name, final int group)
        throws IndexException {
        final long offset = p < 0 ? column.dictOffset() : column.offset()[p];
        final int size = p < 0 ? column.dictSize() : column.size()[p];
        final int expected = p < 0 ? column.dictCrc() : column.crc()[p];
        final byte[] body = read(table.file(), offset, size);
        final CRC32 crc = new CRC32();
        crc.update(body, 0, body.length);
        if ((int) crc.getValue() != expected) {
            throw damaged(table, offset, where(p, name, group), "page CRC mismatch");
        }
        return body;
    }

    /** Page {@code p} (-1: the dictionary page) of column {@code name} in row group {@code group}, for refusals. */
    static String where(final int p, final String name, final int group) {
        return (p < 0 ? "dictionary page" : "page " + p) + " of column " + name + " in row group " + group;
    }

    /** The refusal of a page of {@code table} at {@code offset} that cannot be read as its lookup file says. */
    IndexException damaged(final LookupFile.Table table, final long offset, final String where, final String what) {
        return new IndexException(IndexException.Kind.CORRUPT, table.file() + ": byte offset " + offset + ": " + where + ": " + what, advice);
    }

    private byte[] read(final Path part, final long at, final int length) throws IndexException {
        final ByteBuffer b = ByteBuffer.allocate(length);
        try {
            final FileChannel ch = channel(part);
            while (b.hasRemaining()) {
                if (ch.read(b, at + b.position()) < 0) {
                    throw new IndexException(IndexException.Kind.CORRUPT, part + ": byte offset " + (at + b.position())
                        + ": the file ends before the " + length + " bytes the lookup file gives at byte " + at, advice);
                }
            }
        } catch (IndexException e) {
            throw e;
        } catch (IOException e) {
            throw new IndexException(IndexException.Kind.CORRUPT, part + ": unreadable (" + IndexException.oneLine(e) + ")", advice, e);
        }
        return b.array();
    }

    private synchronized FileChannel channel(final Path part) throws IOException {
        FileChannel ch = channels.get(part);
        if (ch == null) {
            try {
                ch = FileChannel.open(part, StandardOpenOption.READ);
            } catch (java.nio.file.NoSuchFileException e) {
                throw new IndexException(IndexException.Kind.CORRUPT, part + " is missing", advice, e);
            }
            channels.put(part, ch);
        }
        return ch;
    }

    private void closeUnread() {
        if (unread != null) {
            try {
                unread.close();
            } catch (IOException e) {
                // a file only read: nothing to lose
            }
            unread = null;
        }
    }

    @Override
    public synchronized void close() throws IOException {
        closeUnread();
        for (FileChannel ch : channels.values()) {
            ch.close();
        }
        channels.clear();
    }
}
