package dev.adjoint.codegen.java;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.palantir.javapoet.JavaFile;
import dev.adjoint.codegen.java.GoldenPrograms.Lowered;
import dev.adjoint.codegen.java.GoldenPrograms.Mode;
import dev.adjoint.compiler.interp.DArray;
import dev.adjoint.runtime.DType;
import dev.adjoint.runtime.Tensor;
import dev.adjoint.runtime.exec.gemm.GemmF32;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every golden case, forward and gradient, lowered to kernels and run twice: by the kernel
 * interpreter (the oracle, itself checked against the graph interpreter by FusedEquivalenceTest)
 * and as generated Java. The generated code performs the interpreter's operations in the
 * interpreter's order, so the two agree bit for bit, and that is what is checked: it catches a
 * rounding slip (one f32 operation done in double) that a tolerance would let through. A schedule
 * that reorders sums (vectorised reductions) would compare within {@link #F64_TOLERANCE} and
 * {@link #F32_TOLERANCE} instead, as {@link #EXACT} says.
 *
 * <p>The fast paths keep that order: blocked products (GemmF32) add each product in reduction
 * order, and RowKernels' accumulator updates are elementwise. The Vector API micro-kernel fuses
 * each multiply-add (Math.fma's rounding, for twice the speed), so with it f32 programs compare
 * within {@link #F32_TOLERANCE}; with the scalar kernel ({@code -Dadjoint.vector=false}) they are
 * the interpreter's bits again. f64 and bf16 products stay on scalar loops, always bit for bit. Only
 * RowKernels' vector dot product sums in lanes, from two vectors on (32 floats with AVX-512); the
 * golden programs' heads are narrower, so they stay bit for bit here, and BlockedKernelsTest checks
 * the wide case within the tolerance.
 *
 * <p>All programs are generated first and compiled in one javac run: one run per program would
 * take minutes.
 */
class GeneratedEquivalenceTest {
  private static final double F64_TOLERANCE = 1e-12;
  private static final double F32_TOLERANCE = 1e-5;
  /** Whether outputs must be the interpreter's bits; else f64 within 1e-12, f32 within 1e-5 (relative). */
  private static final boolean EXACT = true;

  /** Cases run at the dtype their program declares (f32), forward and gradient. */
  private static final List<String> F32_CASES = List.of("example_attention", "example_encoder_layer",
      "example_index_attention", "example_transformer_loss", "nn_embedding", "nn_layer_norm", "prelude_cross_entropy",
      "prelude_gelu");
  /** Cases run with every float in bf16: rounding after every operation, checked bit for bit. */
  private static final List<String> BF16_CASES = List.of("example_index_attention", "nn_layer_norm", "prelude_softmax");
  /** Cases run in training mode, so their kernels draw dropout masks from Philox. */
  private static final List<String> TRAINING_CASES = List.of("example_encoder_layer", "nn_feed_forward");
  /** Training cases also run in bf16: their dropout masks, drawn a row at a time, checked bit for bit. */
  private static final List<String> BF16_TRAINING_CASES = List.of("example_encoder_layer", "nn_feed_forward");

  /** The lowered programs and their compiled classes, built once for every test of the class. */
  private static final class Suite {
    static final Suite INSTANCE = new Suite();

    final List<Lowered> programs = new ArrayList<>();
    final Map<String, RuntimeException> lowerFailures = new LinkedHashMap<>();
    final Map<String, JavaBackend.Prepared> prepared = new LinkedHashMap<>();
    final long javacMillis;

    private Suite() {
      long t0 = System.nanoTime();
      for (Path folder : GoldenCase.folders()) {
        GoldenCase golden = GoldenCase.load(folder);
        String name = golden.name();
        List<Mode> modes = new ArrayList<>();
        modes.add(Mode.forward(Optional.of(DType.F64)));
        if (golden.hasGradients()) modes.add(Mode.gradient(Optional.of(DType.F64)));
        if (F32_CASES.contains(name)) {
          modes.add(Mode.forward(Optional.empty()));
          modes.add(Mode.gradient(Optional.empty()));
        }
        if (BF16_CASES.contains(name)) {
          modes.add(Mode.forward(Optional.of(DType.BF16)));
          modes.add(Mode.gradient(Optional.of(DType.BF16)));
        }
        if (TRAINING_CASES.contains(name)) {
          modes.add(Mode.forward(Optional.empty()).training(7, 3));
          modes.add(Mode.gradient(Optional.empty()).training(7, 3));
        }
        if (BF16_TRAINING_CASES.contains(name)) {
          modes.add(Mode.forward(Optional.of(DType.BF16)).training(7, 3));
          modes.add(Mode.gradient(Optional.of(DType.BF16)).training(7, 3));
        }
        for (Mode mode : modes) {
          try {
            programs.add(GoldenPrograms.lower(golden, mode));
          } catch (RuntimeException e) {
            lowerFailures.put(name + " " + mode.label(), e);
          }
        }
      }
      long t1 = System.nanoTime();
      List<JavaFile> sources = new ArrayList<>();
      for (int i = 0; i < programs.size(); i++) sources.add(programs.get(i).source(i));
      long t2 = System.nanoTime();
      InProcessCompiler compiler = InProcessCompiler.withoutCache(werror());
      long cpu = java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
      List<Class<?>> classes = compiler.loadAll(sources);
      cpu = java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() - cpu;
      long t3 = System.nanoTime();
      for (int i = 0; i < programs.size(); i++) {
        Lowered p = programs.get(i);
        prepared.put(p.label(), new JavaBackend.Prepared(p.program(), InProcessCompiler.instantiate(classes.get(i))));
      }
      javacMillis = (t3 - t2) / 1_000_000;
      long lines = sources.stream().mapToLong(s -> s.toString().lines().count()).sum();
      System.out.printf("java backend equivalence: %d programs lowered in %d ms, generated in %d ms (%d lines),"
          + " compiled in one javac run in %d ms (%d ms of CPU)%n", programs.size(), (t1 - t0) / 1_000_000,
          (t2 - t1) / 1_000_000, lines, javacMillis, cpu / 1_000_000);
    }
  }

  static List<String> werror() {
    List<String> options = new ArrayList<>(InProcessCompiler.DEFAULT_OPTIONS);
    options.add("-Werror");
    return options;
  }

  static Stream<Lowered> programs() {
    return Suite.INSTANCE.programs.stream();
  }

  /** A program's compiled class, ready to run (shared with the other tests that use this suite). */
  static JavaBackend.Prepared prepared(Lowered p) {
    return Suite.INSTANCE.prepared.get(p.label());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("programs")
  void generatedJavaComputesWhatTheInterpreterComputes(Lowered p) {
    List<DArray> expected = p.interpret();
    List<Tensor> actual = Suite.INSTANCE.prepared.get(p.label()).run(p.tensors(), p.sizes(), p.mode().seed(),
        p.mode().step(), 1);
    assertEquals(expected.size(), actual.size(), "number of outputs");
    // bf16 can only agree by computing the same bits, whatever the schedule. Dropout masks come
    // from Philox by position, not from values, so training-mode f32 compares like any f32 case.
    boolean f32 = p.mode().dtype().isEmpty() || p.mode().dtype().equals(Optional.of(DType.F32));
    boolean exact = p.mode().dtype().equals(Optional.of(DType.BF16))
        || (EXACT && !(f32 && GemmF32.fusesMultiplyAdd()));
    double tolerance = p.mode().dtype().equals(Optional.of(DType.F64)) ? F64_TOLERANCE : F32_TOLERANCE;
    for (int i = 0; i < expected.size(); i++) {
      if (exact) {
        assertTrue(GoldenPrograms.identical(expected.get(i), actual.get(i)), "output " + i + " differs: "
            + GoldenPrograms.compare(expected.get(i), actual.get(i), 0).orElse("(in the sign of a zero)"));
      } else {
        int output = i;
        GoldenPrograms.compare(expected.get(i), actual.get(i), tolerance)
            .ifPresent(problem -> fail("output " + output + ": " + problem));
      }
    }
  }

  @Test
  void everyCaseLowers() {
    Map<String, RuntimeException> failures = Suite.INSTANCE.lowerFailures;
    if (!failures.isEmpty()) {
      var first = failures.entrySet().iterator().next();
      throw new AssertionError(failures.size() + " programs could not be lowered, first " + first.getKey() + ": "
          + failures.keySet(), first.getValue());
    }
  }

  /** The same at sizes where every thread gets many rows, with inputs no test chose. */
  @Test
  void aMultiThreadedRunOfALargerLayerEqualsASingleThreadedOne() {
    Lowered p = Suite.INSTANCE.programs.stream().filter(x -> x.label().equals("example_encoder_layer gradient declared"))
        .findFirst().orElseThrow();
    Map<String, Long> sizes = Map.of("B", 3L, "T", 37L);
    java.util.SplittableRandom random = new java.util.SplittableRandom(2024);
    Map<String, DArray> values = new LinkedHashMap<>();
    Map<String, Tensor> tensors = new LinkedHashMap<>();
    List<dev.adjoint.compiler.kernel.Buffer> inputs = new ArrayList<>(p.program().arguments());
    inputs.addAll(p.program().params());
    for (var b : inputs) {
      int[] shape = b.type().shape().evaluate(sizes);
      double[] data = new double[java.util.Arrays.stream(shape).reduce(1, (x, y) -> x * y)];
      for (int i = 0; i < data.length; i++) data[i] = random.nextDouble(-1, 1);
      DArray value = DArray.of(b.type().dtype(), shape, data);
      values.put(b.name(), value);
      tensors.put(b.name(), Tensor.ofDoubles(b.type().dtype(), shape, value.toArray()));
    }
    JavaBackend.Prepared compiled = Suite.INSTANCE.prepared.get(p.label());
    List<Tensor> one = compiled.run(tensors, sizes, 0, 0, 1);
    assertEquals(one, compiled.run(tensors, sizes, 0, 0, 4));
    List<DArray> expected = dev.adjoint.compiler.kernel.KernelInterpreter.outputs(p.program(), values,
        new dev.adjoint.compiler.interp.EvalContext(sizes, 0, 0));
    for (int i = 0; i < expected.size(); i++) {
      int output = i;
      GoldenPrograms.compare(expected.get(i), one.get(i), F32_TOLERANCE).ifPresent(problem -> fail("output " + output + ": " + problem));
    }
  }

  /** Threads only split independent iterations, so any thread count computes the same bits. */
  @Test
  void aMultiThreadedRunEqualsASingleThreadedOne() {
    for (String label : List.of("example_encoder_layer gradient declared", "example_index_attention forward declared",
        "nn_feed_forward gradient declared training")) {
      Lowered p = Suite.INSTANCE.programs.stream().filter(x -> x.label().equals(label)).findFirst().orElseThrow();
      JavaBackend.Prepared compiled = Suite.INSTANCE.prepared.get(label);
      List<Tensor> one = compiled.run(p.tensors(), p.sizes(), p.mode().seed(), p.mode().step(), 1);
      for (int threads : new int[] {2, 3, 8}) {
        List<Tensor> many = compiled.run(p.tensors(), p.sizes(), p.mode().seed(), p.mode().step(), threads);
        assertEquals(one, many, label + " on " + threads + " threads");
      }
    }
  }
}
