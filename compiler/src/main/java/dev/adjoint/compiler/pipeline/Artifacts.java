package dev.adjoint.compiler.pipeline;

import dev.adjoint.compiler.frontend.Frontend;
import dev.adjoint.compiler.fusion.FusionPlan;
import dev.adjoint.compiler.fusion.FusionPrinter;
import dev.adjoint.compiler.ir.Graph;
import dev.adjoint.compiler.ir.IrPrinter;
import dev.adjoint.compiler.kernel.KernelPrinter;
import dev.adjoint.compiler.kernel.KernelProgram;
import dev.adjoint.compiler.memory.MemoryPlan;
import dev.adjoint.compiler.memory.MemoryPlanPrinter;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What a {@link Pipeline} has produced so far: the output of every stage up to {@link #reached}.
 * Immutable: {@link #through} runs further stages and returns new artifacts that share the
 * earlier outputs, so a stage runs once however many later stages and backends read it.
 */
public final class Artifacts {
  private final Pipeline pipeline;
  private final Optional<Frontend.Entry> entry;
  private final Stage reached;
  private final Map<Stage, Object> outputs;

  private Artifacts(Pipeline pipeline, Optional<Frontend.Entry> entry, Stage reached, Map<Stage, Object> outputs) {
    this.pipeline = pipeline;
    this.entry = entry;
    this.reached = reached;
    this.outputs = outputs;
  }

  static Artifacts start(Pipeline pipeline, Optional<Frontend.Entry> entry, Graph elaborated) {
    Map<Stage, Object> outputs = new EnumMap<>(Stage.class);
    outputs.put(Stage.ELABORATE, elaborated);
    if (pipeline.verifies()) StageChecks.check(Stage.ELABORATE, outputs, pipeline);
    return new Artifacts(pipeline, entry, Stage.ELABORATE, outputs);
  }

  public Pipeline pipeline() {
    return pipeline;
  }

  /** The last stage run. */
  public Stage reached() {
    return reached;
  }

  /**
   * The checked entry (its graph and the specs of its params) when the pipeline elaborated it from
   * a program; empty when it started from a graph.
   */
  public Optional<Frontend.Entry> entry() {
    return entry;
  }

  /**
   * These artifacts run through {@code last} (this when it has been reached already).
   *
   * @throws IllegalArgumentException for {@link Stage#EMIT}, which needs a backend: {@link #emit}
   */
  public Artifacts through(Stage last) {
    Objects.requireNonNull(last, "last");
    if (last == Stage.EMIT) {
      throw new IllegalArgumentException("the emit stage belongs to a backend: call emit with its CodeEmitter");
    }
    if (reached.compareTo(last) >= 0) return this;
    Map<Stage, Object> out = new EnumMap<>(outputs);
    Stage at = reached;
    while (at.compareTo(last) < 0) {
      at = Stage.values()[at.ordinal() + 1];
      out.put(at, run(at, out));
      if (pipeline.verifies()) StageChecks.check(at, out, pipeline);
    }
    return new Artifacts(pipeline, entry, at, out);
  }

  private Object run(Stage stage, Map<Stage, Object> done) {
    return switch (stage) {
      case ELABORATE -> throw new IllegalStateException("elaborate runs when the pipeline starts");
      case GRAD -> pipeline.grad((Graph) done.get(Stage.ELABORATE));
      case SIMPLIFY -> Pipeline.simplify((Graph) done.get(Stage.GRAD));
      case FUSE -> Pipeline.fuse((Graph) done.get(Stage.SIMPLIFY));
      case LOWER -> Pipeline.lower((FusionPlan) done.get(Stage.FUSE));
      case PLAN_MEMORY -> pipeline.planMemory((KernelProgram) done.get(Stage.LOWER));
      case SCHEDULE -> Pipeline.schedule((KernelProgram) done.get(Stage.LOWER));
      case EMIT -> throw new IllegalStateException("emit runs through emit(CodeEmitter)");
    };
  }

  /** Runs the stages through {@link Stage#SCHEDULE}, then the backend's emit stage. */
  public <T> T emit(CodeEmitter<T> emitter) {
    Objects.requireNonNull(emitter, "emitter");
    return emitter.emit(through(Stage.SCHEDULE));
  }

  // ---- each stage's output

  /** The entry's graph as elaborated (or as the pipeline was started with). */
  public Graph elaborated() {
    return (Graph) output(Stage.ELABORATE);
  }

  /** The graph after the grad stage: the forward outputs, then the gradients; the elaborated graph without a gradient. */
  public Graph differentiated() {
    return (Graph) output(Stage.GRAD);
  }

  public Graph simplified() {
    return (Graph) output(Stage.SIMPLIFY);
  }

  public FusionPlan fusion() {
    return (FusionPlan) output(Stage.FUSE);
  }

  /** The kernels as lowering leaves them. */
  public KernelProgram lowered() {
    return (KernelProgram) output(Stage.LOWER);
  }

  /** The memory plan at the pipeline's sizes; empty when they leave a buffer's size open. */
  @SuppressWarnings("unchecked")
  public Optional<MemoryPlan> memoryPlan() {
    return (Optional<MemoryPlan>) output(Stage.PLAN_MEMORY);
  }

  /** The scheduled kernels: what emitters print. */
  public KernelProgram kernels() {
    return (KernelProgram) output(Stage.SCHEDULE);
  }

  /** The graph a graph stage left: elaborate, grad or simplify. */
  public Graph graph(Stage stage) {
    if (!stage.isGraph()) throw new IllegalArgumentException("the " + stage + " stage does not give a graph");
    return (Graph) output(stage);
  }

  private Object output(Stage stage) {
    if (stage.compareTo(reached) > 0) {
      throw new IllegalStateException("the pipeline has run through " + reached + ", not " + stage
          + ": call through(Stage." + stage.name() + ") first");
    }
    return outputs.get(stage);
  }

  /**
   * A stage's output as stable text: graphs as {@link IrPrinter} prints them, the fusion plan's
   * groups, kernel IR, the memory plan's slots. The emit stage prints through its backend.
   */
  public String print(Stage stage) {
    return switch (stage) {
      case ELABORATE, GRAD, SIMPLIFY -> IrPrinter.print(graph(stage));
      case FUSE -> FusionPrinter.print(fusion());
      case LOWER -> KernelPrinter.print(lowered());
      case PLAN_MEMORY -> memoryPlan().map(p -> MemoryPlanPrinter.print(lowered(), p, pipeline.sizes()))
          .orElseGet(() -> MemoryPlanPrinter.unplanned(lowered(), pipeline.sizes()));
      case SCHEDULE -> KernelPrinter.print(kernels());
      case EMIT -> throw new IllegalArgumentException("the emit stage is printed by its backend (adjoint compile)");
    };
  }

  /** The last stage's output as text. */
  public String print() {
    return print(reached);
  }

  @Override
  public String toString() {
    return "Artifacts[" + pipeline + " through " + reached + "]";
  }
}
