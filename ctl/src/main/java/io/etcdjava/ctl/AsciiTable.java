package io.etcdjava.ctl;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** olekukonko/tablewriter as etcdctl uses it: header, borders, right-aligned cells, wrap at 30 columns. */
final class AsciiTable {
  private static final int MAX_WIDTH = 30;

  private AsciiTable() {}

  static String render(List<String> header, List<List<String>> rows) {
    Map<Integer, Integer> cs = new HashMap<>();
    List<List<String>> hdr = new ArrayList<>();
    for (int i = 0; i < header.size(); i++) {
      hdr.add(dimension(header.get(i), i, cs));
    }
    List<List<List<String>>> lines = new ArrayList<>();
    for (List<String> row : rows) {
      List<List<String>> cells = new ArrayList<>();
      for (int i = 0; i < row.size(); i++) {
        cells.add(dimension(row.get(i), i, cs));
      }
      lines.add(cells);
    }
    StringBuilder out = new StringBuilder();
    line(out, cs);
    int hmax = hdr.stream().mapToInt(List::size).max().orElse(0);
    for (int x = 0; x < hmax; x++) {
      out.append('|');
      for (int y = 0; y < cs.size(); y++) {
        String h = y < hdr.size() && x < hdr.get(y).size() ? hdr.get(y).get(x) : "";
        out.append(' ').append(center(title(h), cs.get(y))).append(" |");
      }
      out.append('\n');
    }
    line(out, cs);
    for (List<List<String>> cells : lines) {
      int max = cells.stream().mapToInt(List::size).max().orElse(0);
      for (int x = 0; x < max; x++) {
        for (int y = 0; y < cells.size(); y++) {
          String s = x < cells.get(y).size() ? cells.get(y).get(x) : "  ";
          out.append("| ").append(padLeft(s, cs.get(y))).append(' ');
        }
        out.append("|\n");
      }
    }
    line(out, cs);
    return out.toString();
  }

  private static void line(StringBuilder out, Map<Integer, Integer> cs) {
    out.append('+');
    for (int i = 0; i < cs.size(); i++) {
      out.append("-".repeat(cs.get(i) + 2)).append('+');
    }
    out.append('\n');
  }

  private static List<String> dimension(String str, int col, Map<Integer, Integer> cs) {
    String[] raw = str.split("\n", -1);
    int maxWidth = 0;
    for (String l : raw) {
      maxWidth = Math.max(maxWidth, width(l));
    }
    if (maxWidth > MAX_WIDTH) {
      maxWidth = MAX_WIDTH;
    }
    int newMax = maxWidth;
    List<String> lines = new ArrayList<>();
    for (List<String> words : wrapWords(String.join(" ", raw).split(" ", -1), maxWidth)) {
      String l = String.join(" ", words);
      newMax = Math.max(newMax, width(l));
      lines.add(l);
    }
    Integer v = cs.get(col);
    if (v == null || v < newMax || v == 0) {
      cs.put(col, newMax);
    }
    return lines;
  }

  private static List<List<String>> wrapWords(String[] words, int lim) {
    for (String w : words) {
      lim = Math.max(lim, width(w));
    }
    int n = words.length;
    int[][] length = new int[n][n];
    for (int i = 0; i < n; i++) {
      length[i][i] = width(words[i]);
      for (int j = i + 1; j < n; j++) {
        length[i][j] = length[i][j - 1] + 1 + width(words[j]);
      }
    }
    int[] nbrk = new int[n];
    long[] cost = new long[n];
    java.util.Arrays.fill(cost, Integer.MAX_VALUE);
    for (int i = n - 1; i >= 0; i--) {
      if (length[i][n - 1] <= lim) {
        cost[i] = 0;
        nbrk[i] = n;
      } else {
        for (int j = i + 1; j < n; j++) {
          long d = lim - length[i][j - 1];
          long c = d * d + cost[j];
          if (length[i][j - 1] > lim) {
            c += 100000;
          }
          if (c < cost[i]) {
            cost[i] = c;
            nbrk[i] = j;
          }
        }
      }
    }
    List<List<String>> lines = new ArrayList<>();
    for (int i = 0; i < n; i = nbrk[i]) {
      lines.add(List.of(words).subList(i, nbrk[i]));
    }
    return lines;
  }

  private static String title(String name) {
    char[] rs = name.toCharArray();
    for (int i = 0; i < rs.length; i++) {
      if (rs[i] == '_') {
        rs[i] = ' ';
      } else if (rs[i] == '.') {
        if ((i != 0 && !numOrSpace(rs[i - 1])) || (i != rs.length - 1 && !numOrSpace(rs[i + 1]))) {
          rs[i] = ' ';
        }
      }
    }
    String t = new String(rs).trim();
    if (t.isEmpty() && !name.isEmpty()) {
      t = " ";
    }
    return t.toUpperCase(Locale.ROOT);
  }

  private static boolean numOrSpace(char c) {
    return (c >= '0' && c <= '9') || c == ' ';
  }

  private static String center(String s, int w) {
    int gap = w - width(s);
    if (gap <= 0) {
      return s;
    }
    int left = gap / 2;
    return " ".repeat(left) + s + " ".repeat(gap - left);
  }

  private static String padLeft(String s, int w) {
    int gap = w - width(s);
    return gap > 0 ? " ".repeat(gap) + s : s;
  }

  private static int width(String s) {
    return s.codePointCount(0, s.length());
  }
}
