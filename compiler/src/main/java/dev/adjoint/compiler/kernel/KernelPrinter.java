package dev.adjoint.compiler.kernel;

import dev.adjoint.compiler.interp.DArray;
import dev.adjoint.compiler.ir.Binary.Fn;
import dev.adjoint.runtime.DType;
import java.util.List;
import java.util.StringJoiner;

/**
 * Prints kernel programs as stable, readable text: C-like infix operators with only the
 * parentheses the tree needs, function-call syntax for functions, sizes by name.
 *
 * <pre>
 * kernel k3_softmax [reduction]   # attention.adj:12, 13
 *   reads  s : f32[B, H, T, T]
 *   writes p : f32[B, H, T, T]
 *   parallel for i0 in 0..B {
 *     var m0: f32 = -inf
 *     for j in 0..T {
 *       m0 = max(m0, s[i0 * T + j])
 *     }
 *     ...
 *   }
 * </pre>
 */
public final class KernelPrinter {
  private KernelPrinter() {}

  /** The program's buffers, then each kernel, separated by blank lines. */
  public static String print(KernelProgram program) {
    StringBuilder out = new StringBuilder("program ").append(program.name()).append('\n');
    buffers(out, "arguments", program.arguments());
    buffers(out, "params", program.params());
    buffers(out, "outputs", program.outputs());
    buffers(out, "temporaries", program.temporaries());
    for (Kernel k : program.kernels()) out.append('\n').append(print(k));
    return out.toString();
  }

  public static String print(Kernel kernel) {
    StringBuilder out = new StringBuilder("kernel ").append(kernel.name()).append(" [").append(kernel.kind()).append(']');
    String origins = kernel.sourceLines();
    if (!origins.isEmpty()) out.append("   # ").append(origins);
    out.append('\n');
    buffers(out, "reads ", kernel.reads());
    buffers(out, "writes", kernel.writes());
    statements(out, kernel.body(), 1);
    return out.toString();
  }

  /** One statement (a loop with its body), indented by {@code depth} levels. */
  public static String print(KStmt stmt, int depth) {
    StringBuilder out = new StringBuilder();
    statement(out, stmt, depth);
    return out.toString();
  }

  private static void buffers(StringBuilder out, String label, List<Buffer> buffers) {
    if (buffers.isEmpty()) return;
    StringJoiner list = new StringJoiner(", ");
    for (Buffer b : buffers) list.add(b.name() + " : " + b.type());
    out.append("  ").append(label).append(' ').append(list).append('\n');
  }
  private static void statements(StringBuilder out, List<KStmt> stmts, int depth) {
    for (KStmt s : stmts) statement(out, s, depth);
  }

  private static void statement(StringBuilder out, KStmt stmt, int depth) {
    out.append("  ".repeat(depth));
    switch (stmt) {
      case KStmt.Loop l -> {
        out.append(l.parallel() ? "parallel for " : "for ").append(l.var()).append(" in 0..")
            .append(expr(l.extent())).append(" {\n");
        statements(out, l.body(), depth + 1);
        out.append("  ".repeat(depth)).append('}');
      }
      case KStmt.Let let -> out.append("let ").append(let.var()).append(": ").append(let.value().dtype())
          .append(" = ").append(expr(let.value()));
      case KStmt.Declare d -> out.append("var ").append(d.var()).append(": ").append(d.dtype()).append(" = ")
          .append(expr(d.init()));
      case KStmt.Assign a -> out.append(a.var()).append(" = ").append(expr(a.value()));
      case KStmt.DeclareArray d -> out.append("var ").append(d.var()).append(": ").append(d.dtype()).append('[')
          .append(expr(d.length())).append("] = ").append(expr(d.init()));
      case KStmt.AssignElement a -> out.append(a.array()).append('[').append(expr(a.index())).append("] = ")
          .append(expr(a.value()));
      case KStmt.Store s -> out.append(s.buffer().name()).append('[').append(expr(s.index())).append("] = ")
          .append(expr(s.value()));
      case KStmt.Accumulate s -> out.append(s.buffer().name()).append('[').append(expr(s.index())).append("] += ")
          .append(expr(s.value()));
    }
    out.append('\n');
  }

  // ---- expressions

  // Precedence, loosest first, as in C: || && (== !=) (< <= > >=) (+ -) (* / %) unary, atoms.
  private static final int OR = 1;
  private static final int AND = 2;
  private static final int EQUALITY = 3;
  private static final int RELATION = 4;
  private static final int ADDITIVE = 5;
  private static final int MULTIPLICATIVE = 6;
  private static final int PREFIX = 7;
  private static final int ATOM = 8;

  /** An expression as text. */
  public static String expr(KExpr e) {
    return switch (e) {
      case KExpr.Const c -> literal(c);
      case KExpr.Var v -> v.name();
      case KExpr.Size s -> s.dim().toString();
      case KExpr.Load l -> l.buffer().name() + "[" + expr(l.index()) + "]";
      case KExpr.Element el -> el.array() + "[" + expr(el.index()) + "]";
      case KExpr.Unary u -> switch (u.fn()) {
        case NEG -> "-" + operand(u.x(), PREFIX, true);
        case NOT -> "!" + operand(u.x(), PREFIX, true);
        default -> u.fn().opName() + "(" + expr(u.x()) + ")";
      };
      case KExpr.Binary b -> {
        String op = infix(b.fn());
        if (op == null) yield b.fn().opName() + "(" + expr(b.a()) + ", " + expr(b.b()) + ")";
        int p = precedence(e);
        // Equal precedence on the right keeps its parentheses: a - (b - c), and (a + b) + c is not
        // a + (b + c) in floating point; comparisons never chain.
        boolean chains = p != EQUALITY && p != RELATION;
        yield operand(b.a(), chains ? p : p + 1, false) + " " + op + " " + operand(b.b(), p + 1, false);
      }
      case KExpr.Select s -> "where(" + expr(s.condition()) + ", " + expr(s.a()) + ", " + expr(s.b()) + ")";
      case KExpr.Cast c -> "cast<" + c.dtype() + ">(" + expr(c.x()) + ")";
      case KExpr.Random r -> "random(0x" + Integer.toHexString(r.site()) + ", " + expr(r.index()) + ")";
    };
  }

  /** {@code e}, parenthesised when it binds more loosely than {@code min}. */
  private static String operand(KExpr e, int min, boolean afterPrefix) {
    String text = expr(e);
    // "-(-x)" rather than "--x".
    boolean clash = afterPrefix && (text.startsWith("-") || text.startsWith("!"));
    return precedence(e) < min || clash ? "(" + text + ")" : text;
  }

  private static int precedence(KExpr e) {
    return switch (e) {
      case KExpr.Binary b -> infix(b.fn()) == null ? ATOM : switch (b.fn()) {
        case OR -> OR;
        case AND -> AND;
        case EQ, NE -> EQUALITY;
        case LT, LE, GT, GE -> RELATION;
        case ADD, SUB -> ADDITIVE;
        default -> MULTIPLICATIVE;
      };
      case KExpr.Unary u -> u.fn() == dev.adjoint.compiler.ir.Unary.Fn.NEG
          || u.fn() == dev.adjoint.compiler.ir.Unary.Fn.NOT ? PREFIX : ATOM;
      case KExpr.Size s -> {
        String text = s.dim().toString();
        yield text.contains(" ") || text.startsWith("-") ? ADDITIVE : text.contains("*") ? MULTIPLICATIVE : ATOM;
      }
      case KExpr.Const c -> literal(c).startsWith("-") ? PREFIX : ATOM;
      default -> ATOM;
    };
  }

  private static String infix(Fn fn) {
    return fn.infix();
  }


  /**
   * A literal at its dtype: {@code 3}, {@code true}, {@code 0.5}, {@code 1.0e-5}, {@code -inf},
   * {@code nan}; a float prints the shortest text that reads back as the same value of its type.
   */
  static String literal(KExpr.Const c) {
    double v = DArray.round(c.dtype(), c.value());
    if (c.dtype() == DType.BOOL) return v != 0 ? "true" : "false";
    if (c.dtype() == DType.I32) return Long.toString((long) v);
    if (Double.isNaN(v)) return "nan";
    if (Double.isInfinite(v)) return v > 0 ? "inf" : "-inf";
    String text = c.dtype() == DType.F64 ? Double.toString(v) : Float.toString((float) v);
    return text.replace("E", "e");
  }
}
