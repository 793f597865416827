package dev.adjoint.cli;

import dev.adjoint.train.TrainedModel;
import dev.adjoint.train.TrainingData;
import dev.adjoint.compiler.Compilation;
import dev.adjoint.train.DataException;
import dev.adjoint.train.DataSplit;
import dev.adjoint.train.Example;
import dev.adjoint.train.HeldOutEvaluation;
import dev.adjoint.train.Vocabulary;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "translate", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Decode with a model trained by adjoint train: the checkpoint in --run (and its vocabulary) "
        + "with the program's forward(src, tgt_in). Translates --text, or each line of --input (default: standard "
        + "input), printing one line per input line; or scores the held-out split of --task or --data, printing "
        + "exact_match=X bleu=Y as the last line.")
final class TranslateCommand implements Callable<Integer> {
  @Parameters(paramLabel = "FILE.adj", description = "The program the run was trained with.")
  Path file;

  @Option(names = "--run", paramLabel = "DIR", defaultValue = "runs/train",
      description = "The run folder adjoint train wrote (default: ${DEFAULT-VALUE}).")
  Path run;

  @Option(names = "--text", paramLabel = "TEXT", description = "One sentence to translate.")
  String text;

  @Option(names = "--input", paramLabel = "FILE", description = "Sentences to translate, one per line; - for standard input.")
  String input;

  @Option(names = "--task", paramLabel = "NAME", description = "Score the held-out split of a built-in task: copy, reverse, sort or add.")
  String task;

  @Option(names = "--data", paramLabel = "FILE.tsv", description = "Score the held-out split of parallel text (source<TAB>target).")
  Path data;

  @Option(names = "--beam", paramLabel = "N", defaultValue = "1",
      description = "Beam size; 1 decodes greedily (default: ${DEFAULT-VALUE}).")
  int beam;

  @Option(names = "--max-len", paramLabel = "N", description = "Longest output, in tokens (default: the run's --max-len).")
  Integer maxLen;

  @Option(names = "--entry", paramLabel = "Model.fn", description = "The forward function (default: the only model's forward).")
  String entry;

  @Option(names = "--backend", paramLabel = "NAME", defaultValue = "java",
      description = "java (generated Java) or interp (the reference interpreter) (default: ${DEFAULT-VALUE}).")
  String backend;

  @Option(names = "--threads", paramLabel = "N", description = "Threads for the java backend (default: the number of cores).")
  Integer threads;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    int sources = (text != null ? 1 : 0) + (input != null ? 1 : 0) + (task != null ? 1 : 0) + (data != null ? 1 : 0);
    if (sources > 1) throw new UserError("give at most one of --text, --input, --task and --data");
    if (beam < 1) throw new UserError("--beam must be at least 1, got " + beam);
    if (maxLen != null && maxLen < 1) throw new UserError("--max-len must be at least 1, got " + maxLen);
    int t = threads != null ? threads : Runtime.getRuntime().availableProcessors();
    if (t < 1) throw new UserError("--threads must be at least 1, got " + t);
    TrainedModel.Backend where = switch (backend) {
      case "java" -> TrainedModel.Backend.JAVA;
      case "interp" -> TrainedModel.Backend.INTERPRETER;
      default -> throw new UserError("adjoint translate runs on --backend java or interp, not '" + backend + "'");
    };
    if (text != null && text.isBlank()) throw new UserError("--text is empty: nothing to translate");

    Compilation c = Compilation.compile(file);
    String forward = entry != null ? entry : defaultForward(c);
    if (!c.entryPoints().contains(forward)) {
      throw new UserError("no entry point '" + forward + "'; the entry points are " + String.join(", ", c.entryPoints()));
    }
    TrainedModel trained = TrainedModel.load(c, forward, run, where, t);
    int runMaxLen = Math.toIntExact(trained.longSetting(TrainedModel.MAX_LEN));
    int outputLen = maxLen != null ? maxLen : runMaxLen;
    PrintWriter out = spec.commandLine().getOut();

    if (task != null || data != null) {
      long seed = trained.longSetting(TrainedModel.SEED);
      // The run's --max-len and seed, so that the split is the one the run held out.
      TrainingData all = task != null ? TrainingData.task(task, runMaxLen, seed)
          : TrainingData.text(data, trained.vocabulary(), runMaxLen);
      DataSplit<Example> split = all.split(seed);
      HeldOutEvaluation.Result r = HeldOutEvaluation.run(trained.model(), split.heldOut(), outputLen, beam);
      out.printf(Locale.ROOT, "held-out: %d pairs of %s, %s%n", split.heldOut().size(),
          task != null ? "task " + task : data, beam == 1 ? "greedy" : "beam " + beam);
      out.printf(Locale.ROOT, "exact_match=%.4f bleu=%.2f%n", r.exactMatch(), r.bleu());
      return 0;
    }

    List<String> lines = text != null ? List.of(text) : readLines(input == null ? "-" : input);
    for (String translation : translate(trained, lines, outputLen)) out.println(translation);
    return 0;
  }

  /** Each line's translation; a blank line stays blank, so that outputs line up with inputs. */
  private List<String> translate(TrainedModel trained, List<String> lines, int outputLen) {
    Vocabulary vocabulary = trained.vocabulary();
    List<int[]> sources = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).isBlank()) continue;
      try {
        sources.add(vocabulary.encode(lines.get(i)));
      } catch (DataException e) {
        String where = text != null ? "--text" : "'" + inputName() + "' line " + (i + 1);
        throw new DataException(where + ": " + e.getMessage(), e);
      }
    }
    List<int[]> decoded = HeldOutEvaluation.decode(trained.model(), sources, outputLen, beam);
    List<String> out = new ArrayList<>();
    int next = 0;
    for (String line : lines) out.add(line.isBlank() ? "" : vocabulary.decode(decoded.get(next++)));
    return out;
  }

  private String inputName() {
    return input == null || input.equals("-") ? "<stdin>" : input;
  }

  /** The lines of {@code name} ({@code -}: standard input), UTF-8, without line ends. */
  private static List<String> readLines(String name) {
    byte[] bytes;
    String shown = name.equals("-") ? "<stdin>" : name;
    try {
      if (name.equals("-")) {
        InputStream in = System.in;
        bytes = in.readAllBytes();
      } else {
        Path p = Path.of(name);
        if (Files.isDirectory(p)) throw new UserError("--input '" + name + "' is a folder, not a file");
        bytes = Files.readAllBytes(p);
      }
    } catch (NoSuchFileException e) {
      throw new UserError("--input '" + name + "': no such file");
    } catch (IOException e) {
      throw new UncheckedIOException("'" + shown + "': cannot read the input: " + e.getMessage(), e);
    }
    String all;
    try {
      all = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
    } catch (CharacterCodingException e) {
      throw new DataException("'" + shown + "': the input is not valid UTF-8 text", e);
    }
    if (all.startsWith("\uFEFF")) all = all.substring(1);
    List<String> lines = new ArrayList<>();
    for (String l : all.split("\n", -1)) lines.add(l.endsWith("\r") ? l.substring(0, l.length() - 1) : l);
    // The newline that ends the last line does not start another.
    if (!lines.isEmpty() && all.endsWith("\n")) lines.remove(lines.size() - 1);
    if (lines.stream().allMatch(String::isBlank)) throw new DataException("'" + shown + "': nothing to translate (no text)");
    return lines;
  }

  private static String defaultForward(Compilation c) {
    List<String> forwards = c.entryPoints().stream().filter(e -> e.endsWith(".forward")).toList();
    if (forwards.size() != 1) {
      throw new UserError(forwards.isEmpty() ? "no model has a 'forward' function; name it with --entry Model.fn"
          : "several models have a forward (" + String.join(", ", forwards) + "); choose one with --entry");
    }
    return forwards.get(0);
  }
}
