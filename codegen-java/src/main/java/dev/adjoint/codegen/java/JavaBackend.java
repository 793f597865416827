package dev.adjoint.codegen.java;

import com.palantir.javapoet.JavaFile;
import dev.adjoint.compiler.ir.Dim;
import dev.adjoint.compiler.kernel.Buffer;
import dev.adjoint.compiler.kernel.Kernel;
import dev.adjoint.compiler.kernel.KernelProgram;
import dev.adjoint.compiler.pipeline.Artifacts;
import dev.adjoint.runtime.SizeLimit;
import dev.adjoint.runtime.Tensor;
import dev.adjoint.runtime.exec.Buffers;
import dev.adjoint.runtime.exec.CompiledKernels;
import dev.adjoint.runtime.exec.RunContext;
import dev.adjoint.runtime.exec.Sizes;
import dev.adjoint.runtime.exec.ThreadPool;
import dev.adjoint.runtime.exec.Workspace;
import dev.adjoint.runtime.exec.WorkspacePool;
import dev.adjoint.runtime.model.TensorArrays;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * Runs kernel programs as generated Java: generates the class ({@link JavaGenerator}), compiles
 * and loads it ({@link InProcessCompiler}, cached on disk), fills the buffers from tensors, runs it
 * and wraps the outputs as tensors.
 */
public final class JavaBackend {
  /** The package generated classes are compiled in. */
  public static final String PACKAGE = "dev.adjoint.generated";

  private static volatile InProcessCompiler sharedCompiler;

  private JavaBackend() {}

  /**
   * Runs {@code program} and returns its outputs, in the program's order.
   *
   * @param inputs the value of every argument and param, by buffer name, of the buffer's element
   *     type and shape
   * @param sizes run-time sizes; those not given are taken from the shapes of the inputs
   * @param seed the seed of the random streams (dropout)
   * @param step the training step, the other half of the random streams' key
   * @param threads how many threads parallel loops are split across; 1 runs on the caller's thread
   * @throws IllegalArgumentException naming the input and axis when an input is missing, unknown,
   *     or of the wrong type or shape, or a size is neither given nor fixed by an input
   */
  public static List<Tensor> run(KernelProgram program, Map<String, Tensor> inputs, Map<String, Long> sizes, long seed,
      int step, int threads) {
    return compile(program, compiler()).run(inputs, sizes, seed, step, threads);
  }

  /**
   * The emit stage for generated Java ({@link dev.adjoint.compiler.pipeline.CodeEmitter}): the
   * program's scheduled kernels compiled with the shared {@link #compiler()}, ready to run many
   * times — {@code pipeline.start(graph).emit(JavaBackend::compile)}.
   */
  public static Prepared compile(Artifacts program) {
    return compile(program.kernels(), compiler());
  }

  /** The program compiled with {@code compiler}, ready to run many times. */
  public static Prepared compile(KernelProgram program, InProcessCompiler compiler) {
    return compile(program, compiler, false);
  }

  /**
   * The program compiled with {@code compiler}; with {@code checkNumerics}, a run stops at the first
   * kernel that writes a NaN or an infinity, with a {@link dev.adjoint.runtime.exec.NonFiniteValueException}.
   */
  public static Prepared compile(KernelProgram program, InProcessCompiler compiler, boolean checkNumerics) {
    return compile(program, compiler, new Instrumentation(checkNumerics, false));
  }

  /**
   * The program compiled with {@code compiler}, with {@code instrumentation}'s checks and timing
   * between kernels (a run records kernel times into its context's
   * {@link dev.adjoint.runtime.exec.KernelTimes}).
   */
  public static Prepared compile(KernelProgram program, InProcessCompiler compiler, Instrumentation instrumentation) {
    Objects.requireNonNull(program, "program");
    Objects.requireNonNull(compiler, "compiler");
    JavaFile source = JavaGenerator.generate(program, PACKAGE, JavaGenerator.className(program), instrumentation);
    return new Prepared(program, InProcessCompiler.instantiate(compiler.load(source)));
  }

  /** The compiler {@link #run} uses: default options, cache folder from {@link InProcessCompiler#defaultCacheDirectory}. */
  public static InProcessCompiler compiler() {
    InProcessCompiler c = sharedCompiler;
    if (c == null) {
      synchronized (JavaBackend.class) {
        c = sharedCompiler;
        if (c == null) sharedCompiler = c = InProcessCompiler.create();
      }
    }
    return c;
  }

  /** A shared pool of {@code threads} threads, started on first use and kept for the life of the JVM. */
  public static ThreadPool pool(int threads) {
    return ThreadPool.shared(threads);
  }

  /**
   * A compiled program and the buffer layout its class expects.
   *
   * <p>A run writes its temporaries and results into arrays kept from an earlier run of the same
   * sizes (a {@link Workspace}) rather than into new ones, and copies the results out into the
   * tensors it returns. Runs may be under way on several threads at once: each takes a workspace
   * of its own from the program's {@link WorkspacePool} and gives it back when it ends. The pool
   * retains the workspaces given back (as many as runs were under way at once, up to one per
   * processor), each holding the memory plan's arena (temporaries whose lifetimes do not overlap
   * share one array: {@link WorkspaceLayout}) and the results of one run, for the life of this
   * object; {@link #releaseWorkspaces} lets them go.
   */
  public static final class Prepared {
    private final KernelProgram program;
    private final CompiledKernels kernels;
    private final List<Buffer> slots;
    private final Set<Buffer> written = new HashSet<>();
    private final WorkspacePool workspaces;
    private final WorkspaceLayout layout;

    Prepared(KernelProgram program, CompiledKernels kernels) {
      this.program = program;
      this.kernels = kernels;
      this.slots = JavaGenerator.slots(program);
      for (Kernel k : program.kernels()) written.addAll(k.writes());
      this.layout = WorkspaceLayout.of(program);
      this.workspaces = new WorkspacePool(layout.arrays());
    }

    public KernelProgram program() {
      return program;
    }

    /** The generated class's instance. */
    public CompiledKernels kernels() {
      return kernels;
    }

    /**
     * Lets go of the arrays kept for later runs (those of a run under way go when it ends); the
     * next run allocates them again.
     */
    public void releaseWorkspaces() {
      workspaces.release();
    }

    /** The pool runs take their arrays from: for tests that poison them between runs. */
    WorkspacePool workspaces() {
      return workspaces;
    }

    /** As {@link JavaBackend#run}. */
    public List<Tensor> run(Map<String, Tensor> inputs, Map<String, Long> sizes, long seed, int step, int threads) {
      return run(inputs, sizes, new RunContext(seed, step, pool(threads)));
    }

    /** Runs the program with a context of the caller's (its own pool, say). */
    public List<Tensor> run(Map<String, Tensor> inputs, Map<String, Long> sizes, RunContext context) {
      Objects.requireNonNull(inputs, "inputs");
      Objects.requireNonNull(sizes, "sizes");
      Objects.requireNonNull(context, "context");
      Map<String, Buffer> given = inputBuffers();
      for (String name : inputs.keySet()) {
        if (!given.containsKey(name)) {
          throw new IllegalArgumentException("program " + program.name() + " has no argument or param '" + name
              + "'; it has " + given.keySet());
        }
      }
      Map<String, Long> bound = bindSizes(given, inputs, sizes);
      Workspace workspace = workspaces.take();
      Object[] arrays = new Object[slots.size()];
      for (int slot = 0; slot < slots.size(); slot++) {
        Buffer b = slots.get(slot);
        int[] shape = shape(b, bound);
        if (b.role() == Buffer.Role.ARGUMENT || b.role() == Buffer.Role.PARAM) {
          Tensor value = inputs.get(b.name());
          String what = (b.role() == Buffer.Role.ARGUMENT ? "argument '" : "param '") + b.name() + "'";
          if (value == null) throw new IllegalArgumentException("no value for " + what + " (" + b.type() + ")");
          if (value.dtype() != b.type().dtype()) {
            throw new IllegalArgumentException(what + " must be " + b.type().dtype() + ", got " + value.dtype());
          }
          if (!Arrays.equals(value.shapeArray(), shape)) {
            throw new IllegalArgumentException(what + " must have shape " + Arrays.toString(shape) + " (" + b.type()
                + "), got " + value.shape());
          }
          // An input the kernels write, or whose bf16 or f16 elements are widened, is copied into
          // the workspace; the others are the tensors' own arrays. A donated argument (written and
          // returned: docs/language.md, "In-place state") is written in its own array.
          boolean copy = !donated(b) && (written.contains(b) || !TensorArrays.sharesArray(b.type().dtype()));
          arrays[slot] = copy ? TensorArrays.copyInto(value, workspace.array(layout.arrayOf(b), b.type().dtype(), count(shape)))
              : TensorArrays.toArray(value, false);
        } else {
          // Kernels never read what they have not written in this run, so the previous run's
          // arrays serve as well as zeroed new ones.
          arrays[slot] = workspace.array(layout.arrayOf(b), b.type().dtype(), count(shape));
        }
      }
      kernels.run(Buffers.of(arrays), Sizes.of(bound), context);
      List<Tensor> out = new ArrayList<>();
      for (Buffer b : program.outputs()) {
        int slot = slots.indexOf(b);
        out.add(donated(b) ? inputs.get(b.name()) : TensorArrays.toTensor(b.type().dtype(), shape(b, bound), arrays[slot]));
      }
      // Only now, the results copied out: a run that threw drops its workspace instead, as a
      // kernel thread may still be writing into it.
      workspaces.give(workspace);
      return out;
    }

    /** A donated argument: the kernels write it and it is a result, so the caller's tensor holds the result. */
    private boolean donated(Buffer b) {
      return b.role() == Buffer.Role.ARGUMENT && written.contains(b) && program.outputs().contains(b)
          && TensorArrays.sharesArray(b.type().dtype());
    }

    /** The buffer's dimensions at these sizes, refused past the limit of one tensor ({@link SizeLimit}). */
    private int[] shape(Buffer b, Map<String, Long> sizes) {
      var dims = b.type().shape().dims();
      long[] wide = new long[dims.size()];
      for (int i = 0; i < wide.length; i++) wide[i] = dims.get(i).evaluate(sizes);
      SizeLimit.elements(describe(b), wide);
      int[] shape = new int[wide.length];
      for (int i = 0; i < wide.length; i++) shape[i] = (int) wide[i];
      return shape;
    }

    /** {@code buffer 't0' f32[B, T, 32] (written by k3: reverse.adj:12)}, for messages. */
    private String describe(Buffer b) {
      String what = switch (b.role()) {
        case ARGUMENT -> "argument '" + b.name() + "' " + b.type();
        case PARAM -> "param '" + b.name() + "' " + b.type();
        case OUTPUT, TEMPORARY -> "buffer '" + b.name() + "' " + b.type();
      };
      for (Kernel k : program.kernels()) {
        if (k.writes().contains(b)) {
          String lines = k.sourceLines();
          return what + " (written by " + k.name() + (lines.isEmpty() ? "" : ": " + lines) + ")";
        }
      }
      return what;
    }

    private Map<String, Buffer> inputBuffers() {
      Map<String, Buffer> byName = new LinkedHashMap<>();
      for (Buffer b : program.arguments()) byName.putIfAbsent(b.name(), b);
      for (Buffer b : program.params()) byName.putIfAbsent(b.name(), b);
      return byName;
    }

    /** The given sizes, and every size an input's shape fixes (an axis whose size is one symbol). */
    private Map<String, Long> bindSizes(Map<String, Buffer> given, Map<String, Tensor> inputs, Map<String, Long> sizes) {
      Map<String, Long> bound = new TreeMap<>(sizes);
      for (Buffer b : given.values()) {
        Tensor t = inputs.get(b.name());
        if (t == null || t.rank() != b.type().rank()) continue;
        for (int axis = 0; axis < t.rank(); axis++) {
          Dim d = b.type().shape().dim(axis);
          List<String> symbols = d.symbols();
          if (symbols.size() == 1 && d.equals(Dim.symbol(symbols.get(0)))) {
            bound.putIfAbsent(symbols.get(0), (long) t.dim(axis));
          }
        }
      }
      for (Buffer b : slots) {
        for (Dim d : b.type().shape().dims()) {
          for (String s : d.symbols()) {
            if (!bound.containsKey(s)) {
              throw new IllegalArgumentException("size '" + s + "' is not given and no input fixes it (buffer "
                  + b.name() + " : " + b.type() + ")");
            }
          }
        }
      }
      for (Buffer b : given.values()) {
        Tensor t = inputs.get(b.name());
        if (t == null) continue;
        if (t.rank() != b.type().rank()) {
          throw new IllegalArgumentException("'" + b.name() + "' has rank " + t.rank() + ", expected " + b.type().rank()
              + " (" + b.type() + ")");
        }
        for (int axis = 0; axis < t.rank(); axis++) {
          long want = b.type().shape().dim(axis).evaluate(bound);
          if (want != t.dim(axis)) {
            throw new IllegalArgumentException("'" + b.name() + "' axis " + axis + " has size " + t.dim(axis) + ", expected "
                + b.type().shape().dim(axis) + " = " + want);
          }
        }
      }
      return bound;
    }
  }

  private static int count(int[] shape) {
    int n = 1;
    for (int s : shape) n *= s; // within the limit: shape() checked it
    return n;
  }


}
