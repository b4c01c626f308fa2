package dev.kinesisresilient.esmcheck;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Files that cannot be read or parsed: exit 3 with the file and the reason; other files still checked. */
final class UnreadableFilesTest {

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "malformed/unclosed-flow.yaml | cannot parse: while parsing a flow mapping",
      "malformed/trailing-comma.json | cannot parse:",
      "malformed/duplicate-key.yaml | cannot parse: duplicate key 'A', line 3",
      "malformed/not-utf8.yaml | cannot read: not UTF-8 text",
      "malformed/top-level-list.yaml | cannot parse: the top level is not an object",
      "malformed/empty.yaml | cannot parse: the top level is empty",
      "malformed/recursive-alias.yaml | cannot parse: recursive alias, line 1",
      "malformed/unknown-format.yaml | cannot parse: not a SAM/CloudFormation template (no Resources)",
      "does-not-exist.yaml | cannot read: no such file",
      "malformed | cannot read: is a directory"})
  void check_badFileBetweenGoodOnes_exits3NamingFileAndReasonAndChecksTheOthers(String bad, String reason) {
    String first = Cli.resource("rules/ESM-NO-BISECT-triggers.yaml");
    String last = Cli.resource("rules/ESM-STARTING-LATEST-triggers.yaml");

    Cli.Result r = Cli.run(first, Cli.resource(bad), last);

    assertThat(r.exit()).isEqualTo(EsmCheck.EXIT_UNREADABLE);
    assertThat(r.err()).contains("esm-check: " + Cli.resource(bad) + ": " + reason);
    assertThat(r.findingLines()).anyMatch(l -> l.contains("ESM-NO-BISECT")).anyMatch(l -> l.contains("ESM-STARTING-LATEST"));
  }
}
