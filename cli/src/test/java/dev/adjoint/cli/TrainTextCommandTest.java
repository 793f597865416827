package dev.adjoint.cli;

import static dev.adjoint.cli.CliRunner.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.train.MetricsLog;
import dev.adjoint.train.TextTokenizer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code adjoint train --text}: a tiny decoder-only model on a small text, char and BPE, resume, bad text. */
class TrainTextCommandTest {
  /** A one-block pre-norm GPT with a tied output projection: trains in seconds. */
  static final String TINY_GPT = """
      dim B, T
      const V = 300, D = 16
      model TinyGpt {
        layer embed: Embedding(V, D)
        layer block: PreNormEncoderLayer(D, 2, 32)
        layer norm: LayerNorm(D)
        fn forward(ids: i32[B, T]) -> f32[B, T, V] =
          norm(block(embed(ids) + sinusoidal_positions(T, D), causal_mask(T))) @ embed.table.T
        fn loss(ids: i32[B, T], targets: i32[B, T]) -> f32 = cross_entropy(forward(ids), targets)
      }
      """;

  @TempDir Path dir;

  private Path corpus() throws IOException {
    Path f = dir.resolve("corpus.txt");
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 60; i++) sb.append("the cat sat on the mat. the dog sat on the log.\n");
    Files.writeString(f, sb.toString());
    return f;
  }

  private CliRunner.Result train(Path text, String... extra) {
    List<String> args = new ArrayList<>(List.of("train", CliRunner.program(dir, "gpt.adj", TINY_GPT), "--text",
        text.toString(), "--batch", "4", "--block", "16", "--threads", "2", "--schedule", "constant", "--lr", "0.01",
        "--warmup", "0", "--seed", "5", "--optimizer", "adamw"));
    args.addAll(List.of(extra));
    return run(args.toArray(String[]::new));
  }

  @Test
  void aCharModelTrainsAndReportsValidationLossAndPerplexity() throws IOException {
    Path out = dir.resolve("run");
    String printed = train(corpus(), "--steps", "30", "--eval-every", "10", "--out", out.toString()).succeeds().out();
    for (String f : List.of("metrics.jsonl", "checkpoint.safetensors", "optimizer.safetensors", "loss.png", "loss.svg",
        "tokenizer.json")) {
      assertTrue(Files.size(out.resolve(f)) > 0, f);
    }
    List<String> lines = printed.lines().toList();
    String last = lines.get(lines.size() - 1);
    assertTrue(last.matches("final: step=30 loss=\\d+\\.\\d+ val_loss=\\d+\\.\\d+ perplexity=\\d+\\.\\d+"), last);
    assertEquals("char", TextTokenizer.load(out).kind());
    assertEquals(15, TextTokenizer.load(out).size()); // \n space . a c d e g h l m n o s t

    List<MetricsLog.Entry> entries = MetricsLog.read(out.resolve("metrics.jsonl"));
    assertEquals(30, entries.size());
    List<Integer> evaluated = entries.stream().filter(e -> e.extra().containsKey("val_loss")).map(MetricsLog.Entry::step)
        .toList();
    assertEquals(List.of(10, 20, 30), evaluated);
    for (MetricsLog.Entry e : entries) {
      if (e.extra().containsKey("val_loss")) {
        assertEquals(Math.exp(e.extra().get("val_loss")), e.extra().get("perplexity"), 1e-9 * e.extra().get("perplexity"));
      }
    }
    double first = entries.subList(0, 5).stream().mapToDouble(MetricsLog.Entry::loss).average().orElseThrow();
    double lastLoss = entries.subList(25, 30).stream().mapToDouble(MetricsLog.Entry::loss).average().orElseThrow();
    assertTrue(lastLoss < first - 0.3, "loss from " + first + " to " + lastLoss);
  }

  @Test
  void resumingContinuesBitForBit() throws IOException {
    Path text = corpus();
    Path straight = dir.resolve("straight");
    Path resumed = dir.resolve("resumed");
    train(text, "--tokenizer", "bpe", "--vocab-size", "270", "--steps", "12", "--eval-every", "0", "--out",
        straight.toString()).succeeds();
    train(text, "--tokenizer", "bpe", "--vocab-size", "270", "--steps", "6", "--eval-every", "0", "--out",
        resumed.toString()).succeeds();
    String out = train(text, "--tokenizer", "bpe", "--vocab-size", "270", "--steps", "12", "--eval-every", "0",
        "--resume", resumed.toString()).succeeds().out();
    assertTrue(out.lines().reduce((a, b) -> b).orElseThrow().startsWith("final: step=12 "), out);
    assertEquals("bpe", TextTokenizer.load(resumed).kind());
    assertArrayEquals(CliRunner.bytes(straight.resolve("checkpoint.safetensors")),
        CliRunner.bytes(resumed.resolve("checkpoint.safetensors")));
    assertArrayEquals(CliRunner.bytes(straight.resolve("optimizer.safetensors")),
        CliRunner.bytes(resumed.resolve("optimizer.safetensors")));
    assertArrayEquals(CliRunner.bytes(straight.resolve("tokenizer.json")), CliRunner.bytes(resumed.resolve("tokenizer.json")));

    // A run continues only with the blocks and held-out tail it was trained on, and only from a --text run.
    run("train", CliRunner.program(dir, "gpt.adj", TINY_GPT), "--text", text.toString(), "--tokenizer", "bpe",
        "--steps", "14", "--block", "8", "--resume", resumed.toString())
        .failsWithError("'" + resumed + "' was trained with --block 16, not 8: pass the same to continue it");
    train(text, "--tokenizer", "bpe", "--steps", "14", "--val-fraction", "0.2", "--resume", resumed.toString())
        .failsWithError("'" + resumed + "' was trained with --val-fraction 0.1, not 0.2: pass the same to continue it");
    train(text, "--steps", "14", "--resume", resumed.toString())
        .failsWithError("'" + resumed + "' was trained with --tokenizer bpe, not char");
    Path notText = dir.resolve("empty-run");
    Files.createDirectories(notText);
    train(text, "--steps", "14", "--resume", notText.toString())
        .failsWithError("'" + notText + "' has no tokenizer.json: it was not trained with --text");
  }

  @Test
  void badTextsAndSizesAreMessages() throws IOException {
    Path empty = dir.resolve("empty.txt");
    Files.write(empty, new byte[0]);
    train(empty, "--steps", "2").failsWithError("'" + empty + "' is empty: there is no text to train on");

    Path latin1 = dir.resolve("latin1.txt");
    Files.write(latin1, "caf\u00e9 au lait\n".getBytes(StandardCharsets.ISO_8859_1));
    train(latin1, "--steps", "2").failsWithError(
        "'" + latin1 + "' is not valid UTF-8: byte 0xE9 at offset 3 (line 1); save the text as UTF-8");

    train(corpus(), "--steps", "2", "--tokenizer", "bpe", "--vocab-size", "100").failsWithError(
        "--vocab-size 100 is smaller than the 256 byte tokens that byte-level BPE starts from; use"
            + " --vocab-size 256 or more (256 learns no merges)");

    // The text has 15 characters; this model's vocabulary has 10.
    String small = CliRunner.program(dir, "small.adj", TINY_GPT.replace("V = 300", "V = 10"));
    run("train", small, "--text", corpus().toString(), "--steps", "2", "--block", "16").failsWithError(
        "the char tokenizer has 15 tokens but TinyGpt.forward gives logits for 10; make the model's vocabulary at"
            + " least 15");

    // A block longer than a learned position table is refused at the slice that reads it.
    String learned = CliRunner.program(dir, "learned.adj", TINY_GPT
        .replace("layer norm: LayerNorm(D)", "layer norm: LayerNorm(D)\n  param positions: f32[8, D] = normal(0.0, 0.02)")
        .replace("sinusoidal_positions(T, D)", "slice(positions, 0, 0, T)"));
    CliRunner.Result r = run("train", learned, "--text", corpus().toString(), "--steps", "2", "--block", "16");
    assertEquals(1, r.status(), r.err());
    r.assertNoStackTrace();
    assertTrue(r.err().startsWith("error: slice [0, 16) of axis 0 is outside its 8 elements at the sizes B=1, T=16"),
        r.err());
  }
}
