package dev.adjoint.train;

import dev.adjoint.codegen.java.JavaBackend;
import dev.adjoint.compiler.Compilation;
import dev.adjoint.compiler.RunOptions;
import dev.adjoint.compiler.ir.Graph;
import dev.adjoint.compiler.ir.Node;
import dev.adjoint.compiler.ir.TensorType;
import dev.adjoint.compiler.pipeline.Artifacts;
import dev.adjoint.compiler.pipeline.Pipeline;
import dev.adjoint.compiler.pipeline.Stage;
import dev.adjoint.runtime.Tensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One optimisation step of {@code adjoint train}, compiled once to generated Java: the loss entry
 * and its gradient (sizes B, S, T bound per batch at run time), one update program per distinct
 * param type ({@link OptimizerGraphs#update}) and, when clipping, one global-norm program
 * ({@link OptimizerGraphs#globalNorm}). {@link #run} does loss and gradients → global norm →
 * clipping factor → the update of every param and its optimiser state.
 */
public final class TrainingStep {
  private final Compilation compilation;
  private final String lossEntry;
  private final OptimizerSettings optimizer;
  private final double clip;
  private final long seed;
  private final int threads;
  private final RunOptions options;
  private final List<String> names = new ArrayList<>();
  private final Map<String, TensorType> types = new LinkedHashMap<>();
  private final JavaBackend.Prepared gradProgram;
  private final Map<TensorType, JavaBackend.Prepared> updates = new HashMap<>();
  private final JavaBackend.Prepared normProgram;
  private final SizeCheck sizeCheck;

  /**
   * Compiles the step.
   *
   * @param training whether dropout is active (adjoint train: yes; its masks are keyed by seed and step)
   * @param clip the global gradient norm to clip to; 0 or infinite for none
   * @throws DataException if the loss takes a floating-point argument
   */
  public TrainingStep(Compilation compilation, String lossEntry, OptimizerSettings optimizer, double clip, long seed,
      int threads, boolean training) {
    this.compilation = Objects.requireNonNull(compilation, "compilation");
    this.lossEntry = Objects.requireNonNull(lossEntry, "lossEntry");
    this.optimizer = Objects.requireNonNull(optimizer, "optimizer");
    this.clip = clip;
    this.seed = seed;
    this.threads = threads;
    this.options = RunOptions.defaults().withSeed(seed).withTraining(training);
    Artifacts step = Pipeline.gradient().elaborate(compilation, lossEntry, options).through(Stage.SIMPLIFY);
    Graph gradGraph = step.simplified();
    for (Node p : gradGraph.params()) {
      names.add(Graph.paramName(p));
      types.put(Graph.paramName(p), p.type());
    }
    for (Node a : gradGraph.arguments()) {
      if (a.type().dtype().isFloating()) {
        throw new DataException(lossEntry + " has a floating-point argument '" + Graph.paramName(a)
            + "'; the training entry takes (src: i32[B, S], tgt_in: i32[B, T], tgt_out: i32[B, T]),"
            + " or for --text (ids: i32[B, T], targets: i32[B, T])");
      }
    }
    gradProgram = step.emit(JavaBackend::compile);
    sizeCheck = new SizeCheck(gradGraph);
    for (TensorType t : types.values()) {
      updates.computeIfAbsent(t, k -> Pipeline.forward().start(OptimizerGraphs.update(optimizer, k))
          .emit(JavaBackend::compile));
    }
    normProgram = clip > 0 && Double.isFinite(clip)
        ? Pipeline.forward().start(OptimizerGraphs.globalNorm(List.copyOf(types.values()))).emit(JavaBackend::compile)
        : null;
  }

  /** The params the loss reads, in the order of its gradient's outputs. */
  public List<String> paramNames() {
    return Collections.unmodifiableList(names);
  }

  /** The params initialised from the seed (the loss's initialisers), as the entry prepared for {@code probe} makes them. */
  public Map<String, Tensor> initialParams(Batch probe) {
    return initialParams(inputs(probe));
  }

  /** The params initialised from the seed, as the entry prepared for the arguments {@code probe} makes them. */
  public Map<String, Tensor> initialParams(Map<String, Tensor> probe) {
    Compilation.Execution init = compilation.execution(lossEntry, options, probe, Map.of(), false);
    Map<String, Tensor> params = new LinkedHashMap<>();
    for (String n : names) params.put(n, init.values().get(n));
    return params;
  }

  /** Zero optimiser state for {@code params}, named {@code SLOT/PARAM} as in checkpoints. */
  public Map<String, Tensor> zeroSlots(Map<String, Tensor> params) {
    Map<String, Tensor> slots = new LinkedHashMap<>();
    for (String n : names) {
      Tensor p = params.get(n);
      for (String slot : optimizer.slots()) slots.put(Checkpoints.slotName(slot, n), Tensor.zeros(p.dtype(), p.shapeArray()));
    }
    return slots;
  }

  /**
   * Trains on {@code batch} as step {@code step} (from 1) at learning rate {@code lr}: replaces
   * every param in {@code params} and its state in {@code slots} by the updated ones.
   *
   * @return the batch's loss before the update
   * @throws dev.adjoint.compiler.InputException if the batch's sizes put a slice out of bounds
   */
  public double run(Map<String, Tensor> params, Map<String, Tensor> slots, Batch batch, int step, double lr) {
    return run(params, slots, inputs(batch), step, lr);
  }

  /** {@link #run(Map, Map, Batch, int, double)} on the loss's arguments by name (as {@code ids}, {@code targets}). */
  public double run(Map<String, Tensor> params, Map<String, Tensor> slots, Map<String, Tensor> arguments, int step,
      double lr) {
    Map<String, Tensor> in = new HashMap<>(params);
    in.putAll(arguments);
    sizeCheck.check(in);
    List<Tensor> outs = gradProgram.run(in, Map.of(), seed, step, threads);
    double loss = outs.get(0).getDouble(0);
    if (!Double.isFinite(loss)) return loss;
    double scale = 1;
    if (normProgram != null) {
      Map<String, Tensor> g = new HashMap<>();
      for (int i = 0; i < names.size(); i++) g.put(UpdateArguments.gradient(i), outs.get(1 + i));
      double norm = normProgram.run(g, Map.of(), seed, step, 1).get(0).getDouble(0);
      scale = GradientClipping.scale(norm, clip);
    }
    Map<String, Double> scalars = optimizer.scalars(step, lr, scale);
    List<String> slotNames = optimizer.slots();
    for (int i = 0; i < names.size(); i++) {
      String n = names.get(i);
      Tensor p = params.get(n);
      Map<String, Tensor> u = new HashMap<>();
      u.put(UpdateArguments.PARAM, p);
      u.put(UpdateArguments.GRAD, outs.get(1 + i));
      for (String slot : slotNames) u.put(slot, slots.get(Checkpoints.slotName(slot, n)));
      for (Map.Entry<String, Double> e : scalars.entrySet()) u.put(e.getKey(), Tensor.scalar(p.dtype(), e.getValue()));
      List<Tensor> r = updates.get(types.get(n)).run(u, Map.of(), seed, step, 1);
      params.put(n, r.get(0));
      for (int k = 0; k < slotNames.size(); k++) slots.put(Checkpoints.slotName(slotNames.get(k), n), r.get(1 + k));
    }
    return loss;
  }

  static Map<String, Tensor> inputs(Batch b) {
    Map<String, Tensor> m = new LinkedHashMap<>();
    m.put(Trainer.SRC, b.src());
    m.put(Trainer.TGT_IN, b.tgtIn());
    m.put(Trainer.TGT_OUT, b.tgtOut());
    return m;
  }
}
