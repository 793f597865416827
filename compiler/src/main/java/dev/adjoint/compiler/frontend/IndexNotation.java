package dev.adjoint.compiler.frontend;

import dev.adjoint.compiler.ast.Expr;
import dev.adjoint.compiler.ast.Name;
import dev.adjoint.compiler.ast.Stmt;
import dev.adjoint.compiler.diag.Span;
import dev.adjoint.compiler.ir.Broadcast;
import dev.adjoint.compiler.ir.Dim;
import dev.adjoint.compiler.ir.Iota;
import dev.adjoint.compiler.ir.Node;
import dev.adjoint.compiler.ir.Pad;
import dev.adjoint.compiler.ir.Reduce;
import dev.adjoint.compiler.ir.Shape;
import dev.adjoint.compiler.ir.Slice;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Index notation: {@code let y[i, j] = sum[k](a[i, k] * b[k, j])}. Every subexpression is a tensor
 * whose axes are named by index variables; operators align operands by name (transpose and
 * broadcast), reductions fold named axes away, and the result is laid out in the order of the
 * left-hand side. The graph is built from ordinary primitives, so contractions written this way
 * and with {@code @} reach the same fusion passes.
 */
final class IndexNotation {
  /** One comprehension being elaborated: index ranges, indices bound so far, where-nesting. */
  private static final class Frame {
    final Map<String, Dim> ranges;
    final Deque<String> bound = new ArrayDeque<>();
    int insideWhere;

    Frame(Map<String, Dim> ranges) {
      this.ranges = ranges;
    }
  }

  private static final Set<String> REDUCTIONS = Set.of("sum", "max", "min", "mean", "prod");
  private final Elaborator elab;
  private final Deque<Frame> frames = new ArrayDeque<>();

  IndexNotation(Elaborator elab) {
    this.elab = elab;
  }

  void enterWhere() {
    frame().insideWhere++;
  }

  void exitWhere() {
    frame().insideWhere--;
  }

  boolean active() {
    return !frames.isEmpty();
  }

  private Frame frame() {
    return frames.peek();
  }

  // --- entry points --------------------------------------------------------------------------

  /** {@code let y[i, j: T] = e}. */
  Value define(Stmt.IndexLet let, Scope scope) {
    List<String> free = new ArrayList<>();
    Map<String, Dim> ranges = new LinkedHashMap<>();
    for (Stmt.IndexVar v : let.indices()) {
      if (free.contains(v.name().text())) throw new ElabError(v.name().span(), "index '" + v.name().text() + "' appears twice on the left");
      requireFreshIndex(v.name(), scope);
      free.add(v.name().text());
      if (v.range().isPresent()) {
        Value r = elab.eval(v.range().get(), scope);
        ranges.put(v.name().text(), Intrinsics.staticInt(r, v.range().get().span(), "the range of '" + v.name().text() + "'"));
      }
    }
    inferRanges(let.value(), scope, ranges);
    for (Stmt.IndexVar v : let.indices()) {
      if (!ranges.containsKey(v.name().text())) {
        throw new ElabError(v.name().span(), "cannot infer the range of index '" + v.name().text()
            + "': use it to index a tensor, or write it as '" + v.name().text() + ": N'");
      }
    }
    Frame f = new Frame(ranges);
    free.forEach(f.bound::push);
    frames.push(f);
    try {
      Value body = elab.eval(let.value(), scope);
      return layout(body, free, let.span());
    } finally {
      frames.pop();
    }
  }

  /** {@code sum[i](e)}, inside a comprehension or as a whole expression. */
  Value reduceExpr(Expr.Reduce r, Scope scope) {
    String op = r.op().text();
    if (!REDUCTIONS.contains(op)) {
      throw new ElabError(r.op().span(), "'" + op + "[...](...)' is not a reduction: index-notation reductions are sum, max, min, mean, prod");
    }
    boolean outermost = !active();
    if (outermost) {
      Map<String, Dim> ranges = new LinkedHashMap<>();
      inferRanges(r, scope, ranges);
      frames.push(new Frame(ranges));
    }
    try {
      Frame f = frame();
      for (Name i : r.indices()) {
        requireFreshIndex(i, scope);
        if (f.bound.contains(i.text())) {
          throw new ElabError(i.span(), "index '" + i.text() + "' is already bound here; reduce over a new name");
        }
        if (!f.ranges.containsKey(i.text())) {
          throw new ElabError(i.span(), "cannot infer the range of index '" + i.text() + "': use it to index a tensor");
        }
        f.bound.push(i.text());
      }
      Value body;
      try {
        body = elab.eval(r.body(), scope);
      } finally {
        for (int k = 0; k < r.indices().size(); k++) f.bound.pop();
      }
      if (body instanceof Value.Poison) return body;
      Value.Indexed in = asIndexed(body, r.body().span());
      // Indices the body does not use make it constant along them: broadcast so the fold counts them.
      List<String> axes = new ArrayList<>(in.axes());
      Node node = in.node();
      for (Name i : r.indices()) {
        if (!axes.contains(i.text())) {
          List<Dim> dims = new ArrayList<>(node.type().shape().dims());
          List<Integer> keep = new ArrayList<>();
          for (int k = 0; k < dims.size(); k++) keep.add(k);
          dims.add(f.ranges.get(i.text()));
          node = elab.ops.add(new Broadcast(Shape.of(dims), keep), r.span(), node);
          axes.add(i.text());
        }
      }
      List<Integer> reduced = new ArrayList<>();
      for (Name i : r.indices()) reduced.add(axes.indexOf(i.text()));
      if (!node.type().dtype().isFloating() && op.equals("mean")) node = elab.ops.cast(node, elab.ops.defaultFloat);
      Reduce.Fn fn = switch (op) {
        case "max" -> Reduce.Fn.MAX;
        case "min" -> Reduce.Fn.MIN;
        case "prod" -> Reduce.Fn.PROD;
        default -> Reduce.Fn.SUM;
      };
      Node out = elab.ops.reduce(fn, node, reduced, false, r.span());
      if (op.equals("mean")) {
        Dim count = Dim.of(1);
        for (Name i : r.indices()) count = count.times(f.ranges.get(i.text()));
        out = ((Value.Tensor) elab.ops.binary(dev.adjoint.compiler.ir.Binary.Fn.DIV, new Value.Tensor(out),
            new Value.StaticInt(count), "/", r.span())).node();
      }
      List<String> left = new ArrayList<>(axes);
      left.removeIf(a -> r.indices().stream().anyMatch(i -> i.text().equals(a)));
      Value.Indexed result = new Value.Indexed(out, left);
      if (!outermost) return result;
      if (!left.isEmpty()) {
        throw new ElabError(r.span(), "index '" + left.get(0) + "' is not bound: wrap it in sum[" + left.get(0) + "](...)");
      }
      return new Value.Tensor(out);
    } finally {
      if (outermost) frames.pop();
    }
  }

  /** An index may not take the name of a local, param, const or dim: uses of the name would be ambiguous. */
  private static void requireFreshIndex(Name index, Scope scope) {
    if (scope.lookup(index.text()).isPresent()) {
      throw new ElabError(index.span(), "index '" + index.text() + "' has the name of a value already in scope; "
          + "give the index another name");
    }
  }

  /** A name inside a comprehension: a bound index is its own position, as an i32 tensor. */
  Value ref(Expr.Ref r, Scope scope) {
    String n = r.name().text();
    if (frame().bound.contains(n)) {
      Node iota = elab.ops.add(new Iota(Shape.of(frame().ranges.get(n)), 0), r.span());
      return new Value.Indexed(iota, List.of(n));
    }
    return elab.lookup(r.name(), scope);
  }

  boolean isIndexAccess(Expr.Index ix, Scope scope) {
    return active();
  }

  // --- element access ------------------------------------------------------------------------

  /** {@code x[i, j + 1, 0]} inside a comprehension. */
  Value access(Expr.Index ix, Scope scope) {
    Value target = elab.eval(ix.target(), scope);
    if (target instanceof Value.Poison) return target;
    if (target instanceof Value.Indexed) throw new ElabError(ix.span(), "an indexed expression cannot be indexed again");
    Node x = elab.tensor(target, ix.target().span());
    if (ix.subscripts().size() != x.type().rank()) {
      throw new ElabError(ix.span(), "'" + ix.target().span().text() + "' has " + x.type().rank()
          + (x.type().rank() == 1 ? " axis (" : " axes (") + x.type() + ") but " + ix.subscripts().size()
          + (ix.subscripts().size() == 1 ? " subscript" : " subscripts"));
    }
    List<String> names = new ArrayList<>();
    for (int axis = 0; axis < ix.subscripts().size(); axis++) {
      Expr.Subscript s = ix.subscripts().get(axis);
      if (!(s instanceof Expr.At at)) throw new ElabError(s.span(), "slices cannot be used in index notation; index with a variable");
      names.add(null);
      Affine a = affine(at.index(), scope);
      Dim size = x.type().shape().dim(axis);
      if (a.index == null) {
        long c = a.offset;
        if (c < 0) c += size.isConstant() ? size.constant() : 0;
        if (c < 0 || (size.isConstant() && c >= size.constant())) {
          throw new ElabError(at.span(), "index " + a.offset + " is out of range for axis " + axis + " of " + x.type());
        }
        x = elab.ops.add(new Slice(axis, Dim.of(c), Dim.of(1), 1), at.span(), x);
        names.set(axis, "");
        continue;
      }
      Dim range = frame().ranges.get(a.index);
      if (a.offset == 0 && !range.equals(size) && !names.contains(a.index)) {
        throw new ElabError(at.span(), "index '" + a.index + "' ranges over " + range + " but axis " + axis + " of '"
            + ix.target().span().text() + "' has size " + size);
      }
      if (a.offset != 0 || !range.equals(size)) x = shift(x, axis, a, range, size, at.span());
      names.set(axis, a.index);
    }
    // Drop the axes selected by constants.
    List<Dim> kept = new ArrayList<>();
    List<String> axes = new ArrayList<>();
    for (int i = 0; i < names.size(); i++) {
      if (!names.get(i).isEmpty()) {
        kept.add(x.type().shape().dim(i));
        axes.add(names.get(i));
      }
    }
    x = elab.ops.reshape(x, Shape.of(kept), ix.span());
    return diagonals(x, axes, ix.span());
  }

  private record Affine(String index, long offset) {}

  private Affine affine(Expr e, Scope scope) {
    switch (e) {
      case Expr.Ref r when frame().bound.contains(r.name().text()) -> {
        return new Affine(r.name().text(), 0);
      }
      case Expr.Binary b when (b.op() == Expr.BinaryOp.ADD || b.op() == Expr.BinaryOp.SUB) -> {
        Affine l = affine(b.left(), scope);
        Affine r = affine(b.right(), scope);
        if (l.index != null && r.index != null) throw new ElabError(e.span(), "a subscript may use only one index");
        if (r.index != null && b.op() == Expr.BinaryOp.SUB) throw new ElabError(e.span(), "a subscript cannot subtract an index");
        long off = b.op() == Expr.BinaryOp.ADD ? l.offset + r.offset : l.offset - r.offset;
        return new Affine(l.index != null ? l.index : r.index, off);
      }
      case Expr.Ref r -> {
        String n = r.name().text();
        if (scope.lookup(n).isEmpty()) {
          throw new ElabError(r.span(), "index '" + n + "' is not bound: wrap it in sum[" + n + "](...)");
        }
        if (elab.lookup(r.name(), scope) instanceof Value.StaticInt i && i.dim().isConstant()) {
          return new Affine(null, i.dim().constant());
        }
        throw new ElabError(r.span(), "subscript '" + n + "' is not an index or a constant");
      }
      case Expr.IntLit i -> {
        return new Affine(null, i.value());
      }
      case Expr.Unary u when u.op() == Expr.UnaryOp.NEG && u.operand() instanceof Expr.IntLit i -> {
        return new Affine(null, -i.value());
      }
      default -> throw new ElabError(e.span(), "a subscript must be an index, an index plus or minus a constant, or a constant");
    }
  }

  /** Reads x[i + c] for i over {@code range}: a slice, padded with zeros where it runs outside. */
  private Node shift(Node x, int axis, Affine a, Dim range, Dim size, Span span) {
    long c = a.offset;
    Dim overEnd = range.plus(Dim.of(c)).minus(size);
    boolean inside = c >= 0 && overEnd.isConstant() && overEnd.constant() <= 0;
    if (inside) return elab.ops.add(new Slice(axis, Dim.of(c), range, 1), span, x);
    if (frame().insideWhere == 0) {
      throw new ElabError(span, "read can fall outside axis " + axis + " (size " + size + ") for " + a.index
          + " in [0, " + range + "): guard it with where(...)");
    }
    if (!overEnd.isConstant()) throw new ElabError(span, "cannot tell whether this read stays inside axis " + axis + " (size " + size + ")");
    long before = Math.max(0, -c);
    long after = Math.max(0, overEnd.constant());
    Node padded = elab.ops.add(new Pad(axis, Dim.of(before), Dim.of(after)), span, x);
    return elab.ops.add(new Slice(axis, Dim.of(c + before), range, 1), span, padded);
  }

  /**
   * {@code x[i, i]}: the diagonal. The two axes move to the front and flatten into one of N·N rows,
   * and a gather picks rows 0, N+1, 2(N+1), …, which works for symbolic N too.
   */
  private Value diagonals(Node x, List<String> axes, Span span) {
    for (int p = 0; p < axes.size(); p++) {
      int q = axes.subList(p + 1, axes.size()).indexOf(axes.get(p));
      if (q < 0) continue;
      q += p + 1;
      int r = axes.size();
      List<Integer> perm = new ArrayList<>(List.of(p, q));
      for (int k = 0; k < r; k++) if (k != p && k != q) perm.add(k);
      x = elab.ops.transpose(x, perm, span);
      Dim n = x.type().shape().dim(0);
      List<Dim> dims = new ArrayList<>(List.of(n.times(n)));
      dims.addAll(x.type().shape().dims().subList(2, r));
      x = elab.ops.reshape(x, Shape.of(dims), span);
      Node positions = elab.ops.add(new Iota(Shape.of(n), 0), span);
      Node stride = elab.ops.scalar(new Value.StaticInt(n.plus(Dim.of(1))), dev.adjoint.runtime.DType.I32, span);
      Node rows = elab.ops.add(new dev.adjoint.compiler.ir.Binary(dev.adjoint.compiler.ir.Binary.Fn.MUL), span,
          positions, elab.ops.broadcastTo(stride, Shape.of(n), span));
      x = elab.ops.add(new dev.adjoint.compiler.ir.Gather(), span, x, rows);
      List<String> newAxes = new ArrayList<>(List.of(axes.get(p)));
      for (int k : perm.subList(2, r)) newAxes.add(axes.get(k));
      return diagonals(x, newAxes, span);
    }
    return new Value.Indexed(x, axes);
  }

  // --- operators on named axes ---------------------------------------------------------------

  Value binary(Expr.BinaryOp op, Value l, Value r, Span span) {
    if (op == Expr.BinaryOp.MATMUL) throw new ElabError(span, "'@' cannot be used in index notation; write sum[k](a[i, k] * b[k, j])");
    List<Value> args = List.of(l, r);
    return lift(args, span, vs -> elab.binaryValues(op, vs.get(0), vs.get(1), span));
  }

  Value map(List<Value.Indexed> in, Function<List<Node>, Value> f, Span span) {
    return lift(new ArrayList<>(in), span, vs -> f.apply(vs.stream().map(v -> ((Value.Tensor) v).node()).toList()));
  }

  /** An intrinsic called with indexed arguments: elementwise ones only. */
  Value call(String name, CallArgs args, Span span, Intrinsics intrinsics) {
    if (!Intrinsics.isElementwise(name)) {
      throw new ElabError(span, "'" + name + "' cannot be applied in index notation; use a reduction such as sum[i](...)");
    }
    List<Value> all = new ArrayList<>(args.positional());
    all.addAll(args.keywords().values());
    return lift(all, span, vs -> {
      List<Value> pos = vs.subList(0, args.positional().size());
      Map<String, Value> kw = new LinkedHashMap<>();
      int k = args.positional().size();
      for (String key : args.keywords().keySet()) kw.put(key, vs.get(k++));
      return intrinsics.call(name, new CallArgs(pos, args.positionalSpans(), kw, args.keywordSpans(), span), span);
    });
  }

  /**
   * Aligns the indexed values among {@code args} on the union of their axes, applies {@code f} to
   * plain tensors, and names the result's axes.
   */
  private Value lift(List<Value> args, Span span, Function<List<Value>, Value> f) {
    Set<String> union = new LinkedHashSet<>();
    for (Value v : args) {
      if (v instanceof Value.Poison) return v;
      if (v instanceof Value.Indexed ix) union.addAll(ix.axes());
      if (v instanceof Value.Tensor t && t.type().rank() > 0) {
        throw new ElabError(span, "tensor " + t.type() + " needs subscripts in index notation");
      }
    }
    List<String> axes = List.copyOf(union);
    List<Dim> dims = axes.stream().map(a -> frame().ranges.get(a)).toList();
    List<Value> plain = new ArrayList<>();
    for (Value v : args) plain.add(v instanceof Value.Indexed ix ? new Value.Tensor(align(ix, axes, dims, span)) : v);
    Value out = f.apply(plain);
    if (out instanceof Value.Tensor t) {
      if (!t.type().shape().equals(Shape.of(dims))) {
        out = new Value.Tensor(elab.ops.broadcastTo(t.node(), Shape.of(dims), span));
      }
      return new Value.Indexed(((Value.Tensor) out).node(), axes);
    }
    return out;
  }

  /** Transposes and broadcasts an indexed value to the given axes. */
  private Node align(Value.Indexed v, List<String> axes, List<Dim> dims, Span span) {
    List<String> order = new ArrayList<>(v.axes());
    order.sort((a, b) -> Integer.compare(axes.indexOf(a), axes.indexOf(b)));
    List<Integer> perm = new ArrayList<>();
    for (String a : order) perm.add(v.axes().indexOf(a));
    Node x = elab.ops.transpose(v.node(), perm, span);
    if (order.size() == axes.size()) return x;
    List<Integer> positions = new ArrayList<>();
    for (String a : order) positions.add(axes.indexOf(a));
    return elab.ops.add(new Broadcast(Shape.of(dims), positions), span, x);
  }

  private Value.Indexed asIndexed(Value v, Span span) {
    if (v instanceof Value.Indexed ix) return ix;
    Node n = elab.tensor(v, span);
    if (n.type().rank() > 0) throw new ElabError(span, "tensor " + n.type() + " needs subscripts in index notation");
    return new Value.Indexed(n, List.of());
  }

  /** The comprehension's result, laid out as the left-hand side orders its indices. */
  private Value layout(Value body, List<String> free, Span span) {
    if (body instanceof Value.Poison) return body;
    Value.Indexed in = asIndexed(body, span);
    for (String a : in.axes()) {
      if (!free.contains(a)) throw new ElabError(span, "index '" + a + "' is not bound: wrap it in sum[" + a + "](...)");
    }
    List<Dim> dims = free.stream().map(a -> frame().ranges.get(a)).toList();
    return new Value.Tensor(align(in, free, dims, span));
  }

  // --- ranges --------------------------------------------------------------------------------

  /** Collects, for each index used plainly as a subscript, the size of the axis it indexes. */
  private void inferRanges(Expr e, Scope scope, Map<String, Dim> ranges) {
    switch (e) {
      case Expr.Index ix -> {
        Optional<Node> target = peekTensor(ix.target(), scope);
        for (int axis = 0; axis < ix.subscripts().size(); axis++) {
          if (ix.subscripts().get(axis) instanceof Expr.At at && at.index() instanceof Expr.Ref r && target.isPresent()
              && axis < target.get().type().rank() && isIndexName(r.name().text(), scope)) {
            Dim size = target.get().type().shape().dim(axis);
            Dim known = ranges.putIfAbsent(r.name().text(), size);
            if (known != null && !known.equals(size)) {
              throw new ElabError(r.span(), "index '" + r.name().text() + "' ranges over " + known + " elsewhere but indexes axis "
                  + axis + " of size " + size + " here");
            }
          }
          if (ix.subscripts().get(axis) instanceof Expr.At at) inferRanges(at.index(), scope, ranges);
        }
        inferRanges(ix.target(), scope, ranges);
      }
      case Expr.Binary b -> {
        inferRanges(b.left(), scope, ranges);
        inferRanges(b.right(), scope, ranges);
      }
      case Expr.Unary u -> inferRanges(u.operand(), scope, ranges);
      case Expr.Member m -> inferRanges(m.target(), scope, ranges);
      case Expr.Call c -> {
        c.args().forEach(a -> inferRanges(a, scope, ranges));
        c.keywords().forEach(k -> inferRanges(k.value(), scope, ranges));
      }
      case Expr.Reduce r -> inferRanges(r.body(), scope, ranges);
      case Expr.ListLit l -> l.elements().forEach(x -> inferRanges(x, scope, ranges));
      case Expr.Tuple t -> t.elements().forEach(x -> inferRanges(x, scope, ranges));
      default -> {}
    }
  }

  private boolean isIndexName(String name, Scope scope) {
    return scope.lookup(name).isEmpty();
  }

  /** The tensor a subscripted name denotes, if it is a plain local or param (no evaluation needed). */
  private Optional<Node> peekTensor(Expr target, Scope scope) {
    if (target instanceof Expr.Ref r && scope.lookup(r.name().text()).orElse(null) instanceof Value.Tensor t) {
      return Optional.of(t.node());
    }
    return Optional.empty();
  }
}
