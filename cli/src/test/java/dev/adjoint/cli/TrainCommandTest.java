package dev.adjoint.cli;

import static dev.adjoint.cli.CliRunner.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.train.Batcher;
import dev.adjoint.train.DataException;
import dev.adjoint.train.MetricsLog;
import dev.adjoint.train.ParallelText;
import dev.adjoint.train.Tokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code adjoint train}: the files of CLI.md, the metrics, resuming bit for bit, and bad data and checkpoints. */
class TrainCommandTest {
  /** A tiny Transformer that trains in seconds. */
  static final String TINY = """
      dim B, S, T
      model Tiny {
        layer transformer: Transformer(16, 8, 2, 16, 1)
        fn forward(src: i32[B, S], tgt_in: i32[B, T]) -> f32[B, T, 16] = transformer(src, tgt_in)
        fn loss(src: i32[B, S], tgt_in: i32[B, T], tgt_out: i32[B, T]) -> f32 =
          cross_entropy(transformer(src, tgt_in), tgt_out, smoothing=0.1)
      }
      """;

  @TempDir Path dir;

  private String tiny() {
    return CliRunner.program(dir, "tiny.adj", TINY);
  }

  private CliRunner.Result train(String... extra) {
    List<String> args = new ArrayList<>(List.of("train", tiny(), "--batch", "8", "--max-len", "4", "--threads", "2",
        "--schedule", "constant", "--lr", "0.01", "--warmup", "0", "--seed", "3"));
    args.addAll(List.of(extra));
    return run(args.toArray(String[]::new));
  }

  @Test
  void shortRunWritesEveryFileAndLearns() throws IOException {
    Path out = dir.resolve("run");
    String printed = train("--task", "reverse", "--steps", "30", "--eval-every", "10", "--out", out.toString())
        .succeeds().out();
    for (String f : List.of("metrics.jsonl", "checkpoint.safetensors", "optimizer.safetensors", "loss.png", "loss.svg")) {
      assertTrue(Files.size(out.resolve(f)) > 0, f);
    }
    List<String> lines = printed.lines().toList();
    String last = lines.get(lines.size() - 1);
    assertTrue(last.matches("final: step=30 loss=\\d+\\.\\d+ exact_match=\\d\\.\\d+ bleu=\\d+\\.\\d+"), last);

    List<String> json = Files.readAllLines(out.resolve("metrics.jsonl"));
    assertEquals(30, json.size());
    for (String l : json) {
      for (String key : List.of("\"step\":", "\"loss\":", "\"lr\":", "\"tokens_per_s\":")) assertTrue(l.contains(key), l);
    }
    List<MetricsLog.Entry> entries = MetricsLog.read(out.resolve("metrics.jsonl"));
    List<Integer> evaluated = entries.stream().filter(MetricsLog.Entry::isEvaluation).map(MetricsLog.Entry::step).toList();
    assertEquals(List.of(10, 20, 30), evaluated);
    for (String l : json) {
      if (l.contains("\"step\":10,") || l.contains("\"step\":30,")) {
        assertTrue(l.contains("\"exact_match\":") && l.contains("\"bleu\":"), l);
      }
    }
    double first = entries.subList(0, 5).stream().mapToDouble(MetricsLog.Entry::loss).average().orElseThrow();
    double lastLoss = entries.subList(25, 30).stream().mapToDouble(MetricsLog.Entry::loss).average().orElseThrow();
    assertTrue(lastLoss < first - 0.1, "loss from " + first + " to " + lastLoss);
  }

  @Test
  void resumingContinuesBitForBit() {
    Path straight = dir.resolve("straight");
    Path resumed = dir.resolve("resumed");
    train("--task", "copy", "--steps", "20", "--eval-every", "0", "--out", straight.toString()).succeeds();
    train("--task", "copy", "--steps", "10", "--eval-every", "0", "--out", resumed.toString()).succeeds();
    String out = train("--task", "copy", "--steps", "20", "--eval-every", "0", "--resume", resumed.toString())
        .succeeds().out();
    assertTrue(out.lines().reduce((a, b) -> b).orElseThrow().startsWith("final: step=20 "), out);
    assertArrayEquals(CliRunner.bytes(straight.resolve("checkpoint.safetensors")),
        CliRunner.bytes(resumed.resolve("checkpoint.safetensors")));
    assertArrayEquals(CliRunner.bytes(straight.resolve("optimizer.safetensors")),
        CliRunner.bytes(resumed.resolve("optimizer.safetensors")));
  }

  @Test
  void corruptCheckpointIsRefused() throws IOException {
    Path out = dir.resolve("run");
    train("--task", "copy", "--steps", "3", "--eval-every", "0", "--out", out.toString()).succeeds();
    Path ck = out.resolve("checkpoint.safetensors");
    byte[] bytes = Files.readAllBytes(ck);
    bytes[bytes.length - 3] ^= 0x40;
    Files.write(ck, bytes);
    CliRunner.Result r = train("--task", "copy", "--steps", "6", "--resume", out.toString());
    assertEquals(1, r.status(), r.err());
    r.assertNoStackTrace();
    assertTrue(r.err().startsWith("error: ") && r.err().contains("checkpoint.safetensors"), r.err());
  }

  @Test
  void emptyDataIsRefusedWithTheRuntimesMessage() throws IOException {
    Path tsv = dir.resolve("empty.tsv");
    Files.writeString(tsv, "");
    String expected = assertThrows(DataException.class, () -> ParallelText.load(tsv, Tokenizer.CHARACTER, 4)).getMessage();
    train("--data", tsv.toString(), "--steps", "2", "--out", dir.resolve("o").toString()).failsWithError(expected);
  }

  @Test
  void lineWithoutTabIsRefusedWithTheRuntimesMessage() throws IOException {
    Path tsv = dir.resolve("bad.tsv");
    Files.writeString(tsv, "ab\tba\nabc cba\n");
    String expected = assertThrows(DataException.class, () -> ParallelText.load(tsv, Tokenizer.CHARACTER, 4)).getMessage();
    assertTrue(expected.contains("2"), expected);
    train("--data", tsv.toString(), "--steps", "2", "--out", dir.resolve("o").toString()).failsWithError(expected);
  }

  @Test
  void batchLargerThanTheDataIsRefused() throws IOException {
    Path tsv = dir.resolve("small.tsv");
    Files.writeString(tsv, "ab\tba\nabc\tcba\nb\tb\nca\tac\n");
    // Four pairs: one is held out, three train, and a batch of 8 does not fit.
    var data = ParallelText.load(tsv, Tokenizer.CHARACTER, 4).examples();
    String expected = assertThrows(DataException.class, () -> new Batcher(data.subList(0, 3), 8, 3)).getMessage();
    train("--data", tsv.toString(), "--steps", "2", "--out", dir.resolve("o").toString()).failsWithError(expected);
  }
}
