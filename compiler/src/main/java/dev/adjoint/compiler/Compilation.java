package dev.adjoint.compiler;

import dev.adjoint.compiler.ast.Program;
import dev.adjoint.compiler.diag.CompileException;
import dev.adjoint.compiler.frontend.Frontend;
import dev.adjoint.compiler.frontend.ParamSpec;
import dev.adjoint.compiler.ir.Dim;
import dev.adjoint.compiler.ir.Graph;
import dev.adjoint.compiler.ir.Node;
import dev.adjoint.compiler.ir.TensorType;
import dev.adjoint.compiler.pipeline.Artifacts;
import dev.adjoint.compiler.pipeline.Gradient;
import dev.adjoint.compiler.pipeline.Pipeline;
import dev.adjoint.compiler.pipeline.Stage;
import dev.adjoint.runtime.DType;
import dev.adjoint.runtime.SizeLimit;
import dev.adjoint.runtime.Tensor;
import dev.adjoint.runtime.init.ParamInitializer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * A checked program and what can be done with it: list its entry points, build an entry's graph,
 * run it in the reference interpreter or on a backend (through a {@link Pipeline}). The front door
 * of the compiler for the CLI and tests.
 */
public final class Compilation {
  private final Frontend frontend;

  private Compilation(Frontend frontend) {
    this.frontend = frontend;
  }

  /** Parses and checks a file and its imports; throws {@link CompileException} with every error. */
  public static Compilation compile(Path file) {
    return new Compilation(Frontend.load(file));
  }

  /** As {@link #compile(Path)}, for source text that is not on disk (imports resolve from its folder). */
  public static Compilation compileSource(String path, String text) {
    return new Compilation(Frontend.loadSource(path, text));
  }

  public Program program() {
    return frontend.mainProgram();
  }

  /**
   * The files this program was read from: the main file, then every file it imports, transitively,
   * each named as its diagnostics name it. What a build tool watches to know when to compile again.
   */
  public List<Path> sourceFiles() {
    return frontend.userPrograms().stream().map(p -> Path.of(p.source().path())).toList();
  }

  /** Entry points: top-level functions by name, model functions as {@code Model.fn}. */
  public List<String> entryPoints() {
    return frontend.entryPoints();
  }

  /** The only model's {@code forward}, else the only top-level function (CLI.md). */
  public String defaultEntry() {
    return frontend.defaultEntry();
  }

  /** The graph of an entry, at the given input types where known (else symbolic sizes). */
  public Frontend.Entry graph(String entry, RunOptions options, Map<String, TensorType> argumentTypes) {
    return frontend.entry(entry, options.dtype(), options.training(), argumentTypes);
  }

  /** Runs an entry in the reference interpreter. */
  public Run run(String entry, RunOptions options, Map<String, Tensor> inputs, Map<String, Tensor> params) {
    return run(entry, options, inputs, params, Interpreters.GRAPH);
  }

  /** Runs an entry on a backend (the interpreter, fused kernels, generated Java, CUDA). */
  public Run run(String entry, RunOptions options, Map<String, Tensor> inputs, Map<String, Tensor> params, Backend backend) {
    Prepared p = prepare(Pipeline.forward(), entry, options, inputs, params);
    return new Run(backend.execute(p.program(), p.values(), p.sizes(), options), p.params());
  }

  /**
   * Runs an entry and its gradient: the outputs, then the gradient of every param and every
   * floating-point input. A non-scalar output is seeded with {@code cotangent}, or ones.
   */
  public GradientRun gradient(String entry, RunOptions options, Map<String, Tensor> inputs, Map<String, Tensor> params,
      Optional<Tensor> cotangent) {
    return gradient(entry, options, inputs, params, cotangent, Interpreters.GRAPH);
  }

  /** As {@link #gradient(String, RunOptions, Map, Map, Optional)}, on a backend. */
  public GradientRun gradient(String entry, RunOptions options, Map<String, Tensor> inputs, Map<String, Tensor> params,
      Optional<Tensor> cotangent, Backend backend) {
    Gradient gradient = cotangent.isEmpty() ? Gradient.ofOnes() : Gradient.withCotangent();
    Prepared p = prepare(Pipeline.gradient(gradient), entry, options, inputs, params);
    Graph forward = p.program().elaborated();
    List<Node> wrt = gradient.wrt().select(forward);
    if (cotangent.isPresent()) {
      if (forward.outputs().size() != 1) {
        throw new InputException("--cotangent needs an entry point with one output; " + entry + " returns "
            + forward.outputs().size());
      }
      Node out = forward.outputs().get(0);
      Tensor c = cotangent.get();
      int[] want = out.type().shape().evaluate(p.sizes());
      if (!java.util.Arrays.equals(c.shapeArray(), want)) {
        throw new InputException("cotangent has shape " + java.util.Arrays.toString(c.shapeArray())
            + ", but the output is " + out.type() + " = " + java.util.Arrays.toString(want));
      }
      if (!c.dtype().isFloating()) throw new InputException("cotangent must be floating-point, got " + c.dtype().languageName());
      p.values().put("cotangent", c.dtype() == out.type().dtype() ? c : c.cast(out.type().dtype()));
    }
    List<Tensor> all = backend.execute(p.program(), p.values(), p.sizes(), options);
    int n = forward.outputs().size();
    Map<String, Tensor> grads = new LinkedHashMap<>();
    for (int i = 0; i < wrt.size(); i++) grads.put(Graph.paramName(wrt.get(i)), all.get(n + i));
    return new GradientRun(all.subList(0, n), grads, p.params());
  }

  /**
   * The entry at symbolic sizes, elaborated by a pipeline that takes the gradient of every param
   * and floating input (seeded with ones) when {@code gradient}: its other stages run on demand.
   */
  public Artifacts pipeline(String entry, RunOptions options, boolean gradient) {
    return (gradient ? Pipeline.gradient() : Pipeline.forward()).elaborate(this, entry, options);
  }

  /** The entry's gradient graph at symbolic sizes, for dumps: unsimplified or simplified. */
  public Graph gradientGraph(String entry, RunOptions options, boolean simplify) {
    Stage stage = simplify ? Stage.SIMPLIFY : Stage.GRAD;
    return pipeline(entry, options, true).through(stage).graph(stage);
  }

  /**
   * The entry's scheduled kernels: its graph (with the gradient of every param and floating input
   * appended when {@code gradient}), simplified, partitioned, lowered and scheduled.
   */
  public dev.adjoint.compiler.kernel.KernelProgram kernels(String entry, RunOptions options, boolean gradient) {
    return pipeline(entry, options, gradient).through(Stage.SCHEDULE).kernels();
  }

  /** As {@link #run}, through the fused kernels and the kernel-IR interpreter: the two must agree. */
  public Run runFused(String entry, RunOptions options, Map<String, Tensor> inputs, Map<String, Tensor> params) {
    return run(entry, options, inputs, params, Interpreters.FUSED);
  }

  /** As {@link #gradient}, through the fused kernels (seeded with ones, or with {@code cotangent}). */
  public GradientRun gradientFused(String entry, RunOptions options, Map<String, Tensor> inputs, Map<String, Tensor> params,
      Optional<Tensor> cotangent) {
    return gradient(entry, options, inputs, params, cotangent, Interpreters.FUSED);
  }

  private record Prepared(Artifacts program, Map<String, Tensor> values, Map<String, Long> sizes,
      Map<String, Tensor> params) {}

  /**
   * What a backend is handed for one run: the program (the entry, or the entry with the gradient
   * of every param and floating input, seeded with ones) elaborated at the inputs' types, and the
   * checked values and sizes. For benchmarks, which compile once and run many times.
   */
  public record Execution(Artifacts program, Map<String, Tensor> values, Map<String, Long> sizes) {}

  public Execution execution(String entry, RunOptions options, Map<String, Tensor> inputs, Map<String, Tensor> params,
      boolean gradient) {
    Prepared p = prepare(gradient ? Pipeline.gradient() : Pipeline.forward(), entry, options, inputs, params);
    return new Execution(p.program(), p.values(), p.sizes());
  }

  private Prepared prepare(Pipeline pipeline, String entry, RunOptions options, Map<String, Tensor> inputs,
      Map<String, Tensor> params) {
    Frontend.Entry signature = graph(entry, options, Map.of());
    Map<String, TensorType> argTypes = new HashMap<>();
    Map<String, Tensor> converted = new LinkedHashMap<>();
    List<String> expected = new ArrayList<>();
    for (Node a : signature.graph().arguments()) expected.add(Graph.paramName(a));
    for (String name : inputs.keySet()) {
      if (!expected.contains(name)) {
        throw new InputException("unknown input '" + name + "': " + entry + " takes "
            + (expected.isEmpty() ? "no inputs" : String.join(", ", expected)));
      }
    }
    for (Node a : signature.graph().arguments()) {
      String name = Graph.paramName(a);
      Tensor t = inputs.get(name);
      if (t == null) throw new InputException("missing input '" + name + "' (" + a.type() + ")");
      DType want = a.type().dtype();
      if (t.dtype() != want) {
        if (options.dtype().isPresent() && t.dtype().isFloating() && want.isFloating()) t = t.cast(want);
        else throw new InputException("input '" + name + "' has element type " + t.dtype().languageName()
            + ", expected " + want.languageName() + " (" + a.type() + ")");
      }
      converted.put(name, t);
      argTypes.put(name, new TensorType(want, dev.adjoint.compiler.ir.Shape.of(
          java.util.Arrays.stream(t.shapeArray()).mapToObj(s -> Dim.of(s)).toList())));
    }
    Artifacts program = pipeline.elaborate(this, entry, options, argTypes);
    Frontend.Entry built = program.entry().orElseThrow();
    Graph graph = built.graph();
    Map<String, Long> sizes = bindSizes(graph, converted, options.dims(), options.memoryBudget());
    checkIds(graph, converted, sizes);
    checkSliceBounds(graph, sizes);
    Map<String, Tensor> values = new HashMap<>(converted);
    Map<String, Tensor> used = resolveParams(built.params(), params, options, sizes);
    values.putAll(used);
    return new Prepared(program, values, sizes, used);
  }

  /** Binds run-time dims from the inputs' shapes, checking every use agrees. */
  private static Map<String, Long> bindSizes(Graph graph, Map<String, Tensor> inputs, Map<String, Long> given,
      long memoryBudget) {
    Map<String, Long> sizes = new HashMap<>(given);
    Map<String, String> boundBy = new HashMap<>();
    given.keySet().forEach(k -> boundBy.put(k, "--dim " + k));
    for (Node a : graph.arguments()) {
      String name = Graph.paramName(a);
      int[] actual = inputs.get(name).shapeArray();
      if (actual.length != a.type().rank()) {
        throw new InputException("input '" + name + "' has rank " + actual.length + " (shape "
            + java.util.Arrays.toString(actual) + "), expected rank " + a.type().rank() + " (" + a.type() + ")");
      }
      for (int axis = 0; axis < actual.length; axis++) {
        Dim d = a.type().shape().dim(axis);
        List<String> symbols = d.symbols();
        if (symbols.size() == 1 && d.equals(Dim.symbol(symbols.get(0))) && !sizes.containsKey(symbols.get(0))) {
          sizes.put(symbols.get(0), (long) actual[axis]);
          boundBy.put(symbols.get(0), "input '" + name + "' axis " + axis);
        }
      }
    }
    for (Node a : graph.arguments()) {
      String name = Graph.paramName(a);
      int[] actual = inputs.get(name).shapeArray();
      for (int axis = 0; axis < actual.length; axis++) {
        Dim d = a.type().shape().dim(axis);
        long want;
        try {
          want = d.evaluate(sizes);
        } catch (IllegalArgumentException e) {
          throw new InputException("input '" + name + "' axis " + axis + ": size " + d + " cannot be determined; pass --dim");
        }
        if (want != actual[axis]) {
          String origin = d.symbols().size() == 1 && boundBy.containsKey(d.symbols().get(0))
              ? " (" + d.symbols().get(0) + " fixed by " + boundBy.get(d.symbols().get(0)) + ")" : "";
          throw new InputException("input '" + name + "' axis " + axis + " has size " + actual[axis] + ", expected "
              + d + (d.isConstant() ? "" : " = " + want) + origin);
        }
      }
    }
    for (Node n : graph.topologicalOrder()) {
      for (Dim d : n.type().shape().dims()) {
        for (String s : d.symbols()) {
          if (!sizes.containsKey(s)) {
            throw new InputException("size '" + s + "' is not fixed by any input; pass --dim " + s + "=<size>");
          }
        }
      }
      checkSize(graph, n, sizes, memoryBudget);
    }
    return sizes;
  }

  /**
   * Ids given as inputs must pick rows that exist: checked here, before any backend runs, so the
   * message names the input and the position whatever the backend (generated code does not
   * bounds-check its gathers).
   */
  private static void checkIds(Graph graph, Map<String, Tensor> inputs, Map<String, Long> sizes) {
    for (Node n : graph.topologicalOrder()) {
      if (!(n.op() instanceof dev.adjoint.compiler.ir.Gather)) continue;
      Node ids = n.input(1);
      while (ids.op() instanceof dev.adjoint.compiler.ir.Reshape || ids.op() instanceof dev.adjoint.compiler.ir.Broadcast
          || ids.op() instanceof dev.adjoint.compiler.ir.Transpose || ids.op() instanceof dev.adjoint.compiler.ir.Slice) {
        ids = ids.input(0);
      }
      if (!(ids.op() instanceof dev.adjoint.compiler.ir.Input in) || in.kind() != dev.adjoint.compiler.ir.Input.Kind.ARGUMENT) continue;
      Tensor t = inputs.get(in.name());
      long rows = n.input(0).type().shape().dim(0).evaluate(sizes);
      for (int i = 0; i < t.size(); i++) {
        double id = t.getDouble(i);
        if (id < 0 || id >= rows) {
          String where = n.origin().filter(s -> s.file().length() > 0).map(s -> " (" + s + ")").orElse("");
          throw new InputException("input '" + in.name() + "' holds id " + (long) id + " at "
              + java.util.Arrays.toString(unflatten(i, t.shapeArray())) + ", outside the " + rows + " rows of its table"
              + where);
        }
      }
    }
  }

  /**
   * Slices whose bounds depend on run-time sizes ({@code slice(positions, 0, 0, T)} of a table
   * with fewer rows than T) must stay inside their axis: checked before any backend runs, as ids
   * are, because generated code does not bounds-check its slices. Compile-once callers that bind
   * sizes themselves (training, decoding) call this with each new set of sizes.
   *
   * @throws InputException naming the slice's source location and the sizes
   */
  public static void checkSliceBounds(Graph graph, Map<String, Long> sizes) {
    for (Node n : graph.topologicalOrder()) {
      if (!(n.op() instanceof dev.adjoint.compiler.ir.Slice slice)) continue;
      long size = slice.size().evaluate(sizes);
      if (size <= 0) continue;
      long begin = slice.start().evaluate(sizes);
      long last = begin + (size - 1) * slice.stride();
      long length = n.input(0).type().shape().dim(slice.axis()).evaluate(sizes);
      if (begin >= 0 && last < length) continue;
      String where = n.origin().filter(s -> s.file().length() > 0).map(s -> " (" + s + ")").orElse("");
      List<String> bound = new ArrayList<>();
      new java.util.TreeMap<>(sizes).forEach((k, v) -> bound.add(k + "=" + v));
      throw new InputException("slice [" + begin + ", " + (last + 1) + ") of axis " + slice.axis() + " is outside its "
          + length + " elements at the sizes " + String.join(", ", bound) + where);
    }
  }

  private static int[] unflatten(int flat, int[] shape) {
    int[] index = new int[shape.length];
    for (int a = shape.length - 1; a >= 0; a--) {
      index[a] = flat % shape[a];
      flat /= shape[a];
    }
    return index;
  }

  /**
   * Arrays are indexed by int: a tensor past 2^31 - 1 elements ({@link SizeLimit}) is refused before
   * anything is allocated, and so is one whose bytes (at its element type's size) exceed the memory
   * budget. The message names the tensor: a param or input by name, any other by its source
   * location. Callers that draw inputs themselves ({@code adjoint bench}) check each before drawing it.
   *
   * @throws InputException naming the tensor, the shape it would have and the limit it passes
   */
  public static void checkSize(Graph graph, Node n, Map<String, Long> sizes, long memoryBudget) {
    java.math.BigInteger count = java.math.BigInteger.ONE;
    boolean overflow = false;
    StringBuilder shape = new StringBuilder();
    for (Dim d : n.type().shape().dims()) {
      shape.append(shape.length() == 0 ? "" : ", ");
      try {
        long v = d.evaluate(sizes);
        count = count.multiply(java.math.BigInteger.valueOf(v));
        shape.append(v);
      } catch (ArithmeticException e) {
        overflow = true;
        shape.append(d).append(" > ").append(Long.MAX_VALUE);
      }
    }
    String what = graph.params().contains(n) ? "param '" + Graph.paramName(n) + "' " + n.type()
        : graph.arguments().contains(n) ? "input '" + Graph.paramName(n) + "' " + n.type()
        : "tensor " + n.type();
    String where = graph.params().contains(n) || graph.arguments().contains(n) ? ""
        : n.origin().filter(s -> s.file().length() > 0).map(s -> " (at " + s + ")").orElse("");
    if (overflow || count.compareTo(java.math.BigInteger.valueOf(Integer.MAX_VALUE)) > 0) {
      throw new InputException(SizeLimit.tooLarge(what, "[" + shape + "]",
          overflow ? "more than " + Long.MAX_VALUE : count.toString()) + where);
    }
    long bytes = count.longValueExact() * n.type().dtype().byteSize();
    if (bytes > memoryBudget) {
      throw new InputException(what + " would be [" + shape + "], " + bytes + " bytes: more than the memory budget of "
          + memoryBudget + " bytes (--memory-budget)" + where);
    }
  }

  private static Map<String, Tensor> resolveParams(List<ParamSpec> specs, Map<String, Tensor> given, RunOptions options,
      Map<String, Long> sizes) {
    Map<String, ParamSpec> byName = new LinkedHashMap<>();
    for (ParamSpec s : specs) byName.put(s.name(), s);
    for (String name : given.keySet()) {
      if (!byName.containsKey(name)) {
        String hint = dev.adjoint.compiler.frontend.Frontend.suggest(name, byName.keySet());
        throw new InputException("unknown param '" + name + "'" + hint
            + (byName.isEmpty() ? "; this entry point has no params" : ""));
      }
    }
    Map<String, Tensor> used = new LinkedHashMap<>();
    for (ParamSpec s : specs) {
      TensorType type = s.type();
      int[] shape = type.shape().evaluate(sizes);
      Tensor t = given.get(s.name());
      if (t == null) {
        double[] v = ParamInitializer.initialize(s.name(), s.initializer(), s.arguments(), shape, options.seed());
        t = Tensor.ofDoubles(type.dtype(), shape, v);
      } else {
        if (!java.util.Arrays.equals(t.shapeArray(), shape)) {
          throw new InputException("param '" + s.name() + "' has shape " + java.util.Arrays.toString(t.shapeArray())
              + ", expected " + type);
        }
        if (t.dtype() != type.dtype()) {
          if (t.dtype().isFloating()) t = t.cast(type.dtype());
          else throw new InputException("param '" + s.name() + "' has element type " + t.dtype().languageName() + ", expected " + type);
        }
      }
      used.put(s.name(), t);
    }
    return used;
  }

  /** Every param name of an entry, for messages. */
  public List<String> paramNames(String entry) {
    return new ArrayList<>(new TreeSet<>(graph(entry, RunOptions.defaults(), Map.of()).params().stream().map(ParamSpec::name).toList()));
  }
}
