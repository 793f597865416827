package dev.adjoint.compiler.pipeline;

import dev.adjoint.compiler.Compilation;
import dev.adjoint.compiler.RunOptions;
import dev.adjoint.compiler.autodiff.ReverseMode;
import dev.adjoint.compiler.autodiff.Simplifier;
import dev.adjoint.compiler.frontend.Frontend;
import dev.adjoint.compiler.fusion.FusionPlan;
import dev.adjoint.compiler.fusion.Partitioner;
import dev.adjoint.compiler.ir.Graph;
import dev.adjoint.compiler.ir.TensorType;
import dev.adjoint.compiler.kernel.Buffer;
import dev.adjoint.compiler.kernel.KernelProgram;
import dev.adjoint.compiler.lower.Lowerer;
import dev.adjoint.compiler.memory.MemoryPlan;
import dev.adjoint.compiler.memory.MemoryPlanner;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The compiler's stages, run by name in one order: elaborate → grad → simplify → fuse → lower →
 * plan memory → schedule → emit ({@link Stage}). The CLI, the Maven plugin's model generator,
 * training, the benchmarks and every backend compile through a pipeline; nothing else assembles
 * the stages.
 *
 * <p>A pipeline is an immutable setting: whether it takes a {@link Gradient}, the sizes memory is
 * planned at, and whether the verifier runs after every stage. Running it gives {@link Artifacts},
 * which hold every stage's output so far and run further stages on demand:
 *
 * <pre>{@code
 * Artifacts step = Pipeline.gradient().elaborate(compilation, "loss", options);
 * Graph simplified = step.through(Stage.SIMPLIFY).simplified();
 * JavaBackend.Prepared compiled = step.emit(JavaBackend::compile);
 * }</pre>
 *
 * <p>The verifier ({@link StageChecks}) runs after every stage when {@link #verifying} is on,
 * which it is by default when the system property {@code adjoint.verify} is {@code true} (the
 * build sets it for every test).
 */
public final class Pipeline {
  /** The system property that turns the verifier on for pipelines made without {@link #verifying}. */
  public static final String VERIFY_PROPERTY = "adjoint.verify";

  private final Optional<Gradient> gradient;
  private final Map<String, Long> sizes;
  private final boolean verify;

  private Pipeline(Optional<Gradient> gradient, Map<String, Long> sizes, boolean verify) {
    this.gradient = Objects.requireNonNull(gradient, "gradient");
    this.sizes = Map.copyOf(Objects.requireNonNull(sizes, "sizes"));
    this.verify = verify;
  }

  /** The entry's outputs alone: the grad stage passes the graph through. */
  public static Pipeline forward() {
    return new Pipeline(Optional.empty(), Map.of(), Boolean.getBoolean(VERIFY_PROPERTY));
  }

  /** The outputs, then the gradient of every floating argument and param, seeded with ones. */
  public static Pipeline gradient() {
    return gradient(Gradient.ofOnes());
  }

  public static Pipeline gradient(Gradient gradient) {
    return forward().withGradient(gradient);
  }

  public Pipeline withGradient(Gradient g) {
    return new Pipeline(Optional.of(Objects.requireNonNull(g, "gradient")), sizes, verify);
  }

  /** This pipeline with the verifier after every stage on or off. */
  public Pipeline verifying(boolean on) {
    return new Pipeline(gradient, sizes, on);
  }

  /**
   * This pipeline planning memory at {@code runSizes} (run-time sizes by name). Without sizes, or
   * with some missing, a program whose buffers have run-time sizes gets no memory plan.
   */
  public Pipeline atSizes(Map<String, Long> runSizes) {
    return new Pipeline(gradient, runSizes, verify);
  }

  /** The gradient the grad stage takes; empty when it passes the graph through. */
  public Optional<Gradient> differentiation() {
    return gradient;
  }

  public Map<String, Long> sizes() {
    return sizes;
  }

  public boolean verifies() {
    return verify;
  }

  /** Elaborates {@code entry} of a checked program at symbolic sizes. */
  public Artifacts elaborate(Compilation program, String entry, RunOptions options) {
    return elaborate(program, entry, options, Map.of());
  }

  /** Elaborates {@code entry} at the given argument types where known (else symbolic sizes). */
  public Artifacts elaborate(Compilation program, String entry, RunOptions options,
      Map<String, TensorType> argumentTypes) {
    Frontend.Entry built = program.graph(entry, options, argumentTypes);
    return Artifacts.start(this, Optional.of(built), built.graph());
  }

  /**
   * Starts from a graph built elsewhere (the optimiser's update programs, tests): {@code graph}
   * is the elaborate stage's output.
   */
  public Artifacts start(Graph graph) {
    return Artifacts.start(this, Optional.empty(), Objects.requireNonNull(graph, "graph"));
  }

  /** The scheduled kernels of {@code graph}: {@code start(graph).through(Stage.SCHEDULE).kernels()}. */
  public KernelProgram kernels(Graph graph) {
    return start(graph).through(Stage.SCHEDULE).kernels();
  }

  // ---- the stages, each a function of the previous stage's output

  Graph grad(Graph forward) {
    return gradient.map(g -> ReverseMode.gradient(forward, g.wrt().select(forward), g.seedWithOnes())).orElse(forward);
  }

  static Graph simplify(Graph graph) {
    return Simplifier.simplify(graph);
  }

  static FusionPlan fuse(Graph graph) {
    return Partitioner.partition(graph);
  }

  static KernelProgram lower(FusionPlan plan) {
    return Lowerer.lower(plan);
  }

  /** The plan at this pipeline's sizes; empty when a buffer's size is not fixed by them. */
  Optional<MemoryPlan> planMemory(KernelProgram program) {
    for (Buffer b : program.buffers()) {
      for (var d : b.type().shape().dims()) {
        if (!sizes.keySet().containsAll(d.symbols())) return Optional.empty();
      }
    }
    return Optional.of(MemoryPlanner.plan(program, sizes));
  }

  /** The schedule stage's hook: the kernels pass through until schedules are chosen here. */
  static KernelProgram schedule(KernelProgram program) {
    return program;
  }

  @Override
  public String toString() {
    return "Pipeline[" + gradient.map(g -> "gradient" + (g.seedWithOnes() ? " seeded with ones" : " with cotangents"))
        .orElse("forward") + (sizes.isEmpty() ? "" : ", sizes " + new java.util.TreeMap<>(sizes))
        + (verify ? ", verifying" : "") + "]";
  }
}
