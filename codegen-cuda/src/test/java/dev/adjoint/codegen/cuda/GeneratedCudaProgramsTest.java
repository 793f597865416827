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
 * plus twice the interpreter's own f32 rounding error on the element ({@link #difference}), since
 * a different order of an ill-conditioned sum legitimately moves its last bits. Dropout masks must
 * agree element for element, or the outputs would be far apart.
 *
 * <p>Each lowering is one g++ build (two at a time, in the background), most of the time of this
 * test. {@code -Dadjoint.generated.cuda.count=N} runs N programs. Skipped when g++ is not on the PATH.
 */
class GeneratedCudaProgramsTest {
  private static final int COUNT = Integer.getInteger("adjoint.generated.cuda.count", 8);
  private static final double F64_TOLERANCE = 1e-9;
  private static final double F32_TOLERANCE = 1e-5;
  /** Seeds left out, each with the bug it finds (docs/robustness.md): none. */
  private static final Set<Integer> EXCLUDED = Set.of();

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
    final Map<Integer, Program> programs = new LinkedHashMap<>();
    final Map<Integer, RuntimeException> failures = new HashMap<>();

    private Suite() {
      if (!CudaEmulator.gxxAvailable()) return;
      ExecutorService compilers = Executors.newFixedThreadPool(2, r -> {
        Thread t = new Thread(r, "g++ emulation build");
        t.setDaemon(true);
        return t;
      });
      for (int seed : seeds().toArray()) {
        try {
          ProgramGenerator.Generated g = ProgramGenerator.generate(Fuzzing.choices(new Random(seed)),
              ProgramGenerator.RAGGED, ProgramGenerator.RAGGED_MAX_ELEMENTS);
          List<Case> cases = lower(g, seed, g.usesDropout() && seed % 2 == 0, "seed " + seed);
          List<CudaSource> sources = cases.stream().map(Case::cuda).toList();
          programs.put(seed, new Program(cases, compilers.submit(() -> CudaEmulator.compile(sources))));
        } catch (RuntimeException e) {
          failures.put(seed, e);
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
      RunOptions options = RunOptions.defaults().withSeed(seed).withTraining(training);
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
        List<DArray> expected = KernelInterpreter.outputs(program, values, new EvalContext(Map.of(), seed, 0));
        List<DArray> reference = null;
        if (gradient && dtype.isEmpty()) f64Gradient = program;
        if (dtype.isPresent()) {
          // The f64 program on the f32 case's own inputs: how far f32 rounding alone moves each output.
          Map<String, DArray> wide = new LinkedHashMap<>();
          values.forEach((n, v) -> wide.put(n, DArray.of(DType.F64, v.shape(), v.toArray())));
          reference = KernelInterpreter.outputs(f64Gradient, wide, new EvalContext(Map.of(), seed, 0));
        }
        String label = name + " " + (gradient ? "gradient" : "forward") + " "
            + dtype.map(DType::toString).orElse("f64") + (training ? " training" : "");
        CudaCases.Case lowered = new CudaCases.Case(label, program, values, Map.of(), seed, 0);
        cases.add(new Case(label, g.source(), lowered, CudaGenerator.generate(program), dtype.isPresent(), expected,
            reference));
      }
    }
    return cases;
  }

  /**
   * Where {@code actual} differs from the interpreter's {@code expected} by more than {@code
   * tolerance} relative, plus, where {@code reference} (the f64 result from the f32 case's inputs)
   * is given, twice the interpreter's own f32 rounding error on that element, {@code |expected -
   * reference|}: a sum in another order may move an ill-conditioned element (a small result of
   * large terms that cancel) by as much as rounding moves the oracle, and no more; a wrong term in
   * a well-conditioned element still fails at {@code tolerance}. Empty when within.
   */
  static Optional<String> difference(DArray expected, DArray reference, DArray actual, double tolerance) {
    if (!java.util.Arrays.equals(expected.shape(), actual.shape())) {
      return Optional.of("shape " + java.util.Arrays.toString(actual.shape()) + ", expected "
          + java.util.Arrays.toString(expected.shape()));
    }
    for (int i = 0; i < expected.size(); i++) {
      double e = expected.get(i);
      double a = actual.get(i);
      boolean same;
      if (Double.isNaN(e) || Double.isNaN(a)) same = Double.isNaN(e) && Double.isNaN(a);
      else if (Double.isInfinite(e) || Double.isInfinite(a)) same = e == a;
      else {
        double rounding = reference != null && Double.isFinite(reference.get(i)) ? Math.abs(e - reference.get(i)) : 0;
        same = Math.abs(a - e) <= tolerance + tolerance * Math.abs(e) + 2 * rounding;
      }
      if (!same) {
        return Optional.of("element " + i + " is " + a + ", expected " + e + " (tolerance " + tolerance
            + (reference == null ? "" : " plus twice |" + e + " - " + reference.get(i) + "|, the f32 rounding error")
            + ")");
      }
    }
    return Optional.empty();
  }

  static IntStream seeds() {
    return IntStream.range(0, COUNT).filter(s -> !EXCLUDED.contains(s));
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void emulatedCudaComputesWhatTheInterpreterComputes(int seed) throws Exception {
    assumeTrue(CudaEmulator.gxxAvailable(), "g++ is not on the PATH: the CUDA emulation harness needs it");
    Suite suite = Suite.INSTANCE;
    RuntimeException failure = suite.failures.get(seed);
    if (failure != null) throw new AssertionError("seed " + seed + " could not be lowered or generated", failure);
    Program program = suite.programs.get(seed);
    Path binary;
    try {
      binary = program.binary().get();
    } catch (ExecutionException e) {
      throw new AssertionError("seed " + seed + ": the emulation build failed\n" + program.cases().get(0).source(),
          e.getCause());
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
