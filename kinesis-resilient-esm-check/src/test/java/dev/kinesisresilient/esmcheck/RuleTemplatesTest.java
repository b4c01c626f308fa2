package dev.kinesisresilient.esmcheck;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kinesisresilient.lambda.check.MappingRule;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * One template per rule that triggers it and one that does not ({@code src/test/resources/rules}); a
 * template's {@code # esm-check-args:} line holds the assumptions it is checked with.
 */
final class RuleTemplatesTest {

  @ParameterizedTest
  @EnumSource(MappingRule.class)
  void check_templateThatTriggersRule_reportsIt(MappingRule rule) throws IOException {
    Cli.Result r = check(rule, "triggers");

    assertThat(r.findingLines()).anyMatch(l -> l.contains(" " + rule.id() + " "));
    assertThat(r.exit()).isIn(0, 1, 2);
  }

  @ParameterizedTest
  @EnumSource(MappingRule.class)
  void check_templateThatAvoidsRule_reportsNothing(MappingRule rule) throws IOException {
    Cli.Result r = check(rule, "passes");

    assertThat(r.findingLines()).as("every rule's near miss is a clean template").isEmpty();
    assertThat(r.exit()).isZero();
  }

  private static Cli.Result check(MappingRule rule, String kind) throws IOException {
    Path file = Cli.RESOURCES.resolve("rules/" + rule.id() + "-" + kind + ".yaml");
    assertThat(file).as("a %s template for %s", kind, rule.id()).exists();
    List<String> args = new ArrayList<>();
    for (String line : Files.readAllLines(file)) {
      if (line.startsWith("# esm-check-args:")) {
        args.addAll(List.of(line.substring("# esm-check-args:".length()).trim().split(" ")));
      }
    }
    args.add(file.toString());
    return Cli.run(args.toArray(String[]::new));
  }
}
