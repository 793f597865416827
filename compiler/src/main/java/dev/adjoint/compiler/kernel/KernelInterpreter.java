package dev.adjoint.compiler.kernel;

import dev.adjoint.compiler.interp.DArray;
import dev.adjoint.compiler.interp.EvalContext;
import dev.adjoint.compiler.interp.EvaluationException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Runs a {@link KernelProgram} on the CPU, statement by statement: the oracle that lowering is
 * checked against (kernel program ≡ graph interpreter) and that the code generators are checked
 * against (generated code ≡ kernel program). Each kernel is first compiled to a tree of closures
 * with every variable resolved to a slot, so whole layers at small sizes run in milliseconds.
 *
 * <h2>Semantics</h2>
 *
 * <ul>
 *   <li><b>Scalars</b> are doubles rounded to the expression's dtype after every operation with
 *       {@link DArray#round}, as the graph interpreter does: f32 kernels see f32 arithmetic, and f64
 *       kernels agree with the graph interpreter to the last bit up to summation order. Stores,
 *       accumulates, assignments and declarations round to the target's dtype.
 *   <li><b>i32 arithmetic</b> (indices): {@code + - *} are Java {@code int} operations (exact for
 *       indices; they wrap as generated code would on overflow), {@code /} is floor division and
 *       {@code %} the floored modulo (the same as truncation for non-negative indices); an integer
 *       division by zero is an {@link EvaluationException}. {@code pow} on i32 is repeated
 *       multiplication, as in the graph interpreter.
 *   <li><b>Comparisons and logic</b> give bool (1 or 0). {@link KExpr.Select} evaluates its
 *       condition and then only the chosen operand (condition ≠ 0 picks {@code a}), as a ternary in
 *       generated code does, so a guarded out-of-range load is not an error. {@link KExpr.Cast}
 *       rounds to the target dtype (floats to i32 truncate toward zero).
 *   <li><b>Variables</b>: {@link KExpr.Var} reads a loop variable, a {@link KStmt.Let} or a
 *       {@link KStmt.Declare}d scalar; {@link KExpr.Element} reads a {@link KStmt.DeclareArray}.
 *       Scoping is lexical: a binding is visible after it in its statement list and inside loops
 *       nested there; the innermost binding wins; a let's value is evaluated before its name is
 *       bound. {@link KStmt.Assign} targets declared scalars only. A variable read at a dtype other
 *       than the one it was bound at is an error.
 *   <li><b>Loops</b> run iterations 0 … extent−1 in order, also when {@code parallel}; the extent
 *       is evaluated once, on entry. A {@link KStmt.DeclareArray} makes a fresh array (every
 *       element {@code init}) each time it executes.
 *   <li><b>Structured statements</b> ({@link KStmt.Structured}) run as themselves, performing the
 *       operations of their loop-level forms ({@link KStmt.Structured#expand}) in the same order,
 *       so a kernel and its {@link Kernel#flatten flattened} form give the same bits: a
 *       {@link KStmt.ForAll} as its loops (in order, though they are parallel); a
 *       {@link KStmt.Reduce} or {@link KStmt.Contraction} as loops around its body and its step,
 *       into an accumulator that must be a scalar declared before it, of the step's dtype; a
 *       {@link KStmt.WeightedSum} and the row of a {@link KStmt.OnlineSoftmax} add into a
 *       declared array. A contraction's epilogue binds its values where the contraction stands.
 *   <li><b>Buffers</b>: at the start of a kernel, every buffer in its {@code writes} that is the
 *       target of at least one {@link KStmt.Accumulate} is filled with zeros, so
 *       {@code buffer[i] += v} sums into a fresh buffer; buffers written only by stores are not
 *       cleared. Every buffer of a program starts as zeros.
 *   <li><b>Random</b>: {@code Philox4x32.uniform(seed, step, site, index)} with the seed and step of
 *       the {@link EvalContext}, rounded to the dtype. <b>Size</b>: {@code dim.evaluate(sizes)}.
 * </ul>
 *
 * <p>Errors in the program itself (an index outside a buffer, an unbound variable, a load from a
 * buffer the kernel does not list, an index that is not i32, operands of two dtypes) are internal
 * errors of the lowering and throw {@link IllegalStateException} naming the kernel.
 */
public final class KernelInterpreter {
  private KernelInterpreter() {}

  /**
   * Runs every kernel in order and returns the final value of every buffer: arguments, params,
   * temporaries and outputs, and any other buffer a kernel reads or writes.
   *
   * @param inputs the value of every {@link Buffer.Role#ARGUMENT} and {@link Buffer.Role#PARAM}
   *     buffer, by buffer name, of the buffer's dtype and (evaluated) shape
   */
  public static Map<Buffer, DArray> run(KernelProgram program, Map<String, DArray> inputs, EvalContext context) {
    Objects.requireNonNull(program, "program");
    Objects.requireNonNull(inputs, "inputs");
    Objects.requireNonNull(context, "context");
    Map<Buffer, double[]> storage = allocate(program, inputs, context);
    for (Kernel k : program.kernels()) runKernel(k, storage, context);
    Map<Buffer, DArray> out = new LinkedHashMap<>();
    for (var e : storage.entrySet()) {
      Buffer b = e.getKey();
      out.put(b, DArray.of(b.type().dtype(), b.type().shape().evaluate(context.sizes()), e.getValue()));
    }
    return out;
  }

  /** Runs the program and returns its outputs, in the program's order. */
  public static List<DArray> outputs(KernelProgram program, Map<String, DArray> inputs, EvalContext context) {
    Map<Buffer, DArray> all = run(program, inputs, context);
    List<DArray> out = new ArrayList<>();
    for (Buffer b : program.outputs()) out.add(all.get(b));
    return out;
  }

  /**
   * Runs one kernel over mutable storage: {@code storage} must hold an array of the right element
   * count for every buffer the kernel reads or writes; written buffers are updated in place.
   */
  public static void runKernel(Kernel kernel, Map<Buffer, double[]> storage, EvalContext context) {
    Objects.requireNonNull(kernel, "kernel");
    KernelCompiler.Compiled compiled = KernelCompiler.compile(kernel, context);
    double[][] buffers = new double[compiled.buffers().size()][];
    for (int i = 0; i < buffers.length; i++) {
      Buffer b = compiled.buffers().get(i);
      double[] data = storage.get(b);
      if (data == null) {
        throw new IllegalStateException("kernel " + kernel.name() + ": no storage for buffer " + b.name());
      }
      long expected = b.type().shape().elementCount().evaluate(context.sizes());
      if (data.length != expected) {
        throw new IllegalStateException("kernel " + kernel.name() + ": buffer " + b.name() + " of type "
            + b.type() + " needs " + expected + " elements, its storage has " + data.length);
      }
      buffers[i] = data;
    }
    for (Buffer b : compiled.zeroed()) Arrays.fill(storage.get(b), 0);
    try {
      compiled.run(buffers);
    } catch (ArithmeticException e) {
      throw new EvaluationException("kernel " + kernel.name() + ": " + e.getMessage());
    }
  }

  private static Map<Buffer, double[]> allocate(KernelProgram program, Map<String, DArray> inputs,
      EvalContext context) {
    Map<Buffer, double[]> storage = new LinkedHashMap<>();
    Map<String, Buffer> byName = new LinkedHashMap<>();
    List<Buffer> given = new ArrayList<>(program.arguments());
    given.addAll(program.params());
    for (Buffer b : given) {
      Buffer clash = byName.put(b.name(), b);
      if (clash != null && !clash.equals(b)) {
        throw new IllegalArgumentException("program " + program.name() + " has two inputs named '" + b.name() + "'");
      }
    }
    for (String name : inputs.keySet()) {
      if (!byName.containsKey(name)) {
        throw new IllegalArgumentException("program " + program.name() + " has no argument or param '" + name
            + "'; it has " + byName.keySet());
      }
    }
    for (Buffer b : byName.values()) {
      DArray value = inputs.get(b.name());
      if (value == null) throw new IllegalArgumentException("no value for '" + b.name() + "'");
      int[] shape = b.type().shape().evaluate(context.sizes());
      if (value.dtype() != b.type().dtype() || !Arrays.equals(value.shape(), shape)) {
        throw new IllegalArgumentException("'" + b.name() + "' must be " + b.type().dtype() + Arrays.toString(shape)
            + " (" + b.type() + "), got " + value);
      }
      storage.put(b, value.toArray());
    }
    List<Buffer> rest = new ArrayList<>(program.temporaries());
    rest.addAll(program.outputs());
    for (Kernel k : program.kernels()) {
      rest.addAll(k.reads());
      rest.addAll(k.writes());
    }
    for (Buffer b : rest) {
      storage.computeIfAbsent(b, x -> new double[Math.toIntExact(x.type().shape().elementCount().evaluate(context.sizes()))]);
    }
    return storage;
  }
}
