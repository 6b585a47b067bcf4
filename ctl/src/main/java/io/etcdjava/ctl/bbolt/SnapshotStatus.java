package io.etcdjava.ctl.bbolt;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * What {@code etcdctl snapshot status} reports of an etcd backend file: a CRC-32C over every bucket name,
 * key and value in order, the main revision of the last key of the "key" bucket, the number of keys in all
 * buckets and the file's size in pages.
 */
public record SnapshotStatus(int hash, long revision, int totalKey, long totalSize) {
  private static final byte[] KEY_BUCKET = {'k', 'e', 'y'};

  /** Reads the file; an integrity failure or an unreadable file is an IOException with etcd's text. */
  public static SnapshotStatus of(Path file) throws IOException {
    BoltFile db = BoltFile.open(file);
    List<String> errs;
    try {
      errs = db.check();
    } catch (RuntimeException e) {
      throw new BoltFile.BoltException("snapshot file integrity check failed. 1 errors found.\n" + e.getMessage());
    }
    if (!errs.isEmpty()) {
      throw new BoltFile.BoltException("snapshot file integrity check failed. " + errs.size() + " errors found.\n"
          + String.join("\n", errs));
    }
    CRC32C h = new CRC32C();
    long revision = 0;
    int total = 0;
    for (byte[] name : db.bucketNames()) {
      List<BoltFile.Entry> entries = db.bucket(name);
      if (entries == null) {
        throw new BoltFile.BoltException("cannot get hash of bucket " + new String(name,
            java.nio.charset.StandardCharsets.UTF_8));
      }
      h.update(name);
      boolean keys = Arrays.equals(name, KEY_BUCKET);
      for (BoltFile.Entry e : entries) {
        h.update(e.key());
        if (e.value() != null) {
          h.update(e.value());
        }
        if (keys) {
          // a revision key: 8 bytes of main revision, big-endian, then '_' and the sub revision
          revision = ByteBuffer.wrap(e.key(), 0, 8).getLong();
        }
        total++;
      }
    }
    return new SnapshotStatus((int) h.getValue(), revision, total, db.size());
  }
}
