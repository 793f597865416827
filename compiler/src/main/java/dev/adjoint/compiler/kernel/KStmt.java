package dev.adjoint.compiler.kernel;

import dev.adjoint.compiler.ir.Binary.Fn;
import dev.adjoint.compiler.ir.Unary;
import dev.adjoint.runtime.DType;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Statements of the kernel IR, at two levels.
 *
 * <p><b>Loop level</b>: loops, local values and accumulators, stores — what every backend prints
 * today, and what {@link Flatten} lowers a kernel to.
 *
 * <p><b>Structured</b> ({@link Structured}): what lowering produces, keeping the structure the
 * fusion partitioner found — an elementwise map over a domain ({@link ForAll}), a reduction
 * ({@link Reduce}: sum, product, max, min), a contraction with its operands' index maps, prologue
 * and epilogue ({@link Contraction}), a sum of weighted rows ({@link WeightedSum}) and the online
 * softmax of attention ({@link OnlineSoftmax}). Each says what it computes, in which order its
 * values are combined, and has one loop-level form ({@link Structured#expand}) that performs exactly
 * those operations in that order, so the kernel interpreter, which runs structured statements
 * directly, and a backend that prints the loops agree bit for bit.
 *
 * <p>Reductions are updates in the manner of Halide's update definitions: an accumulator is
 * declared first ({@link Declare}, {@link DeclareArray}, with the reduction's identity), and the
 * structured statement folds values into it. Values that do not depend on a statement's own axes
 * stay outside it, where lowering placed them.
 */
public sealed interface KStmt {
  /**
   * {@code for var in [0, extent)}. {@code parallel} says the iterations are independent (no two
   * write the same element and none reads what another writes), so a schedule may run them on
   * different threads; an {@link Accumulate} inside is then an atomic add.
   */
  record Loop(String var, KExpr extent, boolean parallel, List<KStmt> body) implements KStmt {
    public Loop {
      Objects.requireNonNull(var, "var");
      body = List.copyOf(body);
    }
  }

  /** An immutable local: {@code let var = value}. */
  record Let(String var, KExpr value) implements KStmt {}

  /** A mutable scalar, for accumulators: {@code var name = init}. */
  record Declare(String var, DType dtype, KExpr init) implements KStmt {}

  /** {@code name = value} for a {@link Declare}d scalar. */
  record Assign(String var, KExpr value) implements KStmt {}

  /** A local array of {@code length} elements, each {@code init}: one accumulator per output column. */
  record DeclareArray(String var, DType dtype, KExpr length, KExpr init) implements KStmt {}

  /** {@code array[index] = value}. */
  record AssignElement(String array, KExpr index, KExpr value) implements KStmt {}

  /** {@code buffer[index] = value}. */
  record Store(Buffer buffer, KExpr index, KExpr value) implements KStmt {}

  /**
   * {@code buffer[index] += value}, into a buffer the kernel zeroes first: reductions over the
   * kernel's own parallel axis (a column sum inside a row kernel), scatter-adds.
   */
  record Accumulate(Buffer buffer, KExpr index, KExpr value) implements KStmt {}

  // ---- structured statements

  /** A statement that keeps a kernel's structure; {@link #expand} is its loop-level form. */
  sealed interface Structured extends KStmt permits ForAll, Reduce, Contraction, WeightedSum, OnlineSoftmax {
    /**
     * The same operations in the same order as loop-level statements, one level down: bodies are
     * kept as they are, with any structured statements in them ({@link Flatten} goes all the way).
     */
    List<KStmt> expand();
  }

  /**
   * An elementwise map: {@code body} runs once for every point of the domain {@code axes}
   * (outermost first), and no two points interfere — none writes what another reads or writes,
   * except that an {@link Accumulate} inside is an atomic add (a column sum) — so a schedule may
   * run them in any order, on any threads. Its loop-level form is a nest of parallel
   * {@link Loop}s. Values that only depend on outer axes live in an outer map, so a map
   * whose body is more than an inner map is the level at which they are computed (the row of a
   * layer norm, say, before the map over its elements).
   */
  record ForAll(List<Axis> axes, List<KStmt> body) implements Structured {
    public ForAll {
      axes = List.copyOf(axes);
      body = List.copyOf(body);
      if (axes.isEmpty()) throw new IllegalArgumentException("a map needs at least one axis");
      distinct(axes, "map");
    }

    /** The map over {@code axis} of {@code body}, merged with {@code body}'s map when that is all it holds. */
    public static ForAll of(Axis axis, List<KStmt> body) {
      Objects.requireNonNull(axis, "axis");
      if (body.size() == 1 && body.get(0) instanceof ForAll inner) {
        List<Axis> axes = new ArrayList<>();
        axes.add(axis);
        axes.addAll(inner.axes());
        return new ForAll(axes, inner.body());
      }
      return new ForAll(List.of(axis), body);
    }

    @Override
    public List<KStmt> expand() {
      return nest(axes, true, body);
    }
  }

  /**
   * A reduction into a declared scalar: for every point of {@code axes} in order (the last axis
   * fastest), {@code body} runs and {@code accumulator = reducer(accumulator, value)}. The
   * accumulator is declared before, with the reducer's identity.
   */
  record Reduce(String accumulator, Reducer reducer, List<Axis> axes, List<KStmt> body, KExpr value)
      implements Structured {
    public Reduce {
      name(accumulator, "accumulator");
      Objects.requireNonNull(reducer, "reducer");
      axes = List.copyOf(axes);
      body = List.copyOf(body);
      Objects.requireNonNull(value, "value");
      distinct(axes, "reduction");
    }

    public DType dtype() {
      return value.dtype();
    }

    /** The assignment each step makes: {@code accumulator = reducer(accumulator, value)}. */
    public Assign step() {
      return new Assign(accumulator, reducer.step(new KExpr.Var(accumulator, dtype()), value));
    }

    @Override
    public List<KStmt> expand() {
      return nest(axes, false, append(body, step()));
    }
  }

  /**
   * One operand of a product: its element ({@code value}, computed by the statements before it),
   * its index in the operand tensor as loop-variable expressions ({@code index}, one per axis of the
   * operand: which axes of the product it varies along), and where it is read when it is a plain
   * load ({@code access}: a buffer at an affine index; empty when the operand is computed — a
   * probability, a dropout mask — or read through a division or a gathered id).
   */
  record Operand(KExpr value, List<KExpr> index, Optional<Access> access) {
    public Operand {
      Objects.requireNonNull(value, "value");
      index = List.copyOf(index);
      Objects.requireNonNull(access, "access");
    }

    /** The loop variables the operand's index names. */
    public Set<String> variables() {
      Set<String> out = new HashSet<>();
      for (KExpr e : index) names(e, out);
      return out;
    }
  }

  /**
   * A contraction into a declared scalar: for every point of {@code axes} (the contracted axes, in
   * order), {@code prologue} runs and {@code accumulator = accumulator + left · right}; then
   * {@code epilogue} runs once on the finished sum. The accumulator is declared before, at 0.
   *
   * <p>Inside a {@link ForAll} over its output axes this is a kernel's product, a batched matrix
   * product when the operands' indices split those axes into rows and columns ({@link #dims}):
   * the prologue computes the operands from loads (transposes, head splits, broadcasts, dropout are
   * index arithmetic and masks there), the epilogue does everything the kernel does with each
   * product element (bias, activation, stores, column sums). A dot product inside other work
   * (attention's scores) has no epilogue: what uses it follows it.
   */
  record Contraction(String accumulator, List<Axis> axes, List<KStmt> prologue, Operand left, Operand right,
      List<KStmt> epilogue) implements Structured {
    public Contraction {
      name(accumulator, "accumulator");
      axes = List.copyOf(axes);
      prologue = List.copyOf(prologue);
      Objects.requireNonNull(left, "left");
      Objects.requireNonNull(right, "right");
      epilogue = List.copyOf(epilogue);
      distinct(axes, "contraction");
      if (left.value().dtype() != right.value().dtype()) {
        throw new IllegalArgumentException("the operands of a contraction into " + accumulator + " are "
            + left.value().dtype() + " and " + right.value().dtype());
      }
    }

    public DType dtype() {
      return left.value().dtype();
    }

    /** The product of one step, {@code left · right}. */
    public KExpr product() {
      return new KExpr.Binary(Fn.MUL, left.value(), right.value());
    }

    /** The assignment each step makes: {@code accumulator = accumulator + left · right}. */
    public Assign step() {
      return new Assign(accumulator, new KExpr.Binary(Fn.ADD, new KExpr.Var(accumulator, dtype()), product()));
    }

    /** The same contraction with {@code epilogue} after it. */
    public Contraction withEpilogue(List<KStmt> epilogue) {
      return new Contraction(accumulator, axes, prologue, left, right, epilogue);
    }

    /**
     * The product's shape over the output axes of the maps around it: an axis both operands vary
     * along is a batch axis, one only the right operand varies along a column (N), any other a row
     * (M); the contracted axes are the depth (K).
     */
    public Dims dims(List<Axis> outputs) {
      Set<String> l = left.variables();
      Set<String> r = right.variables();
      List<Axis> batch = new ArrayList<>();
      List<Axis> rows = new ArrayList<>();
      List<Axis> columns = new ArrayList<>();
      for (Axis a : outputs) {
        boolean inLeft = l.contains(a.var());
        boolean inRight = r.contains(a.var());
        if (inLeft && inRight) batch.add(a);
        else if (inRight) columns.add(a);
        else rows.add(a);
      }
      return new Dims(batch, rows, columns, axes);
    }

    @Override
    public List<KStmt> expand() {
      List<KStmt> out = new ArrayList<>(nest(axes, false, append(prologue, step())));
      out.addAll(epilogue);
      return out;
    }
  }

  /** A contraction's axes by role: batch, rows (M), columns (N), depth (K). */
  record Dims(List<Axis> batch, List<Axis> rows, List<Axis> columns, List<Axis> depth) {
    public Dims {
      batch = List.copyOf(batch);
      rows = List.copyOf(rows);
      columns = List.copyOf(columns);
      depth = List.copyOf(depth);
    }
  }

  /**
   * One step of a sum of rows into a local array: {@code setup} runs, then for every {@code lane}
   * {@code body} runs and {@code array[lane] = array[lane] (· rescale) + weight · value} (or
   * {@code value · weight} when not {@code weightFirst}: the operands in the order the product was
   * written). The array, the weight and the rescale are the enclosing statement's.
   *
   * @param setup what the row's values need that does not vary along the lane
   * @param value the row's element at the lane: its index in the operand and where it is read
   */
  record WeightedRow(List<KStmt> setup, Axis lane, List<KStmt> body, Operand value, boolean weightFirst) {
    public WeightedRow {
      setup = List.copyOf(setup);
      Objects.requireNonNull(lane, "lane");
      body = List.copyOf(body);
      Objects.requireNonNull(value, "value");
    }

    public DType dtype() {
      return value.value().dtype();
    }

    /**
     * The new value of {@code array[lane]}: {@code array[lane] (· rescale) + weight · value}, with no
     * rescale when {@code rescale} is null.
     */
    public KExpr update(String array, KExpr weight, KExpr rescale) {
      KExpr element = new KExpr.Element(array, lane.index(), dtype());
      KExpr product = weightFirst ? new KExpr.Binary(Fn.MUL, weight, value.value())
          : new KExpr.Binary(Fn.MUL, value.value(), weight);
      KExpr kept = rescale == null ? element : new KExpr.Binary(Fn.MUL, element, rescale);
      return new KExpr.Binary(Fn.ADD, kept, product);
    }

    /** The row's loop-level form, adding into {@code array} with {@code weight} and, unless null, {@code rescale}. */
    public List<KStmt> expand(String array, KExpr weight, KExpr rescale) {
      List<KStmt> out = new ArrayList<>(setup);
      out.add(new Loop(lane.var(), lane.extent(), false,
          append(body, new AssignElement(array, lane.index(), update(array, weight, rescale)))));
      return out;
    }
  }

  /**
   * A sum of weighted rows into a local array, one per output row: for every point of {@code axes}
   * (the contracted axes, in order) {@code body} computes {@code weight}, and {@code row} adds
   * {@code weight ·} the row into {@code accumulator}. It is a contraction whose one operand is
   * computed in the kernel (attention's probabilities, recomputed from the scores) and whose other
   * operand's free axes are the lanes. The array is declared before, at 0.
   */
  record WeightedSum(String accumulator, List<Axis> axes, List<KStmt> body, Operand weight, WeightedRow row)
      implements Structured {
    public WeightedSum {
      name(accumulator, "accumulator");
      axes = List.copyOf(axes);
      body = List.copyOf(body);
      Objects.requireNonNull(weight, "weight");
      Objects.requireNonNull(row, "row");
      distinct(axes, "weighted sum");
      if (weight.value().dtype() != row.dtype()) {
        throw new IllegalArgumentException("the weight of the sum into " + accumulator + " is " + weight.value().dtype()
            + ", its rows " + row.dtype());
      }
    }

    @Override
    public List<KStmt> expand() {
      List<KStmt> step = new ArrayList<>(body);
      step.addAll(row.expand(accumulator, weight.value(), null));
      return nest(axes, false, step);
    }
  }

  /**
   * Dropout on attention's probabilities inside an {@link OnlineSoftmax}: after {@code body} runs,
   * {@code kept = where(keep, weight / factor, 0)} (or {@code weight · factor} unless
   * {@code divide}), and the rows are weighted by {@code kept}. The row sum still counts every
   * probability.
   */
  record Dropout(List<KStmt> body, KExpr keep, KExpr factor, boolean divide, String kept) {
    public Dropout {
      body = List.copyOf(body);
      Objects.requireNonNull(keep, "keep");
      Objects.requireNonNull(factor, "factor");
      name(kept, "kept");
      if (keep.dtype() != DType.BOOL) throw new IllegalArgumentException("a dropout's keep is " + keep.dtype() + ", not bool");
    }
  }

  /**
   * The online softmax of flash attention, as one named reduction over the keys: a running
   * maximum, a rescaled running sum, and a weighted sum of rows rescaled with it. For each
   * {@code key} in order, {@code body} computes {@code score}, then
   *
   * <pre>
   * next    = max(max, score)
   * rescale = where(next == -inf, 1, exp(max - next))
   * weight  = where(next == -inf, 0, exp(score - next))
   * sum     = sum · rescale + weight
   * [dropout: its body; kept = where(keep, weight / factor, 0)]
   * row: accumulator[lane] = accumulator[lane] · rescale + (kept or weight) · value
   * max     = next
   * </pre>
   *
   * ({@code rescale} is 1 and {@code weight} 0 while every score so far is -inf.) Afterwards
   * {@code max} and {@code sum} are the softmax's row maximum and sum, and
   * {@code accumulator[lane] / sum} is the softmax-weighted sum of the rows. {@code max},
   * {@code sum} (-inf and 0) and the array (0) are declared before; {@code next}, {@code rescale},
   * {@code weight} name the step's values.
   */
  record OnlineSoftmax(String max, String sum, Axis key, List<KStmt> body, KExpr score, String next, String rescale,
      String weight, Optional<Dropout> dropout, String accumulator, WeightedRow row) implements Structured {
    public OnlineSoftmax {
      name(max, "max");
      name(sum, "sum");
      Objects.requireNonNull(key, "key");
      body = List.copyOf(body);
      Objects.requireNonNull(score, "score");
      name(next, "next");
      name(rescale, "rescale");
      name(weight, "weight");
      Objects.requireNonNull(dropout, "dropout");
      name(accumulator, "accumulator");
      Objects.requireNonNull(row, "row");
      if (!score.dtype().isFloating()) throw new IllegalArgumentException("a softmax's score is " + score.dtype());
      if (row.dtype() != score.dtype()) {
        throw new IllegalArgumentException("a softmax's score is " + score.dtype() + ", its rows " + row.dtype());
      }
      Set<String> names = new HashSet<>();
      for (String n : List.of(max, sum, next, rescale, weight, accumulator, key.var(), row.lane().var())) {
        if (!names.add(n)) throw new IllegalArgumentException("an online softmax names " + n + " twice");
      }
    }

    public DType dtype() {
      return score.dtype();
    }

    /** The weight the rows are added with: the kept weight under dropout. */
    public KExpr contribution() {
      return dropout.<KExpr>map(d -> new KExpr.Var(d.kept(), dtype())).orElse(new KExpr.Var(weight, dtype()));
    }

    /**
     * Under dropout, the weight the rows are added with: {@code where(keep, weight / factor, 0)}
     * (or {@code weight · factor}); without, the weight itself.
     */
    public KExpr kept() {
      if (dropout.isEmpty()) return new KExpr.Var(weight, dtype());
      Dropout d = dropout.get();
      KExpr scaled = new KExpr.Binary(d.divide() ? Fn.DIV : Fn.MUL, new KExpr.Var(weight, dtype()), d.factor());
      return new KExpr.Select(d.keep(), scaled, new KExpr.Const(0, dtype()));
    }

    /** The rescale the rows are multiplied by, as an expression. */
    public KExpr rescaleVar() {
      return new KExpr.Var(rescale, dtype());
    }

    /** The statements of one key's step after {@code body}, in order: {@link #update}, the row, {@link #advance}. */
    public List<KStmt> step() {
      List<KStmt> out = new ArrayList<>(update());
      out.addAll(row.expand(accumulator, contribution(), rescaleVar()));
      out.add(advance());
      return out;
    }

    /** {@code max = next}: the last statement of a key's step. */
    public Assign advance() {
      return new Assign(max, new KExpr.Var(next, dtype()));
    }

    /** A key's step up to the row: {@code next}, {@code rescale}, {@code weight}, the sum, the dropout. */
    public List<KStmt> update() {
      DType t = dtype();
      KExpr m = new KExpr.Var(max, t);
      KExpr n = new KExpr.Var(next, t);
      KExpr allMasked = new KExpr.Binary(Fn.EQ, n, new KExpr.Const(Double.NEGATIVE_INFINITY, t));
      List<KStmt> out = new ArrayList<>();
      out.add(new Let(next, new KExpr.Binary(Fn.MAX, m, score)));
      out.add(new Let(rescale, new KExpr.Select(allMasked, new KExpr.Const(1, t),
          new KExpr.Unary(Unary.Fn.EXP, new KExpr.Binary(Fn.SUB, m, n)))));
      out.add(new Let(weight, new KExpr.Select(allMasked, new KExpr.Const(0, t),
          new KExpr.Unary(Unary.Fn.EXP, new KExpr.Binary(Fn.SUB, score, n)))));
      out.add(new Assign(sum, new KExpr.Binary(Fn.ADD,
          new KExpr.Binary(Fn.MUL, new KExpr.Var(sum, t), new KExpr.Var(rescale, t)), new KExpr.Var(weight, t))));
      if (dropout.isPresent()) {
        out.addAll(dropout.get().body());
        out.add(new Let(dropout.get().kept(), kept()));
      }
      return out;
    }

    @Override
    public List<KStmt> expand() {
      List<KStmt> loop = new ArrayList<>(body);
      loop.addAll(step());
      return List.of(new Loop(key.var(), key.extent(), false, loop));
    }
  }

  private static List<KStmt> nest(List<Axis> axes, boolean parallel, List<KStmt> body) {
    List<KStmt> inner = body;
    for (int k = axes.size() - 1; k >= 0; k--) {
      inner = List.of(new Loop(axes.get(k).var(), axes.get(k).extent(), parallel, inner));
    }
    return inner;
  }

  private static List<KStmt> append(List<KStmt> body, KStmt last) {
    List<KStmt> out = new ArrayList<>(body);
    out.add(last);
    return out;
  }

  private static void distinct(List<Axis> axes, String what) {
    Set<String> seen = new HashSet<>();
    for (Axis a : axes) {
      if (!seen.add(a.var())) throw new IllegalArgumentException("a " + what + " names axis " + a.var() + " twice");
    }
  }

  private static void name(String name, String what) {
    Objects.requireNonNull(name, what);
    if (name.isEmpty()) throw new IllegalArgumentException("the " + what + " needs a name");
  }

  private static void names(KExpr e, Set<String> out) {
    if (e instanceof KExpr.Var v) out.add(v.name());
    for (KExpr c : e.children()) names(c, out);
  }
}
