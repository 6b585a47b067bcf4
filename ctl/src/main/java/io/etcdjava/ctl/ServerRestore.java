package io.etcdjava.ctl;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * The server module's side of snapshot restore (io.etcdjava.server.restore: our RocksDB backend, WAL and
 * raft snapshot formats, and etcd's member IDs). etcdctl loads it only when restore runs, from the server
 * jar of the same build ({@code server/target/etcd-java-server.jar}, or {@code -Detcdjava.server.jar=...}),
 * in a class loader of its own: every other command starts without the server's classes and libraries.
 * Only JDK types cross between the two loaders.
 */
final class ServerRestore {
  private static final String ENTRY = "io.etcdjava.server.restore.RestoredMember";
  private static final String IDS = "io.etcdjava.server.membership.MemberIds";
  private static final String JAR = "server/target/etcd-java-server.jar";
  /** One loader per process: RocksDB's native library binds to the first loader that loads it. */
  private static ServerRestore loaded;

  private final Method write;
  private final Method memberId;
  private final Method clusterId;

  private ServerRestore(ClassLoader loader) throws ReflectiveOperationException {
    Class<?> entry = Class.forName(ENTRY, true, loader);
    Class<?> ids = Class.forName(IDS, true, loader);
    write = entry.getMethod("write", String.class, Map.class, String.class, Path.class, Path.class, BiConsumer.class);
    memberId = ids.getMethod("memberId", Collection.class, String.class, Long.class);
    clusterId = ids.getMethod("clusterId", Collection.class);
  }

  /** The server's restore, or an IOException naming the jar that is missing. */
  static synchronized ServerRestore load() throws IOException {
    if (loaded != null) {
      return loaded;
    }
    try {
      ClassLoader own = ServerRestore.class.getClassLoader();
      if (own.getResource(ENTRY.replace('.', '/') + ".class") != null) {
        loaded = new ServerRestore(own); // embedded next to the server
        return loaded;
      }
      Path jar = serverJar();
      if (!Files.isRegularFile(jar)) {
        throw new IOException("snapshot restore needs etcd-java's server jar, which is missing: " + jar);
      }
      // The platform loader as parent: the server's own protobuf, gRPC and RocksDB, from its manifest class path.
      loaded = new ServerRestore(new URLClassLoader(new URL[] {jar.toUri().toURL()},
          ClassLoader.getPlatformClassLoader()));
      return loaded;
    } catch (ReflectiveOperationException e) {
      throw new IOException("snapshot restore: the server jar has no restore entry point (" + e + ")", e);
    }
  }

  /** ctl/target/etcdctl.jar (or ctl/target/classes) → server/target/etcd-java-server.jar of the same tree. */
  private static Path serverJar() throws IOException {
    String configured = System.getProperty("etcdjava.server.jar");
    if (configured != null) {
      return Path.of(configured);
    }
    try {
      Path here = Path.of(ServerRestore.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      Path root = here.toAbsolutePath().getParent().getParent().getParent();
      return root.resolve(JAR);
    } catch (URISyntaxException | NullPointerException | SecurityException e) {
      throw new IOException("snapshot restore cannot locate etcd-java's server jar: " + e.getMessage(), e);
    }
  }

  /** etcd's member ID for these peer URLs and cluster token. */
  long memberId(List<String> peerUrls, String token) throws IOException {
    return (Long) call(memberId, peerUrls, token, null);
  }

  /** etcd's cluster ID for these member IDs. */
  long clusterId(Collection<Long> memberIds) throws IOException {
    return (Long) call(clusterId, memberIds);
  }

  /** Writes the member's backend, WAL and raft snapshot; {@code buckets} feeds the snapshot's buckets. */
  void write(String name, Map<String, List<String>> initialCluster, String token, Path dataDir, Path walDir,
      BiConsumer<String, BiConsumer<byte[], byte[]>> buckets) throws IOException {
    call(write, name, initialCluster, token, dataDir, walDir, buckets);
  }

  private static Object call(Method m, Object... args) throws IOException {
    try {
      return m.invoke(null, args);
    } catch (InvocationTargetException e) {
      Throwable t = e.getCause();
      if (t instanceof IOException io) {
        throw io;
      }
      if (t instanceof RuntimeException r) {
        throw r;
      }
      if (t instanceof Error err) {
        throw err;
      }
      throw new IOException(t);
    } catch (IllegalAccessException e) {
      throw new IOException(e);
    }
  }
}
