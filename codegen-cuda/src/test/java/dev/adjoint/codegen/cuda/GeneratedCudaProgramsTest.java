package dev.adjoint.codegen.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

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
import dev.adjoint.runtime.DType;
import dev.adjoint.runtime.Tensor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The differential fuzzer's random programs ({@link ProgramGenerator}, compiler's test-jar) through
 * the CUDA backend: each seeded program, at ragged sizes (axes of 1, 5, 7 and 13: multiples of no
 * block, tile or warp), forward and gradient in f64 and its gradient in f32, lowered to kernels,
 * generated as CUDA C, compiled with the emulation harness ({@link CudaEmulator}: g++, two warps a
 * block, at most three blocks, so grid-stride loops turn) and run on the CPU against the kernel
 * interpreter.
 *
 * <p>Sums reduce in another order than the interpreter's (per-thread partials, then a tree across
 * the block), so the check is a tolerance: f64 within 1e-9 relative; f32 within 1e-5 relative
 * plus four times the interpreter's own f32 rounding error on the output ({@link #difference}), since
 * a different order of an ill-conditioned sum legitimately moves its last bits. Dropout masks must
 * agree element for element, or the outputs would be far apart.
 *
 * <p>Each lowering is one g++ build (two at a time, in the background), most of the time of this
 * test. {@code -Dadjoint.generated.cuda.count=N} runs N programs. Skipped when g++ is not on the PATH.
 */
class GeneratedCudaProgramsTest {
  private static final int COUNT = Integer.getInteger("adjoint.generated.cuda.count", 12);
  /** Programs at symbolic sizes ({@link ProgramGenerator#SYMBOLIC}), bound when the kernels launch. */
  private static final int SYMBOLIC_COUNT = Integer.getInteger("adjoint.generated.cuda.symbolic.count", 4);
  private static final double F64_TOLERANCE = 1e-9;
  private static final double F32_TOLERANCE = 1e-5;
  /** Seeds left out, each with the bug it finds (docs/robustness.md): none. */
  private static final Set<Integer> EXCLUDED = Set.of();
  /**
   * Symbolic seeds left out, each with what it finds (docs/robustness.md, open): 26, a product
   * {@code [T, B] @ [B, B]} whose contraction kernel keeps a row of B accumulators in a local array,
   * which the CUDA backend refuses at a run-time length ("needs a constant length").
   */
  private static final Set<Integer> SYMBOLIC_EXCLUDED = Set.of(26);

  @TempDir Path work;

  /**
   * One lowering of a program, its CUDA, and the interpreter's outputs; for an f32 case, {@code
   * reference} holds the same outputs computed in f64 from the same (f32) inputs, else null.
   */
  record Case(String label, String source, CudaCases.Case lowered, CudaSource cuda, boolean f32, List<DArray> expected,
      List<DArray> reference) {}

  /** A program's lowerings and their one emulation binary (being built). */
  record Program(List<Case> cases, Future<Path> binary) {}

  private static final class Suite {
    static final Suite INSTANCE = new Suite();
    /** By {@link #key}. */
    final Map<String, Program> programs = new LinkedHashMap<>();
    final Map<String, RuntimeException> failures = new HashMap<>();

    private Suite() {
      if (!CudaEmulator.gxxAvailable()) return;
      ExecutorService compilers = Executors.newFixedThreadPool(2, r -> {
        Thread t = new Thread(r, "g++ emulation build");
        t.setDaemon(true);
        return t;
      });
      for (boolean symbolic : new boolean[] {false, true}) {
        for (int seed : (symbolic ? symbolicSeeds() : seeds()).toArray()) {
          String key = key(seed, symbolic);
          try {
            ProgramGenerator.Generated g = ProgramGenerator.generate(Fuzzing.choices(new Random(seed)),
                symbolic ? ProgramGenerator.SYMBOLIC : ProgramGenerator.RAGGED, ProgramGenerator.RAGGED_MAX_ELEMENTS);
            List<Case> cases = lower(g, seed, g.usesDropout() && seed % 2 == 0, key);
            List<CudaSource> sources = cases.stream().map(Case::cuda).toList();
            programs.put(key, new Program(cases, compilers.submit(() -> CudaEmulator.compile(sources))));
          } catch (RuntimeException e) {
            failures.put(key, e);
          }
        }
      }
      compilers.shutdown();
    }
  }

  /**
   * The program lowered forward and gradient in f64 and gradient in f32, each with the
   * interpreter's outputs, generated as CUDA.
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
        List<Buffer> inputs = new ArrayList<>(program.arguments());
        inputs.addAll(program.params());
        for (Buffer b : inputs) {
          Tensor t = given.get(b.name());
          if (t == null) throw new IllegalStateException("no value for buffer " + b.name());
          values.put(b.name(), DArray.of(b.type().dtype(), t.shapeArray(), t.toDoubles()));
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
        CudaCases.Case lowered = new CudaCases.Case(label, program, values, g.dims(), seed, 0);
        cases.add(new Case(label, g.source(), lowered, CudaGenerator.generate(program), dtype.isPresent(), expected,
            reference));
      }
    }
    return cases;
  }

  /**
   * Where {@code actual} differs from the interpreter's {@code expected} by more than {@code
   * (tolerance + 4 rho) (1 + |expected|)}; empty when it does not. For an f32 case {@code rho} is the
   * interpreter's own f32 rounding error on this output, the largest {@code |expected - reference|
   * / (1 + |reference|)} over its elements ({@code reference}: the f64 result from the same inputs);
   * for f64 ({@code reference} null) it is 0. A sum in another order may move an ill-conditioned
   * output (small results of large terms that cancel) about as far as rounding moves the oracle: if
   * the CUDA is within three times the interpreter's worst error of the f64 result on the output, it
   * is within {@code 4 rho} of the interpreter (triangle inequality). A wrong term in a well-conditioned output still fails at {@code tolerance}. As
   * codegen-java's GeneratedJavaProgramsTest.f32Difference.
   */
  static Optional<String> difference(DArray expected, DArray reference, DArray actual, double tolerance) {
    if (!java.util.Arrays.equals(expected.shape(), actual.shape())) {
      return Optional.of("shape " + java.util.Arrays.toString(actual.shape()) + ", expected "
          + java.util.Arrays.toString(expected.shape()));
    }
    double rho = 0;
    for (int i = 0; reference != null && i < expected.size(); i++) {
      double error = Math.abs(expected.get(i) - reference.get(i)) / (1 + Math.abs(reference.get(i)));
      if (Double.isFinite(error)) rho = Math.max(rho, error);
    }
    for (int i = 0; i < expected.size(); i++) {
      double e = expected.get(i);
      double a = actual.get(i);
      boolean same;
      if (Double.isNaN(e) || Double.isNaN(a)) same = Double.isNaN(e) && Double.isNaN(a);
      else if (Double.isInfinite(e) || Double.isInfinite(a)) same = e == a;
      else same = Math.abs(a - e) <= (tolerance + 4 * rho) * (1 + Math.abs(e));
      if (!same) {
        return Optional.of("element " + i + " is " + a + ", expected " + e + " (tolerance " + tolerance
            + (reference == null ? "" : " plus four times the interpreter's f32 rounding error on this output, " + rho)
            + ")");
      }
    }
    return Optional.empty();
  }

  static IntStream seeds() {
    return IntStream.range(0, COUNT).filter(s -> !EXCLUDED.contains(s));
  }

  static IntStream symbolicSeeds() {
    return IntStream.range(0, SYMBOLIC_COUNT).filter(s -> !SYMBOLIC_EXCLUDED.contains(s));
  }

  private static String key(int seed, boolean symbolic) {
    return (symbolic ? "symbolic seed " : "seed ") + seed;
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void emulatedCudaComputesWhatTheInterpreterComputes(int seed) throws Exception {
    check(key(seed, false));
  }

  /** Programs whose types name sizes (B, T, S) that the kernels are launched with (7, 13, 37). */
  @ParameterizedTest(name = "symbolic seed {0}")
  @MethodSource("symbolicSeeds")
  void emulatedCudaAtRunTimeSizesComputesWhatTheInterpreterComputes(int seed) throws Exception {
    check(key(seed, true));
  }

  private void check(String key) throws Exception {
    assumeTrue(CudaEmulator.gxxAvailable(), "g++ is not on the PATH: the CUDA emulation harness needs it");
    Suite suite = Suite.INSTANCE;
    RuntimeException failure = suite.failures.get(key);
    if (failure != null) throw new AssertionError(key + " could not be lowered or generated", failure);
    Program program = suite.programs.get(key);
    Path binary;
    try {
      binary = program.binary().get();
    } catch (ExecutionException e) {
      throw new AssertionError(key + ": the emulation build failed\n" + program.cases().get(0).source(), e.getCause());
    }
    List<CudaSource> sources = program.cases().stream().map(Case::cuda).toList();
    for (int k = 0; k < program.cases().size(); k++) {
      Case c = program.cases().get(k);
      List<DArray> actual = CudaEmulator.run(binary, c.cuda(), c.lowered(), work.resolve(c.label().replace(' ', '_')),
          CudaEmulator.firstKernel(sources, k));
      assertEquals(c.expected().size(), actual.size(), c.label() + ": number of outputs");
      for (int i = 0; i < actual.size(); i++) {
        int output = i;
        difference(c.expected().get(i), c.f32() ? c.reference().get(i) : null, actual.get(i),
            c.f32() ? F32_TOLERANCE : F64_TOLERANCE).ifPresent(problem -> fail(c.label() + ": output " + output + ": "
                + problem + "\n" + c.source()));
      }
    }
  }
}
