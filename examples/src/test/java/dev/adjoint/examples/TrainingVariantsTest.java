package dev.adjoint.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.train.MetricsLog;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Transformer variants train on {@code reverse}: a few hundred steps of {@code adjoint train}
 * (small batches, so that it takes seconds) bring the loss well down, and {@code adjoint
 * translate} decodes with the result. The full runs, to 100 % exact match, are in docs/perf.md.
 */
class TrainingVariantsTest {
  private static final int STEPS = 200;
  private static final int WINDOW = 20;

  @TempDir Path dir;

  @ParameterizedTest
  @ValueSource(strings = {"reverse_rope.adj", "reverse_learned_positions.adj"})
  void trainsOnReverse(String example) throws IOException {
    Path file = ExamplesTest.SOURCES.resolve(example);
    Path run = dir.resolve("run");
    ExamplesTest.Cli train = ExamplesTest.Cli.run(List.of("train", file.toString(), "--task", "reverse", "--steps",
        String.valueOf(STEPS), "--batch", "16", "--eval-every", "0", "--seed", "1", "--out", run.toString()));
    assertEquals("", train.err());
    assertEquals(0, train.status());

    List<MetricsLog.Entry> log = MetricsLog.read(run.resolve("metrics.jsonl"));
    assertEquals(STEPS, log.size());
    double first = log.subList(0, WINDOW).stream().mapToDouble(MetricsLog.Entry::loss).average().orElseThrow();
    double last = log.subList(STEPS - WINDOW, STEPS).stream().mapToDouble(MetricsLog.Entry::loss).average().orElseThrow();
    // From about ln 16 = 2.8 (nothing learnt) to well below ln 10 = 2.3 (the digits, but not their order).
    assertTrue(first > 2.4, example + ": the first steps' loss is " + first);
    assertTrue(last < 2.0, example + ": loss from " + first + " to " + last + " in " + STEPS + " steps");

    ExamplesTest.Cli translate = ExamplesTest.Cli.run(List.of("translate", file.toString(), "--run", run.toString(),
        "--text", "3141592"));
    assertEquals("", translate.err());
    assertEquals(0, translate.status());
    assertTrue(translate.out().matches("[0-9]*\\R"), translate.out());
  }
}
