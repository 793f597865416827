package dev.adjoint.codegen.java;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.palantir.javapoet.JavaFile;
import dev.adjoint.compiler.Compilation;
import dev.adjoint.compiler.Run;
import dev.adjoint.compiler.RunOptions;
import dev.adjoint.compiler.fuzz.Fuzzing;
import dev.adjoint.compiler.fuzz.ProgramGenerator;
import dev.adjoint.compiler.interp.DArray;
import dev.adjoint.compiler.interp.EvalContext;
import dev.adjoint.compiler.kernel.Buffer;
import dev.adjoint.compiler.kernel.KernelInterpreter;
import dev.adjoint.compiler.kernel.KernelProgram;
import dev.adjoint.compiler.target.CpuTarget;
import dev.adjoint.runtime.DType;
import dev.adjoint.runtime.Tensor;
import dev.adjoint.runtime.exec.gemm.GemmF32;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The differential fuzzer's random programs ({@link ProgramGenerator}) through the shipping code:
 * each seeded program, at ragged sizes (axes of 1, 5, 7 and 13: multiples of no tile or vector
 * width, so every tiled loop has a remainder), forward and gradient in f64 and its gradient in f32,
 * lowered to kernels, generated as Java under the schedule of each CPU target (this machine's,
 * avx2's and avx512's), compiled (with -Werror) and run, against the kernel interpreter (itself
 * checked against the graph interpreter by the fuzzer's Differential, and here too on the forward
 * f64 run within 1e-9).
 *
 * <p>The Java must be the interpreter's bits, as GeneratedEquivalenceTest demands, except f32 where
 * the Vector API GEMM micro-kernel fuses multiply-adds (then within 1e-5 relative plus four times
 * the interpreter's own f32 rounding error on the output: {@link #f32Difference}); and the three
 * targets' classes must give each other's bits: a tile or a cache block changes which register or
 * block holds a sum, never the order of its terms.
 *
 * <p>All classes are generated first and compiled in one javac run. {@code
 * -Dadjoint.generated.java.count=N} runs N programs (default 60: 180 lowerings, 540 classes).
 */
class GeneratedJavaProgramsTest {
  private static final int COUNT = Integer.getInteger("adjoint.generated.java.count", 60);
  /** Programs at symbolic sizes ({@link ProgramGenerator#SYMBOLIC}), their sizes bound when the class runs. */
  private static final int SYMBOLIC_COUNT = Integer.getInteger("adjoint.generated.java.symbolic.count", 20);
  static final List<CpuTarget> TARGETS = List.of(CpuTarget.detected(), CpuTarget.avx2(), CpuTarget.avx512());
  private static final double F32_TOLERANCE = 1e-5;
  private static final double GRAPH_TOLERANCE = 1e-9;
  /** Seeds left out, each with the bug it finds: none. */
  private static final Set<Integer> EXCLUDED = Set.of();
  /** Seeds past the count that found bugs, always run: 156 and 237, a result written in place too early (MemoryPlanner). */
  private static final List<Integer> FOUND = List.of(156, 237);
  /** Symbolic seeds past the count, always run: 86, f32 rounding only a per-output bound allows ({@link #f32Difference}). */
  private static final List<Integer> SYMBOLIC_FOUND = List.of(86);

  /**
   * One lowering of a program: its kernels, inputs, and the interpreter's outputs; for an f32 case,
   * {@code reference} holds the same outputs computed in f64 from the same (f32) inputs, else null.
   */
  record Case(String label, String source, KernelProgram program, Map<String, Tensor> tensors,
      Map<String, Long> sizes, long runSeed, boolean f32, List<DArray> expected, List<DArray> reference) {}

  /** Every case and its classes (one per target), built once. */
  private static final class Suite {
    static final Suite INSTANCE = new Suite();

    /** By {@link #key}. */
    final Map<String, List<Case>> cases = new LinkedHashMap<>();
    final Map<Case, List<JavaBackend.Prepared>> prepared = new IdentityHashMap<>();
    final Map<String, RuntimeException> failures = new HashMap<>();

    private Suite() {
      long t0 = System.nanoTime();
      List<Case> all = new ArrayList<>();
      for (boolean symbolic : new boolean[] {false, true}) {
        for (int seed : (symbolic ? symbolicSeeds() : seeds()).toArray()) {
          String key = key(seed, symbolic);
          try {
            ProgramGenerator.Generated g = ProgramGenerator.generate(Fuzzing.choices(new Random(seed)),
                symbolic ? ProgramGenerator.SYMBOLIC : ProgramGenerator.RAGGED, ProgramGenerator.RAGGED_MAX_ELEMENTS);
            List<Case> of = lower(g, seed, g.usesDropout() && seed % 2 == 0, (symbolic ? "Symbolic" : "Seed") + seed);
            cases.put(key, of);
            all.addAll(of);
          } catch (RuntimeException e) {
            failures.put(key, e);
            cases.put(key, List.of());
          }
        }
      }
      long t1 = System.nanoTime();
      prepared.putAll(compile(all));
      long t2 = System.nanoTime();
      System.out.printf("random programs as Java: %d programs, %d lowerings x %d targets lowered and interpreted in"
          + " %d ms, compiled in one javac run in %d ms%n", cases.size(), all.size(), TARGETS.size(),
          (t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000);
    }
  }

  /**
   * The program lowered forward and gradient in f64, and gradient in f32, with the interpreter's
   * outputs; the forward f64 one also checked against the graph interpreter.
   */
  static List<Case> lower(ProgramGenerator.Generated g, long seed, boolean training, String name) {
    Compilation c = Compilation.compileSource("generated.adj", g.source());
    List<Case> cases = new ArrayList<>();
    KernelProgram f64Gradient = null;
    for (Optional<DType> dtype : List.of(Optional.<DType>empty(), Optional.of(DType.F32))) {
      RunOptions options = RunOptions.defaults().withSeed(seed).withTraining(training).withDims(g.dims());
      if (dtype.isPresent()) options = options.withDtype(dtype.get());
      Run graph = c.run(g.entry(), options, g.inputs(), Map.of());
      Map<String, Tensor> given = new HashMap<>(g.inputs());
      given.putAll(graph.params());
      for (boolean gradient : dtype.isPresent() ? new boolean[] {true} : new boolean[] {false, true}) {
        KernelProgram program = c.kernels(g.entry(), options, gradient);
        Map<String, DArray> values = new LinkedHashMap<>();
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        List<Buffer> inputs = new ArrayList<>(program.arguments());
        inputs.addAll(program.params());
        for (Buffer b : inputs) {
          Tensor t = given.get(b.name());
          if (t == null) throw new IllegalStateException("no value for buffer " + b.name());
          DArray value = DArray.of(b.type().dtype(), t.shapeArray(), t.toDoubles());
          values.put(b.name(), value);
          tensors.put(b.name(), Tensor.ofDoubles(b.type().dtype(), t.shapeArray(), value.toArray()));
        }
        List<DArray> expected = KernelInterpreter.outputs(program, values, new EvalContext(g.dims(), seed, 0));
        List<DArray> reference = null;
        if (gradient && dtype.isEmpty()) f64Gradient = program;
        if (dtype.isPresent()) {
          // The f64 program on the f32 case's own inputs: how far f32 rounding alone moves each output.
          Map<String, DArray> wide = new LinkedHashMap<>();
          values.forEach((n, v) -> wide.put(n, DArray.of(DType.F64, v.shape(), v.toArray())));
          reference = KernelInterpreter.outputs(f64Gradient, wide, new EvalContext(g.dims(), seed, 0));
        }
        String label = name + " " + (gradient ? "gradient" : "forward") + " "
            + dtype.map(DType::toString).orElse("f64") + (training ? " training" : "");
        if (!gradient && dtype.isEmpty()) {
          for (int i = 0; i < graph.outputs().size(); i++) {
            int output = i;
            GoldenPrograms.compare(expected.get(i), graph.outputs().get(i), GRAPH_TOLERANCE).ifPresent(problem -> fail(
                label + ": the kernel interpreter's output " + output + " is not the graph's: " + problem + "\n"
                    + g.source()));
          }
        }
        cases.add(new Case(label, g.source(), program, tensors, g.dims(), seed, dtype.isPresent(), expected,
            reference));
      }
    }
    return cases;
  }

  /** Each case's class under each target ({@link #TARGETS}' order), all compiled in one javac run. */
  static Map<Case, List<JavaBackend.Prepared>> compile(List<Case> cases) {
    List<JavaFile> sources = new ArrayList<>();
    for (Case c : cases) {
      for (CpuTarget target : TARGETS) {
        String className = JavaNames.typeIdentifier(c.label(), "Case") + target.name().substring(0, 1).toUpperCase()
            + target.name().substring(1);
        sources.add(JavaGenerator.generate(c.program(), "dev.adjoint.generated.random", className,
            Instrumentation.NONE, target));
      }
    }
    List<Class<?>> classes = InProcessCompiler.withoutCache(GeneratedEquivalenceTest.werror()).loadAll(sources);
    Map<Case, List<JavaBackend.Prepared>> prepared = new IdentityHashMap<>();
    for (int i = 0; i < cases.size(); i++) {
      List<JavaBackend.Prepared> perTarget = new ArrayList<>();
      for (int t = 0; t < TARGETS.size(); t++) {
        perTarget.add(new JavaBackend.Prepared(cases.get(i).program(),
            InProcessCompiler.instantiate(classes.get(i * TARGETS.size() + t))));
      }
      prepared.put(cases.get(i), perTarget);
    }
    return prepared;
  }

  /**
   * Runs the case's class under every target: each the interpreter's bits (f32 with fused
   * multiply-adds: {@link #f32Difference}), and all the same bits.
   */
  static void check(Case c, List<JavaBackend.Prepared> perTarget) {
    List<Tensor> first = null;
    for (int t = 0; t < TARGETS.size(); t++) {
      String where = c.label() + ", " + TARGETS.get(t).name();
      List<Tensor> actual;
      try {
        actual = perTarget.get(t).run(c.tensors(), c.sizes(), c.runSeed(), 0, 1);
      } catch (RuntimeException e) {
        throw new AssertionError(where + ": the generated Java failed: " + e + "\n" + c.source(), e);
      }
      assertEquals(c.expected().size(), actual.size(), where + ": number of outputs");
      boolean exact = !(c.f32() && GemmF32.fusesMultiplyAdd());
      for (int i = 0; i < actual.size(); i++) {
        DArray e = c.expected().get(i);
        Tensor a = actual.get(i);
        if (exact) {
          if (!GoldenPrograms.identical(e, a)) {
            fail(where + ": output " + i + " is not the interpreter's bits: "
                + GoldenPrograms.compare(e, a, 0).orElse("(in the sign of a zero)") + "\n" + c.source());
          }
        } else {
          int output = i;
          f32Difference(e, c.reference().get(i), a).ifPresent(problem -> fail(where + ": output " + output + ": "
              + problem + "\n" + c.source()));
        }
      }
      if (first == null) first = actual;
      else assertEquals(first, actual, where + ": the bits differ from " + TARGETS.get(0).name() + "'s\n" + c.source());
    }
  }

  /**
   * Where {@code actual} (f32 with fused multiply-adds) differs from the interpreter's f32 {@code
   * expected} by more than {@code (1e-5 + 4 rho) (1 + |expected|)}, with {@code rho} the
   * interpreter's own f32 rounding error on this output, the largest {@code |expected - reference|
   * / (1 + |reference|)} over its elements ({@code reference}: the f64 result from the same
   * inputs); empty when it does not. A fused multiply-add rounds once where the interpreter rounds
   * twice: another sample of rounding, neither better nor worse in general, and an ill-conditioned
   * output (small results of large terms that cancel, a log_softmax gradient summed back through a
   * product, a chain of products) turns its last-bit differences into large relative ones. If the
   * Java is within three times the interpreter's worst error of the f64 result on the output, the
   * triangle inequality puts it within {@code 4 rho} of the interpreter: that much is rounding; a
   * wrong term or order in a well-conditioned output still fails at 1e-5. Seen so far, as the
   * Java's worst error over the interpreter's on the output: 0.4 (fuzz finding crash-da343e14),
   * 1.3 (symbolic seed 86) and 2.5 (crash-66116e3c, a chain of seven products at run-time sizes);
   * one element's own error is no bound (the interpreter is near f64 on some by luck). Each of them
   * gives the interpreter's bits without the Vector API ({@code -Dadjoint.vector=false}), where the
   * GEMM does not fuse and {@link #check} demands bits.
   */
  static Optional<String> f32Difference(DArray expected, DArray reference, Tensor actual) {
    if (!java.util.Arrays.equals(expected.shape(), actual.shapeArray())) {
      return Optional.of("shape " + actual.shape() + ", expected " + java.util.Arrays.toString(expected.shape()));
    }
    if (expected.dtype() != actual.dtype()) return Optional.of("dtype " + actual.dtype() + ", expected " + expected.dtype());
    double rho = 0;
    for (int i = 0; i < expected.size(); i++) {
      double error = Math.abs(expected.get(i) - reference.get(i)) / (1 + Math.abs(reference.get(i)));
      if (Double.isFinite(error)) rho = Math.max(rho, error);
    }
    for (int i = 0; i < expected.size(); i++) {
      double e = expected.get(i);
      double a = actual.getDouble(i);
      boolean same;
      if (Double.isNaN(e) || Double.isNaN(a)) same = Double.isNaN(e) && Double.isNaN(a);
      else if (Double.isInfinite(e) || Double.isInfinite(a)) same = e == a;
      else same = Math.abs(a - e) <= (F32_TOLERANCE + 4 * rho) * (1 + Math.abs(e));
      if (!same) {
        return Optional.of("element " + i + " is " + a + ", expected " + e + " (tolerance " + F32_TOLERANCE
            + " relative plus four times the interpreter's f32 rounding error on this output, " + rho + ", against f64)");
      }
    }
    return Optional.empty();
  }

  static IntStream seeds() {
    return IntStream.concat(IntStream.range(0, COUNT), FOUND.stream().mapToInt(Integer::intValue).filter(s -> s >= COUNT))
        .filter(s -> !EXCLUDED.contains(s));
  }

  static IntStream symbolicSeeds() {
    return IntStream.concat(IntStream.range(0, SYMBOLIC_COUNT),
        SYMBOLIC_FOUND.stream().mapToInt(Integer::intValue).filter(s -> s >= SYMBOLIC_COUNT));
  }

  private static String key(int seed, boolean symbolic) {
    return (symbolic ? "symbolic seed " : "seed ") + seed;
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void generatedJavaUnderEveryTargetComputesWhatTheInterpreterComputes(int seed) {
    checkAll(key(seed, false));
  }

  /** Programs whose types name sizes (B, T, S) that the generated class learns only when it runs (7, 13, 37). */
  @ParameterizedTest(name = "symbolic seed {0}")
  @MethodSource("symbolicSeeds")
  void generatedJavaAtRunTimeSizesComputesWhatTheInterpreterComputes(int seed) {
    checkAll(key(seed, true));
  }

  private static void checkAll(String key) {
    Suite suite = Suite.INSTANCE;
    RuntimeException failure = suite.failures.get(key);
    if (failure != null) throw new AssertionError(key + " could not be lowered", failure);
    List<Case> cases = suite.cases.get(key);
    assertTrue(!cases.isEmpty(), key + " has cases");
    for (Case c : cases) check(c, suite.prepared.get(c));
  }
}
