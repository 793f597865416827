package dev.adjoint.train;

import dev.adjoint.codegen.java.JavaBackend;
import dev.adjoint.compiler.Compilation;
import dev.adjoint.compiler.RunOptions;
import dev.adjoint.compiler.ir.Graph;
import dev.adjoint.compiler.pipeline.Pipeline;
import dev.adjoint.runtime.Tensor;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The training loop of {@code adjoint train --text}: a decoder-only language model's
 * {@code loss(ids, targets)} over {@link TextBatches}. Each step draws the batch of that step (a
 * function of the seed and the step alone, so a resumed run continues bit for bit with nothing but
 * the step to restore), computes loss and gradients in training mode, clips and updates as
 * {@link Trainer} does. Every {@code evalEvery} steps and at the end, the loss entry runs in
 * evaluation mode (no dropout) over the held-out tail; {@code metrics.jsonl} gets {@code val_loss}
 * (the mean over its tokens) and {@code perplexity} = exp(val_loss).
 */
public final class TextTrainer {
  /** The loss's arguments. */
  public static final String IDS = "ids";
  public static final String TARGETS = "targets";

  /**
   * What to train and how.
   *
   * @param valBatches at most this many held-out batches per evaluation
   */
  public record Settings(Path file, String lossEntry, TextBatches data, int steps, int batchSize,
      OptimizerSettings optimizer, Schedule schedule, double clip, long seed, int threads, Path out, Path resume,
      int evalEvery, int valBatches, Map<String, String> extra) {}

  /** What a run ended with; {@code valLoss} NaN when nothing is held out. */
  public record Result(int step, double loss, double valLoss, double perplexity) {}

  private final Settings s;
  private final PrintWriter out;

  public TextTrainer(Settings settings, PrintWriter out) {
    this.s = settings;
    this.out = out;
  }

  private static Map<String, Tensor> arguments(TextBatches.TextBatch b) {
    Map<String, Tensor> m = new LinkedHashMap<>();
    m.put(IDS, b.ids());
    m.put(TARGETS, b.targets());
    return m;
  }

  public Result run() throws IOException {
    Compilation c = Compilation.compile(s.file());
    TrainingStep trainingStep = new TrainingStep(c, s.lossEntry(), s.optimizer(), s.clip(), s.seed(), s.threads(), true);
    Map<String, Tensor> params = trainingStep.initialParams(arguments(s.data().train(0, 1)));
    Map<String, Tensor> slots = trainingStep.zeroSlots(params);
    int start = 0;
    Files.createDirectories(s.out());
    Path metricsFile = s.out().resolve("metrics.jsonl");
    MetricsLog log;
    if (s.resume() != null) {
      Checkpoints.Checkpoint ck = Checkpoints.load(s.resume(), TensorSpec.of(params), s.optimizer().kind());
      if (ck.state().seed() != s.seed()) {
        throw new DataException("'" + s.resume() + "' was trained with --seed " + ck.state().seed() + ", not "
            + s.seed() + ": pass the same seed to continue it");
      }
      params.putAll(ck.params());
      slots.putAll(ck.slots());
      start = ck.state().step();
      if (!s.resume().toAbsolutePath().normalize().equals(s.out().toAbsolutePath().normalize())) {
        Path old = s.resume().resolve("metrics.jsonl");
        if (Files.exists(old)) Files.copy(old, metricsFile, StandardCopyOption.REPLACE_EXISTING);
      }
      log = MetricsLog.resume(metricsFile, start);
    } else {
      log = MetricsLog.create(metricsFile);
    }
    if (start >= s.steps()) {
      log.close();
      throw new DataException("'" + s.resume() + "' is already at step " + start + "; ask for more --steps than that");
    }

    RunOptions evalOptions = RunOptions.defaults().withSeed(s.seed());
    var evalArtifacts = Pipeline.forward().elaborate(c, s.lossEntry(), evalOptions);
    Graph evalGraph = evalArtifacts.elaborated();
    JavaBackend.Prepared evalProgram = evalArtifacts.emit(JavaBackend::compile);
    SizeCheck evalSizes = new SizeCheck(evalGraph);
    List<TextBatches.TextBatch> validation = s.data().validation(s.batchSize(), s.valBatches());

    ProgressBar bar = new ProgressBar(out, s.steps(), false, Math.max(1, Math.min(100, s.steps() / 20)));
    Throughput meter = new Throughput(20);
    double loss = Double.NaN;
    double valLoss = Double.NaN;
    int step;
    try (log) {
      for (step = start + 1; step <= s.steps(); step++) {
        long t0 = System.nanoTime();
        TextBatches.TextBatch b = s.data().train(step, s.batchSize());
        double lr = s.schedule().lr(step);
        loss = trainingStep.run(params, slots, arguments(b), step, lr);
        if (!Double.isFinite(loss)) {
          bar.finish();
          throw new DataException("the loss is " + loss + " at step " + step
              + ": training diverged; lower --lr or set --clip");
        }
        meter.record(b.tokens(), System.nanoTime() - t0);
        double tps = meter.tokensPerSecond();
        MetricsLog.Entry entry = MetricsLog.Entry.training(step, loss, lr, tps);
        boolean evaluate = !validation.isEmpty() && (step == s.steps() || (s.evalEvery() > 0 && step % s.evalEvery() == 0));
        if (evaluate) {
          double sum = 0;
          long tokens = 0;
          for (TextBatches.TextBatch v : validation) {
            Map<String, Tensor> in = new HashMap<>(params);
            in.putAll(arguments(v));
            evalSizes.check(in);
            sum += evalProgram.run(in, Map.of(), s.seed(), 0, s.threads()).get(0).getDouble(0) * v.tokens();
            tokens += v.tokens();
          }
          valLoss = sum / tokens;
          entry = entry.withExtra("val_loss", valLoss).withExtra("perplexity", Math.exp(valLoss));
          bar.message(String.format(Locale.ROOT, "eval: step=%d val_loss=%.4f perplexity=%.2f", step, valLoss,
              Math.exp(valLoss)));
        }
        log.log(entry);
        bar.update(step, loss, lr, tps, Metrics.etaSeconds(step, s.steps(), meter.secondsPerStep()));
        if (evaluate && step < s.steps()) save(params, slots, step);
      }
      step = s.steps();
      bar.finish();
      save(params, slots, step);
    }
    Plots.write(s.out(), MetricsLog.read(metricsFile));
    return new Result(step, loss, valLoss, Math.exp(valLoss));
  }

  private void save(Map<String, Tensor> params, Map<String, Tensor> slots, int step) {
    // The data position is the step itself (TextBatches draws batch k from the seed and k), so the
    // batcher position kept for --task runs stays at its origin.
    Checkpoints.save(s.out(), params, slots,
        new Checkpoints.TrainingState(step, s.optimizer().kind(), s.seed(), new Batcher.Position(0, 0), s.extra()));
  }
}
