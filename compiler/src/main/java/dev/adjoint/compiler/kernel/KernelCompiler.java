package dev.adjoint.compiler.kernel;

import dev.adjoint.compiler.interp.DArray;
import dev.adjoint.compiler.interp.EvalContext;
import dev.adjoint.compiler.ir.Binary.Fn;
import dev.adjoint.runtime.DType;
import dev.adjoint.runtime.random.Philox4x32;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns one kernel into a tree of closures for {@link KernelInterpreter}: variables become slots
 * of a frame, buffers indices into an array of storage, sizes constants. Checks the kernel on the
 * way (bound names, i32 indices, listed buffers), so running it only checks bounds. Structured
 * statements run as themselves — a map or a reduction as its loops around its body and its step, a
 * weighted row as one loop over the lane — in the order their loop-level forms would.
 */
final class KernelCompiler {
  /** Run-time state of one kernel: scalar slots, local arrays, buffer storage. */
  static final class Frame {
    final double[] slots;
    final double[][] arrays;
    final double[][] buffers;

    Frame(int slots, int arrays, double[][] buffers) {
      this.slots = new double[slots];
      this.arrays = new double[arrays][];
      this.buffers = buffers;
    }
  }

  interface Ev {
    double eval(Frame f);
  }

  interface Ex {
    void exec(Frame f);
  }

  /** A compiled kernel: the buffers its frame indexes, those it zeroes first, and its body. */
  record Compiled(List<Buffer> buffers, List<Buffer> zeroed, int slots, int arrays, Ex[] body) {
    void run(double[][] storage) {
      Frame f = new Frame(slots, arrays, storage);
      for (Ex s : body) s.exec(f);
    }
  }

  private enum Kind { LOOP, LET, DECLARE, ARRAY }

  private record Binding(int slot, DType dtype, Kind kind) {}

  /** Names visible at a point: a copy per statement list, so bindings end with their list. */
  private record Scope(Map<String, Binding> scalars, Map<String, Binding> arrays) {
    Scope copy() {
      return new Scope(new HashMap<>(scalars), new HashMap<>(arrays));
    }
  }

  private final Kernel kernel;
  private final EvalContext context;
  private final Map<Buffer, Integer> bufferIndex = new HashMap<>();
  private final Set<Buffer> written;
  private final Set<Buffer> accumulated = new LinkedHashSet<>();
  private int slots;
  private int arrays;

  private KernelCompiler(Kernel kernel, EvalContext context) {
    this.kernel = kernel;
    this.context = context;
    for (Buffer b : kernel.reads()) bufferIndex.putIfAbsent(b, bufferIndex.size());
    for (Buffer b : kernel.writes()) bufferIndex.putIfAbsent(b, bufferIndex.size());
    this.written = Set.copyOf(kernel.writes());
  }

  static Compiled compile(Kernel kernel, EvalContext context) {
    KernelCompiler c = new KernelCompiler(kernel, context);
    Ex[] body = c.block(kernel.body(), new Scope(new HashMap<>(), new HashMap<>()));
    Buffer[] order = new Buffer[c.bufferIndex.size()];
    c.bufferIndex.forEach((b, i) -> order[i] = b);
    return new Compiled(List.of(order), List.copyOf(c.accumulated), c.slots, c.arrays, body);
  }

  private IllegalStateException error(String message) {
    return new IllegalStateException("kernel " + kernel.name() + ": " + message);
  }

  // ---- statements

  private Ex[] block(List<KStmt> stmts, Scope outer) {
    return statements(stmts, outer.copy());
  }

  /** Compiles {@code stmts} into {@code scope} itself: what they bind stays bound there. */
  private Ex[] statements(List<KStmt> stmts, Scope scope) {
    Ex[] out = new Ex[stmts.size()];
    for (int i = 0; i < out.length; i++) out[i] = stmt(stmts.get(i), scope);
    return out;
  }

  /** Something to compile in the scope of a nest's innermost iteration. */
  private interface Inner {
    Ex[] compile(Scope scope);
  }

  /**
   * Loops over {@code axes} (the last fastest), each binding its variable in a scope of its own,
   * around what {@code inner} compiles in the innermost scope.
   */
  private Ex nest(List<Axis> axes, Scope scope, Inner inner) {
    if (axes.isEmpty()) return sequence(inner.compile(scope));
    Axis axis = axes.get(0);
    Ev extent = index(axis.extent(), scope, "extent of axis " + axis.var());
    Scope s = scope.copy();
    int slot = slots++;
    s.scalars().put(axis.var(), new Binding(slot, DType.I32, Kind.LOOP));
    Ex body = nest(axes.subList(1, axes.size()), s, inner);
    return loop(slot, extent, new Ex[] {body});
  }

  private static Ex sequence(Ex[] body) {
    if (body.length == 1) return body[0];
    return f -> {
      for (Ex s : body) s.exec(f);
    };
  }

  /** A structured statement's accumulator: a declared scalar of the step's dtype. */
  private void accumulator(String name, DType dtype, Scope scope, String what) {
    Binding b = scope.scalars().get(name);
    if (b == null || b.kind() != Kind.DECLARE) throw error(what + " into " + name + ", which is not a declared scalar");
    if (b.dtype() != dtype) throw error(what + " into " + name + ", which is " + b.dtype() + ", of " + dtype + " values");
  }

  /**
   * One step of a sum of rows: the setup, then for every lane its body and
   * {@code array[lane] = update}.
   */
  private Ex row(KStmt.WeightedRow row, String array, KExpr weight, KExpr rescale, Scope scope) {
    Binding b = array(array, scope);
    if (b.dtype() != row.dtype()) throw error("rows of " + row.dtype() + " into " + array + ", which is " + b.dtype());
    Scope s = scope.copy();
    Ex[] setup = statements(row.setup(), s);
    int slot = b.slot();
    Ex lanes = nest(List.of(row.lane()), s, inner -> {
      Ex[] body = statements(row.body(), inner);
      int lane = inner.scalars().get(row.lane().var()).slot();
      Ev v = rounded(b.dtype(), row.update(array, weight, rescale), inner);
      Ex update = f -> {
        double[] a = f.arrays[slot];
        int i = (int) f.slots[lane];
        if (i < 0 || i >= a.length) throw outOfBounds("store to array", array, i, a.length);
        a[i] = v.eval(f);
      };
      return append(body, update);
    });
    return sequence(append(setup, lanes));
  }

  private static Ex[] append(Ex[] body, Ex last) {
    Ex[] out = Arrays.copyOf(body, body.length + 1);
    out[body.length] = last;
    return out;
  }

  private Ex stmt(KStmt stmt, Scope scope) {
    return switch (stmt) {
      case KStmt.Loop l -> {
        Ev extent = index(l.extent(), scope, "extent of loop " + l.var());
        Scope inner = scope.copy();
        int slot = slots++;
        inner.scalars().put(l.var(), new Binding(slot, DType.I32, Kind.LOOP));
        yield loop(slot, extent, block(l.body(), inner));
      }
      case KStmt.Let let -> {
        Ev v = expr(let.value(), scope);
        int slot = slots++;
        scope.scalars().put(let.var(), new Binding(slot, let.value().dtype(), Kind.LET));
        yield f -> f.slots[slot] = v.eval(f);
      }
      case KStmt.Declare d -> {
        Ev v = rounded(d.dtype(), d.init(), scope);
        int slot = slots++;
        scope.scalars().put(d.var(), new Binding(slot, d.dtype(), Kind.DECLARE));
        yield f -> f.slots[slot] = v.eval(f);
      }
      case KStmt.Assign a -> {
        Binding b = scope.scalars().get(a.var());
        if (b == null || b.kind() != Kind.DECLARE) {
          throw error("assignment to " + (b == null ? "unbound name " : b.kind().name().toLowerCase() + " ")
              + a.var() + "; only declared scalars can be assigned");
        }
        Ev v = rounded(b.dtype(), a.value(), scope);
        int slot = b.slot();
        yield f -> f.slots[slot] = v.eval(f);
      }
      case KStmt.DeclareArray d -> {
        Ev length = index(d.length(), scope, "length of array " + d.var());
        Ev init = rounded(d.dtype(), d.init(), scope);
        int slot = arrays++;
        scope.arrays().put(d.var(), new Binding(slot, d.dtype(), Kind.ARRAY));
        yield f -> {
          double[] a = new double[(int) length.eval(f)];
          double v = init.eval(f);
          if (v != 0) Arrays.fill(a, v);
          f.arrays[slot] = a;
        };
      }
      case KStmt.AssignElement a -> {
        Binding b = array(a.array(), scope);
        Ev idx = index(a.index(), scope, "index of " + a.array());
        Ev v = rounded(b.dtype(), a.value(), scope);
        int slot = b.slot();
        String name = a.array();
        yield f -> {
          double[] arr = f.arrays[slot];
          int i = (int) idx.eval(f);
          if (i < 0 || i >= arr.length) throw outOfBounds("store to array", name, i, arr.length);
          arr[i] = v.eval(f);
        };
      }
      case KStmt.Store s -> {
        int bi = target(s.buffer(), "stores to");
        Ev idx = index(s.index(), scope, "index of " + s.buffer().name());
        Ev v = rounded(s.buffer().type().dtype(), s.value(), scope);
        String name = s.buffer().name();
        yield f -> {
          double[] d = f.buffers[bi];
          int i = (int) idx.eval(f);
          if (i < 0 || i >= d.length) throw outOfBounds("store to buffer", name, i, d.length);
          d[i] = v.eval(f);
        };
      }
      case KStmt.ForAll m -> nest(m.axes(), scope, inner -> statements(m.body(), inner));
      case KStmt.Reduce r -> {
        accumulator(r.accumulator(), r.dtype(), scope, "reduction");
        yield nest(r.axes(), scope, inner -> append(statements(r.body(), inner), stmt(r.step(), inner)));
      }
      case KStmt.Contraction c -> {
        accumulator(c.accumulator(), c.dtype(), scope, "contraction");
        Ex sum = nest(c.axes(), scope, inner -> append(statements(c.prologue(), inner), stmt(c.step(), inner)));
        // The epilogue is the tail of its block: what it binds is bound there.
        yield sequence(append(new Ex[] {sum}, sequence(statements(c.epilogue(), scope))));
      }
      case KStmt.WeightedSum w -> nest(w.axes(), scope,
          inner -> append(statements(w.body(), inner), row(w.row(), w.accumulator(), w.weight().value(), null, inner)));
      case KStmt.OnlineSoftmax o -> {
        accumulator(o.max(), o.dtype(), scope, "online softmax");
        accumulator(o.sum(), o.dtype(), scope, "online softmax");
        yield nest(List.of(o.key()), scope, inner -> {
          Ex[] body = statements(o.body(), inner);
          Ex[] update = statements(o.update(), inner);
          Ex row = row(o.row(), o.accumulator(), o.contribution(), o.rescaleVar(), inner);
          Ex advance = stmt(o.advance(), inner);
          Ex[] all = Arrays.copyOf(body, body.length + update.length);
          System.arraycopy(update, 0, all, body.length, update.length);
          return append(append(all, row), advance);
        });
      }
      case KStmt.Accumulate s -> {
        int bi = target(s.buffer(), "accumulates into");
        accumulated.add(s.buffer());
        Ev idx = index(s.index(), scope, "index of " + s.buffer().name());
        Ev v = expr(s.value(), scope);
        DType dtype = s.buffer().type().dtype();
        String name = s.buffer().name();
        yield f -> {
          double[] d = f.buffers[bi];
          int i = (int) idx.eval(f);
          if (i < 0 || i >= d.length) throw outOfBounds("accumulate into buffer", name, i, d.length);
          d[i] = DArray.round(dtype, d[i] + v.eval(f));
        };
      }
    };
  }

  private static Ex loop(int slot, Ev extent, Ex[] body) {
    if (body.length == 1) {
      Ex only = body[0];
      return f -> {
        int n = (int) extent.eval(f);
        for (int i = 0; i < n; i++) {
          f.slots[slot] = i;
          only.exec(f);
        }
      };
    }
    return f -> {
      int n = (int) extent.eval(f);
      for (int i = 0; i < n; i++) {
        f.slots[slot] = i;
        for (Ex s : body) s.exec(f);
      }
    };
  }

  private int target(Buffer b, String verb) {
    if (!written.contains(b)) throw error(verb + " buffer " + b.name() + ", which is not in its writes");
    return bufferIndex.get(b);
  }

  private Binding array(String name, Scope scope) {
    Binding b = scope.arrays().get(name);
    if (b == null) throw error("array " + name + " is not declared here");
    return b;
  }

  private IllegalStateException outOfBounds(String what, String name, int index, int length) {
    return error(what + " " + name + " at index " + index + ", outside [0, " + length + ")");
  }

  // ---- expressions

  /** An i32 index expression. */
  private Ev index(KExpr e, Scope scope, String what) {
    if (e.dtype() != DType.I32) throw error(what + " must be i32, is " + e.dtype() + ": " + KernelPrinter.expr(e));
    return expr(e, scope);
  }

  /** An expression whose value is rounded to {@code dtype} (a no-op when it already has that dtype). */
  private Ev rounded(DType dtype, KExpr e, Scope scope) {
    Ev v = expr(e, scope);
    if (e.dtype() == dtype || dtype == DType.F64) return v;
    if (dtype == DType.F32) return f -> (float) v.eval(f);
    return f -> DArray.round(dtype, v.eval(f));
  }

  private Ev expr(KExpr e, Scope scope) {
    return switch (e) {
      case KExpr.Const c -> {
        double v = DArray.round(c.dtype(), c.value());
        yield f -> v;
      }
      case KExpr.Var v -> {
        Binding b = scope.scalars().get(v.name());
        if (b == null) throw error("variable " + v.name() + " is not bound here");
        if (b.dtype() != v.dtype()) {
          throw error("variable " + v.name() + " is " + b.dtype() + " but read as " + v.dtype());
        }
        int slot = b.slot();
        yield f -> f.slots[slot];
      }
      case KExpr.Size s -> {
        double v = Math.toIntExact(s.dim().evaluate(context.sizes()));
        yield f -> v;
      }
      case KExpr.Load l -> {
        Integer bi = bufferIndex.get(l.buffer());
        if (bi == null) throw error("loads from buffer " + l.buffer().name() + ", which is not in its reads or writes");
        Ev idx = index(l.index(), scope, "index of " + l.buffer().name());
        String name = l.buffer().name();
        int b = bi;
        yield f -> {
          double[] d = f.buffers[b];
          int i = (int) idx.eval(f);
          if (i < 0 || i >= d.length) throw outOfBounds("load from buffer", name, i, d.length);
          return d[i];
        };
      }
      case KExpr.Element el -> {
        Binding b = array(el.array(), scope);
        if (b.dtype() != el.dtype()) {
          throw error("array " + el.array() + " is " + b.dtype() + " but read as " + el.dtype());
        }
        Ev idx = index(el.index(), scope, "index of " + el.array());
        int slot = b.slot();
        String name = el.array();
        yield f -> {
          double[] a = f.arrays[slot];
          int i = (int) idx.eval(f);
          if (i < 0 || i >= a.length) throw outOfBounds("load from array", name, i, a.length);
          return a[i];
        };
      }
      case KExpr.Unary u -> unary(u.fn(), expr(u.x(), scope), u.dtype());
      case KExpr.Binary b -> {
        sameDtype(b.a(), b.b(), b.fn().opName());
        Ev x = expr(b.a(), scope);
        Ev y = expr(b.b(), scope);
        if (b.a().dtype() == DType.I32 && (b.fn() == Fn.ADD || b.fn() == Fn.SUB || b.fn() == Fn.MUL)) {
          yield intArithmetic(b.fn(), x, y, constant(b.a()), constant(b.b()));
        }
        yield binary(b.fn(), x, y, b.a().dtype(), b.dtype());
      }
      case KExpr.Select s -> {
        sameDtype(s.a(), s.b(), "where");
        Ev c = expr(s.condition(), scope);
        Ev a = expr(s.a(), scope);
        Ev b = expr(s.b(), scope);
        yield f -> c.eval(f) != 0 ? a.eval(f) : b.eval(f);
      }
      case KExpr.Cast c -> rounded(c.dtype(), c.x(), scope);
      case KExpr.Random r -> {
        Ev idx = index(r.index(), scope, "index of random site " + r.site());
        long seed = context.seed();
        int step = context.step();
        int site = r.site();
        DType dtype = r.dtype();
        yield f -> DArray.round(dtype, Philox4x32.uniform(seed, step, site, (long) idx.eval(f)));
      }
    };
  }

  private void sameDtype(KExpr a, KExpr b, String op) {
    if (a.dtype() != b.dtype()) {
      throw error(op + " of " + a.dtype() + " and " + b.dtype() + ": " + KernelPrinter.expr(a) + ", " + KernelPrinter.expr(b));
    }
  }

  private static Ev unary(dev.adjoint.compiler.ir.Unary.Fn fn, Ev x, DType dtype) {
    return switch (dtype) {
      case F64 -> f -> fn.apply(x.eval(f));
      case F32 -> f -> (float) fn.apply(x.eval(f));
      default -> f -> DArray.round(dtype, fn.apply(x.eval(f)));
    };
  }

  private static Ev binary(Fn fn, Ev a, Ev b, DType operands, DType result) {
    if (operands == DType.I32) {
      switch (fn) {
        case DIV -> {
          return f -> Math.floorDiv((int) a.eval(f), (int) b.eval(f));
        }
        case MOD -> {
          return f -> Math.floorMod((int) a.eval(f), (int) b.eval(f));
        }
        case POW -> {
          return f -> intPow((int) a.eval(f), (int) b.eval(f));
        }
        default -> {}
      }
    }
    if (result == DType.F64) {
      return switch (fn) {
        case ADD -> f -> a.eval(f) + b.eval(f);
        case SUB -> f -> a.eval(f) - b.eval(f);
        case MUL -> f -> a.eval(f) * b.eval(f);
        case DIV -> f -> a.eval(f) / b.eval(f);
        case MAX -> f -> Math.max(a.eval(f), b.eval(f));
        default -> f -> fn.apply(a.eval(f), b.eval(f));
      };
    }
    if (result == DType.F32) {
      return switch (fn) {
        case ADD -> f -> (float) (a.eval(f) + b.eval(f));
        case SUB -> f -> (float) (a.eval(f) - b.eval(f));
        case MUL -> f -> (float) (a.eval(f) * b.eval(f));
        case DIV -> f -> (float) (a.eval(f) / b.eval(f));
        case MAX -> f -> (float) Math.max(a.eval(f), b.eval(f));
        default -> f -> (float) fn.apply(a.eval(f), b.eval(f));
      };
    }
    // Comparisons and logic give exactly 1 or 0: nothing to round.
    if (result == DType.BOOL && (fn.isComparison() || fn.isLogical())) return f -> fn.apply(a.eval(f), b.eval(f));
    return f -> DArray.round(result, fn.apply(a.eval(f), b.eval(f)));
  }

  /** i32 {@code + - *} as Java int operations, with a constant operand folded in. */
  private static Ev intArithmetic(Fn fn, Ev a, Ev b, Integer ka, Integer kb) {
    if (kb != null) {
      int k = kb;
      return switch (fn) {
        case ADD -> f -> (int) a.eval(f) + k;
        case SUB -> f -> (int) a.eval(f) - k;
        default -> f -> (int) a.eval(f) * k;
      };
    }
    if (ka != null && fn != Fn.SUB) {
      int k = ka;
      return fn == Fn.ADD ? f -> k + (int) b.eval(f) : f -> k * (int) b.eval(f);
    }
    return switch (fn) {
      case ADD -> f -> (int) a.eval(f) + (int) b.eval(f);
      case SUB -> f -> (int) a.eval(f) - (int) b.eval(f);
      default -> f -> (int) a.eval(f) * (int) b.eval(f);
    };
  }

  /** The value of an i32 literal or run-time size, else null. */
  private Integer constant(KExpr e) {
    return switch (e) {
      case KExpr.Const c -> (int) DArray.round(DType.I32, c.value());
      case KExpr.Size s -> Math.toIntExact(s.dim().evaluate(context.sizes()));
      default -> null;
    };
  }

  private static int intPow(int base, int exponent) {
    if (exponent < 0) throw new ArithmeticException("negative exponent in i32 ^ i32");
    int r = 1;
    for (int i = 0; i < exponent; i++) r *= base;
    return r;
  }
}
