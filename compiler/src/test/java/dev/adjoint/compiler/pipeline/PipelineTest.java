package dev.adjoint.compiler.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.compiler.Compilation;
import dev.adjoint.compiler.RunOptions;
import dev.adjoint.compiler.autodiff.GradientException;
import dev.adjoint.compiler.autodiff.ReverseMode;
import dev.adjoint.compiler.autodiff.Simplifier;
import dev.adjoint.compiler.fusion.Partitioner;
import dev.adjoint.compiler.interp.DArray;
import dev.adjoint.compiler.interp.EvalContext;
import dev.adjoint.compiler.interp.Interpreter;
import dev.adjoint.compiler.ir.Binary;
import dev.adjoint.compiler.ir.Graph;
import dev.adjoint.compiler.ir.GraphBuilder;
import dev.adjoint.compiler.ir.Input;
import dev.adjoint.compiler.ir.Node;
import dev.adjoint.compiler.ir.Shape;
import dev.adjoint.compiler.ir.TensorType;
import dev.adjoint.compiler.kernel.Buffer;
import dev.adjoint.compiler.kernel.KernelInterpreter;
import dev.adjoint.compiler.kernel.KernelPrinter;
import dev.adjoint.compiler.kernel.KernelProgram;
import dev.adjoint.compiler.kernel.KernelVerifier;
import dev.adjoint.compiler.lower.Lowerer;
import dev.adjoint.compiler.memory.MemoryPlan;
import dev.adjoint.runtime.DType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The {@link Pipeline} on one small program ({@code pipeline/tiny.adj}, a dense layer and a
 * squashed sum, forward and backward): each stage's output as golden text
 * ({@code pipeline/tiny.STAGE.txt}), the values every stage computes, the verifier switch, and the
 * order and names of the stages.
 *
 * <p>After a deliberate change to a stage, rewrite the goldens and review the diff:
 *
 * <pre>
 * mvn -B -o -q test -pl compiler -Dtest=PipelineTest -Dadjoint.updateGoldens=true
 * git diff compiler/src/test/resources/pipeline/
 * </pre>
 */
class PipelineTest {
  private static final Path FOLDER = Path.of("src/test/resources/pipeline");
  private static final Map<String, Long> SIZES = Map.of("N", 3L);

  private static Compilation tiny() {
    return Compilation.compile(FOLDER.resolve("tiny.adj"));
  }

  private static Artifacts tinyStep() {
    return Pipeline.gradient().atSizes(SIZES).verifying(true).elaborate(tiny(), "Tiny.loss", RunOptions.defaults());
  }

  @ParameterizedTest
  @EnumSource(value = Stage.class, names = "EMIT", mode = EnumSource.Mode.EXCLUDE)
  void eachStagePrintsItsGolden(Stage stage) throws IOException {
    String actual = tinyStep().through(stage).print(stage);
    Path golden = FOLDER.resolve("tiny." + stage.id() + ".txt");
    if (Boolean.getBoolean("adjoint.updateGoldens")) Files.writeString(golden, actual, StandardCharsets.UTF_8);
    assertEquals(Files.readString(golden, StandardCharsets.UTF_8), actual, "stage " + stage);
  }

  /** The graphs of elaborate, grad and simplify, and the kernels, compute the same values (f64). */
  @Test
  void everyStageComputesTheSameValues() {
    Artifacts step = Pipeline.gradient().verifying(true)
        .elaborate(tiny(), "Tiny.loss", RunOptions.defaults().withDtype(DType.F64)).through(Stage.SCHEDULE);
    Map<String, DArray> in = new HashMap<>();
    in.put("x", DArray.of(DType.F64, new int[] {3, 2}, new double[] {0.5, -1, 2, 0.25, -0.75, 1.5}));
    in.put("w", DArray.of(DType.F64, new int[] {2, 2}, new double[] {0.3, -0.2, 0.1, 0.4}));
    EvalContext context = new EvalContext(SIZES, 0, 0);
    List<DArray> forward = Interpreter.run(step.elaborated(), in, context);
    List<DArray> derived = Interpreter.run(step.differentiated(), in, context);
    List<DArray> simplified = Interpreter.run(step.simplified(), in, context);
    List<DArray> kernels = KernelInterpreter.outputs(step.kernels(), in, context);
    assertEquals(3, derived.size(), "the loss, then the gradients of x and w");
    assertArrayEquals(forward.get(0).toArray(), derived.get(0).toArray(), 1e-15);
    // d/dx sum(2 tanh(x w)) = 2 (1 - tanh(x w)^2) w^T, row by row.
    double[] x = in.get("x").toArray();
    double[] w = in.get("w").toArray();
    double[] dx = new double[6];
    for (int i = 0; i < 3; i++) {
      for (int j = 0; j < 2; j++) {
        double t = Math.tanh(x[2 * i] * w[j] + x[2 * i + 1] * w[2 + j]);
        double g = 2 * (1 - t * t);
        dx[2 * i] += g * w[j];
        dx[2 * i + 1] += g * w[2 + j];
      }
    }
    assertArrayEquals(dx, derived.get(1).toArray(), 1e-12);
    for (int o = 0; o < 3; o++) {
      assertArrayEquals(derived.get(o).toArray(), simplified.get(o).toArray(), 1e-12, "simplify, output " + o);
      assertArrayEquals(derived.get(o).toArray(), kernels.get(o).toArray(), 1e-12, "kernels, output " + o);
    }
  }

  @Test
  void stagesRunInTheirOrderByName() {
    assertEquals(List.of("elaborate", "grad", "simplify", "fuse", "lower", "memory", "schedule", "emit"),
        Arrays.stream(Stage.values()).map(Stage::id).toList());
    assertEquals(Stage.PLAN_MEMORY, Stage.of("memory"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Stage.of("optimise"));
    assertTrue(e.getMessage().contains("elaborate, grad, simplify, fuse, lower, memory, schedule, emit"), e.getMessage());
  }

  @Test
  void artifactsRunEachStageOnceAndRefuseStagesNotReached() {
    Artifacts fused = tinyStep().through(Stage.FUSE);
    assertEquals(Stage.FUSE, fused.reached());
    assertSame(fused, fused.through(Stage.GRAD), "an earlier stage is already there");
    Artifacts lowered = fused.through(Stage.LOWER);
    assertSame(fused.fusion(), lowered.fusion(), "later stages share the earlier outputs");
    assertSame(fused.simplified(), lowered.simplified());
    IllegalStateException e = assertThrows(IllegalStateException.class, fused::kernels);
    assertTrue(e.getMessage().contains("through fuse, not schedule"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> fused.through(Stage.EMIT));
    assertThrows(IllegalArgumentException.class, () -> fused.graph(Stage.FUSE));
  }

  @Test
  void emitHandsTheScheduledKernelsToTheBackend() {
    List<Stage> seen = new ArrayList<>();
    int kernels = tinyStep().emit(program -> {
      seen.add(program.reached());
      return program.kernels().kernels().size();
    });
    assertEquals(List.of(Stage.SCHEDULE), seen);
    assertEquals(3, kernels);
  }

  @Test
  void theScheduleStagePassesTheKernelsThrough() {
    Artifacts scheduled = tinyStep().through(Stage.SCHEDULE);
    assertSame(scheduled.lowered(), scheduled.kernels());
  }

  @Test
  void withoutAGradientTheGradStagePassesTheGraphThrough() {
    Artifacts forward = Pipeline.forward().elaborate(tiny(), "Tiny.loss", RunOptions.defaults()).through(Stage.GRAD);
    assertSame(forward.elaborated(), forward.differentiated());
    assertEquals(1, forward.through(Stage.SCHEDULE).kernels().outputs().size());
  }

  @Test
  void memoryIsPlannedOnlyWhereTheSizesFixEveryBuffer() {
    Artifacts symbolic = Pipeline.gradient().elaborate(tiny(), "Tiny.loss", RunOptions.defaults()).through(Stage.PLAN_MEMORY);
    assertTrue(symbolic.memoryPlan().isEmpty());
    assertEquals("memory grad Tiny.loss: not planned; run-time sizes N are not fixed\n", symbolic.print(Stage.PLAN_MEMORY));
    assertTrue(tinyStep().through(Stage.PLAN_MEMORY).memoryPlan().isPresent());
  }

  @Test
  void testsRunTheVerifierAfterEveryStage() {
    assertTrue(Pipeline.forward().verifies(), "the build sets -D" + Pipeline.VERIFY_PROPERTY + "=true for tests");
    assertFalse(Pipeline.forward().verifying(false).verifies());
  }

  /** A graph whose add reads a node made after it (two builders mixed): the verifier names it at once. */
  @Test
  void theVerifierStopsAMalformedGraphAtTheStageThatMadeIt() {
    TensorType scalar = new TensorType(DType.F32, Shape.of(List.of()));
    GraphBuilder other = new GraphBuilder();
    for (int i = 0; i < 3; i++) other.add(new Input("unused" + i, Input.Kind.ARGUMENT, scalar));
    Node y = other.add(new Input("y", Input.Kind.ARGUMENT, scalar));
    GraphBuilder builder = new GraphBuilder();
    Node x = builder.add(new Input("x", Input.Kind.ARGUMENT, scalar));
    Node sum = builder.add(new Binary(Binary.Fn.ADD), x, y);
    Graph malformed = new Graph("malformed", List.of(x, y), List.of(), List.of(sum));

    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> Pipeline.forward().verifying(true).start(malformed));
    assertTrue(e.getMessage().startsWith("the verifier after the elaborate stage found:"), e.getMessage());
    assertTrue(e.getMessage().contains("is not older than its user"), e.getMessage());
    Artifacts unchecked = Pipeline.forward().verifying(false).start(malformed);
    assertEquals(Stage.ELABORATE, unchecked.reached(), "with the verifier off nothing is checked");
  }

  /** A kernel program whose first kernel is gone reads a temporary nobody writes. */
  @Test
  void theKernelVerifierFindsAReadOfABufferNeverWritten() {
    KernelProgram p = tinyStep().through(Stage.LOWER).lowered();
    assertEquals(List.of(), KernelVerifier.check(p));
    KernelProgram broken = new KernelProgram(p.name(), p.arguments(), p.params(), p.outputs(), p.temporaries(),
        p.kernels().subList(1, p.kernels().size()));
    assertEquals(List.of("kernel k1_contraction reads t0 before any kernel writes it",
        "kernel k2_contraction reads t0 before any kernel writes it", "result out0 is never written",
        "temporary t0 is never written"), KernelVerifier.check(broken));
  }

  /** Four dense layers: each intermediate is read by the next kernel, so two of them in one slot overlap. */
  @Test
  void theMemoryCheckFindsASlotSharedByBuffersLiveAtOnce() {
    Compilation mlp = Compilation.compileSource("mlp.adj", """
        dim N
        const D = 4
        model Mlp {
          param w1: f32[D, D] = xavier_uniform()
          param w2: f32[D, D] = xavier_uniform()
          param w3: f32[D, D] = xavier_uniform()
          fn forward(x: f32[N, D]) -> f32[N, D] = relu(relu(x @ w1) @ w2) @ w3
        }
        """);
    Artifacts planned = Pipeline.forward().atSizes(SIZES).verifying(true).elaborate(mlp, "Mlp.forward",
        RunOptions.defaults()).through(Stage.PLAN_MEMORY);
    KernelProgram p = planned.lowered();
    MemoryPlan plan = planned.memoryPlan().orElseThrow();
    assertEquals(List.of(), StageChecks.memory(p, plan, SIZES));
    List<Buffer> temporaries = p.temporaries();
    assertEquals(2, temporaries.size());
    Map<Buffer, Integer> oneSlot = new HashMap<>();
    for (Buffer b : temporaries) oneSlot.put(b, 0);
    MemoryPlan shared = new MemoryPlan(oneSlot, List.of(48L), List.of(), plan.ioBytes(), 48, 48);
    assertEquals(List.of("slot 0 holds t0 and t1 while both are live"), StageChecks.memory(p, shared, SIZES));
    MemoryPlan small = new MemoryPlan(Map.of(temporaries.get(0), 0, temporaries.get(1), 1), List.of(48L, 8L),
        List.of(), plan.ioBytes(), 56, 56);
    assertEquals(List.of("temporary t1 needs 48 bytes; its slot 1 holds 8"), StageChecks.memory(p, small, SIZES));
  }

  /**
   * Examples' entries, forward and backward: the verifier passes after every stage (memory planned
   * at small sizes), and the kernels are those the stages gave when call sites assembled them by
   * hand — the gradient simplified twice, as it was, or once, as now: simplification ends at a
   * fixed point, so the second pass changed nothing, and results keep their bits. (The larger
   * examples take seconds each; the equivalence suites run them whole.)
   */
  @Test
  void examplesVerifyAndLowerAsTheStagesAssembledByHandDid() {
    Map<String, Long> sizes = Map.of("B", 2L, "T", 3L, "S", 4L, "N", 3L);
    int checked = 0;
    for (String name : List.of("attention", "encoder_layer_small", "index_attention", "multi_head_attention",
        "word_vectors")) {
      Path file = Path.of("../examples/src/main/adjoint", name + ".adj");
      Compilation c = Compilation.compile(file);
      for (String entry : c.entryPoints()) {
        Graph forward = c.graph(entry, RunOptions.defaults(), Map.of()).graph();
        for (boolean gradient : List.of(false, true)) {
          Pipeline pipeline = (gradient ? Pipeline.gradient() : Pipeline.forward()).verifying(true).atSizes(sizes);
          Graph byHand;
          Artifacts program;
          try {
            byHand = gradient
                ? Simplifier.simplify(ReverseMode.gradient(forward, Gradient.FLOATING_INPUTS.select(forward), true))
                : forward;
            program = pipeline.elaborate(c, entry, RunOptions.defaults()).through(Stage.SCHEDULE);
          } catch (GradientException e) {
            continue; // integer results: no gradient
          }
          String what = file.getFileName() + " " + entry + (gradient ? " gradient" : "");
          assertEquals(KernelPrinter.print(Lowerer.lower(Partitioner.partition(Simplifier.simplify(byHand)))),
              KernelPrinter.print(program.kernels()), what);
          checked++;
        }
      }
    }
    assertTrue(checked >= 20, checked + " programs");
  }
}
