package dev.adjoint.cli;

import dev.adjoint.compiler.Compilation;
import dev.adjoint.compiler.RunOptions;
import dev.adjoint.compiler.ir.Dim;
import dev.adjoint.compiler.ir.Graph;
import dev.adjoint.compiler.ir.Node;
import dev.adjoint.train.Checkpoints;
import dev.adjoint.train.OptimizerSettings;
import dev.adjoint.train.Schedule;
import dev.adjoint.train.Schedules;
import dev.adjoint.train.TextBatches;
import dev.adjoint.train.TextCorpus;
import dev.adjoint.train.TextTokenizer;
import dev.adjoint.train.TextTrainer;
import dev.adjoint.train.Trainer;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;

/** {@code adjoint train --text}: the tokenizer, the batches and the language-model loop, from {@link TrainCommand}'s options. */
final class TextTraining {
  /** The block size when neither --block nor the model fixes T. */
  static final int DEFAULT_BLOCK = 128;

  private TextTraining() {}

  private static void same(Path run, Map<String, String> saved, String key, String option, String now) {
    String then = saved.get(key);
    if (then != null && !then.equals(now)) {
      throw new UserError("'" + run + "' was trained with " + option + " " + then + ", not " + now
          + ": pass the same to continue it");
    }
  }

  static int run(TrainCommand o, Compilation c, String loss, OptimizerSettings opt, int threads) throws Exception {
    if (o.valBatches < 1) throw new UserError("--val-batches must be at least 1, got " + o.valBatches);
    Graph g = c.graph(loss, RunOptions.defaults(), Map.of()).graph();
    Node ids = null;
    for (Node a : g.arguments()) {
      String n = Graph.paramName(a);
      if (!n.equals(TextTrainer.IDS) && !n.equals(TextTrainer.TARGETS)) {
        throw new UserError(loss + " takes '" + n + "'; with --text the loss is loss(ids: i32[B, T], targets: i32[B, T])");
      }
      if (n.equals(TextTrainer.IDS)) ids = a;
    }
    if (ids == null || g.arguments().size() != 2 || ids.type().rank() != 2) {
      throw new UserError("with --text the loss is loss(ids: i32[B, T], targets: i32[B, T]); " + loss + " is not");
    }
    Dim modelT = ids.type().shape().dim(1);
    int block = o.block != null ? o.block : modelT.isConstant() ? (int) modelT.constant() : DEFAULT_BLOCK;
    if (o.block != null && modelT.isConstant() && modelT.constant() != o.block) {
      throw new UserError("--block " + o.block + " differs from the model's fixed T = " + modelT.constant());
    }
    Path dir = o.out != null ? o.out : o.resume != null ? o.resume : Path.of("runs", "train");
    String corpus = TextCorpus.read(o.text);
    TextTokenizer tok;
    if (o.resume != null) {
      if (!Files.exists(o.resume.resolve(TextTokenizer.FILE))) {
        throw new UserError("'" + o.resume + "' has no " + TextTokenizer.FILE + ": it was not trained with --text");
      }
      // Resuming draws the same batches only from the same tokens, blocks and held-out tail.
      Map<String, String> saved = Checkpoints.savedSettings(o.resume);
      same(o.resume, saved, "block", "--block", Integer.toString(block));
      same(o.resume, saved, "val_fraction", "--val-fraction", Double.toString(o.valFraction));
      tok = TextTokenizer.load(o.resume);
      if (!tok.kind().equals(o.tokenizer.toLowerCase(Locale.ROOT))) {
        throw new UserError("'" + o.resume + "' was trained with --tokenizer " + tok.kind() + ", not " + o.tokenizer);
      }
    } else {
      tok = TextTokenizer.learn(o.tokenizer, corpus, o.vocabSize == null ? OptionalInt.empty() : OptionalInt.of(o.vocabSize));
    }
    int dot = loss.lastIndexOf('.');
    String forward = (dot < 0 ? "" : loss.substring(0, dot + 1)) + "forward";
    if (c.entryPoints().contains(forward)) {
      Node logits = c.graph(forward, RunOptions.defaults(), Map.of()).graph().outputs().get(0);
      Dim v = logits.type().rank() == 3 ? logits.type().shape().dim(2) : null;
      if (v != null && v.isConstant() && v.constant() < tok.size()) {
        throw new UserError("the " + tok.kind() + " tokenizer has " + tok.size() + " tokens but " + forward
            + " gives logits for " + v.constant() + "; make the model's vocabulary at least " + tok.size()
            + (tok.kind().equals("bpe") ? " or lower --vocab-size" : ""));
      }
    }
    TextBatches data = new TextBatches(tok.encode(corpus), block, o.valFraction, o.seed);
    Schedule sched = Schedules.of(o.schedule, o.lr, o.warmup, o.steps, Trainer.modelWidth(c, loss));
    Map<String, String> extra = new LinkedHashMap<>();
    extra.put("text", o.text.toString());
    extra.put("tokenizer", tok.kind());
    extra.put("block", Integer.toString(block));
    extra.put("val_fraction", Double.toString(o.valFraction));
    extra.put("schedule", sched.cliName());
    extra.put("batch_size", Integer.toString(o.batch));
    PrintWriter w = o.spec.commandLine().getOut();
    w.printf(Locale.ROOT, "training %s on %s: %d tokens (%d held out), %s tokenizer of %d, block %d, batch %d, %s, %s,"
        + " %d thread%s%n", loss, o.text, data.trainTokens(), data.validationTokens(), tok.kind(), tok.size(), block,
        o.batch, opt.kind().cliName(), sched.cliName(), threads, threads == 1 ? "" : "s");
    Files.createDirectories(dir);
    tok.save(dir);
    TextTrainer.Settings settings = new TextTrainer.Settings(o.file, loss, data, o.steps, o.batch, opt, sched, o.clip,
        o.seed, threads, dir, o.resume, o.evalEvery, o.valBatches, extra);
    TextTrainer.Result r = new TextTrainer(settings, w).run();
    w.printf(Locale.ROOT, "final: step=%d loss=%.4f val_loss=%.4f perplexity=%.2f%n", r.step(), r.loss(), r.valLoss(),
        r.perplexity());
    return 0;
  }
}
