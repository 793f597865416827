package dev.adjoint.compiler.frontend;

import dev.adjoint.compiler.ast.Decl;
import dev.adjoint.compiler.ast.Expr;
import dev.adjoint.compiler.ir.TensorType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Checks a param's {@code = init(...)} and records it; values are drawn by the runtime's initializers. */
final class Initializers {
  /** Initializer name to its parameter count. */
  static final Map<String, Integer> ARITY = Map.of("zeros", 0, "ones", 0, "constant", 1, "normal", 2, "uniform", 2,
      "xavier_uniform", 0, "xavier_normal", 0, "kaiming_uniform", 0);

  private Initializers() {}

  static ParamSpec spec(Elaborator elab, String name, TensorType type, Decl.ParamDecl p, Scope scope) {
    if (p.init().isEmpty()) return new ParamSpec(name, type, "zeros", List.of(), p.span());
    if (!(p.init().get() instanceof Expr.Call call) || !(call.callee() instanceof Expr.Ref callee)) {
      throw new ElabError(p.init().get().span(), "a param's initializer must be a call such as xavier_uniform()");
    }
    String init = callee.name().text();
    Integer arity = ARITY.get(init);
    if (arity == null) {
      throw new ElabError(callee.span(), "unknown initializer '" + init + "'" + Suggestions.hint(init, ARITY.keySet()));
    }
    if (!call.keywords().isEmpty()) throw new ElabError(call.keywords().get(0).span(), "initializers take positional arguments only");
    if (call.args().size() != arity) {
      throw new ElabError(call.span(), "'" + init + "' takes " + arity + " argument" + (arity == 1 ? "" : "s") + ", got " + call.args().size());
    }
    if (init.startsWith("xavier") || init.startsWith("kaiming")) {
      if (type.rank() < 2 && !init.startsWith("kaiming")) {
        throw new ElabError(callee.span(), "'" + init + "' needs a param with at least two axes, got " + type);
      }
    }
    List<Double> args = new ArrayList<>();
    for (Expr a : call.args()) {
      Value v = elab.eval(a, scope);
      switch (v) {
        case Value.StaticFloat f -> args.add(f.value());
        case Value.StaticInt i when i.dim().isConstant() -> args.add((double) i.dim().constant());
        default -> throw new ElabError(a.span(), "initializer arguments must be constant numbers, got " + Value.describe(v));
      }
    }
    if (init.equals("normal") && args.get(1) < 0) throw new ElabError(call.span(), "normal's std must not be negative");
    if (init.equals("uniform") && args.get(1) < args.get(0)) throw new ElabError(call.span(), "uniform's bounds are reversed");
    return new ParamSpec(name, type, init, args, p.span());
  }
}
