package dev.adjoint.codegen.java;

import com.palantir.javapoet.JavaFile;
import dev.adjoint.compiler.Compilation;
import dev.adjoint.compiler.Run;
import dev.adjoint.compiler.RunOptions;
import dev.adjoint.compiler.interp.DArray;
import dev.adjoint.compiler.interp.EvalContext;
import dev.adjoint.compiler.ir.Dim;
import dev.adjoint.compiler.ir.Graph;
import dev.adjoint.compiler.ir.Node;
import dev.adjoint.compiler.kernel.Buffer;
import dev.adjoint.compiler.kernel.KernelInterpreter;
import dev.adjoint.compiler.kernel.KernelProgram;
import dev.adjoint.compiler.pipeline.Gradient;
import dev.adjoint.compiler.pipeline.Pipeline;
import dev.adjoint.runtime.DType;
import dev.adjoint.runtime.Tensor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Golden cases as kernel programs with their inputs: what the equivalence tests run through the
 * kernel interpreter and through generated Java.
 */
final class GoldenPrograms {
  private GoldenPrograms() {}

  /** How a case is lowered: forward or gradient, at which dtype, with dropout or not. */
  record Mode(boolean gradient, Optional<DType> dtype, boolean training, long seed, int step) {
    static Mode forward(Optional<DType> dtype) {
      return new Mode(false, dtype, false, 0, 0);
    }

    static Mode gradient(Optional<DType> dtype) {
      return new Mode(true, dtype, false, 0, 0);
    }

    Mode training(long seed, int step) {
      return new Mode(gradient, dtype, true, seed, step);
    }

    String label() {
      return (gradient ? "gradient" : "forward") + dtype.map(d -> " " + d).orElse(" declared")
          + (training ? " training" : "");
    }
  }

  /** A lowered program, the interpreter's inputs (by buffer name) and the same values as tensors. */
  record Lowered(String label, KernelProgram program, Map<String, DArray> values, Map<String, Tensor> tensors,
      Map<String, Long> sizes, Mode mode) {
    List<DArray> interpret() {
      return KernelInterpreter.outputs(program, values, new EvalContext(sizes, mode.seed(), mode.step()));
    }

    /** A class name unique among the programs of one test run. */
    JavaFile source(int index) {
      return JavaGenerator.generate(program, "dev.adjoint.generated.test",
          "Case" + index + JavaNames.typeIdentifier(label, "Program"));
    }

    @Override
    public String toString() {
      return label;
    }
  }

  static Lowered lower(GoldenCase golden, Mode mode) {
    Compilation c = Compilation.compile(golden.program());
    RunOptions options = RunOptions.defaults().withDims(golden.dims());
    if (mode.dtype().isPresent()) options = options.withDtype(mode.dtype().get());
    if (mode.training()) options = options.withTraining(true).withSeed(mode.seed());
    Graph forward = c.graph(golden.entry(), options, Map.of()).graph();

    Map<String, Tensor> inputs = new LinkedHashMap<>();
    for (Node a : forward.arguments()) {
      String name = Graph.paramName(a);
      Tensor t = golden.inputs().get(name);
      if (t == null) throw new IllegalStateException(golden.name() + ": no input " + name);
      inputs.put(name, t.dtype() == a.type().dtype() ? t : t.cast(a.type().dtype()));
    }
    // The graph interpreter resolves params: the golden ones converted to the dtype, others initialised.
    Run run = c.run(golden.entry(), options, inputs, golden.params());
    Map<String, Tensor> given = new HashMap<>(inputs);
    given.putAll(run.params());

    Pipeline pipeline = Pipeline.forward();
    if (mode.gradient()) {
      pipeline = Pipeline.gradient(golden.cotangent().isEmpty() ? Gradient.ofOnes() : Gradient.withCotangent());
      golden.cotangent().ifPresent(t -> given.put("cotangent", t));
    }
    KernelProgram program = pipeline.kernels(forward);

    Map<String, Long> sizes = new HashMap<>(golden.dims());
    List<Buffer> inputBuffers = new ArrayList<>(program.arguments());
    inputBuffers.addAll(program.params());
    for (Buffer b : inputBuffers) {
      Tensor t = given.get(b.name());
      if (t == null) throw new IllegalStateException(golden.name() + ": no value for buffer " + b.name());
      for (int axis = 0; axis < b.type().rank(); axis++) {
        Dim d = b.type().shape().dim(axis);
        if (d.symbols().size() == 1 && d.equals(Dim.symbol(d.symbols().get(0)))) {
          sizes.putIfAbsent(d.symbols().get(0), (long) t.dim(axis));
        }
      }
    }
    Map<String, DArray> values = new LinkedHashMap<>();
    Map<String, Tensor> tensors = new LinkedHashMap<>();
    for (Buffer b : inputBuffers) {
      Tensor t = given.get(b.name());
      // Rounded to the buffer's dtype once, by the interpreter's rounding; the tensor holds the same values.
      DArray value = DArray.of(b.type().dtype(), t.shapeArray(), t.toDoubles());
      values.put(b.name(), value);
      tensors.put(b.name(), Tensor.ofDoubles(b.type().dtype(), t.shapeArray(), value.toArray()));
    }
    return new Lowered(golden.name() + " " + mode.label(), program, values, tensors, sizes, mode);
  }

  /**
   * Empty when {@code actual} has the shape and dtype of {@code expected} and every element is
   * within {@code tolerance} of it, relative ({@code |a - e| <= tol + tol * |e|}, NaN only matching
   * NaN, infinities exactly); else what differs, at the worst element.
   */
  static Optional<String> compare(DArray expected, Tensor actual, double tolerance) {
    if (!java.util.Arrays.equals(expected.shape(), actual.shapeArray())) {
      return Optional.of("shape " + actual.shape() + ", expected " + java.util.Arrays.toString(expected.shape()));
    }
    if (expected.dtype() != actual.dtype()) return Optional.of("dtype " + actual.dtype() + ", expected " + expected.dtype());
    int worst = -1;
    double worstExcess = 1;
    for (int i = 0; i < expected.size(); i++) {
      double e = expected.get(i);
      double a = actual.getDouble(i);
      double excess;
      if (Double.isNaN(e) || Double.isNaN(a)) excess = Double.isNaN(e) && Double.isNaN(a) ? 0 : Double.POSITIVE_INFINITY;
      else if (Double.isInfinite(e) || Double.isInfinite(a)) excess = e == a ? 0 : Double.POSITIVE_INFINITY;
      else excess = Math.abs(a - e) / (tolerance + tolerance * Math.abs(e));
      if (excess > worstExcess) {
        worst = i;
        worstExcess = excess;
      }
    }
    if (worst < 0) return Optional.empty();
    return Optional.of("element " + worst + " is " + actual.getDouble(worst) + ", expected " + expected.get(worst)
        + " (tolerance " + tolerance + ")");
  }

  /** Whether every element is the same value: -0.0 is not 0.0, every NaN matches every NaN. */
  static boolean identical(DArray expected, Tensor actual) {
    if (!java.util.Arrays.equals(expected.shape(), actual.shapeArray()) || expected.dtype() != actual.dtype()) return false;
    for (int i = 0; i < expected.size(); i++) {
      if (Double.compare(expected.get(i), actual.getDouble(i)) != 0) return false;
    }
    return true;
  }

  static Path goldenFolder(String name) {
    return GoldenCase.folders().stream().filter(f -> f.getFileName().toString().equals(name)).findFirst()
        .orElseThrow(() -> new IllegalStateException("no golden case " + name));
  }
}
