package dev.adjoint.compiler.frontend;

import dev.adjoint.compiler.ast.Decl;
import dev.adjoint.compiler.ast.Expr;
import dev.adjoint.compiler.ast.TypeExpr;
import dev.adjoint.compiler.diag.Span;
import dev.adjoint.compiler.ir.Dim;
import dev.adjoint.compiler.ir.Input;
import dev.adjoint.compiler.ir.Node;
import dev.adjoint.compiler.ir.Shape;
import dev.adjoint.compiler.ir.TensorType;
import dev.adjoint.runtime.DType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Matches one call's arguments against a function's declared parameter types: binds shape
 * variables (capitalised names that are not consts or dims), the {@code ...} prefix (the broadcast
 * of the prefixes of every parameter with dims after it) and the {@code float} element type (the
 * promoted type of the arguments that share it; narrower ones are converted), then checks the
 * result against the declared return type.
 */
final class Signature {
  private final Elaborator elab;
  private final Decl.Fn fn;
  /** Where the signature's names resolve: the defining scope plus parameters and shape variables. */
  private final Scope typeScope;
  private final Map<String, Dim> shapeVariables = new LinkedHashMap<>();
  private List<Dim> prefix;
  private DType floatType;
  private final List<Integer> deferred = new ArrayList<>();

  Signature(Elaborator elab, Decl.Fn fn, Scope definingScope) {
    this.elab = elab;
    this.fn = fn;
    this.typeScope = new Scope(definingScope, null);
  }

  /** Shape variables become visible to the body as integers ({@code sqrt(Dk)}). */
  void defineBindings(Scope body) {
    shapeVariables.forEach((name, dim) -> body.define(name, new Value.StaticInt(dim)));
  }

  // --- entry points and generic checking: arguments made from the declared types ---------------

  /** An argument for an entry point, at {@code actual} when known, else at rigid symbolic sizes. */
  Value entryArgument(Decl.Param p, Optional<TensorType> actual) {
    TypeExpr.Tensor t = tensorType(p.type());
    String element = t.element().text();
    String name = p.name().text();
    Value v;
    if (element.equals("int")) {
      v = p.defaultValue().map(d -> elab.eval(d, typeScope)).orElse(new Value.StaticInt(Dim.symbol(name)));
    } else if (element.equals("type")) {
      v = p.defaultValue().map(d -> elab.eval(d, typeScope)).orElse(new Value.TypeValue(elab.ops.defaultFloat));
    } else {
      DType dtype = element.equals("float") ? (floatType != null ? floatType : actual.map(TensorType::dtype)
          .filter(DType::isFloating).orElse(elab.ops.defaultFloat)) : elementType(t);
      if (element.equals("float")) floatType = dtype;
      List<Dim> dims = new ArrayList<>();
      List<Expr> declared = t.dims().orElse(List.of());
      boolean ellipsis = !declared.isEmpty() && declared.get(0) instanceof Expr.Ellipsis;
      List<Expr> explicit = ellipsis ? declared.subList(1, declared.size()) : declared;
      if (actual.isPresent()) {
        TensorType a = actual.get();
        if (a.dtype() != dtype) {
          throw new ElabError(p.span(), "input '" + name + "' has element type " + Elaborator.lower(a.dtype())
              + ", expected " + Elaborator.lower(dtype));
        }
        checkRank(p, a, explicit.size(), ellipsis, "input '" + name + "'");
        int lead = a.rank() - explicit.size();
        if (ellipsis) bindPrefix(a.shape().dims().subList(0, lead), p.span(), "input '" + name + "'", explicit.isEmpty());
        for (int i = 0; i < explicit.size(); i++) {
          Expr e = explicit.get(i);
          if (e instanceof Expr.Ref r && isShapeVariable(r.name().text())) {
            shapeVariables.putIfAbsent(r.name().text(), a.shape().dim(lead + i));
          }
        }
        if (ellipsis) dims.addAll(prefix);
      } else if (ellipsis) {
        if (prefix == null) prefix = List.of(Dim.symbol(Elaborator.ELLIPSIS));
        dims.addAll(explicit.isEmpty() && hasOtherEllipsis(p) ? List.of() : prefix);
      }
      for (Expr e : explicit) dims.add(dimOf(e, true));
      TensorType type = new TensorType(dtype, Shape.of(dims));
      Node node = elab.graph.add(new Input(name, Input.Kind.ARGUMENT, type));
      v = new Value.Tensor(node);
    }
    typeScope.define(name, v);
    return v;
  }

  private boolean hasOtherEllipsis(Decl.Param self) {
    if (fn == null) return false;
    for (Decl.Param p : fn.params()) {
      if (p == self || !(p.type() instanceof TypeExpr.Tensor t)) continue;
      List<Expr> d = t.dims().orElse(List.of());
      if (d.size() > 1 && d.get(0) instanceof Expr.Ellipsis) return true;
    }
    return false;
  }

  // --- calls ---------------------------------------------------------------------------------

  /**
   * Binds {@code float} to the promoted type of the floating tensors passed for the parameters
   * that share it (LANGUAGE.md §3: f64 > f32 > bf16, f16; bf16 with f16 gives f32), before any
   * argument is checked, so that {@link #unify} converts the narrower ones whatever their order.
   * Literals stay weak and other element types are left to {@link #unify} to report.
   */
  void bindFloat(List<Value> args) {
    for (int i = 0; i < args.size(); i++) {
      if (fn.params().get(i).type() instanceof TypeExpr.Tensor t && t.element().text().equals("float")
          && args.get(i) instanceof Value.Tensor tensor && tensor.type().dtype().isFloating()) {
        DType d = tensor.type().dtype();
        floatType = floatType == null ? d : TensorOps.widerFloat(floatType, d);
      }
    }
  }

  /** Checks one argument against its parameter, binding variables; returns the value to bind. */
  Value unify(Decl.Param p, Value arg, Span argSpan, String function) {
    TypeExpr.Tensor t = tensorType(p.type());
    String element = t.element().text();
    String what = "argument '" + p.name().text() + "' of '" + function + "'";
    Value result = switch (element) {
      case "int" -> {
        if (!(arg instanceof Value.StaticInt)) {
          throw new ElabError(argSpan, what + " must be a compile-time integer, got " + Value.describe(arg));
        }
        yield arg;
      }
      case "type" -> {
        if (!(arg instanceof Value.TypeValue)) {
          throw new ElabError(argSpan, what + " must be an element type such as f32, got " + Value.describe(arg));
        }
        yield arg;
      }
      default -> unifyTensor(p, t, arg, argSpan, what);
    };
    typeScope.define(p.name().text(), result);
    return result;
  }

  private Value unifyTensor(Decl.Param p, TypeExpr.Tensor t, Value arg, Span argSpan, String what) {
    List<Expr> declared = t.dims().orElse(List.of());
    boolean ellipsis = !declared.isEmpty() && declared.get(0) instanceof Expr.Ellipsis;
    List<Expr> explicit = ellipsis ? declared.subList(1, declared.size()) : declared;
    boolean isFloat = t.element().text().equals("float");
    if (TensorOps.isStatic(arg)) {
      // A literal passed for a scalar keeps its weak type; for a tensor it becomes a scalar.
      if (explicit.isEmpty() && (!ellipsis || !(arg instanceof Value.StaticBool))) {
        if (!ellipsis) return arg;
        DType d = isFloat ? (floatType != null ? floatType : elab.ops.defaultFloat) : elementType(t);
        arg = new Value.Tensor(elab.ops.scalar(arg, d, argSpan));
      } else {
        throw new ElabError(argSpan, what + " must be a tensor " + render(t) + ", got " + Value.describe(arg));
      }
    }
    if (!(arg instanceof Value.Tensor tensor)) {
      throw new ElabError(argSpan, what + " must be a tensor " + render(t) + ", got " + Value.describe(arg));
    }
    TensorType a = tensor.type();
    if (isFloat) {
      if (!a.dtype().isFloating()) {
        throw new ElabError(argSpan, what + " must have a floating element type, got " + a);
      }
      if (floatType == null) floatType = a.dtype();
      else if (floatType != a.dtype()) {
        if (TensorOps.widerFloat(floatType, a.dtype()) != floatType) {
          throw new IllegalStateException("'float' bound to " + floatType + " before " + what + " of " + a.dtype());
        }
        // A narrower argument is converted to the promoted type (bindFloat); its gradient casts back.
        Node converted = elab.ops.cast(tensor.node(), floatType);
        arg = new Value.Tensor(converted);
        a = converted.type();
      }
    } else if (elementType(t) != a.dtype()) {
      throw new ElabError(argSpan, what + " must be " + render(t) + ", got " + a);
    }
    checkRank(p, a, explicit.size(), ellipsis, what, argSpan);
    int lead = a.rank() - explicit.size();
    if (ellipsis) {
      if (explicit.isEmpty()) deferred.add(fn.params().indexOf(p));
      else bindPrefix(a.shape().dims().subList(0, lead), argSpan, what, false);
    }
    for (int i = 0; i < explicit.size(); i++) {
      Expr e = explicit.get(i);
      if (e instanceof Expr.Ref r && isShapeVariable(r.name().text()) && !shapeVariables.containsKey(r.name().text())) {
        shapeVariables.put(r.name().text(), a.shape().dim(lead + i));
        typeScope.define(r.name().text(), new Value.StaticInt(a.shape().dim(lead + i)));
      }
    }
    for (int i = 0; i < explicit.size(); i++) {
      Dim expected = dimOf(explicit.get(i), false);
      Dim got = a.shape().dim(lead + i);
      if (!expected.equals(got)) {
        throw new ElabError(argSpan, what + " must be " + render(t) + bindingNote(explicit.get(i), expected)
            + ", got " + a + " (axis " + (lead + i) + " is " + got + ", expected " + expected + ")");
      }
    }
    return arg;
  }

  /** After every argument: parameters typed only {@code [...]} bind the prefix if nothing else did. */
  void finishUnification(Decl.Fn function, List<Value> args, String name, Span span) {
    for (int i : deferred) {
      if (prefix == null && args.get(i) instanceof Value.Tensor t) prefix = t.type().shape().dims();
    }
  }

  private void bindPrefix(List<Dim> lead, Span span, String what, boolean pureEllipsis) {
    if (prefix == null) {
      prefix = List.copyOf(lead);
      return;
    }
    if (pureEllipsis) return;
    int rank = Math.max(prefix.size(), lead.size());
    List<Dim> merged = new ArrayList<>();
    for (int i = 0; i < rank; i++) {
      Dim x = i < rank - prefix.size() ? null : prefix.get(i - (rank - prefix.size()));
      Dim y = i < rank - lead.size() ? null : lead.get(i - (rank - lead.size()));
      if (x == null || (y != null && x.equals(Dim.of(1)))) merged.add(y);
      else if (y == null || y.equals(Dim.of(1)) || x.equals(y)) merged.add(x);
      else {
        throw new ElabError(span, what + ": leading axes " + Shape.of(lead) + " do not match " + Shape.of(prefix)
            + " of the other arguments' '...'");
      }
    }
    prefix = merged;
  }

  private void checkRank(Decl.Param p, TensorType a, int explicit, boolean ellipsis, String what) {
    checkRank(p, a, explicit, ellipsis, what, p.span());
  }

  private void checkRank(Decl.Param p, TensorType a, int explicit, boolean ellipsis, String what, Span span) {
    if (ellipsis ? a.rank() < explicit : a.rank() != explicit) {
      throw new ElabError(span, what + " must have " + (ellipsis ? "at least " : "") + explicit + " ax"
          + (explicit == 1 ? "is" : "es") + " (" + render(tensorType(p.type())) + "), got " + a);
    }
  }

  private String bindingNote(Expr e, Dim value) {
    if (e instanceof Expr.IntLit) return "";
    return " with " + sourceText(e) + " = " + value;
  }

  // --- results -------------------------------------------------------------------------------

  Value checkResult(TypeExpr declared, Value result, String function, Scope scope) {
    // The return type is read where the parameters' types are, not among the body's lets.
    return checkDeclared(declared, result, "'" + function + "' returns", typeScope, true);
  }

  Value checkDeclared(TypeExpr declared, Value value, String what, Scope scope) {
    return checkDeclared(declared, value, what + " is", scope, false);
  }

  private Value checkDeclared(TypeExpr declared, Value value, String what, Scope scope, boolean isReturn) {
    if (declared instanceof TypeExpr.Tuple tuple) {
      if (!(value instanceof Value.TupleValue t) || t.items().size() != tuple.elements().size()) {
        throw new ElabError(declared.span(), what + " " + Value.describe(value) + " but the declared type is a tuple of "
            + tuple.elements().size());
      }
      List<Value> items = new ArrayList<>();
      for (int i = 0; i < t.items().size(); i++) {
        items.add(checkDeclared(tuple.elements().get(i), t.items().get(i), what, scope, isReturn));
      }
      return new Value.TupleValue(items);
    }
    TypeExpr.Tensor t = (TypeExpr.Tensor) declared;
    String element = t.element().text();
    if (element.equals("int") || element.equals("type")) return value;
    List<Expr> dims = t.dims().orElse(List.of());
    boolean isFloat = element.equals("float");
    if (TensorOps.isStatic(value)) {
      DType d = isFloat ? (floatType != null ? floatType : elab.ops.naturalType(value)) : elementType(t);
      if (!d.isFloating() && value instanceof Value.StaticFloat) d = elab.ops.defaultFloat;
      value = new Value.Tensor(elab.ops.scalar(value, d, declared.span()));
    }
    if (!(value instanceof Value.Tensor tensor)) {
      throw new ElabError(declared.span(), what + " " + Value.describe(value) + " but the declared type is " + render(t));
    }
    TensorType a = tensor.type();
    Scope names = new Scope(scope, null);
    shapeVariables.forEach((n, d) -> names.define(n, new Value.StaticInt(d)));
    List<Dim> expected = new ArrayList<>();
    boolean ellipsis = !dims.isEmpty() && dims.get(0) instanceof Expr.Ellipsis;
    List<Expr> explicit = ellipsis ? dims.subList(1, dims.size()) : dims;
    if (ellipsis) {
      int lead = a.rank() - explicit.size();
      if (prefix != null) expected.addAll(prefix);
      else if (lead >= 0) expected.addAll(a.shape().dims().subList(0, lead));
    }
    for (Expr e : explicit) {
      if (e instanceof Expr.Ref r && names.lookup(r.name().text()).isEmpty() && isShapeVariable(r.name().text())) {
        int axis = a.rank() - explicit.size() + explicit.indexOf(e);
        Dim d = axis >= 0 && axis < a.rank() ? a.shape().dim(axis) : Dim.symbol(r.name().text());
        names.define(r.name().text(), new Value.StaticInt(d));
        expected.add(d);
      } else {
        expected.add(evalDim(e, names));
      }
    }
    DType want = isFloat ? (floatType != null ? floatType : a.dtype()) : elementType(t);
    if (isFloat && !a.dtype().isFloating()) want = null;
    TensorType wanted = want == null ? null : new TensorType(want, Shape.of(expected));
    if (wanted == null || !wanted.equals(a)) {
      String shown = wanted == null ? render(t) : wanted.toString();
      throw new ElabError(declared.span(), what + " " + a + " but " + (isReturn ? "its signature says " : "the declared type is ") + shown);
    }
    return value;
  }

  // --- types of params and lets --------------------------------------------------------------

  /** A fully known type (for model params): every dim must evaluate in {@code scope}. */
  TensorType concreteType(TypeExpr declared, Scope scope, String what) {
    if (!(declared instanceof TypeExpr.Tensor t)) throw new ElabError(declared.span(), what + " cannot have a tuple type");
    String element = t.element().text();
    if (element.equals("float") || element.equals("int") || element.equals("type")) {
      throw new ElabError(t.element().span(), what + " needs a concrete element type such as f32, got '" + element + "'");
    }
    List<Dim> dims = new ArrayList<>();
    for (Expr e : t.dims().orElse(List.of())) {
      if (e instanceof Expr.Ellipsis) throw new ElabError(e.span(), what + " cannot have '...' in its type");
      dims.add(evalDim(e, scope));
    }
    return new TensorType(elementType(t), Shape.of(dims));
  }

  private Dim dimOf(Expr e, boolean rigid) {
    if (e instanceof Expr.Ref r && isShapeVariable(r.name().text())) {
      Dim bound = shapeVariables.get(r.name().text());
      if (bound == null) {
        if (!rigid) throw new ElabError(e.span(), "size '" + r.name().text() + "' is not bound");
        bound = Dim.symbol(r.name().text());
        shapeVariables.put(r.name().text(), bound);
        typeScope.define(r.name().text(), new Value.StaticInt(bound));
      }
      return bound;
    }
    return evalDim(e, typeScope);
  }

  private Dim evalDim(Expr e, Scope scope) {
    if (e instanceof Expr.Ellipsis) throw new ElabError(e.span(), "'...' must be the first dim of a type");
    Value v;
    try {
      v = elab.eval(e, scope);
    } catch (ElabError err) {
      if (e instanceof Expr.Ref r) {
        String n = r.name().text();
        throw new ElabError(e.span(), "unknown size '" + n + "'" + (Character.isLowerCase(n.charAt(0))
            ? ": a size is an integer, a const, a dim or a shape variable, and shape variables are capitalised" : ""));
      }
      throw err;
    }
    if (v instanceof Value.StaticInt i) {
      if (i.dim().isConstant() && i.dim().constant() < 0) {
        throw new ElabError(e.span(), "size " + sourceText(e) + " is negative (" + i.dim() + ")");
      }
      return i.dim();
    }
    throw new ElabError(e.span(), "a size must be a compile-time integer, got " + Value.describe(v));
  }

  /** Capitalised and not already a name in scope (const, dim, model parameter, int argument). */
  private boolean isShapeVariable(String name) {
    if (shapeVariables.containsKey(name)) return true;
    if (name.isEmpty() || !Character.isUpperCase(name.charAt(0))) return false;
    return typeScope.lookup(name).isEmpty();
  }

  private DType elementType(TypeExpr.Tensor t) {
    String name = t.element().text();
    return elab.elementType(name).orElseThrow(() -> new ElabError(t.element().span(), "unknown element type '" + name + "'"
        + Suggestions.hint(name, List.of("f32", "f64", "bf16", "f16", "i32", "bool", "float", "int", "type"))));
  }

  private static TypeExpr.Tensor tensorType(TypeExpr t) {
    if (!(t instanceof TypeExpr.Tensor tensor)) throw new ElabError(t.span(), "a parameter cannot have a tuple type");
    String element = tensor.element().text();
    if ((element.equals("int") || element.equals("type")) && tensor.dims().isPresent()) {
      throw new ElabError(t.span(), "'" + element + "' takes no sizes: an '" + element + "' parameter is one compile-time "
          + (element.equals("int") ? "integer" : "element type") + "; for a tensor of integers write i32[...]");
    }
    return tensor;
  }

  static String render(TypeExpr.Tensor t) {
    return sourceText(t);
  }

  private static String sourceText(Object node) {
    Span s = node instanceof Expr e ? e.span() : ((TypeExpr) node).span();
    return s.text();
  }
}
