package dev.adjoint.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetricsLogTest {
  @TempDir Path dir;

  @Test
  void linesAreJsonWithTheRequiredKeysFlushedAsWritten() throws Exception {
    Path file = dir.resolve("metrics.jsonl");
    try (MetricsLog log = MetricsLog.create(file)) {
      log.log(MetricsLog.Entry.training(100, 1.234, 3.1e-4, 1520.5));
      // Flushed per line: readable while the log is still open.
      assertEquals("{\"step\":100,\"loss\":1.234,\"lr\":3.1E-4,\"tokens_per_s\":1520.5}\n", Files.readString(file));
      log.log(MetricsLog.Entry.evaluation(200, 0.91, 6.2e-4, 1498.0, 0.25, 41.7).withExtra("held_out_loss", 1.5));
      log.log(MetricsLog.Entry.training(300, Double.NaN, 1e-3, 0));
    }
    List<String> lines = Files.readAllLines(file);
    assertEquals("{\"step\":200,\"loss\":0.91,\"lr\":6.2E-4,\"tokens_per_s\":1498.0,\"exact_match\":0.25,"
        + "\"bleu\":41.7,\"held_out_loss\":1.5}", lines.get(1));
    assertEquals("{\"step\":300,\"loss\":null,\"lr\":0.001,\"tokens_per_s\":0.0}", lines.get(2));
    List<MetricsLog.Entry> read = MetricsLog.read(file);
    assertEquals(3, read.size());
    assertEquals(MetricsLog.Entry.training(100, 1.234, 3.1e-4, 1520.5), read.get(0));
    assertEquals(OptionalDouble.of(0.25), read.get(1).exactMatch());
    assertEquals(1.5, read.get(1).extra().get("held_out_loss"));
    assertTrue(read.get(1).isEvaluation());
    assertTrue(Double.isNaN(read.get(2).loss()));
  }

  @Test
  void resumingDropsLaterStepsAndATornLastLine() throws Exception {
    Path file = dir.resolve("metrics.jsonl");
    try (MetricsLog log = MetricsLog.create(file)) {
      for (int step = 10; step <= 50; step += 10) log.log(MetricsLog.Entry.training(step, 1.0 / step, 0.1, 5));
    }
    Files.writeString(file, "{\"step\":60,\"lo", java.nio.file.StandardOpenOption.APPEND);
    assertEquals(5, MetricsLog.read(file).size(), "the torn line is ignored when reading");
    try (MetricsLog log = MetricsLog.resume(file, 30)) {
      log.log(MetricsLog.Entry.training(40, 0.5, 0.1, 5));
    }
    List<MetricsLog.Entry> entries = MetricsLog.read(file);
    assertEquals(List.of(10, 20, 30, 40), entries.stream().map(MetricsLog.Entry::step).toList());
    assertEquals(0.5, entries.get(3).loss());
    Path fresh = dir.resolve("none.jsonl");
    try (MetricsLog log = MetricsLog.resume(fresh, 7)) {
      log.log(MetricsLog.Entry.training(8, 1, 1, 1));
    }
    assertEquals(1, MetricsLog.read(fresh).size());
  }

  @Test
  void aBadLineIsNamed() throws Exception {
    Path file = dir.resolve("m.jsonl");
    Files.writeString(file, "{\"step\":1,\"loss\":1,\"lr\":1,\"tokens_per_s\":1}\n{\"step\":2}\n");
    var e = assertThrows(DataException.class, () -> MetricsLog.read(file));
    assertTrue(e.getMessage().contains("line 2: no \"loss\""), e.getMessage());
    Files.writeString(file, "{\"step\":1,\"loss\":[1]}\n");
    var nested = assertThrows(DataException.class, () -> MetricsLog.read(file));
    assertTrue(nested.getMessage().contains("line 1: not a JSON metrics object"), nested.getMessage());
    Files.writeString(file, "{\"step\":1.5,\"loss\":1,\"lr\":1,\"tokens_per_s\":1}\n");
    assertThrows(DataException.class, () -> MetricsLog.read(file));
  }

  @Test
  void extrasCannotShadowStandardKeys() {
    assertThrows(IllegalArgumentException.class, () -> MetricsLog.Entry.training(1, 1, 1, 1).withExtra("bleu", 1));
  }
}
