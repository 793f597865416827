package dev.adjoint.compiler.ast;

import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Prints the AST as indented S-expressions, for {@code adjoint dump --stage ast} and golden
 * tests. Every node kind and field shows; the layout is stable: declarations, function parts
 * and statements each start a line, expressions stay on one.
 *
 * <pre>
 * (program
 *   (dim B T)
 *   (const (D 64) (H 4))
 *   (fn attention
 *     (params (q f32[..., T, Dh]) (axis int (default (- 1))))
 *     (returns f32[..., T, Dh])
 *     (block
 *       (let scores (+ (/ (@ q (. k T)) (call sqrt Dh)) mask))
 *       (return (@ (call softmax scores) v)))))
 * </pre>
 *
 * Expressions: literals as written ({@code 1e-9}, {@code inf}); {@code (op l r)} and {@code
 * (op x)}; {@code (call f a b axis=(- 1))}; {@code (. x T)}; {@code (index x 0 (: a _))} where a
 * slice is {@code (: low high)} and {@code _} a bound left out; {@code (reduce sum (i j) body)};
 * {@code (list a b)}; {@code (tuple a b)}; {@code ...}. Types print as written, with dims as
 * expressions: {@code f32[..., (/ D H)]}, and {@code (tuple f32[B] f32[B, T])}.
 */
public final class AstPrinter {
  private AstPrinter() {}

  private static final String INDENT = "  ";

  /** The whole program, ending in a newline. */
  public static String print(Program program) {
    StringBuilder out = new StringBuilder("(program");
    for (Decl decl : program.decls()) {
      out.append('\n').append(INDENT);
      decl(out, decl, 1);
    }
    return out.append(")\n").toString();
  }

  /** One declaration, as it appears inside {@code (program ...)}, without indentation. */
  public static String print(Decl decl) {
    StringBuilder out = new StringBuilder();
    decl(out, decl, 0);
    return out.toString();
  }

  /** One statement on one line. */
  public static String print(Stmt stmt) {
    return switch (stmt) {
      case Stmt.Let let -> "(let " + let.name()
          + let.type().map(t -> " (type " + print(t) + ")").orElse("") + " "
          + print(let.value()) + ")";
      case Stmt.IndexLet let -> "(let-index " + let.name() + " ("
          + join(let.indices(), AstPrinter::indexVar) + ") " + print(let.value()) + ")";
      case Stmt.Return ret -> "(return " + print(ret.value()) + ")";
    };
  }

  /** One expression on one line. */
  public static String print(Expr expr) {
    return switch (expr) {
      case Expr.IntLit lit -> Long.toString(lit.value());
      case Expr.FloatLit lit -> lit.text();
      case Expr.BoolLit lit -> Boolean.toString(lit.value());
      case Expr.Ref ref -> ref.name().text();
      case Expr.Binary b -> "(" + b.op().symbol + " " + print(b.left()) + " " + print(b.right())
          + ")";
      case Expr.Unary u -> "(" + u.op().symbol + " " + print(u.operand()) + ")";
      case Expr.Call call -> "(call " + print(call.callee())
          + prefixed(call.args(), AstPrinter::print)
          + prefixed(call.keywords(), k -> k.name() + "=" + print(k.value())) + ")";
      case Expr.Member m -> "(. " + print(m.target()) + " " + m.member() + ")";
      case Expr.Index index -> "(index " + print(index.target())
          + prefixed(index.subscripts(), AstPrinter::subscript) + ")";
      case Expr.Reduce r -> "(reduce " + r.op() + " (" + join(r.indices(), Name::text) + ") "
          + print(r.body()) + ")";
      case Expr.ListLit list -> "(list" + prefixed(list.elements(), AstPrinter::print) + ")";
      case Expr.Tuple tuple -> "(tuple" + prefixed(tuple.elements(), AstPrinter::print) + ")";
      case Expr.Ellipsis e -> "...";
    };
  }

  /** A type as written: {@code f32}, {@code f32[B, (* 2 D)]}, {@code (tuple f32 f32[B])}. */
  public static String print(TypeExpr type) {
    return switch (type) {
      case TypeExpr.Tensor t -> t.element().text()
          + t.dims().map(dims -> "[" + String.join(", ", dims.stream().map(AstPrinter::print)
              .toList()) + "]").orElse("");
      case TypeExpr.Tuple t -> "(tuple" + prefixed(t.elements(), AstPrinter::print) + ")";
    };
  }

  private static void decl(StringBuilder out, Decl decl, int depth) {
    switch (decl) {
      case Decl.Import i -> out.append("(import \"").append(i.path().replace("\\", "\\\\")
          .replace("\"", "\\\"")).append("\")");
      case Decl.Dim d -> out.append("(dim ").append(join(d.names(), Name::text)).append(')');
      case Decl.Const c -> out.append("(const").append(prefixed(c.defs(),
          def -> "(" + def.name() + " " + print(def.value()) + ")")).append(')');
      case Decl.Fn fn -> fn(out, fn, depth);
      case Decl.Model m -> model(out, m, depth);
    }
  }

  private static void fn(StringBuilder out, Decl.Fn fn, int depth) {
    String inner = "\n" + INDENT.repeat(depth + 1);
    out.append("(fn ").append(fn.name());
    out.append(inner).append("(params").append(prefixed(fn.params(), AstPrinter::param))
        .append(')');
    fn.returnType().ifPresent(t -> out.append(inner).append("(returns ").append(print(t))
        .append(')'));
    out.append(inner);
    switch (fn.body()) {
      case Decl.Block block -> {
        out.append("(block");
        for (Stmt s : block.statements()) {
          out.append('\n').append(INDENT.repeat(depth + 2)).append(print(s));
        }
        out.append(')');
      }
      case Decl.ExprBody body -> out.append("(= ").append(print(body.value())).append(')');
    }
    out.append(')');
  }

  private static void model(StringBuilder out, Decl.Model m, int depth) {
    out.append("(model ").append(m.name()).append(" (").append(join(m.parameters(), Name::text))
        .append(')');
    for (Decl.ModelMember member : m.members()) {
      out.append('\n').append(INDENT.repeat(depth + 1));
      switch (member) {
        case Decl.ParamDecl p -> out.append("(param ").append(p.name()).append(' ')
            .append(print(p.type()))
            .append(optional(p.init(), init -> " (init " + print(init) + ")")).append(')');
        case Decl.Layer l -> out.append("(layer ").append(l.name()).append(' ')
            .append(l.model())
            .append(l.args().isEmpty() ? "" : " (args" + prefixed(l.args(), AstPrinter::print)
                + ")")
            .append(optional(l.count(), n -> " (count " + print(n) + ")")).append(')');
        case Decl.Fn fn -> fn(out, fn, depth + 1);
      }
    }
    out.append(')');
  }

  private static String param(Decl.Param p) {
    return "(" + p.name() + " " + (p.donated() ? "donate " : "") + print(p.type())
        + optional(p.defaultValue(), d -> " (default " + print(d) + ")") + ")";
  }

  private static String indexVar(Stmt.IndexVar v) {
    return v.range().map(r -> "(" + v.name() + " " + print(r) + ")").orElse(v.name().text());
  }

  private static String subscript(Expr.Subscript s) {
    return switch (s) {
      case Expr.At at -> print(at.index());
      case Expr.Range r -> "(: " + optional(r.low(), AstPrinter::print, "_") + " "
          + optional(r.high(), AstPrinter::print, "_") + ")";
    };
  }

  /** Each item after a space: {@code " a b"}, or nothing for no items. */
  private static <T> String prefixed(List<T> items, Function<T, String> show) {
    StringBuilder out = new StringBuilder();
    for (T item : items) out.append(' ').append(show.apply(item));
    return out.toString();
  }

  private static <T> String join(List<T> items, Function<T, String> show) {
    return String.join(" ", items.stream().map(show).toList());
  }

  private static <T> String optional(Optional<T> value, Function<T, String> show) {
    return optional(value, show, "");
  }

  private static <T> String optional(Optional<T> value, Function<T, String> show,
      String absent) {
    return value.map(show).orElse(absent);
  }
}
