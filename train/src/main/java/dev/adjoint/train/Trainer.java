package dev.adjoint.train;

import dev.adjoint.codegen.java.JavaBackend;
import dev.adjoint.compiler.Compilation;
import dev.adjoint.compiler.RunOptions;
import dev.adjoint.compiler.ir.Graph;
import dev.adjoint.compiler.ir.Node;
import dev.adjoint.compiler.ir.TensorType;
import dev.adjoint.compiler.pipeline.Artifacts;
import dev.adjoint.compiler.pipeline.Pipeline;
import dev.adjoint.runtime.Tensor;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The training loop of {@code adjoint train}, over a {@link TrainingStep}: the loss entry and its gradient compiled once to
 * generated Java (sizes B, S, T bound per batch at run time), one compiled update program per
 * distinct param type ({@link OptimizerGraphs#update}) and one global-norm program
 * ({@link OptimizerGraphs#globalNorm}) for clipping. Each step: next batch → loss and gradients in
 * training mode (dropout keyed by the seed and the step) → global norm → clipping factor → update
 * of every param and its optimiser state. Every {@code evalEvery} steps and at the end, the
 * held-out data is decoded greedily through the {@code forward} entry for exact match and BLEU.
 * Everything that decides the next step (params, optimiser state, step, data position, seed) is
 * in the checkpoint, so a resumed run continues bit for bit.
 */
public final class Trainer {
  /** What to train and how. */
  public record Settings(Path file, String lossEntry, String forwardEntry, List<Example> train, List<Example> heldOut,
      int steps, int batchSize, int maxLen, OptimizerSettings optimizer, Schedule schedule, double clip, long seed,
      int threads, Path out, Path resume, int evalEvery, Map<String, String> extra) {}

  /** What a run ended with. */
  public record Result(int step, double loss, double exactMatch, double bleu) {}

  static final String SRC = "src";
  static final String TGT_IN = "tgt_in";
  static final String TGT_OUT = "tgt_out";

  private final Settings s;
  private final PrintWriter out;

  public Trainer(Settings settings, PrintWriter out) {
    this.s = settings;
    this.out = out;
  }

  public Result run() throws java.io.IOException {
    Compilation c = Compilation.compile(s.file());
    RunOptions evalOptions = RunOptions.defaults().withSeed(s.seed());
    Batcher batcher = new Batcher(s.train(), s.batchSize(), s.seed());
    TrainingStep trainingStep = new TrainingStep(c, s.lossEntry(), s.optimizer(), s.clip(), s.seed(), s.threads(), true);
    // Params from the seed: the entry prepared for the first batch initialises them.
    Map<String, Tensor> params = trainingStep.initialParams(Batch.of(s.train().subList(0, 1)));
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
      batcher.seek(ck.state().data());
      if (s.resume().toAbsolutePath().normalize().equals(s.out().toAbsolutePath().normalize())) {
        log = MetricsLog.resume(metricsFile, start);
      } else {
        Path old = s.resume().resolve("metrics.jsonl");
        if (Files.exists(old)) Files.copy(old, metricsFile, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        log = MetricsLog.resume(metricsFile, start);
      }
    } else {
      log = MetricsLog.create(metricsFile);
    }
    if (start >= s.steps()) {
      log.close();
      throw new DataException("'" + s.resume() + "' is already at step " + start + "; ask for more --steps than that");
    }

    Artifacts forward = Pipeline.forward().elaborate(c, s.forwardEntry(), evalOptions);
    Graph forwardGraph = forward.elaborated();
    JavaBackend.Prepared forwardProgram = forward.emit(JavaBackend::compile);

    SizeCheck forwardSizes = new SizeCheck(forwardGraph);
    Decoding.Model model = (src, tgtIn) -> {
      Map<String, Tensor> in = new HashMap<>(params);
      in.put(SRC, src);
      in.put(TGT_IN, tgtIn);
      forwardSizes.check(in);
      return forwardProgram.run(in, Map.of(), s.seed(), 0, s.threads()).get(0);
    };

    ProgressBar bar = new ProgressBar(out, s.steps(), false, Math.max(1, Math.min(100, s.steps() / 20)));
    Throughput meter = new Throughput(20);
    double loss = Double.NaN;
    double exact = Double.NaN;
    double bleu = Double.NaN;
    int step = start;
    try (log) {
      for (step = start + 1; step <= s.steps(); step++) {
        long t0 = System.nanoTime();
        Batch b = batcher.next();
        double lr = s.schedule().lr(step);
        loss = trainingStep.run(params, slots, b, step, lr);
        if (!Double.isFinite(loss)) {
          bar.finish();
          throw new DataException("the loss is " + loss + " at step " + step
              + ": training diverged; lower --lr or set --clip");
        }
        meter.record(b.sourceTokens() + b.targetTokens(), System.nanoTime() - t0);
        double tps = meter.tokensPerSecond();
        boolean evaluate = step == s.steps() || (s.evalEvery() > 0 && step % s.evalEvery() == 0);
        if (evaluate) {
          HeldOutEvaluation.Result e = HeldOutEvaluation.run(model, s.heldOut(), s.maxLen(), 1);
          exact = e.exactMatch();
          bleu = e.bleu();
          log.log(MetricsLog.Entry.evaluation(step, loss, lr, tps, exact, bleu));
          bar.message(String.format(Locale.ROOT, "eval: step=%d exact_match=%.4f bleu=%.2f", step, exact, bleu));
        } else {
          log.log(MetricsLog.Entry.training(step, loss, lr, tps));
        }
        bar.update(step, loss, lr, tps, Metrics.etaSeconds(step, s.steps(), meter.secondsPerStep()));
        if (evaluate && step < s.steps()) save(params, slots, step, batcher);
      }
      step = s.steps();
      bar.finish();
      save(params, slots, step, batcher);
    }
    Plots.write(s.out(), MetricsLog.read(metricsFile));
    return new Result(step, loss, exact, bleu);
  }

  private void save(Map<String, Tensor> params, Map<String, Tensor> slots, int step, Batcher batcher) {
    Checkpoints.save(s.out(), params, slots,
        new Checkpoints.TrainingState(step, s.optimizer().kind(), s.seed(), batcher.position(), s.extra()));
  }

  /** The model width D for the noam schedule: the embedding table's last axis, else the widest last axis. */
  public static int modelWidth(Compilation c, String entry) {
    Graph g = c.graph(entry, RunOptions.defaults(), Map.of()).graph();
    int best = 0;
    for (Node p : g.params()) {
      String n = Graph.paramName(p);
      TensorType t = p.type();
      if (t.rank() == 0) continue;
      int[] shape = t.shape().evaluate(Map.of());
      if (n.endsWith("embed.table") && shape.length == 2) return shape[1];
      best = Math.max(best, shape[shape.length - 1]);
    }
    return Math.max(1, best);
  }
}
