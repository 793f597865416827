package dev.adjoint.compiler.frontend;

import dev.adjoint.compiler.diag.Span;
import dev.adjoint.compiler.ir.Binary;
import dev.adjoint.compiler.ir.Broadcast;
import dev.adjoint.compiler.ir.Cast;
import dev.adjoint.compiler.ir.Constant;
import dev.adjoint.compiler.ir.Dim;
import dev.adjoint.compiler.ir.DimSize;
import dev.adjoint.compiler.ir.DotGeneral;
import dev.adjoint.compiler.ir.GraphBuilder;
import dev.adjoint.compiler.ir.Node;
import dev.adjoint.compiler.ir.Reduce;
import dev.adjoint.compiler.ir.Reshape;
import dev.adjoint.compiler.ir.Shape;
import dev.adjoint.compiler.ir.ShapeError;
import dev.adjoint.compiler.ir.TensorType;
import dev.adjoint.compiler.ir.Transpose;
import dev.adjoint.compiler.ir.Unary;
import dev.adjoint.runtime.DType;
import java.util.ArrayList;
import java.util.List;

/**
 * The language's typing rules for operators — NumPy broadcasting, weak literals, promotion — put
 * into graph nodes. Everything here reports user mistakes as {@link ElabError}s that name both
 * operands.
 */
final class TensorOps {
  final GraphBuilder graph;
  /** The type of float literals that meet no other float: f32, or f64 under {@code --dtype f64}. */
  final DType defaultFloat;

  TensorOps(GraphBuilder graph, DType defaultFloat) {
    this.graph = graph;
    this.defaultFloat = defaultFloat;
  }

  Node add(dev.adjoint.compiler.ir.Op op, Span span, Node... inputs) {
    try {
      return graph.add(op, inputs);
    } catch (ShapeError e) {
      throw new ElabError(span, e.getMessage());
    }
  }

  Node constant(double value, DType dtype) {
    return graph.add(new Constant(value, dtype));
  }

  /** A static value as a scalar node of the given type. */
  Node scalar(Value v, DType dtype, Span span) {
    return switch (v) {
      case Value.StaticInt i when i.dim().isConstant() -> constant(i.dim().constant(), dtype);
      case Value.StaticInt i -> graph.add(new DimSize(i.dim(), dtype));
      case Value.StaticFloat f -> {
        if (!dtype.isFloating()) throw new ElabError(span, "number " + f.value() + " cannot be " + name(dtype));
        yield constant(f.value(), dtype);
      }
      case Value.StaticBool b -> constant(b.value() ? 1 : 0, dtype);
      case Value.Tensor t -> t.node();
      default -> throw new ElabError(span, "expected a tensor or a number, got " + Value.describe(v));
    };
  }

  /** The element type a static value takes when it meets nothing else. */
  DType naturalType(Value v) {
    return switch (v) {
      case Value.StaticInt i -> DType.I32;
      case Value.StaticBool b -> DType.BOOL;
      case Value.Tensor t -> t.type().dtype();
      default -> defaultFloat;
    };
  }

  static boolean isStatic(Value v) {
    return v instanceof Value.StaticInt || v instanceof Value.StaticFloat || v instanceof Value.StaticBool;
  }

  static String name(DType d) {
    return d.name().toLowerCase(java.util.Locale.ROOT);
  }

  /** Wider of two floating types; int with float gives the float (LANGUAGE.md §3). */
  static DType promote(DType a, DType b, String op, Span span) {
    if (a == b) return a;
    if (a == DType.BOOL || b == DType.BOOL) {
      throw new ElabError(span, "cannot combine " + name(a) + " and " + name(b) + " in '" + op
          + "': bool never promotes; use cast(x, " + (a == DType.BOOL ? name(b) : name(a)) + ")");
    }
    if (!a.isFloating()) return b;
    if (!b.isFloating()) return a;
    return widerFloat(a, b);
  }

  /** The wider of two floating types: f64 > f32 > bf16, f16; bf16 with f16 gives f32, as PyTorch. */
  static DType widerFloat(DType a, DType b) {
    if (a == b) return a;
    if (a == DType.F64 || b == DType.F64) return DType.F64;
    return DType.F32;
  }

  /** The element type an operator's operands are computed in, with weak literals adopting. */
  DType operandType(Value a, Value b, String op, Span span) {
    boolean sa = isStatic(a);
    boolean sb = isStatic(b);
    if (sa && !sb) return adopt(a, naturalType(b), op, span);
    if (sb && !sa) return adopt(b, naturalType(a), op, span);
    return promote(naturalType(a), naturalType(b), op, span);
  }

  /** A literal meeting a tensor of type {@code other}: ints adopt anything numeric, floats need a float. */
  private DType adopt(Value literal, DType other, String op, Span span) {
    if (literal instanceof Value.StaticBool) {
      if (other != DType.BOOL) throw new ElabError(span, "cannot combine bool and " + name(other) + " in '" + op + "'");
      return other;
    }
    if (other == DType.BOOL) {
      throw new ElabError(span, "cannot combine " + name(other) + " and a number in '" + op + "'");
    }
    if (literal instanceof Value.StaticFloat && !other.isFloating()) return defaultFloat;
    return other;
  }

  /** NumPy broadcasting: shapes align on the right; a literal 1 stretches; other dims must be equal. */
  Shape broadcastShapes(TensorType a, TensorType b, String op, Span span) {
    List<Dim> x = a.shape().dims();
    List<Dim> y = b.shape().dims();
    int rank = Math.max(x.size(), y.size());
    List<Dim> out = new ArrayList<>();
    for (int i = 0; i < rank; i++) {
      Dim dx = i < rank - x.size() ? null : x.get(i - (rank - x.size()));
      Dim dy = i < rank - y.size() ? null : y.get(i - (rank - y.size()));
      if (dx == null || (dy != null && dx.equals(Dim.of(1)))) out.add(dy);
      else if (dy == null || dy.equals(Dim.of(1)) || dx.equals(dy)) out.add(dx);
      else throw new ElabError(span, "shape mismatch in '" + op + "': " + a + " and " + b);
    }
    return Shape.of(out);
  }

  /** Broadcasts a node to a shape it is NumPy-compatible with. */
  Node broadcastTo(Node x, Shape target, Span span) {
    if (x.type().shape().equals(target)) return x;
    int offset = target.rank() - x.type().rank();
    List<Integer> axes = new ArrayList<>();
    for (int i = 0; i < x.type().rank(); i++) axes.add(i + offset);
    return add(new Broadcast(target, axes), span, x);
  }

  Node cast(Node x, DType to) {
    return x.type().dtype() == to ? x : graph.add(new Cast(to), x);
  }

  /** {@code a op b} elementwise, with literal adoption, promotion and broadcasting. */
  Value binary(Binary.Fn fn, Value a, Value b, String op, Span span) {
    if (a instanceof Value.Poison || b instanceof Value.Poison) return Value.POISON;
    DType t = operandType(a, b, op, span);
    if (fn == Binary.Fn.DIV && !t.isFloating()) t = defaultFloat; // i32 / i32 is true division, as NumPy
    if ((fn == Binary.Fn.AND || fn == Binary.Fn.OR) != (t == DType.BOOL)
        && !(t == DType.BOOL && (fn == Binary.Fn.EQ || fn == Binary.Fn.NE))) {
      throw new ElabError(span, "'" + op + "' is not defined on " + name(t));
    }
    Node x = cast(scalar(a, t, span), t);
    Node y = cast(scalar(b, t, span), t);
    Shape shape = broadcastShapes(x.type(), y.type(), op, span);
    return new Value.Tensor(add(new Binary(fn), span, broadcastTo(x, shape, span), broadcastTo(y, shape, span)));
  }

  Node unary(Unary.Fn fn, Node x, String name, Span span) {
    DType d = x.type().dtype();
    if (fn.floatingOnly() && d == DType.I32) x = cast(x, defaultFloat);
    else if (d == DType.BOOL && fn != Unary.Fn.NOT) {
      throw new ElabError(span, "'" + name + "' is not defined on " + x.type());
    }
    return add(new Unary(fn), span, x);
  }

  /** Normalises an axis (negative counts from the end) against a rank, or reports it. */
  static int axis(long axis, int rank, TensorType of, Span span) {
    long a = axis < 0 ? axis + rank : axis;
    if (a < 0 || a >= rank) {
      throw new ElabError(span, "axis " + axis + " is out of range for " + of + " (rank " + rank + ")");
    }
    return (int) a;
  }

  Node reduce(Reduce.Fn fn, Node x, List<Integer> axes, boolean keepdims, Span span) {
    List<Integer> sorted = axes.stream().distinct().sorted().toList();
    if (sorted.size() != axes.size()) throw new ElabError(span, "axis listed twice in " + axes);
    Node r = add(new Reduce(fn, sorted), span, x);
    if (!keepdims) return r;
    List<Dim> dims = new ArrayList<>(x.type().shape().dims());
    for (int a : sorted) dims.set(a, Dim.of(1));
    return add(new Reshape(Shape.of(dims)), span, r);
  }

  Node reshape(Node x, Shape shape, Span span) {
    return x.type().shape().equals(shape) ? x : add(new Reshape(shape), span, x);
  }

  Node transpose(Node x, List<Integer> perm, Span span) {
    boolean identity = true;
    for (int i = 0; i < perm.size(); i++) identity &= perm.get(i) == i;
    return identity ? x : add(new Transpose(perm), span, x);
  }

  /** NumPy matmul: batched over leading axes (broadcast), 1-D operands promoted and squeezed. */
  Node matmul(Node a, Node b, Span span) {
    TensorType ta = a.type();
    TensorType tb = b.type();
    if (ta.rank() == 0 || tb.rank() == 0) {
      throw new ElabError(span, "'@' needs operands with at least one axis, got " + ta + " and " + tb);
    }
    DType t = promote(ta.dtype(), tb.dtype(), "@", span);
    if (!t.isFloating()) t = defaultFloat;
    a = cast(a, t);
    b = cast(b, t);
    if (tb.rank() == 2 && ta.rank() >= 2) {
      // x[..., k] @ w[k, n]: contract directly instead of broadcasting the weight over the batch.
      if (!ta.shape().dim(ta.rank() - 1).equals(tb.shape().dim(0))) {
        throw new ElabError(span, "shape mismatch in '@': " + ta + " and " + tb
            + " (contracted axes " + ta.shape().dim(ta.rank() - 1) + " and " + tb.shape().dim(0) + " differ)");
      }
      return add(new DotGeneral(List.of(), List.of(), List.of(ta.rank() - 1), List.of(0)), span, a, b);
    }
    boolean vecA = ta.rank() == 1;
    boolean vecB = tb.rank() == 1;
    if (vecA) a = reshape(a, Shape.of(Dim.of(1), ta.shape().dim(0)), span);
    if (vecB) b = reshape(b, Shape.of(tb.shape().dim(0), Dim.of(1)), span);
    List<Dim> da = a.type().shape().dims();
    List<Dim> db = b.type().shape().dims();
    Dim k1 = da.get(da.size() - 1);
    Dim k2 = db.get(db.size() - 2);
    if (!k1.equals(k2)) {
      throw new ElabError(span, "shape mismatch in '@': " + ta + " and " + tb
          + " (contracted axes " + k1 + " and " + k2 + " differ)");
    }
    TensorType batchA = new TensorType(t, Shape.of(da.subList(0, da.size() - 2)));
    TensorType batchB = new TensorType(t, Shape.of(db.subList(0, db.size() - 2)));
    Shape batch;
    try {
      batch = broadcastShapes(batchA, batchB, "@", span);
    } catch (ElabError e) {
      throw new ElabError(span, "shape mismatch in '@': " + ta + " and " + tb + " (batch axes do not broadcast)");
    }
    int nb = batch.rank();
    List<Dim> fullA = new ArrayList<>(batch.dims());
    fullA.addAll(da.subList(da.size() - 2, da.size()));
    List<Dim> fullB = new ArrayList<>(batch.dims());
    fullB.addAll(db.subList(db.size() - 2, db.size()));
    a = broadcastTo(a, Shape.of(fullA), span);
    b = broadcastTo(b, Shape.of(fullB), span);
    List<Integer> batchAxes = new ArrayList<>();
    for (int i = 0; i < nb; i++) batchAxes.add(i);
    Node out = add(new DotGeneral(batchAxes, batchAxes, List.of(nb + 1), List.of(nb)), span, a, b);
    List<Dim> result = new ArrayList<>(batch.dims());
    if (!vecA) result.add(fullA.get(nb));
    if (!vecB) result.add(fullB.get(nb + 1));
    return reshape(out, Shape.of(result), span);
  }
}
