package dev.adjoint.cli;

import dev.adjoint.train.TrainedModel;
import dev.adjoint.train.Trainer;
import dev.adjoint.train.TrainingData;
import dev.adjoint.compiler.Compilation;
import dev.adjoint.train.Batcher;
import dev.adjoint.train.BuiltinTasks;
import dev.adjoint.train.DataSplit;
import dev.adjoint.train.Example;
import dev.adjoint.train.OptimizerSettings;
import dev.adjoint.train.Schedule;
import dev.adjoint.train.Schedules;
import dev.adjoint.train.Vocabulary;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Train a model's scalar loss (default: the only model's loss) on a built-in task or parallel text, "
        + "on the generated-Java backend. Writes metrics.jsonl, checkpoint.safetensors, optimizer.safetensors, "
        + "loss.png and loss.svg to --out. The last line is final: step=N loss=X exact_match=Y bleu=Z. "
        + "With --text, a language model's loss(ids, targets) on plain text: tokenizer.json is written too, and the "
        + "last line is final: step=N loss=X val_loss=Y perplexity=Z.")
final class TrainCommand implements Callable<Integer> {
  @Parameters(paramLabel = "FILE.adj", description = "The program.")
  Path file;

  @Option(names = "--entry", paramLabel = "Model.fn", description = "The loss (default: the only model's loss).")
  String entry;

  @Option(names = "--task", paramLabel = "NAME", description = "A built-in task: copy, reverse, sort or add.")
  String task;

  @Option(names = "--data", paramLabel = "FILE.tsv", description = "Parallel text: source<TAB>target per line.")
  Path data;

  @Option(names = "--text", paramLabel = "FILE.txt",
      description = "Language modelling on plain UTF-8 text (.gz read as gzip); the loss is loss(ids, targets).")
  Path text;

  @Option(names = "--tokenizer", paramLabel = "NAME", defaultValue = "char",
      description = "With --text: char or bpe (byte-level, merges learned from the text) (default: ${DEFAULT-VALUE}).")
  String tokenizer;

  @Option(names = "--vocab-size", paramLabel = "N",
      description = "With --text: the BPE vocabulary size (256 bytes plus merges); for char an upper bound.")
  Integer vocabSize;

  @Option(names = "--block", paramLabel = "N",
      description = "With --text: tokens per sequence (default: the model's T if fixed, else 128).")
  Integer block;

  @Option(names = "--val-fraction", paramLabel = "X", defaultValue = "0.1",
      description = "With --text: the share of the text, from its end, held out for validation (default: ${DEFAULT-VALUE}).")
  double valFraction;

  @Option(names = "--val-batches", paramLabel = "N", defaultValue = "20",
      description = "With --text: at most N held-out batches per evaluation (default: ${DEFAULT-VALUE}).")
  int valBatches;

  @Option(names = "--steps", paramLabel = "N", defaultValue = "3000", description = "Steps to train to (default: ${DEFAULT-VALUE}).")
  int steps;

  @Option(names = "--batch", paramLabel = "N", defaultValue = "64", description = "Sentence pairs per batch (default: ${DEFAULT-VALUE}).")
  int batch;

  @Option(names = "--max-len", paramLabel = "N", defaultValue = "8", description = "Longest sequence, in tokens (default: ${DEFAULT-VALUE}).")
  int maxLen;

  @Option(names = "--optimizer", paramLabel = "NAME", defaultValue = "adam", description = "adam, adamw or sgd (default: ${DEFAULT-VALUE}).")
  String optimizer;

  @Option(names = "--lr", paramLabel = "X", defaultValue = "1.0",
      description = "Peak learning rate; for noam a factor on the paper's formula (default: ${DEFAULT-VALUE}).")
  double lr;

  @Option(names = "--schedule", paramLabel = "NAME", defaultValue = "noam",
      description = "noam, constant, cosine or linear (default: ${DEFAULT-VALUE}).")
  String schedule;

  @Option(names = "--warmup", paramLabel = "N", defaultValue = "200", description = "Warm-up steps (default: ${DEFAULT-VALUE}).")
  int warmup;

  @Option(names = "--clip", paramLabel = "X", defaultValue = "1.0",
      description = "Clip gradients to this global norm; 0 for none (default: ${DEFAULT-VALUE}).")
  double clip;

  @Option(names = "--seed", paramLabel = "N", defaultValue = "0", description = "Seed of params, data, dropout (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--backend", paramLabel = "NAME", defaultValue = "java", description = "java (default: ${DEFAULT-VALUE}).")
  String backend;

  @Option(names = "--threads", paramLabel = "N", description = "Threads (default: the number of cores).")
  Integer threads;

  @Option(names = "--out", paramLabel = "DIR", description = "Where files go (default: --resume's folder, else runs/train).")
  Path out;

  @Option(names = "--resume", paramLabel = "DIR", description = "Continue the run checkpointed in DIR.")
  Path resume;

  @Option(names = "--eval-every", paramLabel = "N", defaultValue = "250",
      description = "Evaluate on the held-out data every N steps and at the end; 0: at the end only (default: ${DEFAULT-VALUE}).")
  int evalEvery;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    if ((task != null ? 1 : 0) + (data != null ? 1 : 0) + (text != null ? 1 : 0) != 1) {
      throw new UserError("give exactly one of --task NAME, --data FILE.tsv and --text FILE.txt");
    }
    if (steps < 1) throw new UserError("--steps must be at least 1, got " + steps);
    if (batch < 1) throw new UserError("--batch must be at least 1, got " + batch);
    if (maxLen < 1) throw new UserError("--max-len must be at least 1, got " + maxLen);
    if (warmup < 0) throw new UserError("--warmup must be at least 0, got " + warmup);
    if (evalEvery < 0) throw new UserError("--eval-every must be at least 0, got " + evalEvery);
    if (!(clip >= 0)) throw new UserError("--clip must be at least 0, got " + clip);
    if (!backend.equals("java")) throw new UserError("adjoint train runs on --backend java only for now, not '" + backend + "'");
    int t = threads != null ? threads : Runtime.getRuntime().availableProcessors();
    if (t < 1) throw new UserError("--threads must be at least 1, got " + t);
    OptimizerSettings opt = OptimizerSettings.defaults(OptimizerSettings.Kind.fromName(optimizer));

    Compilation c = Compilation.compile(file);
    String loss = entry != null ? entry : defaultLoss(c);
    if (!c.entryPoints().contains(loss)) {
      throw new UserError("no entry point '" + loss + "'; the entry points are " + String.join(", ", c.entryPoints()));
    }
    if (text != null) return TextTraining.run(this, c, loss, opt, t);
    int dot = loss.lastIndexOf('.');
    String forward = (dot < 0 ? "" : loss.substring(0, dot + 1)) + "forward";
    if (!c.entryPoints().contains(forward)) {
      throw new UserError("'" + forward + "' is needed to decode the held-out data, and " + file + " has no such entry point");
    }
    Schedule sched = Schedules.of(schedule, lr, warmup, steps, Trainer.modelWidth(c, loss));

    TrainingData trainingData = task != null ? TrainingData.task(task, maxLen, seed) : TrainingData.text(data, maxLen);
    Vocabulary vocabulary = trainingData.vocabulary();
    Map<String, String> extra = new LinkedHashMap<>();
    if (task != null) {
      extra.put(TrainedModel.TASK, BuiltinTasks.Task.fromName(task).cliName());
    } else {
      extra.put(TrainedModel.DATA, data.toString());
    }
    DataSplit<Example> split = trainingData.split(seed);
    new Batcher(split.train(), batch, seed); // refuses a batch larger than the data before anything is printed
    extra.put("schedule", sched.cliName());
    extra.put(TrainedModel.MAX_LEN, Integer.toString(maxLen));
    extra.put("batch_size", Integer.toString(batch));
    Path dir = out != null ? out : resume != null ? resume : Path.of("runs", "train");
    Trainer.Settings settings = new Trainer.Settings(file, loss, forward, split.train(), split.heldOut(), steps, batch,
        maxLen, opt, sched, clip, seed, t, dir, resume, evalEvery, extra);
    PrintWriter w = spec.commandLine().getOut();
    w.printf(Locale.ROOT, "training %s on %s: %d pairs (%d held out), vocabulary %d, batch %d, %s, %s, %d thread%s%n",
        loss, task != null ? "task " + task : data, split.train().size(), split.heldOut().size(), vocabulary.size(),
        batch, opt.kind().cliName(), sched.cliName(), t, t == 1 ? "" : "s");
    // Saved first, so that an interrupted run's checkpoints can be decoded too.
    Files.createDirectories(dir);
    vocabulary.save(dir.resolve(TrainedModel.VOCABULARY_FILE));
    Trainer.Result r = new Trainer(settings, w).run();
    w.printf(Locale.ROOT, "final: step=%d loss=%.4f exact_match=%.4f bleu=%.2f%n", r.step(), r.loss(), r.exactMatch(), r.bleu());
    return 0;
  }

  static String defaultLoss(Compilation c) {
    List<String> losses = c.entryPoints().stream().filter(e -> e.endsWith(".loss")).toList();
    if (losses.size() != 1) {
      throw new UserError(losses.isEmpty() ? "no model has a 'loss' function; name the loss with --entry Model.fn"
          : "several models have a loss (" + String.join(", ", losses) + "); choose one with --entry");
    }
    return losses.get(0);
  }
}
