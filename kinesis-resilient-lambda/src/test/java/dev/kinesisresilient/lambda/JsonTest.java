package dev.kinesisresilient.lambda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kinesisresilient.lambda.internal.Json;
import java.math.BigDecimal;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

final class JsonTest {

  @Test
  void parse_allValueKinds_readsThem() {
    Map<String, Object> m = Json.parseObject(
        " {\"s\":\"a\\\"b\\u00e9\\n\",\"n\":-1.5e2,\"t\":true,\"f\":false,\"z\":null,\"l\":[1,[2],{}]} ");
    assertThat(m.get("s")).isEqualTo("a\"b\u00e9\n");
    assertThat(m.get("n")).isEqualTo(new BigDecimal("-1.5e2"));
    assertThat(m).containsEntry("t", true).containsEntry("f", false).containsEntry("z", null);
    assertThat((List<?>) m.get("l")).hasSize(3);
  }

  @Test
  void parse_malformed_throws() {
    for (String bad : List.of("", "{", "{\"a\":}", "[1,]", "01", "\"x", "{} x", "nul", "{'a':1}", "1.")) {
      assertThatThrownBy(() -> Json.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void write_thenParse_roundTrips() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("a", "x\u0001\"\\");
    m.put("b", Arrays.asList(1, null, true, 2.5));
    m.put("c", Map.of());
    String json = Json.write(m);
    assertThat(json).isEqualTo("{\"a\":\"x\\u0001\\\"\\\\\",\"b\":[1,null,true,2.5],\"c\":{}}");
    assertThat(Json.write(Json.parse(json))).isEqualTo(json);
  }
}
