package io.etcdjava.ctl;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * The JSON log lines Go etcdctl's zap loggers write to stderr: the snapshot manager's production logger
 * (epoch-seconds "ts", durations in seconds) and clientv3's logger (ISO-8601 "ts").
 */
final class ZapLog {
  private static final DateTimeFormatter ISO =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  private final Io io;

  ZapLog(Io io) {
    this.io = io;
  }

  /** A line of zap.NewProduction(); {@code fields} are already-encoded ,"k":v pairs. */
  void production(String level, String caller, String msg, String fields) {
    Instant now = Instant.now();
    String ts = now.getEpochSecond() + "." + String.format("%09d", now.getNano()).replaceAll("0+$", "");
    if (ts.endsWith(".")) {
      ts += "0";
    }
    io.err("{\"level\":\"" + level + "\",\"ts\":" + ts + ",\"caller\":\"" + caller + "\",\"msg\":"
        + Json.string(msg) + fields + "}\n");
  }

  /** A line of clientv3's logger. */
  void client(String level, String caller, String msg, String fields) {
    io.err("{\"level\":\"" + level + "\",\"ts\":\"" + ISO.format(Instant.now()) + "\",\"caller\":\"" + caller
        + "\",\"msg\":" + Json.string(msg) + fields + "}\n");
  }

  static String field(String k, String v) {
    return ",\"" + k + "\":" + Json.string(v);
  }

  /** zap's SecondsDurationEncoder. */
  static String seconds(String k, long nanos) {
    return ",\"" + k + "\":" + new java.math.BigDecimal(nanos).movePointLeft(9).stripTrailingZeros().toPlainString();
  }
}
