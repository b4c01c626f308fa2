package dev.kinesisresilient.benchmarks.kpl;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.ToDoubleFunction;

/** The comparison's table (markdown) and chart (SVG), from the medians. */
final class Report {
  static final String BEGIN = "<!-- kpl-comparison:begin -->";
  static final String END = "<!-- kpl-comparison:end -->";

  private static final String[] COLOURS = {"#4e79a7", "#f28e2b", "#59a14f", "#e15759"};

  private Report() {}

  /**
   * Medians of one producer setup over one protocol, mode and record size.
   *
   * @param producer the setup's label
   * @param protocol http or https
   * @param mode the mode's name (a table of its own)
   * @param recordBytes size of each record's data
   * @param recordsPerSecond median records acknowledged per second
   * @param cpuSecondsPerMillion median client CPU-seconds per million records
   * @param failed failed records over all runs
   * @param runs runs that gave a result
   * @param missing runs that gave none (failed or timed out)
   * @param loadBefore median 1-minute load average before the runs
   * @param loadAfter median 1-minute load average after the runs
   */
  record Cell(String producer, String protocol, String mode, int recordBytes, double recordsPerSecond,
      double cpuSecondsPerMillion, long failed, int runs, int missing, double loadBefore, double loadAfter) {
    String row() {
      return producer + "\u0000" + protocol;
    }
  }

  static String size(int bytes) {
    return bytes % 1024 == 0 ? (bytes / 1024) + " KB" : bytes + " B";
  }

  static String number(double v) {
    if (Double.isNaN(v)) {
      return "n/a";
    }
    return v >= 100 ? String.format(Locale.ROOT, "%,.0f", v) : String.format(Locale.ROOT, "%.1f", v);
  }

  /**
   * One markdown table per mode, rows in the order the cells come, a records/s and a CPU column per size.
   *
   * @param cells the medians
   * @param modeTitles a heading line for each mode, in table order
   * @return markdown
   */
  static String markdown(List<Cell> cells, Map<String, String> modeTitles) {
    StringBuilder sb = new StringBuilder();
    for (Map.Entry<String, String> mode : modeTitles.entrySet()) {
      List<Cell> mc = cells.stream().filter(c -> c.mode().equals(mode.getKey())).toList();
      if (mc.isEmpty()) {
        continue;
      }
      List<Integer> sizes = mc.stream().map(Cell::recordBytes).distinct().sorted().toList();
      sb.append(mode.getValue()).append("\n\n");
      sb.append("| producer | protocol |");
      for (int s : sizes) {
        sb.append(' ').append(size(s)).append(": records/s | ").append(size(s)).append(": CPU-s per 1M |");
      }
      sb.append(" failed | load before / after |\n|---|---|");
      sb.append("---:|---:|".repeat(sizes.size()));
      sb.append("---|---|\n");
      for (List<Cell> row : rows(mc).values()) {
        Cell first = row.get(0);
        sb.append("| ").append(first.producer()).append(" | ").append(first.protocol()).append(" |");
        List<String> failed = new ArrayList<>();
        List<Double> before = new ArrayList<>();
        List<Double> after = new ArrayList<>();
        for (int s : sizes) {
          Optional<Cell> c = row.stream().filter(x -> x.recordBytes() == s).findFirst();
          if (c.isEmpty() || c.get().runs() == 0) {
            sb.append(" n/a | n/a |");
            failed.add(c.isEmpty() ? "-" : "no run");
            continue;
          }
          Cell x = c.get();
          sb.append(' ').append(number(x.recordsPerSecond())).append(" | ").append(number(x.cpuSecondsPerMillion())).append(" |");
          failed.add(String.format(Locale.ROOT, "%,d", x.failed()) + (x.missing() > 0 ? " (" + x.missing() + (x.missing() == 1 ? " run lost)" : " runs lost)") : ""));
          before.add(x.loadBefore());
          after.add(x.loadAfter());
        }
        sb.append(' ').append(String.join(" / ", failed)).append(" | ")
            .append(before.isEmpty() ? "n/a" : String.format(Locale.ROOT, "%.1f / %.1f", Stats.median(before), Stats.median(after)))
            .append(" |\n");
      }
      sb.append('\n');
    }
    return sb.toString();
  }

  private static Map<String, List<Cell>> rows(List<Cell> cells) {
    Map<String, List<Cell>> rows = new LinkedHashMap<>();
    for (Cell c : cells) {
      rows.computeIfAbsent(c.row(), k -> new ArrayList<>()).add(c);
    }
    return rows;
  }

  /**
   * A chart of horizontal bars: one panel per mode and measure (records/s, CPU-s per 1M), a group per
   * producer and protocol, a bar per record size.
   *
   * @param cells the medians
   * @param modeTitles a short title for each mode, in panel order
   * @return an SVG document
   */
  static String svg(List<Cell> cells, Map<String, String> modeTitles) {
    List<String> modes = modeTitles.keySet().stream().filter(m -> cells.stream().anyMatch(c -> c.mode().equals(m))).toList();
    Map<String, List<Cell>> rows = rows(cells);
    List<Integer> sizes = cells.stream().map(Cell::recordBytes).distinct().sorted().toList();
    int labelWidth = 330;
    int barWidth = 260;
    int panelWidth = labelWidth + barWidth + 70;
    int barHeight = 9;
    int groupHeight = sizes.size() * barHeight + 8;
    int panelHeight = 40 + rows.size() * groupHeight + 10;
    int legendHeight = 30;
    int width = 2 * panelWidth + 20;
    int height = legendHeight + modes.size() * panelHeight + 10;
    StringBuilder sb = new StringBuilder();
    sb.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(width).append("\" height=\"").append(height)
        .append("\" viewBox=\"0 0 ").append(width).append(' ').append(height)
        .append("\" font-family=\"sans-serif\" font-size=\"11\">\n");
    sb.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
    int lx = 10;
    for (int i = 0; i < sizes.size(); i++) {
      sb.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"10\" width=\"12\" height=\"12\" fill=\"%s\"/>", lx,
          COLOURS[i % COLOURS.length]));
      sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"20\">%s records</text>\n", lx + 16, escape(size(sizes.get(i)))));
      lx += 110;
    }
    List<Measure> measures = List.of(new Measure("records/s (higher is better)", Cell::recordsPerSecond),
        new Measure("client CPU-seconds per 1M records (lower is better)", Cell::cpuSecondsPerMillion));
    for (int m = 0; m < modes.size(); m++) {
      String mode = modes.get(m);
      for (int k = 0; k < measures.size(); k++) {
        Measure measure = measures.get(k);
        int x0 = 10 + k * (panelWidth + 10);
        int y0 = legendHeight + m * panelHeight;
        double max = cells.stream().filter(c -> c.mode().equals(mode) && c.runs() > 0)
            .mapToDouble(measure.value()).filter(v -> !Double.isNaN(v)).max().orElse(1);
        max = max <= 0 ? 1 : max;
        sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-weight=\"bold\">%s: %s</text>\n", x0, y0 + 18,
            escape(modeTitles.get(mode)), escape(measure.title())));
        int y = y0 + 32;
        for (List<Cell> row : rows.values()) {
          Cell first = row.get(0);
          sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>\n",
              x0 + labelWidth - 6, y + groupHeight / 2 + 2, escape(first.producer() + ", " + first.protocol())));
          for (int i = 0; i < sizes.size(); i++) {
            int s = sizes.get(i);
            Optional<Cell> c = row.stream().filter(x -> x.mode().equals(mode) && x.recordBytes() == s && x.runs() > 0).findFirst();
            int by = y + i * barHeight;
            if (c.isEmpty() || Double.isNaN(measure.value().applyAsDouble(c.get()))) {
              sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"9\" fill=\"#888\">n/a</text>\n",
                  x0 + labelWidth + 2, by + barHeight - 1));
              continue;
            }
            double v = measure.value().applyAsDouble(c.get());
            double w = Math.max(1, v / max * barWidth);
            sb.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"/>",
                x0 + labelWidth, by, w, barHeight - 1, COLOURS[i % COLOURS.length]));
            sb.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" font-size=\"9\">%s</text>\n",
                x0 + labelWidth + w + 3, by + barHeight - 1, escape(number(v))));
          }
          y += groupHeight;
        }
      }
    }
    sb.append("</svg>\n");
    return sb.toString();
  }

  private record Measure(String title, ToDoubleFunction<Cell> value) {}

  static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }

  /**
   * Replaces what lies between the markers (kept) with new content.
   *
   * @param document the page
   * @param content what goes between the markers
   * @return the new page
   * @throws IllegalArgumentException when the markers are missing, repeated or out of order
   */
  static String replaceBetweenMarkers(String document, String content) {
    int b = document.indexOf(BEGIN);
    int e = document.indexOf(END);
    if (b < 0 || e < 0 || e < b || document.indexOf(BEGIN, b + 1) >= 0 || document.indexOf(END, e + 1) >= 0) {
      throw new IllegalArgumentException("the page needs exactly one " + BEGIN + " followed by one " + END);
    }
    String body = content.endsWith("\n") ? content : content + "\n";
    return document.substring(0, b + BEGIN.length()) + "\n" + body + document.substring(e);
  }
}
