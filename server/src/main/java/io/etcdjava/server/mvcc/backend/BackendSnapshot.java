package io.etcdjava.server.mvcc.backend;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;

/**
 * A whole database received from the leader, and how it replaces the member's own.
 *
 * <p>Received databases live in the snap directory as {@code <index as 16 hex digits>.snap.db}
 * directories (etcd names its received bolt file the same way), complete and fsynced before they
 * get that name. Installing one swaps directories under a marker file so that a crash at any
 * instant leaves either the old database or the new one: {@link #recover} finishes an install the
 * marker says was started, before the database is opened.
 */
public final class BackendSnapshot {
    /** Suffix of a received database directory in the snap dir. */
    public static final String SUFFIX = ".snap.db";
    /** Infix of a database still being received; such directories are garbage after a restart. */
    static final String PARTIAL = ".partial-";
    /** Prefix of the leader's temporary checkpoints being sent; garbage after a restart. */
    public static final String SEND_SCRATCH_PREFIX = "tmp-send-";
    /**
     * Names this process's partial receives and send checkpoints, so that a purge (run by every
     * install, while another snapshot may be streaming in) deletes only those a crash or restart
     * left behind, never one in flight.
     */
    private static final String RUN = "p" + ProcessHandle.current().pid() + "-"
            + java.lang.management.ManagementFactory.getRuntimeMXBean().getStartTime() + "-";

    /** Called after each step of an install; tests throw from it to simulate a crash there. */
    @FunctionalInterface
    public interface StepHook {
        void after(Step step) throws IOException;
    }

    /** The steps of an install, in order. */
    public enum Step { MARKER_WRITTEN, OLD_MOVED_ASIDE, NEW_MOVED_IN, OLD_DELETED, MARKER_DELETED }

    private BackendSnapshot() {
    }

    /** Where the database received for raft snapshot {@code index} is kept until installed. */
    public static Path receivedPath(Path snapDir, long index) {
        return snapDir.resolve(String.format(Locale.ROOT, "%016x", index) + SUFFIX);
    }

    /** A fresh directory name for a database being received for {@code index}. */
    public static Path partialPath(Path snapDir, long index) {
        return snapDir.resolve(String.format(Locale.ROOT, "%016x", index) + SUFFIX + PARTIAL + RUN + System.nanoTime());
    }

    /** A fresh name for a checkpoint being sent to {@code peer}; its sender deletes it when done. */
    public static String sendScratchName(String peer) {
        return SEND_SCRATCH_PREFIX + RUN + peer + "-" + System.nanoTime();
    }

    /** The raft index a received database's name stands for, if {@code p} is one. */
    public static OptionalLong indexOf(Path p) {
        String n = p.getFileName().toString();
        if (!n.endsWith(SUFFIX) || n.length() != 16 + SUFFIX.length()) {
            return OptionalLong.empty();
        }
        try {
            return OptionalLong.of(Long.parseUnsignedLong(n.substring(0, 16), 16));
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    static Path markerOf(Path dbDir) {
        return dbDir.resolveSibling(dbDir.getFileName() + ".install");
    }

    static Path asideOf(Path dbDir) {
        return dbDir.resolveSibling(dbDir.getFileName() + ".old");
    }

    /**
     * Replaces {@code dbDir} by {@code received} (both closed): marker naming the new database,
     * old directory moved aside, new one moved in, old one deleted, marker deleted; each step made
     * durable before the next.
     */
    public static void install(Path dbDir, Path received, StepHook hook) throws IOException {
        Path parent = dbDir.toAbsolutePath().getParent();
        Path marker = markerOf(dbDir);
        Path tmp = marker.resolveSibling(marker.getFileName() + ".tmp");
        Files.write(tmp, received.toAbsolutePath().toString().getBytes(StandardCharsets.UTF_8));
        fsyncFile(tmp);
        Files.move(tmp, marker, StandardCopyOption.ATOMIC_MOVE);
        fsyncDir(parent);
        hook.after(Step.MARKER_WRITTEN);
        finish(dbDir, received, hook);
    }

    /**
     * Completes an install interrupted by a crash, if the marker says one was started; a no-op
     * otherwise. Call before opening the database.
     */
    public static void recover(Path dbDir) throws IOException {
        Path marker = markerOf(dbDir);
        if (!Files.exists(marker)) {
            deleteTree(asideOf(dbDir));
            Files.deleteIfExists(marker.resolveSibling(marker.getFileName() + ".tmp"));
            return;
        }
        Path received = Path.of(new String(Files.readAllBytes(marker), StandardCharsets.UTF_8));
        finish(dbDir, received, step -> { });
    }

    private static void finish(Path dbDir, Path received, StepHook hook) throws IOException {
        Path parent = dbDir.toAbsolutePath().getParent();
        Path aside = asideOf(dbDir);
        if (Files.exists(received)) {
            if (Files.exists(dbDir)) {
                if (Files.exists(aside)) {
                    throw new IOException("cannot install " + received + ": both " + dbDir + " and " + aside + " exist");
                }
                Files.move(dbDir, aside, StandardCopyOption.ATOMIC_MOVE);
                fsyncDir(parent);
            }
            hook.after(Step.OLD_MOVED_ASIDE);
            Files.move(received, dbDir, StandardCopyOption.ATOMIC_MOVE);
            fsyncDir(parent);
            fsyncDir(received.toAbsolutePath().getParent());
            hook.after(Step.NEW_MOVED_IN);
        } else if (!Files.exists(dbDir)) {
            throw new IOException("cannot finish installing " + received + ": it is gone and " + dbDir + " is missing");
        }
        deleteTree(aside);
        hook.after(Step.OLD_DELETED);
        Files.deleteIfExists(markerOf(dbDir));
        fsyncDir(parent);
        hook.after(Step.MARKER_DELETED);
    }

    /**
     * Deletes received databases that are no longer needed: partial ones (a receive cut short by
     * an earlier run) and complete ones at or below {@code appliedIndex}; and checkpoints left by
     * sends an earlier run cut short. Receives and sends of this process are left to their owners.
     *
     * @return the directories deleted
     */
    public static List<Path> purge(Path snapDir, long appliedIndex) throws IOException {
        List<Path> gone = new ArrayList<>();
        if (!Files.isDirectory(snapDir)) {
            return gone;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(snapDir)) {
            for (Path p : ds) {
                String n = p.getFileName().toString();
                if (n.startsWith(SEND_SCRATCH_PREFIX + RUN) || n.contains(PARTIAL + RUN)) {
                    continue; // in flight in this process: its owner deletes it
                }
                if (n.startsWith(SEND_SCRATCH_PREFIX)) {
                    deleteTree(p);
                    gone.add(p);
                    continue;
                }
                if (!n.contains(SUFFIX)) {
                    continue;
                }
                OptionalLong idx = indexOf(p);
                if (n.contains(PARTIAL) || (idx.isPresent() && Long.compareUnsigned(idx.getAsLong(), appliedIndex) <= 0)) {
                    deleteTree(p);
                    gone.add(p);
                }
            }
        }
        return gone;
    }

    /** Fsyncs every regular file under {@code dir}, then the directory itself. */
    public static void fsyncTree(Path dir) throws IOException {
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                if (Files.isRegularFile(p)) {
                    fsyncFile(p);
                }
            }
        }
        fsyncDir(dir);
    }

    static void fsyncFile(Path f) throws IOException {
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
    }

    /** Makes renames and deletions in {@code dir} durable (a no-op where directories cannot be opened). */
    public static void fsyncDir(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (NoSuchFileException e) {
            throw e;
        } catch (IOException e) {
            // Some file systems refuse to open a directory; nothing more can be done there.
        }
    }

    /** Deletes {@code root} and everything under it; a missing root is fine. */
    public static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                if (exc != null) {
                    throw exc;
                }
                Files.delete(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
