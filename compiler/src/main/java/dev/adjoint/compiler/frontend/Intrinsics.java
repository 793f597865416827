package dev.adjoint.compiler.frontend;

import dev.adjoint.compiler.diag.Span;
import dev.adjoint.compiler.ir.Binary;
import dev.adjoint.compiler.ir.Dim;
import dev.adjoint.compiler.ir.DynamicSlice;
import dev.adjoint.compiler.ir.Gather;
import dev.adjoint.compiler.ir.Iota;
import dev.adjoint.compiler.ir.Node;
import dev.adjoint.compiler.ir.RandomUniform;
import dev.adjoint.compiler.ir.Reduce;
import dev.adjoint.compiler.ir.Select;
import dev.adjoint.compiler.ir.Shape;
import dev.adjoint.compiler.ir.StopGradient;
import dev.adjoint.compiler.ir.TensorType;
import dev.adjoint.compiler.ir.Unary;
import dev.adjoint.compiler.ir.UpdateSlice;
import dev.adjoint.runtime.DType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The built-in functions of LANGUAGE.md §6.1–6.2 that map straight onto primitives. Everything
 * that can be written in Adjoint lives in the prelude instead.
 */
final class Intrinsics {
  private static final Map<String, Unary.Fn> UNARY = Map.ofEntries(
      Map.entry("exp", Unary.Fn.EXP), Map.entry("log", Unary.Fn.LOG), Map.entry("log1p", Unary.Fn.LOG1P), Map.entry("sqrt", Unary.Fn.SQRT),
      Map.entry("rsqrt", Unary.Fn.RSQRT), Map.entry("abs", Unary.Fn.ABS), Map.entry("sign", Unary.Fn.SIGN),
      Map.entry("sin", Unary.Fn.SIN), Map.entry("cos", Unary.Fn.COS), Map.entry("tanh", Unary.Fn.TANH),
      Map.entry("erf", Unary.Fn.ERF));
  private static final Map<String, Reduce.Fn> REDUCE = Map.of(
      "sum", Reduce.Fn.SUM, "max", Reduce.Fn.MAX, "min", Reduce.Fn.MIN, "prod", Reduce.Fn.PROD);
  static final Set<String> NAMES;

  static {
    List<String> all = new ArrayList<>(UNARY.keySet());
    all.addAll(REDUCE.keySet());
    all.addAll(List.of("mean", "var", "maximum", "minimum", "where", "cast", "stop_gradient", "reshape",
        "permute", "transpose", "expand", "squeeze", "unsqueeze", "concat", "stack", "slice", "arange",
        "zeros_like", "ones_like", "uniform", "dropout", "gather", "dtype_of", "update_slice", "dynamic_slice"));
    NAMES = Set.copyOf(all);
  }

  private final Elaborator elab;
  private final TensorOps ops;

  Intrinsics(Elaborator elab) {
    this.elab = elab;
    this.ops = elab.ops;
  }

  Value call(String name, CallArgs args, Span span) {
    if (args.anyPoison()) return Value.POISON;
    if (args.positional().stream().anyMatch(v -> v instanceof Value.Indexed)
        || args.keywords().values().stream().anyMatch(v -> v instanceof Value.Indexed)) {
      return elab.indexNotation.call(name, args, span, this);
    }
    Unary.Fn unary = UNARY.get(name);
    if (unary != null) {
      Map<String, Value> a = args.bind(name, List.of("x"), 1);
      Value x = a.get("x");
      if (x instanceof Value.StaticFloat || x instanceof Value.StaticInt i && i.dim().isConstant()) {
        double v = x instanceof Value.StaticFloat f ? f.value() : ((Value.StaticInt) x).dim().constant();
        return new Value.StaticFloat(unary.apply(v));
      }
      return new Value.Tensor(ops.unary(unary, tensor(x, args, "x", List.of("x")), name, span));
    }
    Reduce.Fn reduce = REDUCE.get(name);
    if (reduce != null || name.equals("mean") || name.equals("var")) return reduction(name, reduce, args, span);
    return switch (name) {
      case "maximum", "minimum" -> {
        Map<String, Value> a = args.bind(name, List.of("a", "b"), 2);
        yield ops.binary(name.equals("maximum") ? Binary.Fn.MAX : Binary.Fn.MIN, a.get("a"), a.get("b"), name, span);
      }
      case "where" -> where(args, span);
      case "cast" -> {
        Map<String, Value> a = args.bind(name, List.of("x", "dtype"), 2);
        if (!(a.get("dtype") instanceof Value.TypeValue t)) {
          throw new ElabError(args.spanOf("dtype", List.of("x", "dtype")), "cast needs an element type such as f64, got "
              + Value.describe(a.get("dtype")));
        }
        Value x = a.get("x");
        yield new Value.Tensor(ops.cast(TensorOps.isStatic(x) ? ops.scalar(x, t.dtype(), span) : tensor(x, args, "x", List.of("x", "dtype")), t.dtype()));
      }
      case "stop_gradient" -> {
        Node x = tensor(args.bind(name, List.of("x"), 1).get("x"), args, "x", List.of("x"));
        yield new Value.Tensor(ops.add(new StopGradient(), span, x));
      }
      case "dtype_of" -> new Value.TypeValue(tensor(args.bind(name, List.of("x"), 1).get("x"), args, "x", List.of("x")).type().dtype());
      case "zeros_like", "ones_like" -> {
        Node x = tensor(args.bind(name, List.of("x"), 1).get("x"), args, "x", List.of("x"));
        Node c = ops.constant(name.equals("zeros_like") ? 0 : 1, x.type().dtype());
        yield new Value.Tensor(ops.broadcastTo(c, x.type().shape(), span));
      }
      case "arange" -> {
        Map<String, Value> a = args.bind(name, List.of("n"), 1);
        Dim n = staticInt(a.get("n"), args.spanOf("n", List.of("n")), "arange's size");
        if (n.isConstant() && n.constant() < 0) {
          throw new ElabError(args.spanOf("n", List.of("n")), "arange's size must not be negative, got " + n);
        }
        yield new Value.Tensor(ops.add(new Iota(Shape.of(n), 0), span));
      }
      case "gather" -> {
        List<String> p = List.of("table", "ids");
        Map<String, Value> a = args.bind(name, p, 2);
        Node table = tensor(a.get("table"), args, "table", p);
        Node ids = tensor(a.get("ids"), args, "ids", p);
        if (ids.type().dtype() != DType.I32) throw new ElabError(args.spanOf("ids", p), "ids must be i32, got " + ids.type());
        if (table.type().rank() < 1) throw new ElabError(args.spanOf("table", p), "a table needs at least one axis, got " + table.type());
        yield new Value.Tensor(ops.add(new Gather(), span, table, ids));
      }
      case "uniform" -> {
        List<String> p = List.of("shape", "dtype");
        Map<String, Value> a = args.bind(name, p, 1);
        DType d = a.get("dtype") instanceof Value.TypeValue t ? t.dtype() : ops.defaultFloat;
        if (!d.isFloating()) throw new ElabError(args.spanOf("dtype", p), "uniform needs a floating element type, got " + TensorOps.name(d));
        Shape shape = Shapes.shapeList(a.get("shape"), null, args.spanOf("shape", p));
        yield new Value.Tensor(ops.add(new RandomUniform(new TensorType(d, shape), elab.siteKey(span)), span));
      }
      case "dropout" -> dropout(args, span);
      case "update_slice" -> updateSlice(args, span);
      case "dynamic_slice" -> dynamicSlice(args, span);
      default -> Shapes.call(elab, name, args, span);
    };
  }

  /** {@code update_slice(target, value, axis, start)}: docs/language.md, "In-place state". */
  private Value updateSlice(CallArgs args, Span span) {
    List<String> p = List.of("target", "value", "axis", "start");
    Map<String, Value> a = args.bind("update_slice", p, 4);
    Node target = tensor(a.get("target"), args, "target", p);
    Node value = tensor(a.get("value"), args, "value", p);
    TensorType t = target.type();
    int axis = TensorOps.axis(Shapes.constant(a.get("axis"), args.spanOf("axis", p), "axis"), t.rank(), t,
        args.spanOf("axis", p));
    TensorType v = value.type();
    Span valueSpan = args.spanOf("value", p);
    if (v.dtype() != t.dtype()) {
      throw new ElabError(valueSpan, "update_slice needs a value of the target's element type: " + v + " for target " + t);
    }
    if (v.rank() != t.rank()) {
      throw new ElabError(valueSpan, "update_slice needs a value of the target's rank: " + v + " for target " + t);
    }
    for (int i = 0; i < t.rank(); i++) {
      if (i != axis && !v.shape().dim(i).equals(t.shape().dim(i))) {
        throw new ElabError(valueSpan, "update_slice value " + v + " does not fit target " + t + ": axis " + i
            + " is " + v.shape().dim(i) + ", expected " + t.shape().dim(i));
      }
    }
    window("update_slice", v.shape().dim(axis), t, axis, valueSpan);
    Node start = start("update_slice", a.get("start"), args.spanOf("start", p), span);
    return new Value.Tensor(ops.add(new UpdateSlice(axis), span, target, value, start));
  }

  /** {@code dynamic_slice(x, axis, start, size)}: {@code size} elements from a run-time start. */
  private Value dynamicSlice(CallArgs args, Span span) {
    List<String> p = List.of("x", "axis", "start", "size");
    Map<String, Value> a = args.bind("dynamic_slice", p, 4);
    Node x = tensor(a.get("x"), args, "x", p);
    TensorType t = x.type();
    int axis = TensorOps.axis(Shapes.constant(a.get("axis"), args.spanOf("axis", p), "axis"), t.rank(), t,
        args.spanOf("axis", p));
    Dim size = staticInt(a.get("size"), args.spanOf("size", p), "dynamic_slice's size");
    window("dynamic_slice", size, t, axis, args.spanOf("size", p));
    Node start = start("dynamic_slice", a.get("start"), args.spanOf("start", p), span);
    return new Value.Tensor(ops.add(new DynamicSlice(axis, size), span, x, start));
  }

  /** A window must fit along its axis at every size: the axis's own size, or constants no larger. */
  private static void window(String op, Dim window, TensorType t, int axis, Span span) {
    Dim extent = t.shape().dim(axis);
    boolean fits = window.equals(extent)
        || window.isConstant() && extent.isConstant() && window.constant() >= 0 && window.constant() <= extent.constant();
    if (!fits) {
      throw new ElabError(span, op + " window of size " + window + " does not fit in axis " + axis + " of " + t
          + (window.isConstant() && extent.isConstant() ? "" : " (sizes must be equal or both constant)"));
    }
  }

  /** A start position: a compile-time integer, or an i32 scalar known at run time. */
  private Node start(String op, Value v, Span at, Span span) {
    if (v instanceof Value.StaticInt) return ops.scalar(v, DType.I32, span);
    if (v instanceof Value.Tensor tv && tv.node().type().dtype() == DType.I32 && tv.node().type().rank() == 0) {
      return tv.node();
    }
    String got = v instanceof Value.Tensor tv ? tv.node().type().toString() : Value.describe(v);
    throw new ElabError(at, op + " start must be an integer: an i32 scalar or a compile-time integer, got " + got);
  }

  private Value reduction(String name, Reduce.Fn fn, CallArgs args, Span span) {
    List<String> p = List.of("x", "axis", "keepdims");
    Map<String, Value> a = args.bind(name, p, 1);
    Node x = tensor(a.get("x"), args, "x", p);
    int rank = x.type().rank();
    List<Integer> axes = new ArrayList<>();
    Value axis = a.get("axis");
    if (axis == null && name.equals("var")) axis = Value.StaticInt.of(-1);
    if (axis == null) {
      for (int i = 0; i < rank; i++) axes.add(i);
    } else {
      for (long v : Shapes.ints(axis, args.spanOf("axis", p), "axis")) {
        axes.add(TensorOps.axis(v, rank, x.type(), args.spanOf("axis", p)));
      }
    }
    boolean keep = bool(a.get("keepdims"), args.spanOf("keepdims", p));
    if (x.type().dtype() == DType.BOOL) throw new ElabError(args.spanOf("x", p), "'" + name + "' is not defined on " + x.type());
    if ((name.equals("mean") || name.equals("var")) && !x.type().dtype().isFloating()) x = ops.cast(x, ops.defaultFloat);
    if (fn != null) return new Value.Tensor(ops.reduce(fn, x, axes, keep, span));
    Dim count = Dim.of(1);
    for (int ax : axes) count = count.times(x.type().shape().dim(ax));
    Node total = ops.reduce(Reduce.Fn.SUM, x, axes, true, span);
    Node n = ops.scalar(new Value.StaticInt(count), x.type().dtype(), span);
    Node mean = ops.add(new dev.adjoint.compiler.ir.Binary(Binary.Fn.DIV), span, total, ops.broadcastTo(n, total.type().shape(), span));
    if (name.equals("mean")) return new Value.Tensor(keep ? mean : dropAxes(mean, axes, span));
    Node centered = ((Value.Tensor) ops.binary(Binary.Fn.SUB, new Value.Tensor(x), new Value.Tensor(mean), "-", span)).node();
    Node squared = ops.add(new dev.adjoint.compiler.ir.Binary(Binary.Fn.MUL), span, centered, centered);
    Node sum = ops.reduce(Reduce.Fn.SUM, squared, axes, keep, span);
    Node nn = ops.broadcastTo(n, sum.type().shape(), span);
    return new Value.Tensor(ops.add(new dev.adjoint.compiler.ir.Binary(Binary.Fn.DIV), span, sum, nn));
  }

  private Node dropAxes(Node x, List<Integer> axes, Span span) {
    List<Dim> dims = new ArrayList<>();
    for (int i = 0; i < x.type().rank(); i++) if (!axes.contains(i)) dims.add(x.type().shape().dim(i));
    return ops.reshape(x, Shape.of(dims), span);
  }

  private Value where(CallArgs args, Span span) {
    List<String> p = List.of("condition", "a", "b");
    Map<String, Value> a = args.bind("where", p, 3);
    Value c = a.get("condition");
    // A constant condition still gives the branches' common type and broadcast shape, as NumPy's does.
    if (c instanceof Value.StaticBool b && TensorOps.isStatic(a.get("a")) && TensorOps.isStatic(a.get("b"))) {
      return b.value() ? a.get("a") : a.get("b");
    }
    Node cond = c instanceof Value.StaticBool b ? ops.constant(b.value() ? 1 : 0, DType.BOOL) : tensor(c, args, "condition", p);
    if (cond.type().dtype() != DType.BOOL) {
      throw new ElabError(args.spanOf("condition", p), "where needs a bool condition, got " + cond.type());
    }
    DType t = ops.operandType(a.get("a"), a.get("b"), "where", span);
    Node x = ops.cast(ops.scalar(a.get("a"), t, span), t);
    Node y = ops.cast(ops.scalar(a.get("b"), t, span), t);
    Shape shape = ops.broadcastShapes(cond.type(), x.type(), "where", span);
    shape = ops.broadcastShapes(new TensorType(t, shape), y.type(), "where", span);
    return new Value.Tensor(ops.add(new Select(), span, ops.broadcastTo(cond, shape, span),
        ops.broadcastTo(x, shape, span), ops.broadcastTo(y, shape, span)));
  }

  /** Inverted dropout keyed by the call site; the identity outside training. */
  private Value dropout(CallArgs args, Span span) {
    List<String> p = List.of("x", "p");
    Map<String, Value> a = args.bind("dropout", p, 2);
    Node x = tensor(a.get("x"), args, "x", p);
    Value rate = a.get("p");
    if (rate instanceof Value.StaticFloat f && (f.value() < 0 || f.value() >= 1)) {
      throw new ElabError(args.spanOf("p", p), "dropout probability must be in [0, 1), got " + f.value());
    }
    if (!elab.training) return new Value.Tensor(x);
    if (rate instanceof Value.StaticFloat f && f.value() == 0) return new Value.Tensor(x);
    if (!x.type().dtype().isFloating()) throw new ElabError(args.spanOf("x", p), "dropout needs a floating tensor, got " + x.type());
    Node u = ops.add(new RandomUniform(x.type(), elab.siteKey(span)), span);
    Value keep = ops.binary(Binary.Fn.GE, new Value.Tensor(u), rate, ">=", span);
    Value scale = elab.binaryValues(dev.adjoint.compiler.ast.Expr.BinaryOp.DIV, new Value.Tensor(x),
        elab.binaryValues(dev.adjoint.compiler.ast.Expr.BinaryOp.SUB, Value.StaticInt.of(1), rate, span), span);
    Node scaled = ((Value.Tensor) scale).node();
    Node zero = ops.broadcastTo(ops.constant(0, x.type().dtype()), x.type().shape(), span);
    return new Value.Tensor(ops.add(new Select(), span, ((Value.Tensor) keep).node(), scaled, zero));
  }

  Node tensor(Value v, CallArgs args, String param, List<String> params) {
    return elab.tensor(v, args.spanOf(param, params));
  }

  static Dim staticInt(Value v, Span span, String what) {
    if (v instanceof Value.StaticInt i) return i.dim();
    throw new ElabError(span, what + " must be a compile-time integer, got " + Value.describe(v));
  }

  static boolean bool(Value v, Span span) {
    if (v == null) return false;
    if (v instanceof Value.StaticBool b) return b.value();
    throw new ElabError(span, "expected true or false, got " + Value.describe(v));
  }

  /** Used by index notation to lift a whole-tensor call to named axes. */
  static boolean isElementwise(String name) {
    return UNARY.containsKey(name) || Set.of("maximum", "minimum", "where", "cast", "stop_gradient").contains(name);
  }
}
