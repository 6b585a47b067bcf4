package io.etcdjava.ctl;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Password prompts as etcdctl's terminal library does them: the prompt on stdout, echo switched off with
 * stty around reading one line from stdin, a newline after. When stdin is not a terminal stty complains on
 * stderr and the line is still read, so piped passwords work (and print what Go's etcdctl prints).
 */
final class Passwords {
  private Passwords() {}

  /** Prompts and reads one line, trimmed; an empty line or end of input gives "". */
  static String ask(Io io, String prompt) {
    io.out(prompt);
    io.out.flush();
    boolean terminal = io.in == System.in && System.console() != null;
    stty(io, "-echo", terminal);
    String line;
    try {
      line = readLine(io.in);
    } finally {
      stty(io, "echo", terminal);
    }
    io.out("\n");
    return line.strip();
  }

  /** Reads up to a newline one byte at a time, so the next prompt finds the rest of the input. */
  static String readLine(InputStream in) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    try {
      int c;
      while ((c = in.read()) >= 0 && c != '\n') {
        b.write(c);
      }
    } catch (IOException e) {
      // read what there was, as an end of input
    }
    String s = b.toString(StandardCharsets.UTF_8);
    return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
  }

  /** fmt.Scanf("%s"): the first whitespace-separated word of the first line of stdin. */
  static String scanWord(InputStream in) {
    String line = readLine(in).strip();
    int sp = 0;
    while (sp < line.length() && !Character.isWhitespace(line.charAt(sp))) {
      sp++;
    }
    return line.substring(0, sp);
  }

  private static void stty(Io io, String arg, boolean terminal) {
    ProcessBuilder pb = new ProcessBuilder(List.of("stty", arg));
    if (terminal) {
      pb.redirectInput(ProcessBuilder.Redirect.INHERIT);
    }
    try {
      Process p = pb.start();
      p.getOutputStream().close();
      byte[] err = p.getErrorStream().readAllBytes();
      p.waitFor();
      io.err.write(err, 0, err.length);
      io.err.flush();
    } catch (IOException e) {
      // no stty: nothing to switch
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
