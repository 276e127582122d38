package dev.heartbeat.benchmarks.baseline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ServerConfigTest {

  @Test
  void defaultsAreTheDemoServers() {
    ServerConfig config = ServerConfig.fromEnv(Map.of());
    assertEquals(new ServerConfig(8080, Duration.ofSeconds(1), Duration.ofSeconds(3)), config);
  }

  @Test
  void readsEveryVariable() {
    ServerConfig config = ServerConfig.fromEnv(Map.of("PORT", "0", "HB_INTERVAL_MS", "200", "HB_TIMEOUT_MS", "700",
        "HB_FORMAT", "ping-frame"));
    assertEquals(new ServerConfig(0, Duration.ofMillis(200), Duration.ofMillis(700)), config);
  }

  @Test
  void badValuesNameTheirVariable() {
    assertMessageStartsWith("PORT:", Map.of("PORT", "eighty"));
    assertMessageStartsWith("PORT:", Map.of("PORT", "70000"));
    assertMessageStartsWith("HB_INTERVAL_MS:", Map.of("HB_INTERVAL_MS", "0"));
    assertMessageStartsWith("HB_TIMEOUT_MS:", Map.of("HB_INTERVAL_MS", "1000", "HB_TIMEOUT_MS", "1000"));
    assertMessageStartsWith("HB_FORMAT:", Map.of("HB_FORMAT", "json"));
  }

  private static void assertMessageStartsWith(String prefix, Map<String, String> env) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ServerConfig.fromEnv(env));
    assertTrue(e.getMessage().startsWith(prefix), e.getMessage());
  }
}
