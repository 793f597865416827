package dev.adjoint.codegen.java;

import com.palantir.javapoet.CodeBlock;
import dev.adjoint.compiler.kernel.KExpr;
import dev.adjoint.compiler.kernel.KStmt;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The random draws of statements, as the Java backend prints them, and the scratch rows that runs of
 * them drawn a row at a time ({@link dev.adjoint.compiler.schedule.RowSchedule.RandomRun}, the
 * schedule's decision) are drawn into: one {@code Philox4x32.uniforms} call before a loop, the same
 * numbers at a quarter of the rounds.
 */
final class RandomRows {
  private RandomRows() {}

  /** The draws {@code stmts} print, in order (nested loops included). */
  static List<KExpr.Random> randoms(List<KStmt> stmts) {
    List<KExpr.Random> draws = new ArrayList<>();
    collect(stmts, new HashSet<>(), draws);
    return draws;
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
