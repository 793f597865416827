package dev.adjoint.compiler.frontend;

import dev.adjoint.compiler.diag.Span;
import dev.adjoint.compiler.ir.Concat;
import dev.adjoint.compiler.ir.Dim;
import dev.adjoint.compiler.ir.Node;
import dev.adjoint.compiler.ir.Shape;
import dev.adjoint.compiler.ir.Slice;
import dev.adjoint.compiler.ir.TensorType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The shape built-ins: reshape, permute, transpose, expand, squeeze, unsqueeze, concat, stack, slice. */
final class Shapes {
  private Shapes() {}

  static Value call(Elaborator elab, String name, CallArgs args, Span span) {
    TensorOps ops = elab.ops;
    return switch (name) {
      case "reshape" -> {
        List<String> p = List.of("x", "shape");
        Map<String, Value> a = args.bind(name, p, 2);
        Node x = elab.tensor(a.get("x"), args.spanOf("x", p));
        Shape target = shapeList(a.get("shape"), x.type(), args.spanOf("shape", p));
        if (!target.elementCount().equals(x.type().shape().elementCount())) {
          throw new ElabError(span, "cannot reshape " + x.type() + " to " + target + ": "
              + x.type().shape().elementCount() + " elements vs " + target.elementCount());
        }
        yield new Value.Tensor(ops.reshape(x, target, span));
      }
      case "permute" -> {
        List<String> p = List.of("x", "axes");
        Map<String, Value> a = args.bind(name, p, 2);
        Node x = elab.tensor(a.get("x"), args.spanOf("x", p));
        List<Long> axes = ints(a.get("axes"), args.spanOf("axes", p), "axes");
        int rank = x.type().rank();
        if (axes.size() != rank) {
          throw new ElabError(args.spanOf("axes", p), "permute of " + x.type() + " needs " + rank + " axes, got " + axes.size());
        }
        List<Integer> perm = new ArrayList<>();
        for (long v : axes) {
          int ax = TensorOps.axis(v, rank, x.type(), args.spanOf("axes", p));
          if (perm.contains(ax)) throw new ElabError(args.spanOf("axes", p), "axis " + v + " appears twice in permute");
          perm.add(ax);
        }
        yield new Value.Tensor(ops.transpose(x, perm, span));
      }
      case "transpose" -> {
        Node x = elab.tensor(args.bind(name, List.of("x"), 1).get("x"), span);
        int r = x.type().rank();
        if (r < 2) throw new ElabError(span, "transpose needs at least two axes, got " + x.type());
        List<Integer> perm = new ArrayList<>();
        for (int i = 0; i < r; i++) perm.add(i);
        perm.set(r - 2, r - 1);
        perm.set(r - 1, r - 2);
        yield new Value.Tensor(ops.transpose(x, perm, span));
      }
      case "expand" -> {
        List<String> p = List.of("x", "shape");
        Map<String, Value> a = args.bind(name, p, 2);
        Node x = elab.tensor(a.get("x"), args.spanOf("x", p));
        Shape target = shapeList(a.get("shape"), x.type(), args.spanOf("shape", p));
        Shape result;
        try {
          result = ops.broadcastShapes(x.type(), new TensorType(x.type().dtype(), target), "expand", span);
        } catch (ElabError e) {
          throw new ElabError(span, "cannot expand " + x.type() + " to " + target);
        }
        if (!result.equals(target)) throw new ElabError(span, "cannot expand " + x.type() + " to " + target);
        yield new Value.Tensor(ops.broadcastTo(x, target, span));
      }
      case "squeeze", "unsqueeze" -> {
        List<String> p = List.of("x", "axis");
        Map<String, Value> a = args.bind(name, p, 2);
        Node x = elab.tensor(a.get("x"), args.spanOf("x", p));
        long v = constant(a.get("axis"), args.spanOf("axis", p), "axis");
        List<Dim> dims = new ArrayList<>(x.type().shape().dims());
        if (name.equals("squeeze")) {
          int ax = TensorOps.axis(v, dims.size(), x.type(), args.spanOf("axis", p));
          if (!dims.get(ax).equals(Dim.of(1))) {
            throw new ElabError(args.spanOf("axis", p), "cannot squeeze axis " + v + " of " + x.type() + ": its size is " + dims.get(ax));
          }
          dims.remove(ax);
        } else {
          // A negative axis counts from the end of the result, as NumPy and PyTorch do.
          long at = v < 0 ? v + dims.size() + 1 : v;
          if (at < 0 || at > dims.size()) {
            throw new ElabError(args.spanOf("axis", p), "axis " + v + " is out of range for unsqueeze of " + x.type()
                + " (the result has " + (dims.size() + 1) + " axes)");
          }
          int ax = (int) at;
          dims.add(ax, Dim.of(1));
        }
        yield new Value.Tensor(ops.reshape(x, Shape.of(dims), span));
      }
      case "concat", "stack" -> {
        List<String> p = List.of("tensors", "axis");
        Map<String, Value> a = args.bind(name, p, 1);
        if (!(a.get("tensors") instanceof Value.ListValue list) || list.items().isEmpty()) {
          throw new ElabError(args.spanOf("tensors", p), name + " needs a non-empty list of tensors, e.g. " + name + "([a, b], axis=0)");
        }
        long v = a.get("axis") == null ? 0 : constant(a.get("axis"), args.spanOf("axis", p), "axis");
        List<Node> parts = new ArrayList<>();
        for (Value item : list.items()) parts.add(elab.tensor(item, args.spanOf("tensors", p)));
        var dtype = parts.get(0).type().dtype();
        for (Node n : parts) dtype = TensorOps.promote(dtype, n.type().dtype(), name, span);
        TensorType first = parts.get(0).type();
        int rank = first.rank() + (name.equals("stack") ? 1 : 0);
        int ax = TensorOps.axis(v, rank, first, args.spanOf("axis", p));
        List<Node> inputs = new ArrayList<>();
        for (Node n : parts) {
          n = ops.cast(n, dtype);
          if (name.equals("stack")) {
            if (!n.type().shape().equals(first.shape())) {
              throw new ElabError(span, "stack needs tensors of one shape, got " + first + " and " + n.type());
            }
            List<Dim> dims = new ArrayList<>(n.type().shape().dims());
            dims.add(ax, Dim.of(1));
            n = ops.reshape(n, Shape.of(dims), span);
          } else {
            if (n.type().rank() != first.rank()) {
              throw new ElabError(span, "concat needs tensors of one rank, got " + first + " and " + n.type());
            }
            for (int i = 0; i < first.rank(); i++) {
              if (i != ax && !n.type().shape().dim(i).equals(first.shape().dim(i))) {
                throw new ElabError(span, "concat along axis " + v + " needs the other axes equal, got " + first + " and " + n.type());
              }
            }
          }
          inputs.add(n);
        }
        yield new Value.Tensor(inputs.size() == 1 ? inputs.get(0) : ops.graph.add(new Concat(ax), inputs));
      }
      case "slice" -> {
        List<String> p = List.of("x", "axis", "start", "end");
        Map<String, Value> a = args.bind(name, p, 4);
        Node x = elab.tensor(a.get("x"), args.spanOf("x", p));
        int ax = TensorOps.axis(constant(a.get("axis"), args.spanOf("axis", p), "axis"), x.type().rank(), x.type(), args.spanOf("axis", p));
        yield new Value.Tensor(slice(ops, x, ax, a.get("start"), a.get("end"), args.spanOf("start", p), span));
      }
      default -> throw new IllegalStateException("no intrinsic " + name);
    };
  }

  /** {@code x[start:end]} along one axis; negative bounds count from the end; end is exclusive. */
  static Node slice(TensorOps ops, Node x, int axis, Value startValue, Value endValue, Span boundsSpan, Span span) {
    Dim size = x.type().shape().dim(axis);
    Dim start = startValue == null ? Dim.of(0) : bound(startValue, size, boundsSpan);
    Dim end = endValue == null ? size : bound(endValue, size, boundsSpan);
    Dim length = end.minus(start);
    if (length.isConstant() && length.constant() < 0) {
      throw new ElabError(boundsSpan, "slice [" + start + ", " + end + ") of axis " + axis + " of " + x.type() + " is empty or reversed");
    }
    Dim over = end.minus(size);
    if ((start.isConstant() && start.constant() < 0) || (over.isConstant() && over.constant() > 0)) {
      throw new ElabError(boundsSpan, "slice [" + start + ", " + end + ") is outside axis " + axis + " of " + x.type());
    }
    if (start.equals(Dim.of(0)) && end.equals(size)) return x;
    return ops.add(new Slice(axis, start, length, 1), span, x);
  }

  private static Dim bound(Value v, Dim size, Span span) {
    if (!(v instanceof Value.StaticInt i)) throw new ElabError(span, "slice bounds must be compile-time integers, got " + Value.describe(v));
    Dim d = i.dim();
    return d.isConstant() && d.constant() < 0 ? size.plus(d) : d;
  }

  static long constant(Value v, Span span, String what) {
    if (v instanceof Value.StaticInt i && i.dim().isConstant()) return i.dim().constant();
    throw new ElabError(span, what + " must be a constant integer, got " + (v == null ? "nothing" : Value.describe(v)));
  }

  /** An int or a list of ints. */
  static List<Long> ints(Value v, Span span, String what) {
    if (v instanceof Value.ListValue l) {
      List<Long> out = new ArrayList<>();
      for (Value item : l.items()) out.add(constant(item, span, what));
      return out;
    }
    return List.of(constant(v, span, what));
  }

  /**
   * A shape written as a list: sizes, at most one {@code -1} (inferred), and a leading {@code ...}
   * standing for the operand's leading axes (those the listed sizes do not cover).
   */
  static Shape shapeList(Value v, TensorType of, Span span) {
    if (!(v instanceof Value.ListValue l)) throw new ElabError(span, "a shape must be a list such as [B, T, 64], got " + Value.describe(v));
    List<Value> items = l.items();
    List<Dim> dims = new ArrayList<>();
    int inferred = -1;
    boolean rest = !items.isEmpty() && items.get(0) instanceof Value.Rest;
    for (int i = rest ? 1 : 0; i < items.size(); i++) {
      Value item = items.get(i);
      if (item instanceof Value.Rest) throw new ElabError(span, "'...' must come first in a shape");
      if (!(item instanceof Value.StaticInt n)) throw new ElabError(span, "shape entries must be integers, got " + Value.describe(item));
      if (n.dim().equals(Dim.of(-1))) {
        if (inferred >= 0 || of == null) throw new ElabError(span, of == null ? "-1 is not allowed here" : "only one -1 is allowed in a shape");
        inferred = dims.size();
      } else if (n.dim().isConstant() && n.dim().constant() < 0) {
        throw new ElabError(span, "shape entry " + n.dim() + " is negative");
      }
      dims.add(n.dim());
    }
    if (rest) {
      if (of == null) throw new ElabError(span, "'...' needs an operand whose axes it stands for");
      Dim listed = Dim.of(1);
      for (Dim d : dims) if (!d.equals(Dim.of(-1))) listed = listed.times(d);
      int keep = -1;
      for (int k = 0; k <= of.rank(); k++) {
        Dim tail = Shape.of(of.shape().dims().subList(of.rank() - k, of.rank())).elementCount();
        if (inferred < 0 ? tail.equals(listed) : tail.dividedBy(listed) != null) {
          keep = of.rank() - k;
          break;
        }
      }
      if (keep < 0) throw new ElabError(span, "no trailing axes of " + of + " match the sizes after '...'");
      List<Dim> full = new ArrayList<>(of.shape().dims().subList(0, keep));
      if (inferred >= 0) inferred += full.size();
      full.addAll(dims);
      dims = full;
    }
    if (inferred >= 0) {
      Dim known = Dim.of(1);
      for (int i = 0; i < dims.size(); i++) if (i != inferred) known = known.times(dims.get(i));
      Dim missing = of.shape().elementCount().dividedBy(known);
      if (missing == null) throw new ElabError(span, "cannot infer -1: " + of + " does not split into " + dims);
      dims.set(inferred, missing);
    }
    return Shape.of(dims);
  }
}
