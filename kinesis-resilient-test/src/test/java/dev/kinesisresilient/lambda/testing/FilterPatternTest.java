package dev.kinesisresilient.lambda.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

final class FilterPatternTest {

  private static boolean m(String pattern, String data) {
    return FilterPattern.parse(pattern).matches(data.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void exactValues_matchEqualOrAnyListElement() {
    assertThat(m("{\"data\":{\"type\":[\"order\",\"refund\"]}}", "{\"type\":\"refund\"}")).isTrue();
    assertThat(m("{\"data\":{\"type\":[\"order\"]}}", "{\"type\":\"other\"}")).isFalse();
    assertThat(m("{\"data\":{\"n\":[5]}}", "{\"n\":5.0}")).isTrue();
    assertThat(m("{\"data\":{\"tags\":[\"a\"]}}", "{\"tags\":[\"b\",\"a\"]}")).isTrue();
    assertThat(m("{\"data\":{\"x\":{\"y\":[true]}}}", "{\"x\":{\"y\":true}}")).isTrue();
  }

  @Test
  void keys_areAndedValuesOred() {
    String p = "{\"data\":{\"type\":[\"order\"],\"region\":[\"eu\",\"us\"]}}";
    assertThat(m(p, "{\"type\":\"order\",\"region\":\"us\"}")).isTrue();
    assertThat(m(p, "{\"type\":\"order\",\"region\":\"ap\"}")).isFalse();
  }

  @Test
  void operators_prefixAnythingButNumericExists() {
    assertThat(m("{\"data\":{\"id\":[{\"prefix\":\"ord-\"}]}}", "{\"id\":\"ord-7\"}")).isTrue();
    assertThat(m("{\"data\":{\"s\":[{\"anything-but\":[\"deleted\",\"test\"]}]}}", "{\"s\":\"new\"}")).isTrue();
    assertThat(m("{\"data\":{\"s\":[{\"anything-but\":\"deleted\"}]}}", "{\"s\":\"deleted\"}")).isFalse();
    assertThat(m("{\"data\":{\"s\":[{\"anything-but\":{\"prefix\":\"tmp\"}}]}}", "{\"s\":\"tmp1\"}")).isFalse();
    assertThat(m("{\"data\":{\"a\":[{\"numeric\":[\">\",100,\"<=\",200]}]}}", "{\"a\":150}")).isTrue();
    assertThat(m("{\"data\":{\"a\":[{\"numeric\":[\">\",100]}]}}", "{\"a\":100}")).isFalse();
    assertThat(m("{\"data\":{\"a\":[{\"exists\":true}]}}", "{\"a\":1}")).isTrue();
    assertThat(m("{\"data\":{\"a\":[{\"exists\":false}]}}", "{\"b\":1}")).isTrue();
    assertThat(m("{\"data\":{\"a\":[{\"exists\":true}]}}", "{\"b\":1}")).isFalse();
  }

  @Test
  void nonJsonData_neverMatchesADataPattern() {
    assertThat(m("{\"data\":{\"a\":[{\"exists\":false}]}}", "plain text")).isFalse();
    assertThat(m("{\"data\":{\"a\":[{\"exists\":false}]}}", "[1,2]")).isFalse();
  }

  @Test
  void parse_invalidOrUnsupportedPatterns_rejected() {
    for (String bad : new String[] {"not json", "{}", "{\"partitionKey\":[\"a\"]}", "{\"data\":[\"a\"]}",
        "{\"data\":{\"a\":[]}}", "{\"data\":{\"a\":[{\"suffix\":\"x\"}]}}", "{\"data\":{\"a\":[{\"numeric\":[\"!\",1]}]}}",
        "{\"data\":{\"a\":\"x\"}}"}) {
      assertThatThrownBy(() -> FilterPattern.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
    }
  }
}
