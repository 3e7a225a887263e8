package io.scalpel.extract;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashMap;
import java.util.Map;

/**
 * The files one run reads and the files it writes, so that no output is an input of the same run
 * (the capture, a member of a capture set, an index, a log) or another of its outputs. Checked
 * before anything is written; a conflict is an {@link OutputConflictException} naming both files.
 *
 * <p>Files are compared as the file system resolves them, not as they are spelled: each path is
 * located twice, by its <em>name</em> (the real path of its directory, with every symbolic link
 * and {@code ..} resolved, plus its last name: where the file is or would be created, a final
 * symbolic link not followed) and by its <em>target</em> (the real path with every link
 * followed), and an existing file also by its file key (device and inode), which finds hard
 * links. An output conflicts with an input when any of its two locations is one of the input's,
 * when both are hard links of one file, or when it lies in an input directory (an index, a capture
 * set directory). An output that is a device or a named pipe (written in place, see
 * {@link AtomicOutput}) is a stream, not a file, and is not compared.
 *
 * <p>Adding inputs and outputs is for one thread; once they are added, {@link #check} may be
 * called from several.
 */
public final class RunFiles {
    /** A file located (see the class comment); {@code target} and {@code key} are null when nothing is there. */
    private record Place(String label, Path given, Path name, Path target, Object key, boolean stream) {
    }

    /** Inputs and outputs by each of their locations. */
    private final Map<Path, Place> inputs = new HashMap<>();
    private final Map<Object, Place> inputKeys = new HashMap<>();
    private final Map<Path, Place> inputDirectories = new HashMap<>();
    private final Map<Path, Place> outputs = new HashMap<>();
    private final Map<Object, Place> outputKeys = new HashMap<>();

    /** Adds a file the run reads; {@code what} names it in a refusal, e.g. "the capture". */
    public RunFiles input(final Path file, final String what) {
        final Place p = locate(file, what);
        inputs.putIfAbsent(p.name, p);
        if (p.target != null) {
            inputs.putIfAbsent(p.target, p);
        }
        if (p.key != null) {
            inputKeys.putIfAbsent(p.key, p);
        }
        return this;
    }

    /**
     * Adds a directory the run reads (or owns, as an index), existing or not yet: no output may
     * be written in it or replace it.
     */
    public RunFiles inputDirectory(final Path directory, final String what) {
        final Place p = locate(directory, what);
        inputDirectories.putIfAbsent(p.name, p);
        if (p.target != null) {
            inputDirectories.putIfAbsent(p.target, p);
        }
        return this;
    }

    /**
     * As {@link #inputDirectory(Path, String)}, and each regular file the directory lists
     * (symbolic links followed, as a capture set's members are) is also an input, named
     * {@code member} (e.g. "the capture set member"): a member may live elsewhere, behind a link.
     */
    public RunFiles inputDirectory(final Path directory, final String what, final String member) throws IOException {
        inputDirectory(directory, what);
        if (Files.isDirectory(directory)) {
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(directory)) {
                for (Path f : ds) {
                    if (Files.isRegularFile(f)) {
                        input(f, member);
                    }
                }
            }
        }
        return this;
    }

    /**
     * Checks an output file and adds it to the outputs: it must be no input, lie in no input
     * directory, and be no other output.
     *
     * @param label how the output is named in a refusal, e.g. "-w" or "--arrow"
     * @throws OutputConflictException naming the output and what it would be
     */
    public void output(final Path target, final String label) {
        final Place p = examine(target, label);
        if (p.stream) {
            return;
        }
        outputs.putIfAbsent(p.name, p);
        if (p.target != null) {
            outputs.putIfAbsent(p.target, p);
        }
        if (p.key != null) {
            outputKeys.putIfAbsent(p.key, p);
        }
    }

    /**
     * Checks an output without adding it to the outputs: for the many files of one directory
     * (one per uid), whose distinct names cannot meet each other, so none needs remembering (two
     * of them that are links to one file are each replaced as a name).
     *
     * @throws OutputConflictException naming the output and what it would be
     */
    public void check(final Path target, final String label) {
        examine(target, label);
    }

    private Place examine(final Path target, final String label) {
        final Place out = locate(target, label);
        if (out.stream) {
            return out;
        }
        final Path[] at = locations(out);
        for (int i = 0; i < at.length; i++) {
            final String is = i == 0 ? "is " : "is a symbolic link to ";
            final Place in = inputs.get(at[i]);
            if (in != null) {
                throw conflict(out, is + in.label + " " + in.given + "; an output must not be an input of the same run");
            }
            final Place other = outputs.get(at[i]);
            if (other != null) {
                throw conflict(out, (i == 0 ? "is also " : is) + other.label + " " + other.given
                    + "; the outputs of one run must be different files");
            }
        }
        if (out.key != null) {
            final Place in = inputKeys.get(out.key);
            if (in != null) {
                throw conflict(out, "is a hard link to " + in.label + " " + in.given + "; an output must not be an input of the same run");
            }
            final Place other = outputKeys.get(out.key);
            if (other != null) {
                throw conflict(out, "is a hard link to " + other.label + " " + other.given
                    + "; the outputs of one run must be different files");
            }
        }
        for (Path location : at) {
            for (Path dir = location; dir != null; dir = dir.getParent()) {
                final Place in = inputDirectories.get(dir);
                if (in != null) {
                    throw conflict(out, (dir.equals(location) ? "is " : "is inside ") + in.label + " " + in.given
                        + "; an output must not be written into an input of the same run");
                }
            }
        }
        return out;
    }

    private static Path[] locations(final Place p) {
        return p.target == null || p.target.equals(p.name) ? new Path[] {p.name} : new Path[] {p.name, p.target};
    }

    private static OutputConflictException conflict(final Place out, final String what) {
        return new OutputConflictException(out.label + " " + out.given + " " + what);
    }

    /** Where {@code given} is: see the class comment. */
    private static Place locate(final Path given, final String label) {
        final Path abs = given.toAbsolutePath();
        final Path fileName = abs.getFileName();
        final Path parent = abs.getParent();
        final String last = fileName == null ? "" : fileName.toString();
        final Path name = parent == null || last.equals(".") || last.equals("..")
            ? resolved(abs) : resolved(parent).resolve(fileName);
        Path target = null;
        Object key = null;
        boolean stream = false;
        try {
            target = abs.toRealPath();
            final BasicFileAttributes a = Files.readAttributes(target, BasicFileAttributes.class);
            key = a.fileKey();
            stream = a.isOther();
        } catch (IOException e) {
            // nothing there (yet), or a dangling link: located by name only
        }
        return new Place(label, given, name, target, key, stream);
    }

    /**
     * The real path of {@code path}'s longest existing ancestor, followed by the rest of its names:
     * where a file or directory not yet created would be.
     */
    private static Path resolved(final Path path) {
        Path existing = path;
        while (existing != null && !Files.exists(existing, LinkOption.NOFOLLOW_LINKS)) {
            existing = existing.getParent();
        }
        if (existing == null) {
            return path.normalize();
        }
        try {
            return existing.toRealPath().resolve(existing.relativize(path)).normalize();
        } catch (IOException e) {
            return path.normalize();
        }
    }
}
