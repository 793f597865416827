package dev.adjoint.compiler.schedule;

import dev.adjoint.compiler.ir.Binary.Fn;
import dev.adjoint.compiler.ir.Unary;
import dev.adjoint.compiler.kernel.Buffer;
import dev.adjoint.compiler.kernel.KExpr;
import dev.adjoint.compiler.kernel.KStmt;
import dev.adjoint.runtime.DType;
import dev.adjoint.runtime.exec.vector.RowMaps;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A loop over {@code r} whose statements compute one f32 value per iteration from runs that are
 * contiguous in {@code r} and values that do not depend on it, as a few
 * {@link dev.adjoint.runtime.exec.vector.RowMaps} calls on whole rows instead: attention's
 * probabilities and their gradients, one per key, computed for all keys of a query at once.
 *
 * <pre>
 *   for r in 0..T {                              RowMaps.divide(row1, 0, products, (i - first) * T, 8.0f, T)
 *     acc = products[i - first, r]               RowMaps.subtract(row1, 0, row1, 0, t4, base, T)
 *     let a = acc / 8.0                          RowMaps.exp(row1, 0, row1, 0, T)
 *     let b = a - t4[base + r]                   RowMaps.divide(weights, 0, row1, 0, s, T)
 *     let c = exp(b)
 *     weights[r] = c / s
 *   }
 * </pre>
 *
 * The calls do the loop's operations in its order on every element, so the values are the loop's
 * bits. A loop qualifies when every statement is a {@code let} of such a value or a dot product
 * whose block of products its row block computes first ({@link RowSchedule.RowBlock}), its operations are {@code + - * / max min},
 * {@code neg exp} and selects on a comparison of a run with a value, and it reads no buffer the
 * kernel writes; its value must come from at least one operation on a row.
 *
 * <p>A product's epilogue is such a loop over the columns of a tile's row ({@link #ofEpilogue}):
 * the tile's row and the dropout numbers drawn along it are runs too, and its stores and column
 * sums are calls that copy a row into a buffer or add it there.
 */
public final class RowProgram {
  /** What a step reads. */
  public sealed interface Operand {}

  /** The run of {@code buffer} that starts at {@code start} (the index at {@code r = 0}). */
  public record BufferRow(Buffer buffer, KExpr start) implements Operand {}

  /** Column {@code r} of the current row of block of products {@code products}. */
  public record ProductsRow(int products) implements Operand {}

  /** Scratch row {@code index}, from element 0. */
  public record Scratch(int index) implements Operand {}

  /** A value that is the same for every {@code r}, evaluated once per call. */
  public record Value(KExpr value) implements Operand {}

  /** In a product's epilogue: the finished tile's current row (the accumulator of every column). */
  public record TileRow() implements Operand {}

  /** A draw that the kernel has drawn along {@code r} into a scratch row. */
  public record RandomRow(KExpr.Random random) implements Operand {}

  /** A comparison of a run with a value, kept for the select that reads it; never an operand of a call. */
  private record Condition(RowMaps.Compare cmp, Operand x, Value y) implements Operand {}

  /** The operations, by the {@link dev.adjoint.runtime.exec.vector.RowMaps} method that does them. */
  public enum Operation {
    ADD("add", true), SUBTRACT("subtract", false), MULTIPLY("multiply", true), DIVIDE("divide", false),
    MAX("max", true), MIN("min", true), NEGATE("negate", false), EXP("exp", false);

    public final String method;
    /** Whether swapping the operands gives the same bits (IEEE {@code +} and {@code *}, {@code Math.max}, {@code Math.min}). */
    public final boolean commutes;

    Operation(String method, boolean commutes) {
      this.method = method;
      this.commutes = commutes;
    }
  }

  /**
   * One call: {@code out = a op b}, or {@code out = op a} when {@code b} is null. {@code out} is null
   * for the program's last step, which writes where the loop's value goes.
   */
  public record Step(Operation op, Operand a, Operand b, Scratch out) implements Call {}

  /** One call of the program. */
  public sealed interface Call {}

  /** {@code out = x cmp y ? a : b}, with {@code x} a run and {@code y} a value. */
  public record Select(RowMaps.Compare cmp, Operand x, Value y, Operand a, Operand b, Scratch out) implements Call {}

  /** Stores {@code value} into the run of {@code buffer} from {@code start}, or adds it there ({@code adds}). */
  public record Write(Buffer buffer, KExpr start, Operand value, boolean adds) implements Call {}

  private final List<Call> steps;
  private final int scratchRows;

  private RowProgram(List<Call> steps, int scratchRows) {
    this.steps = List.copyOf(steps);
    this.scratchRows = scratchRows;
  }

  /** The calls, in order. */
  public List<Call> steps() {
    return steps;
  }

  /** The calls by the {@code RowMaps} methods they are, and the scratch rows: as the schedule dump prints it. */
  @Override
  public String toString() {
    java.util.StringJoiner calls = new java.util.StringJoiner(", ");
    for (Call c : steps) {
      calls.add(switch (c) {
        case Step s -> s.op().method;
        case Select s -> "select";
        case Write w -> w.adds() ? "add" : "copy";
      });
    }
    return steps.size() + " row operation(s) (" + calls + "), " + scratchRows + " scratch row(s)";
  }

  /** How many scratch rows the steps use. */
  public int scratchRows() {
    return scratchRows;
  }

  /**
   * The program that computes {@code value} for every {@code r} after {@code statements} (a
   * structured body: lets, and dot products as a declaration and a {@link KStmt.Contraction}), or
   * null when they do not qualify. {@code products} maps the accumulators of the dot products whose
   * block of products is computed before the rows, and whose column is {@code r}, to that block;
   * {@code written} are the buffers the kernel writes.
   */
  public static RowProgram of(String r, List<KStmt> statements, KExpr value, Map<String, Integer> products,
      Set<Buffer> written) {
    Builder b = new Builder(r, written);
    // A dot product read from its block: its declaration binds the products' row, its epilogue follows.
    List<KStmt> flat = new ArrayList<>();
    for (int i = 0; i < statements.size(); i++) {
      flat.add(statements.get(i));
      if (statements.get(i) instanceof KStmt.Declare d && products.containsKey(d.var()) && i + 1 < statements.size()
          && statements.get(i + 1) instanceof KStmt.Contraction c && c.accumulator().equals(d.var())) {
        flat.addAll(c.epilogue());
        i++;
      }
    }
    for (KStmt s : flat) {
      if (s instanceof KStmt.Declare d && products.get(d.var()) instanceof Integer block) {
        b.bound.put(d.var(), new ProductsRow(block));
      } else if (s instanceof KStmt.Let let && let.value().dtype() == DType.F32) {
        Operand o = b.operand(let.value());
        if (o == null) return null;
        b.bound.put(let.var(), o);
      } else {
        return null;
      }
    }
    if (value.dtype() != DType.F32 || !(b.operand(value) instanceof Scratch result)) return null;
    return b.build(result);
  }

  /**
   * The program that runs a product's epilogue for a whole row of its tile at once, or null when
   * {@code statements} do not qualify: lets as {@link #of} allows them, plus comparisons of a run
   * with a value that selects read, the accumulator {@code accumulator} (the tile's row), draws the
   * kernel drew along the column {@code column} ({@code drawn}), and stores and additions into f32
   * buffers at consecutive indices along it. Every call works on the whole row, in the statements'
   * order; the buffers a statement writes are not read by another.
   */
  public static RowProgram ofEpilogue(String column, String accumulator, List<KStmt> statements,
      java.util.function.Predicate<KExpr.Random> drawn, Set<Buffer> written) {
    Builder b = new Builder(column, written);
    b.bound.put(accumulator, new TileRow());
    b.drawn = drawn;
    boolean writes = false;
    for (KStmt s : statements) {
      switch (s) {
        case KStmt.Let let when let.value().dtype() == DType.F32 || let.value().dtype() == DType.BOOL -> {
          Operand o = let.value().dtype() == DType.BOOL ? b.condition(let.value()) : b.operand(let.value());
          if (o == null) return null;
          b.bound.put(let.var(), o);
        }
        case KStmt.Store st -> {
          if (!b.write(st.buffer(), st.index(), st.value(), false)) return null;
          writes = true;
        }
        case KStmt.Structured st -> throw new IllegalStateException("the emitter takes flattened kernels, not a "
            + st.getClass().getSimpleName());
        case KStmt.Accumulate ac -> {
          if (!b.write(ac.buffer(), ac.index(), ac.value(), true)) return null;
          writes = true;
        }
        default -> {
          return null;
        }
      }
    }
    return writes ? b.build(null) : null;
  }

  /** Whether {@code s} (or a statement inside it) reads or assigns the scalar {@code name}. */
  public static boolean mentions(KStmt s, String name) {
    return switch (s) {
      case KStmt.Loop l -> AffineIndex.mentions(l.extent(), name) || l.body().stream().anyMatch(x -> mentions(x, name));
      case KStmt.Let l -> AffineIndex.mentions(l.value(), name);
      case KStmt.Declare d -> AffineIndex.mentions(d.init(), name);
      case KStmt.Assign a -> a.var().equals(name) || AffineIndex.mentions(a.value(), name);
      case KStmt.DeclareArray d -> AffineIndex.mentions(d.length(), name) || AffineIndex.mentions(d.init(), name);
      case KStmt.AssignElement a -> AffineIndex.mentions(a.index(), name) || AffineIndex.mentions(a.value(), name);
      case KStmt.Store st -> AffineIndex.mentions(st.index(), name) || AffineIndex.mentions(st.value(), name);
      case KStmt.Structured st -> throw new IllegalStateException("the emitter takes flattened kernels, not a "
          + st.getClass().getSimpleName());
      case KStmt.Accumulate ac -> AffineIndex.mentions(ac.index(), name) || AffineIndex.mentions(ac.value(), name);
    };
  }

  /** Translates expressions into steps, one scratch row per step, then shares rows between steps. */
  private static final class Builder {
    private final String r;
    private final Set<Buffer> written;
    private final Map<String, Operand> bound = new HashMap<>();
    private final List<Call> steps = new ArrayList<>();
    /** Which draws have a drawn row, in an epilogue; null in a loop, where no draw qualifies. */
    private java.util.function.Predicate<KExpr.Random> drawn;

    Builder(String r, Set<Buffer> written) {
      this.r = r;
      this.written = written;
    }

    Operand operand(KExpr e) {
      return switch (e) {
        case KExpr.Const c -> c.dtype() == DType.F32 ? new Value(c) : null;
        case KExpr.Var v -> {
          if (v.name().equals(r)) yield null;
          Operand o = bound.get(v.name());
          yield o != null ? o : v.dtype() == DType.F32 ? new Value(v) : null;
        }
        case KExpr.Load l -> load(l);
        case KExpr.Random random when drawn != null && random.dtype() == DType.F32 && drawn.test(random) ->
            new RandomRow(random);
        case KExpr.Select sel when sel.dtype() == DType.F32 -> select(sel);
        case KExpr.Unary u when u.dtype() == DType.F32 && (u.fn() == Unary.Fn.NEG || u.fn() == Unary.Fn.EXP) -> {
          Operand x = operand(u.x());
          if (x == null) yield null;
          if (x instanceof Value xv) yield new Value(new KExpr.Unary(u.fn(), xv.value()));
          yield step(u.fn() == Unary.Fn.NEG ? Operation.NEGATE : Operation.EXP, x, null);
        }
        case KExpr.Binary b when b.dtype() == DType.F32 && b.b().dtype() == DType.F32 && elementwise(b.fn()) -> {
          Operand x = operand(b.a());
          Operand y = operand(b.b());
          if (x == null || y == null) yield null;
          if (x instanceof Value xv && y instanceof Value yv) yield new Value(new KExpr.Binary(b.fn(), xv.value(), yv.value()));
          yield step(operation(b.fn()), x, y);
        }
        default -> null;
      };
    }

    /** A comparison of a run with a value (either side), as a condition; null otherwise. */
    Operand condition(KExpr e) {
      if (e instanceof KExpr.Var v && bound.get(v.name()) instanceof Condition c) return c;
      if (!(e instanceof KExpr.Binary b) || b.a().dtype() != DType.F32 || b.b().dtype() != DType.F32) return null;
      RowMaps.Compare cmp = switch (b.fn()) {
        case LT -> RowMaps.Compare.LESS;
        case LE -> RowMaps.Compare.LESS_OR_EQUAL;
        case GT -> RowMaps.Compare.GREATER;
        case GE -> RowMaps.Compare.GREATER_OR_EQUAL;
        case EQ -> RowMaps.Compare.EQUAL;
        case NE -> RowMaps.Compare.NOT_EQUAL;
        default -> null;
      };
      if (cmp == null) return null;
      Operand x = operand(b.a());
      Operand y = operand(b.b());
      if (x == null || y == null || x instanceof Condition || y instanceof Condition) return null;
      if (!(x instanceof Value) && y instanceof Value yv) return new Condition(cmp, x, yv);
      // value cmp run is run (mirrored cmp) value: the same test, NaN included.
      if (x instanceof Value xv && !(y instanceof Value)) return new Condition(mirrored(cmp), y, xv);
      return null;
    }

    private static RowMaps.Compare mirrored(RowMaps.Compare cmp) {
      return switch (cmp) {
        case LESS -> RowMaps.Compare.GREATER;
        case LESS_OR_EQUAL -> RowMaps.Compare.GREATER_OR_EQUAL;
        case GREATER -> RowMaps.Compare.LESS;
        case GREATER_OR_EQUAL -> RowMaps.Compare.LESS_OR_EQUAL;
        case EQUAL, NOT_EQUAL -> cmp;
      };
    }

    private Operand select(KExpr.Select sel) {
      if (!(condition(sel.condition()) instanceof Condition c)) return null;
      Operand a = operand(sel.a());
      Operand b = operand(sel.b());
      if (a == null || b == null || a instanceof Condition || b instanceof Condition) return null;
      if (a instanceof Value && b instanceof Value) return null;
      Scratch out = new Scratch(steps.size());
      steps.add(new Select(c.cmp(), c.x(), c.y(), a, b, out));
      return out;
    }

    /** A store or an addition into {@code buffer} at consecutive indices along the column; false if it is not one. */
    boolean write(Buffer buffer, KExpr index, KExpr value, boolean adds) {
      if (buffer.type().dtype() != DType.F32 || value.dtype() != DType.F32) return false;
      for (String name : ContractionPattern.names(index)) {
        if (bound.containsKey(name)) return false;
      }
      if (!KExpr.Const.index(1).equals(AffineIndex.stride(index, r))) return false;
      Operand o = operand(value);
      if (o == null || o instanceof Condition) return false;
      steps.add(new Write(buffer, AffineIndex.substitute(index, r, KExpr.Const.index(0)), o, adds));
      return true;
    }

    private static boolean elementwise(Fn fn) {
      return fn == Fn.ADD || fn == Fn.SUB || fn == Fn.MUL || fn == Fn.DIV || fn == Fn.MAX || fn == Fn.MIN;
    }

    private static Operation operation(Fn fn) {
      return switch (fn) {
        case ADD -> Operation.ADD;
        case SUB -> Operation.SUBTRACT;
        case MUL -> Operation.MULTIPLY;
        case DIV -> Operation.DIVIDE;
        case MAX -> Operation.MAX;
        case MIN -> Operation.MIN;
        default -> throw new AssertionError(fn);
      };
    }

    /** A run along {@code r} (stride 1), or a value when the index does not depend on {@code r}. */
    private Operand load(KExpr.Load l) {
      if (l.dtype() != DType.F32 || written.contains(l.buffer())) return null;
      for (String name : ContractionPattern.names(l.index())) {
        if (bound.containsKey(name)) return null;
      }
      if (!AffineIndex.mentions(l.index(), r)) return new Value(l);
      KExpr stride = AffineIndex.stride(l.index(), r);
      if (!KExpr.Const.index(1).equals(stride)) return null;
      return new BufferRow(l.buffer(), AffineIndex.substitute(l.index(), r, KExpr.Const.index(0)));
    }

    private Scratch step(Operation op, Operand a, Operand b) {
      Scratch out = new Scratch(steps.size());
      steps.add(new Step(op, a, b, out));
      return out;
    }

    /**
     * The steps with rows shared: a step writes the first row no later step reads, which may be
     * one of its own operands (the call runs in place); the step that makes {@code result} writes
     * the loop's destination.
     */
    RowProgram build(Scratch result) {
      int[] lastRead = new int[steps.size()];
      for (int i = 0; i < steps.size(); i++) {
        for (Operand o : operands(steps.get(i))) {
          if (o instanceof Scratch s) lastRead[s.index()] = i;
        }
      }
      int[] rowOf = new int[steps.size()];
      List<Integer> freeAfter = new ArrayList<>();
      List<Call> shared = new ArrayList<>();
      for (int i = 0; i < steps.size(); i++) {
        Call call = steps.get(i);
        if (call instanceof Write w) {
          shared.add(new Write(w.buffer(), w.start(), renamed(w.value(), rowOf), w.adds()));
          continue;
        }
        if (result != null && i == result.index()) {
          if (i != steps.size() - 1) return null;
          shared.add(withOut(call, null, rowOf));
          break;
        }
        int row = -1;
        for (int k = 0; k < freeAfter.size(); k++) {
          if (freeAfter.get(k) <= i) {
            row = k;
            break;
          }
        }
        if (row < 0) {
          freeAfter.add(0);
          row = freeAfter.size() - 1;
        }
        freeAfter.set(row, Math.max(lastRead[i], i + 1));
        rowOf[i] = row;
        shared.add(withOut(call, new Scratch(row), rowOf));
      }
      return new RowProgram(shared, freeAfter.size());
    }

    private static Call withOut(Call call, Scratch out, int[] rowOf) {
      return switch (call) {
        case Step s -> new Step(s.op(), renamed(s.a(), rowOf), renamed(s.b(), rowOf), out);
        case Select s -> new Select(s.cmp(), renamed(s.x(), rowOf), s.y(), renamed(s.a(), rowOf), renamed(s.b(), rowOf),
            out);
        case Write w -> w;
      };
    }

    private static List<Operand> operands(Call call) {
      return switch (call) {
        case Step s -> s.b() == null ? List.of(s.a()) : List.of(s.a(), s.b());
        case Select s -> List.of(s.x(), s.a(), s.b());
        case Write w -> List.of(w.value());
      };
    }

    private static Operand renamed(Operand o, int[] rowOf) {
      return o instanceof Scratch s ? new Scratch(rowOf[s.index()]) : o;
    }
  }
}
