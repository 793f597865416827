package dev.adjoint.train;

import dev.adjoint.codegen.java.JavaBackend;
import dev.adjoint.compiler.Compilation;
import dev.adjoint.compiler.Interpreters;
import dev.adjoint.compiler.RunOptions;
import dev.adjoint.compiler.ir.Graph;
import dev.adjoint.compiler.ir.Node;
import dev.adjoint.compiler.pipeline.Artifacts;
import dev.adjoint.compiler.pipeline.Pipeline;
import dev.adjoint.runtime.DType;
import dev.adjoint.runtime.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A model trained by {@code adjoint train}, ready to decode: the program's {@code forward} entry
 * with the params of the run's checkpoint (checked against the entry's params, name by name,
 * dtype and shape), the vocabulary the run was trained with (the built-in tasks' fixed one, else
 * the run's {@code vocabulary.txt}), and the settings saved with the checkpoint (seed,
 * {@code max_len}, task or data).
 */
public final class TrainedModel {
  /** Where the forward pass runs. */
  public enum Backend {
    /** Generated Java, compiled once. */
    JAVA,
    /** The reference interpreter. */
    INTERPRETER
  }

  public static final String VOCABULARY_FILE = "vocabulary.txt";
  /** The metadata keys {@code adjoint train} saves its data settings under. */
  public static final String TASK = "task";
  public static final String DATA = "data";
  public static final String MAX_LEN = "max_len";
  public static final String SEED = "seed";

  private final Map<String, String> settings;
  private final Vocabulary vocabulary;
  private final Decoding.Model model;

  private TrainedModel(Map<String, String> settings, Vocabulary vocabulary, Decoding.Model model) {
    this.settings = settings;
    this.vocabulary = vocabulary;
    this.model = model;
  }

  /**
   * Loads the run in {@code run} for {@code forwardEntry} of compiled program {@code c}.
   *
   * @throws DataException if the folder does not exist, the entry does not take
   *     {@code (src: i32[B, S], tgt_in: i32[B, T])}, or the vocabulary file is missing or bad
   * @throws dev.adjoint.train.CheckpointException if the checkpoint is missing, corrupt or
   *     not this model's
   */
  public static TrainedModel load(Compilation c, String forwardEntry, Path run, Backend backend, int threads) {
    Objects.requireNonNull(c, "c");
    Objects.requireNonNull(run, "run");
    if (!Files.isDirectory(run)) {
      throw new DataException("'" + run + "': no such run folder (adjoint train --out writes one)");
    }
    RunOptions options = RunOptions.defaults();
    Artifacts elaborated = Pipeline.forward().elaborate(c, forwardEntry, options);
    Graph forward = elaborated.elaborated();
    checkArguments(forwardEntry, forward);
    Map<String, TensorSpec> specs = new LinkedHashMap<>();
    for (Node p : forward.params()) {
      specs.put(Graph.paramName(p), new TensorSpec(p.type().dtype(), toList(p.type().shape().evaluate(Map.of()))));
    }
    Map<String, Tensor> params = Checkpoints.loadParams(run.resolve(Checkpoints.PARAMS_FILE), specs);
    Map<String, String> settings = Checkpoints.savedSettings(run);
    Vocabulary vocabulary = settings.containsKey(TASK) ? BuiltinTasks.vocabulary()
        : Vocabulary.load(run.resolve(VOCABULARY_FILE));
    long seed = Long.parseLong(settings.getOrDefault(SEED, "0"));
    Decoding.Model model = switch (backend) {
      case JAVA -> {
        JavaBackend.Prepared program = elaborated.emit(JavaBackend::compile);
        SizeCheck sizes = new SizeCheck(forward);
        yield (src, tgtIn) -> {
          Map<String, Tensor> in = inputs(params, src, tgtIn);
          sizes.check(in);
          return program.run(in, Map.of(), seed, 0, threads).get(0);
        };
      }
      case INTERPRETER -> (src, tgtIn) -> c.run(forwardEntry, options.withSeed(seed),
          Map.of(Trainer.SRC, src, Trainer.TGT_IN, tgtIn), params, Interpreters.GRAPH).outputs().get(0);
    };
    return new TrainedModel(settings, vocabulary, model);
  }

  /** The forward pass with the trained params. */
  public Decoding.Model model() {
    return model;
  }

  /** The vocabulary the run was trained with. */
  public Vocabulary vocabulary() {
    return vocabulary;
  }

  /** The settings saved with the checkpoint: {@code seed}, {@code max_len}, {@code task} or {@code data}, … */
  public Map<String, String> settings() {
    return settings;
  }

  /** A saved integer setting, e.g. {@code max_len} or {@code seed}. */
  public long longSetting(String key) {
    String v = settings.get(key);
    if (v == null) throw new DataException("the run's checkpoint does not record '" + key + "'");
    try {
      return Long.parseLong(v);
    } catch (NumberFormatException e) {
      throw new DataException("the run's checkpoint records '" + key + "' as '" + v + "', not a number", e);
    }
  }

  private static void checkArguments(String entry, Graph forward) {
    List<String> found = new ArrayList<>();
    boolean ok = forward.arguments().size() == 2;
    for (int i = 0; i < forward.arguments().size(); i++) {
      Node a = forward.arguments().get(i);
      found.add(Graph.paramName(a) + ": " + a.type());
      String expected = i == 0 ? Trainer.SRC : Trainer.TGT_IN;
      ok &= i < 2 && Graph.paramName(a).equals(expected) && a.type().dtype() == DType.I32 && a.type().rank() == 2;
    }
    if (!ok) {
      throw new DataException(entry + " takes (" + String.join(", ", found)
          + "); decoding needs (src: i32[B, S], tgt_in: i32[B, T]) returning logits f32[B, T, V]");
    }
  }

  private static Map<String, Tensor> inputs(Map<String, Tensor> params, Tensor src, Tensor tgtIn) {
    Map<String, Tensor> in = new HashMap<>(params);
    in.put(Trainer.SRC, src);
    in.put(Trainer.TGT_IN, tgtIn);
    return in;
  }

  private static List<Integer> toList(int[] shape) {
    List<Integer> out = new ArrayList<>();
    for (int s : shape) out.add(s);
    return out;
  }
}
