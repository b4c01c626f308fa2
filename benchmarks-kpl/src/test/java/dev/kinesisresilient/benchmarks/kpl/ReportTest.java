package dev.kinesisresilient.benchmarks.kpl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.NodeList;

class ReportTest {
  private static final Map<String, String> TITLES = new LinkedHashMap<>();

  static {
    TITLES.put("steady", "**Steady**");
    TITLES.put("fresh", "**Fresh**");
  }

  private static Report.Cell cell(String producer, String protocol, String mode, int bytes, double rate, double cpu,
      long failed, int runs) {
    return new Report.Cell(producer, protocol, mode, bytes, rate, cpu, failed, runs, 0, 1.5, 2.25);
  }

  private static final List<Report.Cell> CELLS = List.of(
      cell("KPL <agg>", "https", "steady", 100, 33_088, 53.2, 0, 3),
      cell("KPL <agg>", "https", "steady", 1024, 15_225, 91.6, 2, 3),
      cell("ours & co", "http", "steady", 100, 81_254.4, 19.94, 0, 3),
      cell("ours & co", "http", "steady", 1024, Double.NaN, Double.NaN, 0, 0),
      cell("ours & co", "http", "fresh", 100, 4_111, 48.7, 0, 3));

  @Test
  void aTablePerModeARowPerProducerAndProtocolAColumnPairPerSize() {
    String md = Report.markdown(CELLS, TITLES);

    assertThat(md).contains("**Steady**\n\n| producer | protocol | 100 B: records/s | 100 B: CPU-s per 1M | "
        + "1 KB: records/s | 1 KB: CPU-s per 1M | failed | load before / after |");
    assertThat(md).contains("| KPL <agg> | https | 33,088 | 53.2 | 15,225 | 91.6 | 0 / 2 | 1.5 / 2.3 |");
    assertThat(md).contains("| ours & co | http | 81,254 | 19.9 | n/a | n/a | 0 / no run | 1.5 / 2.3 |");
    assertThat(md).contains("**Fresh**\n\n| producer | protocol | 100 B: records/s | 100 B: CPU-s per 1M | failed |");
    assertThat(md).contains("| ours & co | http | 4,111 | 48.7 | 0 | 1.5 / 2.3 |");
    assertThat(md.indexOf("**Steady**")).isLessThan(md.indexOf("**Fresh**"));
  }

  @Test
  void theChartIsWellFormedSvgWithABarPerMeasuredCell() throws Exception {
    String svg = Report.svg(CELLS, Map.of("steady", "steady", "fresh", "fresh"));

    Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder()
        .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
    assertThat(doc.getDocumentElement().getTagName()).isEqualTo("svg");
    NodeList rects = doc.getElementsByTagName("rect");
    // background + 2 legend squares + (4 measured cells x 2 measures)
    assertThat(rects.getLength()).isEqualTo(1 + 2 + 8);
    assertThat(svg).contains("KPL &lt;agg&gt;, https").contains("ours &amp; co, http").contains(">n/a<");
    // the largest value of a panel spans the whole bar width
    assertThat(svg).contains("width=\"260.0\"");
  }

  @Test
  void replacesOnlyWhatLiesBetweenTheMarkers() {
    String page = "# B\n\nbefore\n" + Report.BEGIN + "\nold table\n" + Report.END + "\nafter\n";

    String out = Report.replaceBetweenMarkers(page, "new table");

    assertThat(out).isEqualTo("# B\n\nbefore\n" + Report.BEGIN + "\nnew table\n" + Report.END + "\nafter\n");
    assertThat(Report.replaceBetweenMarkers(out, "new table")).isEqualTo(out);
  }

  @Test
  void missingOrRepeatedMarkersAreRefused() {
    assertThatThrownBy(() -> Report.replaceBetweenMarkers("no markers", "x")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(Report.BEGIN);
    assertThatThrownBy(() -> Report.replaceBetweenMarkers(Report.END + Report.BEGIN, "x"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Report.replaceBetweenMarkers(Report.BEGIN + Report.END + Report.BEGIN + Report.END, "x"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
