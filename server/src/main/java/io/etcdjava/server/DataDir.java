package io.etcdjava.server;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/** etcd's data directory checks (identifyDataDir, fileutil.TouchDirAll), with Go's error texts. */
final class DataDir {
    private DataDir() {
    }

    static final Set<PosixFilePermission> PRIVATE_DIR = PosixFilePermissions.fromString("rwx------");

    /** What a data dir holds: nothing yet, a member, or a v2 proxy's state. */
    enum Type { EMPTY, MEMBER, PROXY }

    /** A data dir's entries etcd does not know; filled by {@link #identify}. */
    record Identity(Type type, List<String> strayEntries) {
    }

    /** Thrown with Go's wording of an I/O failure, e.g. "readdirent x: not a directory". */
    static final class DirException extends Exception {
        private static final long serialVersionUID = 1L;

        DirException(String message) {
            super(message, null, false, false);
        }
    }

    static Identity identify(Path dir) throws DirException {
        if (!Files.exists(dir)) {
            return new Identity(Type.EMPTY, List.of());
        }
        if (!Files.isDirectory(dir)) {
            throw new DirException("readdirent " + dir + ": not a directory");
        }
        boolean member = false;
        boolean proxy = false;
        List<String> stray = new ArrayList<>();
        try (Stream<Path> entries = Files.list(dir)) {
            for (Path p : (Iterable<Path>) entries.sorted()::iterator) {
                String name = p.getFileName().toString();
                switch (name) {
                    case "member" -> member = true;
                    case "proxy" -> proxy = true;
                    default -> stray.add(name);
                }
            }
        } catch (IOException e) {
            throw new DirException(goError("open", dir, e));
        }
        if (member && proxy) {
            throw new DirException("invalid datadir; both member and proxy directories exist");
        }
        return new Identity(member ? Type.MEMBER : proxy ? Type.PROXY : Type.EMPTY, List.copyOf(stray));
    }

    /**
     * fileutil.TouchDirAll: create with 0700 if missing, then prove it writable.
     *
     * @return a permission warning for an existing directory that is not 0700, or null
     */
    static String touchDirAll(Path dir) throws DirException {
        String warning = null;
        if (Files.exists(dir)) {
            if (!Files.isDirectory(dir)) {
                throw new DirException("mkdir " + dir + ": not a directory");
            }
            try {
                Set<PosixFilePermission> perms = Files.getPosixFilePermissions(dir);
                if (!perms.equals(PRIVATE_DIR)) {
                    warning = "directory \"" + dir + "\" exist, but the permission is \"d"
                            + PosixFilePermissions.toString(perms) + "\". The recommended permission is "
                            + "\"-rwx------\" to prevent possible unprivileged access to the data.";
                }
            } catch (IOException | UnsupportedOperationException e) {
                // not a POSIX file system: nothing to recommend
            }
        } else {
            try {
                createPrivate(dir);
            } catch (IOException e) {
                throw new DirException(goError("mkdir", dir, e));
            }
        }
        Path touch = dir.resolve(".touch");
        try {
            Files.write(touch, new byte[0]);
            Files.delete(touch);
        } catch (IOException e) {
            throw new DirException(goError("open", touch, e));
        }
        return warning;
    }

    private static void createPrivate(Path dir) throws IOException {
        Path parent = dir.toAbsolutePath().getParent();
        if (parent != null && !Files.isDirectory(parent)) {
            createPrivate(parent);
        }
        try {
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PRIVATE_DIR));
        } catch (UnsupportedOperationException e) {
            Files.createDirectory(dir);
        } catch (FileAlreadyExistsException e) {
            if (!Files.isDirectory(dir)) {
                throw new NotDirectoryException(dir.toString());
            }
        }
        try {
            Files.setPosixFilePermissions(dir, PRIVATE_DIR); // umask may have narrowed the mode
        } catch (UnsupportedOperationException e) {
            // not POSIX
        }
    }

    /** Whether a WAL was written before ("member-initialized"). */
    static boolean hasWal(Path walDir) {
        if (!Files.isDirectory(walDir)) {
            return false;
        }
        try (Stream<Path> s = Files.list(walDir)) {
            return s.anyMatch(p -> p.getFileName().toString().endsWith(".wal"));
        } catch (IOException e) {
            return false;
        }
    }

    private static String goError(String op, Path path, IOException e) {
        String why;
        if (e instanceof AccessDeniedException) {
            why = "permission denied";
        } else if (e instanceof NoSuchFileException) {
            why = "no such file or directory";
        } else if (e instanceof NotDirectoryException || e instanceof FileAlreadyExistsException) {
            why = "not a directory";
        } else {
            why = e.getMessage();
        }
        return op + " " + path + ": " + why;
    }
}
