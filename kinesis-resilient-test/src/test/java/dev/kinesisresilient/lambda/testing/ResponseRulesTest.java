package dev.kinesisresilient.lambda.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The partial batch response rules of the ESM contract, one test per rule. */
final class ResponseRulesTest {

  private static final Set<String> BATCH = Set.of("1000", "999", "1001");

  private static ResponseRules.Verdict v(String body) {
    return ResponseRules.validate(body, BATCH, true, false);
  }

  @Test
  void validate_emptyNullOrEmptyListBodies_completeSuccess() {
    for (String body : new String[] {null, "", "  ", "null", "\"\"", "[]", "{}", "{\"batchItemFailures\":null}",
        "{\"batchItemFailures\":[]}"}) {
      assertThat(v(body)).as(String.valueOf(body)).isInstanceOf(ResponseRules.Success.class);
    }
  }

  @Test
  void validate_severalIdentifiers_lowestComparedNumericallyNotAsString() {
    assertThat(v("{\"batchItemFailures\":[{\"itemIdentifier\":\"1001\"},{\"itemIdentifier\":\"999\"}]}"))
        .isEqualTo(new ResponseRules.Partial(new BigInteger("999")));
  }

  @Test
  void validate_misspelledKeyNullEmptyOrUnknownIdentifier_wholeBatchFailure() {
    for (String body : new String[] {
        "{\"batchItemFailures\":[{\"itemidentifier\":\"999\"}]}",
        "{\"batchItemFailures\":[{\"itemIdentifier\":null}]}",
        "{\"batchItemFailures\":[{\"itemIdentifier\":\"\"}]}",
        "{\"batchItemFailures\":[{\"itemIdentifier\":\"12345\"}]}",
        "{\"batchItemFailures\":[{\"itemIdentifier\":\"999\"},{\"itemIdentifier\":\"nope\"}]}",
        "{\"batchItemFailures\":[null]}",
        "{\"batchItemFailures\":\"999\"}"}) {
      assertThat(v(body)).as(body).isInstanceOf(ResponseRules.Invalid.class);
    }
  }

  @Test
  void validate_identifierNotInBatchWhenLenient_acceptedIfNumeric() {
    assertThat(ResponseRules.validate("{\"batchItemFailures\":[{\"itemIdentifier\":\"5\"}]}", BATCH, false, false))
        .isEqualTo(new ResponseRules.Partial(BigInteger.valueOf(5)));
    assertThat(ResponseRules.validate("{\"batchItemFailures\":[{\"itemIdentifier\":\"x\"}]}", BATCH, false, false))
        .isInstanceOf(ResponseRules.Invalid.class);
  }

  @Test
  void validate_unparsableBody_configurable() {
    assertThat(v("not json")).isInstanceOf(ResponseRules.Invalid.class);
    assertThat(v("[1]")).isInstanceOf(ResponseRules.Invalid.class);
    assertThat(ResponseRules.validate("not json", BATCH, true, true)).isInstanceOf(ResponseRules.Success.class);
  }
}
