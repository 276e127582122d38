package dev.heartbeat.benchmarks.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** A table of results: written as CSV (raw), shown as Markdown (summary). */
final class Table {

  final String title;
  final List<String> columns;
  final List<List<Object>> rows = new ArrayList<>();

  Table(String title, String... columns) {
    this.title = title;
    this.columns = List.of(columns);
  }

  void add(Object... cells) {
    if (cells.length != columns.size()) {
      throw new IllegalArgumentException("row: " + cells.length + " cells for " + columns.size() + " columns");
    }
    rows.add(List.of(cells));
  }

  void writeCsv(Path file) throws IOException {
    StringBuilder out = new StringBuilder(String.join(",", columns)).append('\n');
    for (List<Object> row : rows) {
      out.append(String.join(",", row.stream().map(Table::format).toList())).append('\n');
    }
    Files.writeString(file, out);
  }

  String markdown() {
    StringBuilder out = new StringBuilder("### ").append(title).append("\n\n| ")
        .append(String.join(" | ", columns)).append(" |\n|");
    columns.forEach(c -> out.append("---|"));
    out.append('\n');
    for (List<Object> row : rows) {
      out.append("| ").append(String.join(" | ", row.stream().map(Table::format).toList())).append(" |\n");
    }
    return out.toString();
  }

  static String format(Object cell) {
    if (cell instanceof Double d) {
      if (d.isNaN()) {
        return "n/a";
      }
      double abs = Math.abs(d);
      return String.format(Locale.ROOT, abs >= 100 ? "%.0f" : abs >= 10 ? "%.1f" : "%.2f", d);
    }
    return String.valueOf(cell).replace(',', ';');
  }
}
