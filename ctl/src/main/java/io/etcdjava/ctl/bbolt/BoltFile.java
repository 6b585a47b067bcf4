package io.etcdjava.ctl.bbolt;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A bbolt database file opened read-only: the newest valid meta page, the root bucket's B+tree and the
 * integrity check bbolt's Tx.Check makes. Page layout (little-endian): a 16-byte header (id, flags, count,
 * overflow), then meta, branch elements (pos, ksize, pgid) or leaf elements (flags, pos, ksize, vsize).
 * The whole file is read into memory: etcd snapshots are what this serves, and it never writes.
 */
public final class BoltFile {
  static final int MAGIC = 0xED0CDAED;
  static final int VERSION = 2;
  static final int BRANCH = 0x01;
  static final int LEAF = 0x02;
  static final int META = 0x04;
  static final int FREELIST = 0x10;
  static final int BUCKET_LEAF = 0x01;
  static final long NO_FREELIST = -1L;
  private static final int HEADER = 16;
  private static final int DEFAULT_PAGE_SIZE = 4096;

  private final ByteBuffer data;
  private final int pageSize;
  private final long rootPage;
  private final long freelistPage;
  /** High-water mark: pages below it are in use or free. */
  private final long pageCount;

  /** What bbolt's Open reports as an error, with its text. */
  public static final class BoltException extends IOException {
    BoltException(String msg) {
      super(msg);
    }
  }

  private BoltFile(ByteBuffer data, int pageSize, long rootPage, long freelistPage, long pageCount) {
    this.data = data;
    this.pageSize = pageSize;
    this.rootPage = rootPage;
    this.freelistPage = freelistPage;
    this.pageCount = pageCount;
  }

  /** Opens like bolt.Open(path, 0400, ReadOnly) and picks the meta page bbolt would use. */
  public static BoltFile open(Path path) throws IOException {
    byte[] bytes;
    try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
      long size = ch.size();
      if (size > Integer.MAX_VALUE) {
        throw new BoltException("file too large to inspect: " + size);
      }
      ByteBuffer b = ByteBuffer.allocate((int) size);
      while (b.hasRemaining() && ch.read(b) >= 0) {
        // read it all
      }
      bytes = b.array();
    }
    if (bytes.length == 0) {
      // bbolt would initialise the empty file, which a read-only handle cannot do
      throw new BoltException("write " + path + ": bad file descriptor");
    }
    if (bytes.length < 0x1000) {
      throw new BoltException("invalid database");
    }
    ByteBuffer data = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    int pageSize = DEFAULT_PAGE_SIZE;
    if (validate(data, 0) == null) {
      pageSize = data.getInt(HEADER + 8);
    }
    if (bytes.length < pageSize * 2) {
      throw new BoltException("file size too small");
    }
    String err0 = validate(data, 0);
    String err1 = validate(data, pageSize);
    if (err0 != null && err1 != null) {
      throw new BoltException(err0);
    }
    int meta;
    if (err0 != null) {
      meta = pageSize;
    } else if (err1 != null) {
      meta = 0;
    } else {
      meta = data.getLong(pageSize + HEADER + 48) > data.getLong(HEADER + 48) ? pageSize : 0;
    }
    int m = meta + HEADER;
    return new BoltFile(data, pageSize, data.getLong(m + 16), data.getLong(m + 32), data.getLong(m + 40));
  }

  /** meta.validate(): magic, version, then the FNV-64a checksum of the meta fields. */
  private static String validate(ByteBuffer d, int pageOffset) {
    int m = pageOffset + HEADER;
    if (d.getInt(m) != MAGIC) {
      return "invalid database";
    }
    if (d.getInt(m + 4) != VERSION) {
      return "version mismatch";
    }
    long checksum = d.getLong(m + 56);
    if (checksum != 0 && checksum != fnv64a(d, m, 56)) {
      return "checksum error";
    }
    return null;
  }

  private static long fnv64a(ByteBuffer d, int off, int len) {
    long h = 0xcbf29ce484222325L;
    for (int i = 0; i < len; i++) {
      h ^= d.get(off + i) & 0xff;
      h *= 0x100000001b3L;
    }
    return h;
  }

  /** tx.Size(): the high-water mark times the page size. */
  public long size() {
    return pageCount * pageSize;
  }

  /** One key/value of a bucket; {@code value} is null for a nested bucket. */
  public record Entry(byte[] key, byte[] value) {}

  /** The top-level bucket names, in key order. */
  public List<byte[]> bucketNames() {
    List<byte[]> names = new ArrayList<>();
    walk(new Node(rootPage, null), (k, v, flags) -> names.add(k));
    return names;
  }

  /** Every entry of a top-level bucket in key order, or null when there is no such bucket. */
  public List<Entry> bucket(byte[] name) {
    Node[] found = new Node[1];
    walk(new Node(rootPage, null), (k, v, flags) -> {
      if ((flags & BUCKET_LEAF) != 0 && Arrays.equals(k, name)) {
        found[0] = bucketNode(v);
      }
    });
    if (found[0] == null) {
      return null;
    }
    List<Entry> out = new ArrayList<>();
    walk(found[0], (k, v, flags) -> out.add(new Entry(k, (flags & BUCKET_LEAF) != 0 ? null : v)));
    return out;
  }

  /** A bucket's root: a page, or for an inline bucket the page stored after its 16-byte header. */
  private Node bucketNode(byte[] bucketValue) {
    ByteBuffer v = ByteBuffer.wrap(bucketValue).order(ByteOrder.LITTLE_ENDIAN);
    long root = v.getLong(0);
    if (root == 0) {
      return new Node(0, ByteBuffer.wrap(Arrays.copyOfRange(bucketValue, HEADER, bucketValue.length))
          .order(ByteOrder.LITTLE_ENDIAN));
    }
    return new Node(root, null);
  }

  /** A page to read from the file, or an inline page in its own buffer. */
  private record Node(long pgid, ByteBuffer inline) {}

  private interface Visitor {
    void visit(byte[] key, byte[] value, int flags);
  }

  private void walk(Node n, Visitor v) {
    ByteBuffer b = n.inline != null ? n.inline : data;
    int base = n.inline != null ? 0 : pageOffset(n.pgid);
    int flags = b.getShort(base + 8) & 0xffff;
    int count = b.getShort(base + 10) & 0xffff;
    if ((flags & LEAF) != 0) {
      for (int i = 0; i < count; i++) {
        int e = base + HEADER + i * 16;
        int eflags = b.getInt(e);
        int pos = b.getInt(e + 4);
        int ksize = b.getInt(e + 8);
        int vsize = b.getInt(e + 12);
        v.visit(bytes(b, e + pos, ksize), bytes(b, e + pos + ksize, vsize), eflags);
      }
    } else if ((flags & BRANCH) != 0) {
      for (int i = 0; i < count; i++) {
        int e = base + HEADER + i * 16;
        walk(new Node(b.getLong(e + 8), null), v);
      }
    }
  }

  private int pageOffset(long pgid) {
    long off = pgid * pageSize;
    if (pgid < 0 || off + HEADER > data.capacity()) {
      throw new IllegalStateException("page " + pgid + " lies beyond the end of the file");
    }
    return (int) off;
  }

  private static byte[] bytes(ByteBuffer b, int off, int len) {
    byte[] out = new byte[len];
    b.get(off, out);
    return out;
  }

  /** bbolt's Tx.Check: every page below the high-water mark is reachable once or free; messages as bbolt's. */
  public List<String> check() {
    List<String> errs = new ArrayList<>();
    Set<Long> freed = new HashSet<>();
    Map<Long, Boolean> reachable = new HashMap<>();
    reachable.put(0L, true);
    reachable.put(1L, true);
    if (freelistPage != NO_FREELIST) {
      int p = pageOffset(freelistPage);
      int count = data.getShort(p + 10) & 0xffff;
      int idx = p + HEADER;
      long n = count;
      if (count == 0xffff) {
        n = data.getLong(idx);
        idx += 8;
      }
      for (long i = 0; i < n; i++) {
        long id = data.getLong(idx + (int) i * 8);
        if (!freed.add(id)) {
          errs.add("page " + id + ": already freed");
        }
      }
      long overflow = Integer.toUnsignedLong(data.getInt(p + 12));
      for (long i = 0; i <= overflow; i++) {
        reachable.put(freelistPage + i, true);
      }
    }
    checkBucket(new Node(rootPage, null), reachable, freed, errs);
    if (freelistPage == NO_FREELIST) {
      // no freelist on disk: bbolt counts every page it cannot reach as free
      return errs;
    }
    for (long i = 0; i < pageCount; i++) {
      if (!reachable.containsKey(i) && !freed.contains(i)) {
        errs.add("page " + i + ": unreachable unfreed");
      }
    }
    return errs;
  }

  private void checkBucket(Node root, Map<Long, Boolean> reachable, Set<Long> freed, List<String> errs) {
    if (root.inline != null) {
      return;
    }
    checkPages(root.pgid, reachable, freed, errs);
    walk(root, (k, v, flags) -> {
      if ((flags & BUCKET_LEAF) != 0) {
        checkBucket(bucketNode(v), reachable, freed, errs);
      }
    });
  }

  private void checkPages(long pgid, Map<Long, Boolean> reachable, Set<Long> freed, List<String> errs) {
    int p = pageOffset(pgid);
    if (pgid > pageCount) {
      errs.add("page " + pgid + ": out of bounds: " + pageCount);
    }
    long overflow = Integer.toUnsignedLong(data.getInt(p + 12));
    for (long i = 0; i <= overflow; i++) {
      if (reachable.put(pgid + i, true) != null) {
        errs.add("page " + (pgid + i) + ": multiple references");
      }
    }
    int flags = data.getShort(p + 8) & 0xffff;
    if (freed.contains(pgid)) {
      errs.add("page " + pgid + ": reachable freed");
    } else if ((flags & BRANCH) == 0 && (flags & LEAF) == 0) {
      errs.add("page " + pgid + ": invalid type: " + typeName(flags));
    }
    if ((flags & BRANCH) != 0) {
      int count = data.getShort(p + 10) & 0xffff;
      for (int i = 0; i < count; i++) {
        checkPages(data.getLong(p + HEADER + i * 16 + 8), reachable, freed, errs);
      }
    }
  }

  private static String typeName(int flags) {
    if ((flags & BRANCH) != 0) {
      return "branch";
    } else if ((flags & LEAF) != 0) {
      return "leaf";
    } else if ((flags & META) != 0) {
      return "meta";
    } else if ((flags & FREELIST) != 0) {
      return "freelist";
    }
    return String.format("unknown<%02x>", flags);
  }
}
