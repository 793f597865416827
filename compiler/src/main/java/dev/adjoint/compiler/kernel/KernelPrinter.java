package dev.adjoint.compiler.kernel;

import dev.adjoint.compiler.interp.DArray;
import dev.adjoint.compiler.ir.Binary.Fn;
import dev.adjoint.runtime.DType;
import java.util.List;
import java.util.StringJoiner;

/**
 * Prints kernel programs as stable, readable text: C-like infix operators with only the
 * parentheses the tree needs, function-call syntax for functions, sizes by name. Structured
 * statements print as a keyword, the step they make and their axes, with their body in braces:
 *
 * <pre>
 * kernel k0_reduction [reduction]   # softmax.adj:6
 *   reads  s : f32[B, T]
 *   writes p : f32[B, T]
 *   forall i0 in 0..B {
 *     var acc1: f32 = -inf
 *     reduce acc1 = max(acc1, v2) over r1 in 0..T {
 *       let v2: f32 = s[i0 * T + r1]
 *     }
 *     ...
 *   }
 * </pre>
 *
 * A contraction shows its operands' index maps (and, as a kernel's product, its rows, columns and
 * depth) in a comment, and its epilogue after {@code then}; an online softmax names the values of
 * its step after the body ({@code score v12: next v13, rescale v14, weight v15}) and adds its row
 * last.
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
    new Printer(out).statements(kernel.body(), 1);
    return out.toString();
  }

  /** One statement (a loop with its body), indented by {@code depth} levels. */
  public static String print(KStmt stmt, int depth) {
    StringBuilder out = new StringBuilder();
    new Printer(out).statement(stmt, depth);
    return out.toString();
  }

  private static void buffers(StringBuilder out, String label, List<Buffer> buffers) {
    if (buffers.isEmpty()) return;
    StringJoiner list = new StringJoiner(", ");
    for (Buffer b : buffers) list.add(b.name() + " : " + b.type());
    out.append("  ").append(label).append(' ').append(list).append('\n');
  }
  /** Prints statements, knowing the axes of the maps around them (a contraction's rows and columns). */
  private static final class Printer {
    private final StringBuilder out;
    private final List<Axis> maps = new java.util.ArrayList<>();

    Printer(StringBuilder out) {
      this.out = out;
    }

    void statements(List<KStmt> stmts, int depth) {
      for (KStmt s : stmts) statement(s, depth);
    }

    void statement(KStmt stmt, int depth) {
      indent(depth);
      switch (stmt) {
        case KStmt.Loop l -> {
          out.append(l.parallel() ? "parallel for " : "for ").append(l.var()).append(" in 0..")
              .append(expr(l.extent())).append(" {\n");
          statements(l.body(), depth + 1);
          indent(depth).append('}');
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
        case KStmt.ForAll m -> {
          out.append("forall ").append(axes(m.axes()));
          int size = maps.size();
          maps.addAll(m.axes());
          block(m.body(), depth);
          maps.subList(size, maps.size()).clear();
        }
        case KStmt.Reduce r -> {
          out.append("reduce ").append(r.accumulator()).append(" = ").append(expr(r.step().value()));
          over(r.axes());
          block(r.body(), depth);
        }
        case KStmt.Contraction c -> {
          out.append("contract ").append(c.accumulator()).append(" = ").append(expr(c.step().value()));
          over(c.axes());
          out.append(" {   # ").append(contractionComment(c)).append('\n');
          statements(c.prologue(), depth + 1);
          indent(depth).append('}');
          if (!c.epilogue().isEmpty()) {
            out.append(" then {\n");
            statements(c.epilogue(), depth + 1);
            indent(depth).append('}');
          }
        }
        case KStmt.WeightedSum w -> {
          out.append("weighted sum ").append(w.accumulator());
          over(w.axes());
          out.append(" {\n");
          statements(w.body(), depth + 1);
          row(w.row(), w.accumulator(), w.weight().value(), null, depth + 1);
          indent(depth).append('}');
        }
        case KStmt.OnlineSoftmax o -> {
          out.append("online softmax ").append(o.max()).append(", ").append(o.sum());
          over(List.of(o.key()));
          out.append(" {\n");
          statements(o.body(), depth + 1);
          indent(depth + 1).append("score ").append(expr(o.score())).append(": next ").append(o.next())
              .append(", rescale ").append(o.rescale()).append(", weight ").append(o.weight()).append('\n');
          if (o.dropout().isPresent()) {
            KStmt.Dropout d = o.dropout().get();
            statements(d.body(), depth + 1);
            indent(depth + 1).append("dropout ").append(d.kept()).append(" = ").append(expr(o.kept())).append('\n');
          }
          row(o.row(), o.accumulator(), o.contribution(), o.rescaleVar(), depth + 1);
          indent(depth).append('}');
        }
      }
      out.append('\n');
    }

    private void row(KStmt.WeightedRow row, String array, KExpr weight, KExpr rescale, int depth) {
      statements(row.setup(), depth);
      indent(depth).append("row ").append(array).append('[').append(row.lane().var()).append("] = ")
          .append(expr(row.update(array, weight, rescale)));
      over(List.of(row.lane()));
      block(row.body(), depth);
      out.append('\n');
    }

    /** {@code " {" body "}"}, or nothing when the body is empty. */
    private void block(List<KStmt> body, int depth) {
      if (body.isEmpty()) return;
      out.append(" {\n");
      statements(body, depth + 1);
      indent(depth).append('}');
    }

    private void over(List<Axis> axes) {
      if (!axes.isEmpty()) out.append(" over ").append(axes(axes));
    }

    /** The operands' reads, and the rows, columns and depth of a kernel's product. */
    private String contractionComment(KStmt.Contraction c) {
      String operands = operand(c.left()) + " · " + operand(c.right());
      if (c.epilogue().isEmpty() || maps.isEmpty()) return operands;
      KStmt.Dims d = c.dims(maps);
      StringBuilder shape = new StringBuilder();
      if (!d.batch().isEmpty()) shape.append("batch ").append(vars(d.batch())).append(" × ");
      shape.append("rows ").append(vars(d.rows())).append(" × columns ").append(vars(d.columns()))
          .append(" × depth ").append(vars(d.depth()));
      return shape + "; " + operands;
    }

    private StringBuilder indent(int depth) {
      return out.append("  ".repeat(depth));
    }
  }

  private static String operand(KStmt.Operand o) {
    return o.access().map(Access::toString).orElse(expr(o.value()));
  }

  private static String axes(List<Axis> axes) {
    StringJoiner list = new StringJoiner(", ");
    for (Axis a : axes) list.add(a.toString());
    return list.toString();
  }

  private static String vars(List<Axis> axes) {
    StringJoiner list = new StringJoiner(", ", "(", ")");
    for (Axis a : axes) list.add(a.var());
    return list.toString();
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
