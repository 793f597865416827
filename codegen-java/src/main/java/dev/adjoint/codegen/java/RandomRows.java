package dev.adjoint.codegen.java;

import com.palantir.javapoet.CodeBlock;
import dev.adjoint.compiler.kernel.KExpr;
import dev.adjoint.compiler.kernel.KStmt;
import dev.adjoint.compiler.schedule.ContractionPattern;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Random draws that run along a loop: {@code random(site, base + v)} in the body of the loop over
 * {@code v}, with {@code base} the same on every iteration (a dropout mask along a row). Philox
 * makes four consecutive numbers per block and {@code Philox4x32.uniform} keeps one, so the Java
 * backend draws such a run with one {@code Philox4x32.uniforms} call before the loop, into a
 * scratch row the body reads: the same numbers at a quarter of the rounds.
 */
final class RandomRows {
  private RandomRows() {}

  /** A draw of the loop body, and its index less the loop variable. */
  record Draw(KExpr.Random random, KExpr base) {}

  /**
   * The draws in {@code body} (nested loops included) whose index is {@code base + var}, where
   * {@code base} reads only sizes, literals and variables bound before the loop: no load, array
   * element or random number, and nothing the body binds. None when the body binds {@code var}
   * again (a nested loop of the same name): its draws could read either variable.
   */
  static List<Draw> along(List<KStmt> body, String var) {
    Set<String> bound = new HashSet<>();
    List<KExpr.Random> draws = new ArrayList<>();
    collect(body, bound, draws);
    if (bound.contains(var)) return List.of();
    bound.add(var);
    List<Draw> out = new ArrayList<>();
    for (KExpr.Random r : draws) {
      KExpr base = dev.adjoint.compiler.schedule.AffineIndex.base(r.index(), var);
      if (base != null && plain(base) && ContractionPattern.names(base).stream().noneMatch(bound::contains)) {
        out.add(new Draw(r, base));
      }
    }
    return out;
  }

  /** How many random draws {@code stmts} print: the most scratch rows a lambda running them can need. */
  static int draws(List<KStmt> stmts) {
    List<KExpr.Random> draws = new ArrayList<>();
    collect(stmts, new HashSet<>(), draws);
    return draws.size();
  }

  private static void collect(List<KStmt> stmts, Set<String> bound, List<KExpr.Random> out) {
    for (KStmt s : stmts) {
      switch (s) {
        case KStmt.Loop l -> {
          bound.add(l.var());
          collect(l.extent(), out);
          collect(l.body(), bound, out);
        }
        case KStmt.Let l -> {
          bound.add(l.var());
          collect(l.value(), out);
        }
        case KStmt.Declare d -> {
          bound.add(d.var());
          collect(d.init(), out);
        }
        case KStmt.Assign a -> collect(a.value(), out);
        case KStmt.DeclareArray d -> {
          bound.add(d.var());
          collect(d.length(), out);
          collect(d.init(), out);
        }
        case KStmt.AssignElement a -> {
          collect(a.index(), out);
          collect(a.value(), out);
        }
        case KStmt.Store st -> {
          collect(st.index(), out);
          collect(st.value(), out);
        }
        case KStmt.Structured st -> throw new IllegalStateException("the emitter takes flattened kernels, not a "
            + st.getClass().getSimpleName());
        case KStmt.Accumulate a -> {
          collect(a.index(), out);
          collect(a.value(), out);
        }
      }
    }
  }

  private static void collect(KExpr e, List<KExpr.Random> out) {
    if (e instanceof KExpr.Random r) out.add(r);
    for (KExpr child : e.children()) collect(child, out);
  }


  /** Index arithmetic on sizes, literals and variables: nothing that reads memory or draws. */
  private static boolean plain(KExpr e) {
    return switch (e) {
      case KExpr.Const c -> true;
      case KExpr.Var v -> true;
      case KExpr.Size s -> true;
      case KExpr.Unary u -> plain(u.x());
      case KExpr.Binary b -> plain(b.a()) && plain(b.b());
      case KExpr.Cast c -> plain(c.x());
      default -> false;
    };
  }

  /**
   * The scratch rows of one lambda (or of one loop of a method's own code). Their names are reserved
   * when the lambda opens, before its body declares anything, so no local of the body can take them;
   * their declarations go at the top of the lambda (before the loop), so each row is allocated once
   * per call, not per row or element.
   */
  static final class Scratch {
    private final Deque<String> free = new ArrayDeque<>();
    private final CodeBlock.Builder declarations = CodeBlock.builder();
    private boolean empty = true;

    Scratch(JavaNames.Scope names, int rows) {
      for (int i = 0; i < rows; i++) free.add(names.claim("uniforms"));
    }

    /** A row of {@code length} floats (an expression valid at the top of the lambda), or null when all are taken. */
    String take(CodeBlock length) {
      String name = free.poll();
      if (name == null) return null;
      if (empty) {
        declarations.add("// Scratch for random numbers drawn a row at a time: one Philox block gives four consecutive numbers.\n");
        empty = false;
      }
      declarations.addStatement("final float[] $N = new float[$L]", name, length);
      return name;
    }

    /** The declarations of the rows taken, for the top of the lambda. */
    CodeBlock declarations() {
      return declarations.build();
    }
  }
}
