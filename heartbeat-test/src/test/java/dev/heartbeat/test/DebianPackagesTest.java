package dev.heartbeat.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The installer installs nothing when the commands are there, and fails loudly when apt does. */
class DebianPackagesTest {

  @Test
  void findsCommandsOnThePathAndByAbsolutePath() {
    assertEquals(List.of(), DebianPackages.missing(List.of("sh", "/bin/sh")));
    assertEquals(List.of("heartbeat-no-such-command", "/no/such/file"),
        DebianPackages.missing(List.of("sh", "heartbeat-no-such-command", "/no/such/file")));
  }

  @Test
  void presentCommandsMeanNoInstall() {
    // The package does not exist: reaching apt would fail, so returning proves apt was not asked.
    DebianPackages.ensure(List.of("sh"), "heartbeat-no-such-package");
  }

  @Test
  void aFailedInstallNamesThePackageAndShowsAptsOutput() {
    IllegalStateException error = assertThrows(IllegalStateException.class,
        () -> DebianPackages.ensure(List.of("heartbeat-no-such-command"), "heartbeat-no-such-package"));
    assertTrue(error.getMessage().startsWith("cannot install heartbeat-no-such-package"), error.getMessage());
    assertTrue(error.getMessage().contains("Unable to locate package heartbeat-no-such-package"), error.getMessage());
  }

  @Test
  void noPackagesIsATypedError() {
    IllegalArgumentException error = assertThrows(IllegalArgumentException.class, () -> DebianPackages.ensure(List.of("x")));
    assertTrue(error.getMessage().contains("packages"), error.getMessage());
  }

  @Test
  void aCommandPastItsLimitIsStoppedAndReported() {
    IllegalStateException error = assertThrows(IllegalStateException.class,
        () -> DebianPackages.run(List.of("sleep", "30"), Path.of("."), Duration.ofMillis(200), "sleeping"));
    assertTrue(error.getMessage().startsWith("sleeping: `sleep 30` ran past its PT0.2S limit"), error.getMessage());
  }
}
