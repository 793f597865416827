package dev.adjoint.codegen.java;

import com.palantir.javapoet.CodeBlock;
import dev.adjoint.compiler.kernel.KExpr;
import dev.adjoint.compiler.kernel.KStmt;
import dev.adjoint.compiler.schedule.RandomRuns;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

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
    return RandomRuns.draws(stmts);
  }

  /** How many random draws {@code stmts} print: the most scratch rows a lambda running them can need. */
  static int draws(List<KStmt> stmts) {
    return RandomRuns.draws(stmts).size();
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
