package dev.adjoint.cli;

import static dev.adjoint.cli.CliRunner.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.train.TrainingData;
import dev.adjoint.train.BuiltinTasks;
import dev.adjoint.train.Example;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code adjoint translate} on a run of {@code adjoint train}: the held-out scores are those the
 * run reported, sentence translation agrees with them, and every bad input is a message.
 */
class TranslateCommandTest {
  private static final int MAX_LEN = 5;
  private static final long SEED = 3;

  @TempDir static Path shared;
  static Path program;
  static Path runDir;
  /** The exact match and BLEU of the run's final held-out evaluation, as printed. */
  static String trainedScores;

  @TempDir Path dir;

  @BeforeAll
  static void trainACopyModel() {
    program = Path.of(CliRunner.program(shared, "tiny.adj", TrainCommandTest.TINY));
    runDir = shared.resolve("run");
    String out = run("train", program.toString(), "--task", "copy", "--steps", "400", "--batch", "16", "--max-len",
        String.valueOf(MAX_LEN), "--threads", "2", "--eval-every", "0", "--schedule", "constant", "--lr", "0.01",
        "--warmup", "0", "--seed", String.valueOf(SEED), "--out", runDir.toString()).succeeds().out();
    Matcher m = Pattern.compile("exact_match=\\S+ bleu=\\S+").matcher(out.lines().reduce((a, b) -> b).orElseThrow());
    assertTrue(m.find(), out);
    trainedScores = m.group();
  }

  private static CliRunner.Result translate(String... extra) {
    List<String> args = new ArrayList<>(List.of("translate", program.toString(), "--run", runDir.toString(),
        "--threads", "2"));
    args.addAll(List.of(extra));
    return run(args.toArray(String[]::new));
  }

  private static String lastLine(String text) {
    return text.lines().reduce((a, b) -> b).orElseThrow();
  }

  @Test
  void heldOutScoresAreTheTrainingRunsOwn() {
    String out = translate("--task", "copy").succeeds().out();
    assertEquals("held-out: 200 pairs of task copy, greedy", out.lines().findFirst().orElseThrow());
    assertEquals(trainedScores, lastLine(out));
    // The model has learnt something, so the comparison is not of two zeros.
    double exact = Double.parseDouble(trainedScores.replaceAll("exact_match=(\\S+) .*", "$1"));
    assertTrue(exact > 0.1, trainedScores);
  }

  @Test
  void beamSearchScoresTheSameSplit() {
    String out = translate("--task", "copy", "--beam", "3").succeeds().out();
    assertEquals("held-out: 200 pairs of task copy, beam 3", out.lines().findFirst().orElseThrow());
    assertTrue(lastLine(out).matches("exact_match=\\d\\.\\d{4} bleu=\\d+\\.\\d{2}"), out);
  }

  @Test
  void translatingTheHeldOutSourcesAsTextGivesTheSameExactMatch() throws IOException {
    List<Example> heldOut = TrainingData.task("copy", MAX_LEN, SEED).split(SEED).heldOut();
    List<String> sources = new ArrayList<>();
    List<String> targets = new ArrayList<>();
    for (Example e : heldOut) {
      sources.add(BuiltinTasks.vocabulary().decode(e.source()));
      targets.add(BuiltinTasks.vocabulary().decode(e.target()));
    }
    Path input = dir.resolve("sources.txt");
    Files.writeString(input, String.join("\n", sources) + "\n");
    List<String> lines = translate("--input", input.toString()).succeeds().out().lines().toList();
    assertEquals(sources.size(), lines.size());
    int same = 0;
    for (int i = 0; i < lines.size(); i++) {
      assertTrue(lines.get(i).matches("[0-9+=]*"), lines.get(i));
      if (lines.get(i).equals(targets.get(i))) same++;
    }
    assertEquals(trainedScores.replaceAll("exact_match=(\\S+) .*", "$1"),
        String.format(java.util.Locale.ROOT, "%.4f", (double) same / lines.size()));
  }

  @Test
  void oneSentenceFromTextAndBlankLinesKeptFromStandardInput() {
    String one = translate("--text", "2718").succeeds().out();
    assertEquals(1, one.lines().count(), one);
    InputStream saved = System.in;
    try {
      System.setIn(new ByteArrayInputStream("2718\n\n31\n".getBytes(StandardCharsets.UTF_8)));
      List<String> lines = translate().succeeds().out().lines().toList();
      assertEquals(List.of(one.strip(), "", translate("--text", "31").succeeds().out().strip()), lines);
    } finally {
      System.setIn(saved);
    }
  }

  @Test
  void theInterpreterDecodesAsTheGeneratedJavaDoes() {
    assertEquals(translate("--text", "4096").succeeds().out(),
        translate("--text", "4096", "--backend", "interp").succeeds().out());
  }

  @Test
  void helpListsEveryOption() {
    String help = run("translate", "--help").succeeds().out();
    for (String option : List.of("FILE.adj", "--run", "--text", "--input", "--task", "--data", "--beam", "--max-len",
        "--entry", "--backend", "--threads")) {
      assertTrue(help.contains(option), option + " is missing from translate --help");
    }
  }

  // ---- bad input ----------------------------------------------------------------------------

  @Test
  void unknownTokenInText() {
    translate("--text", "12a").failsWithError(
        "--text: unknown token 'a': the vocabulary of 16 ids (tokenizer char) does not have it (token 3 of \"12a\")");
  }

  @Test
  void unknownTokenInAnInputFileNamesTheLine() throws IOException {
    Path input = dir.resolve("in.txt");
    Files.writeString(input, "12\n3 4\n");
    translate("--input", input.toString()).failsWithError("'" + input + "' line 2: unknown token '\\s': the vocabulary"
        + " of 16 ids (tokenizer char) does not have it (token 2 of \"3 4\")");
  }

  @Test
  void unknownTokenInHeldOutData() throws IOException {
    Path tsv = dir.resolve("data.tsv");
    Files.writeString(tsv, "12\t21\nab\tba\n");
    translate("--data", tsv.toString()).failsWithError("'" + tsv + "' line 2 (source): unknown token 'a': the"
        + " vocabulary of 16 ids (tokenizer char) does not have it (token 1 of \"ab\")");
  }

  @Test
  void missingRunFolder() {
    Path none = dir.resolve("none");
    run("translate", program.toString(), "--run", none.toString(), "--text", "1")
        .failsWithError("'" + none + "': no such run folder (adjoint train --out writes one)");
  }

  @Test
  void missingCheckpoint() throws IOException {
    Path empty = Files.createDirectory(dir.resolve("empty"));
    run("translate", program.toString(), "--run", empty.toString(), "--text", "1").failsWithError("'"
        + empty.resolve("checkpoint.safetensors") + "': no such file (a checkpoint folder holds checkpoint.safetensors"
        + " and optimizer.safetensors)");
  }

  @Test
  void truncatedCheckpoint() throws IOException {
    Path copy = copyOfRun("truncated");
    Path ck = copy.resolve("checkpoint.safetensors");
    byte[] bytes = Files.readAllBytes(ck);
    Files.write(ck, java.util.Arrays.copyOf(bytes, 1000));
    CliRunner.Result r = run("translate", program.toString(), "--run", copy.toString(), "--text", "1").failsWith(1);
    assertTrue(r.err().startsWith("error: '" + ck + "': corrupt or truncated checkpoint: header length "), r.err());
    assertTrue(r.err().endsWith(" runs past the end of the file (only 992 bytes follow the 8-byte length)"
        + System.lineSeparator()), r.err());
  }

  @Test
  void corruptedCheckpoint() throws IOException {
    Path copy = copyOfRun("corrupted");
    Path ck = copy.resolve("checkpoint.safetensors");
    byte[] bytes = Files.readAllBytes(ck);
    bytes[bytes.length - 5] ^= 0x10;
    Files.write(ck, bytes);
    CliRunner.Result r = run("translate", program.toString(), "--run", copy.toString(), "--text", "1").failsWith(1);
    assertTrue(r.err().matches("error: '" + Pattern.quote(ck.toString()) + "': checksum mismatch: the file is corrupted"
        + " \\(its data has SHA-256 [0-9a-f]{64}, the metadata says [0-9a-f]{64}\\)\\R"), r.err());
  }

  @Test
  void checkpointOfAnotherShape() {
    String wide = CliRunner.program(dir, "wide.adj", TrainCommandTest.TINY.replace("Transformer(16, 8, 2, 16, 1)",
        "Transformer(16, 12, 2, 16, 1)"));
    run("translate", wide, "--run", runDir.toString(), "--text", "1").failsWithError("'"
        + runDir.resolve("checkpoint.safetensors") + "': tensor 'transformer.embed.table' is f32[16, 8] but the"
        + " model's param is f32[16, 12]");
  }

  @Test
  void checkpointWithoutAParamOfTheModel() {
    String deeper = CliRunner.program(dir, "deeper.adj", TrainCommandTest.TINY.replace("Transformer(16, 8, 2, 16, 1)",
        "Transformer(16, 8, 2, 16, 2)"));
    run("translate", deeper, "--run", runDir.toString(), "--text", "1").failsWithError("'"
        + runDir.resolve("checkpoint.safetensors") + "': has no tensor 'transformer.encoder.1.self_attn.wq', a param"
        + " of the model");
  }

  @Test
  void checkpointWithATensorTheModelDoesNotHave() {
    String shallower = CliRunner.program(dir, "shallow.adj", """
        dim B, S, T
        model Embeddings {
          layer embed: Embedding(16, 8)
          fn logits(ids: i32[B, T]) -> f32[B, T, 16] = embed(ids) @ embed.table.T
        }
        model Shallow {
          layer transformer: Embeddings
          fn forward(src: i32[B, S], tgt_in: i32[B, T]) -> f32[B, T, 16] = transformer.logits(tgt_in)
        }
        """);
    run("translate", shallower, "--run", runDir.toString(), "--text", "1").failsWithError("'"
        + runDir.resolve("checkpoint.safetensors") + "': tensor 'transformer.decoder.0.cross_attn.bk' is not a param"
        + " of the model");
  }

  @Test
  void forwardThatDoesNotTakeSourceAndTarget() {
    String odd = CliRunner.program(dir, "odd.adj", """
        dim B, T
        model Odd {
          layer embed: Embedding(16, 8)
          fn forward(tgt_in: i32[B, T]) -> f32[B, T, 16] = embed(tgt_in) @ embed.table.T
        }
        """);
    run("translate", odd, "--run", runDir.toString(), "--text", "1").failsWithError("Odd.forward takes (tgt_in:"
        + " i32[B, T]); decoding needs (src: i32[B, S], tgt_in: i32[B, T]) returning logits f32[B, T, V]");
  }

  /** A tiny model with a table of 4 learned positions, so that longer sequences do not fit. */
  private static final String LEARNED = """
      dim B, S, T
      model Learned {
        layer embed: Embedding(16, 8)
        param positions: f32[4, 8] = normal(0.0, 1.0)
        layer encoder: EncoderLayer(8, 2, 16)
        layer decoder: DecoderLayer(8, 2, 16)
        fn forward(src: i32[B, S], tgt_in: i32[B, T]) -> f32[B, T, 16] {
          let memory = encoder(embed(src) + slice(positions, 0, 0, S), padding_mask(src))
          let y = embed(tgt_in) + slice(positions, 0, 0, T)
          return decoder(y, memory, causal_mask(T), padding_mask(src)) @ embed.table.T
        }
        fn loss(src: i32[B, S], tgt_in: i32[B, T], tgt_out: i32[B, T]) -> f32 =
          cross_entropy(forward(src, tgt_in), tgt_out)
      }
      """;

  @Test
  void aSentenceLongerThanTheLearnedPositionsIsAMessage() {
    String learned = CliRunner.program(dir, "learned.adj", LEARNED);
    Path out = dir.resolve("learned");
    run("train", learned, "--task", "copy", "--steps", "2", "--batch", "4", "--max-len", "3", "--threads", "2",
        "--eval-every", "0", "--out", out.toString()).succeeds();
    translate(learned, out, "--text", "123").succeeds();
    run("translate", learned, "--run", out.toString(), "--text", "12345", "--threads", "2").failsWithError(
        "slice [0, 5) of axis 0 is outside its 4 elements at the sizes B=1, S=5, T=1 (" + learned + ":8:39)");
    // Training on longer sequences than the table holds is refused the same way.
    CliRunner.Result longer = run("train", learned, "--task", "copy", "--steps", "2", "--batch", "4", "--max-len", "4",
        "--threads", "2", "--out", dir.resolve("longer").toString());
    assertEquals(1, longer.status());
    assertEquals("error: slice [0, 5) of axis 0 is outside its 4 elements at the sizes B=4, S=4, T=5 (" + learned
        + ":9:29)" + System.lineSeparator(), longer.err());
  }

  private static CliRunner.Result translate(String program, Path run, String... extra) {
    List<String> args = new ArrayList<>(List.of("translate", program, "--run", run.toString(), "--threads", "2"));
    args.addAll(List.of(extra));
    return CliRunner.run(args.toArray(String[]::new));
  }

  @Test
  void usageMistakes() throws IOException {
    translate("--text", "1", "--task", "copy").failsWithError("give at most one of --text, --input, --task and --data");
    translate("--text", "1", "--beam", "0").failsWithError("--beam must be at least 1, got 0");
    translate("--text", "1", "--max-len", "0").failsWithError("--max-len must be at least 1, got 0");
    translate("--text", "1", "--backend", "cuda").failsWithError(
        "adjoint translate runs on --backend java or interp, not 'cuda'");
    translate("--text", " ").failsWithError("--text is empty: nothing to translate");
    translate("--text", "1", "--entry", "Tiny.fwd").failsWithError(
        "no entry point 'Tiny.fwd'; the entry points are Tiny.forward, Tiny.loss");
    translate("--task", "divide").failsWithError(
        "unknown task 'divide'; the built-in tasks are copy, reverse, sort and add");
    Path missing = dir.resolve("missing.txt");
    translate("--input", missing.toString()).failsWithError("--input '" + missing + "': no such file");
    Path blank = dir.resolve("blank.txt");
    Files.writeString(blank, "\n  \n");
    translate("--input", blank.toString()).failsWithError("'" + blank + "': nothing to translate (no text)");
  }

  private Path copyOfRun(String name) throws IOException {
    Path copy = Files.createDirectory(dir.resolve(name));
    try (var files = Files.list(runDir)) {
      for (Path f : files.toList()) Files.copy(f, copy.resolve(f.getFileName()));
    }
    return copy;
  }
}
