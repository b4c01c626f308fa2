package dev.kinesisresilient.test;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class KinesisMockInstallationTest {

  @Test
  void prepareCacheDir_copiesTheShippedLockFileIntoADirectoryNamedByItsHash(@TempDir Path root)
      throws Exception {
    Path dir = KinesisMockInstallation.prepareCacheDir(root);

    assertThat(dir.getParent()).isEqualTo(root.toAbsolutePath().normalize());
    assertThat(dir.getFileName().toString()).matches("kinesis-mock-[0-9a-f]{12}");
    assertThat(dir.resolve("package.json")).content().contains("\"kinesis-local\": \"0.6.2\"");
    assertThat(dir.resolve("package-lock.json")).content().contains("kinesis-local");
    assertThat(dir.resolve("exit-with-parent.cjs")).exists();
    // The shipped lock file is the repository's, byte for byte.
    Path repoLock = Path.of(System.getProperty("kinesis.mock.dir", "../tools/kinesis-mock"), "package-lock.json");
    if (Files.exists(repoLock)) {
      assertThat(Files.readAllBytes(dir.resolve("package-lock.json"))).isEqualTo(Files.readAllBytes(repoLock));
    }
  }

  @Test
  void prepareCacheDir_twice_sameDirectory(@TempDir Path root) {
    assertThat(KinesisMockInstallation.prepareCacheDir(root))
        .isEqualTo(KinesisMockInstallation.prepareCacheDir(root));
  }
}
