package io.etcdjava.ctl;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Map;

/** The process surroundings of one etcdctl run: stdout, stderr, stdin and the environment. */
final class Io {
  /** Built on first use: java.time's formatter costs startup time most runs never need. */
  private static final class Capnslog {
    static final DateTimeFormatter FORMAT = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS");
  }

  final PrintStream out;
  final PrintStream err;
  final InputStream in;
  final Map<String, String> env;

  Io(PrintStream out, PrintStream err, InputStream in, Map<String, String> env) {
    this.out = out;
    this.err = err;
    this.in = in;
    this.env = env;
  }

  void out(String s) {
    outBytes(s.getBytes(StandardCharsets.UTF_8));
  }

  void outBytes(byte[] b) {
    out.write(b, 0, b.length);
  }

  void err(String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    err.write(b, 0, b.length);
  }

  /** etcdctl's ExitWithError: "Error: msg" on stderr; the caller throws the result. */
  CtlExit exitWithError(int code, String msg) {
    err("Error: " + msg + "\n");
    return new CtlExit(code);
  }

  /** A capnslog line as etcd's pkg/flags prints it ("C" fatal, "W" warning). */
  void capnslog(char level, String pkg, String msg) {
    err(Capnslog.FORMAT.format(LocalDateTime.now()) + " " + level + " | " + pkg + ": " + msg + "\n");
  }

  byte[] readAllStdin() {
    try {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
