package io.etcdjava.ctl;

import java.util.ArrayList;
import java.util.List;

/**
 * Go's text/tabwriter as etcdctl configures it for help output: minwidth 0, tabwidth 8, padding 1,
 * padding with tabs, no flags. Cells are tab-terminated; the last cell of a line is not aligned.
 */
final class TabWriter {
  private static final int TABWIDTH = 8;
  private static final int PADDING = 1;

  private TabWriter() {}

  static String format(String text) {
    List<List<String>> lines = new ArrayList<>();
    for (String line : text.split("\n", -1)) {
      List<String> cells = new ArrayList<>();
      int start = 0;
      for (int i = 0; i < line.length(); i++) {
        if (line.charAt(i) == '\t') {
          cells.add(line.substring(start, i));
          start = i + 1;
        }
      }
      cells.add(line.substring(start));
      lines.add(cells);
    }
    StringBuilder out = new StringBuilder();
    List<Integer> widths = new ArrayList<>();
    format(lines, 0, 0, lines.size(), widths, out);
    // the input's final "\n" produced one empty trailing line that must not add a newline
    if (out.length() > 0) {
      out.setLength(out.length() - 1);
    }
    return out.toString();
  }

  private static int format(List<List<String>> lines, int pos, int line0, int line1, List<Integer> widths,
      StringBuilder out) {
    int column = widths.size();
    for (int this_ = line0; this_ < line1; this_++) {
      List<String> line = lines.get(this_);
      if (column >= line.size() - 1) {
        continue;
      }
      // a column block begins: print the lines before it, then find its extent and width
      pos = writeLines(lines, pos, line0, this_, widths, out);
      line0 = this_;
      int width = 0;
      for (; this_ < line1; this_++) {
        line = lines.get(this_);
        if (column >= line.size() - 1) {
          break;
        }
        int w = width(line.get(column)) + PADDING;
        if (w > width) {
          width = w;
        }
      }
      widths.add(width);
      pos = format(lines, pos, line0, this_, widths, out);
      widths.remove(widths.size() - 1);
      line0 = this_;
    }
    return writeLines(lines, pos, line0, line1, widths, out);
  }

  private static int writeLines(List<List<String>> lines, int pos, int line0, int line1, List<Integer> widths,
      StringBuilder out) {
    for (int i = line0; i < line1; i++) {
      List<String> line = lines.get(i);
      for (int j = 0; j < line.size(); j++) {
        String c = line.get(j);
        out.append(c);
        if (j < widths.size() && j < line.size() - 1) {
          int cellw = (widths.get(j) + TABWIDTH - 1) / TABWIDTH * TABWIDTH;
          int n = cellw - width(c);
          int tabs = (n + TABWIDTH - 1) / TABWIDTH;
          out.append("\t".repeat(tabs));
        }
      }
      out.append('\n');
    }
    return pos;
  }

  private static int width(String s) {
    return s.codePointCount(0, s.length());
  }
}
