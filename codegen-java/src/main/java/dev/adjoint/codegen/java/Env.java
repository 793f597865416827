package dev.adjoint.codegen.java;

import com.palantir.javapoet.CodeBlock;
import dev.adjoint.compiler.kernel.KExpr;
import dev.adjoint.compiler.kernel.KStmt;
import dev.adjoint.runtime.DType;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Names visible at a point of the kernel: a copy per block, as the interpreter scopes them. */
final class Env {
  enum Kind { LOOP, LET, DECLARE, ARRAY }

  /** A name of the kernel IR bound to a Java local; {@code lambda} is the lambda depth it was bound at. */
  record Binding(String java, DType dtype, Kind kind, boolean nonNegative, int lambda) {}

  /** Thrown when a loop body run on other threads would touch a mutable local of the enclosing code. */
  static final class CapturesMutable extends RuntimeException {
    CapturesMutable() {
      super(null, null, false, false);
    }
  }

  /**
   * The numbers of random site {@code site} from index {@code base} on (as printed: Java names of
   * finals, so the same text is the same value), over {@code range} of a loop.
   */
  record Row(int site, String base, String range) {}

  /** A draw in the kernel: its site and index. */
  record DrawSite(int site, KExpr index) {}

  /** Where a draw's number is: {@code array[var - first]}, or {@code array[var]} when {@code first} is null. */
  record Drawn(String array, String var, CodeBlock first) {}

  final JavaNames.Scope names;
  final Map<String, Binding> scalars;
  final Map<String, Binding> arrays;
  final int lambda;
  /** The scratch rows of the enclosing lambda, or null where loops draw one number at a time. */
  final RandomRows.Scratch scratch;
  /** Rows already drawn here, by what they hold: sibling loops along the same row share one. */
  final Map<Row, String> rows;
  /** Random draws that read a drawn row here. */
  final Map<DrawSite, Drawn> drawn;

  Env(JavaNames.Scope names, Map<String, Binding> scalars, Map<String, Binding> arrays, int lambda) {
    this(names, scalars, arrays, lambda, null, new HashMap<>(), new HashMap<>());
  }

  private Env(JavaNames.Scope names, Map<String, Binding> scalars, Map<String, Binding> arrays, int lambda,
      RandomRows.Scratch scratch, Map<Row, String> rows, Map<DrawSite, Drawn> drawn) {
    this.names = names;
    this.scalars = scalars;
    this.arrays = arrays;
    this.lambda = lambda;
    this.scratch = scratch;
    this.rows = rows;
    this.drawn = drawn;
  }

  Env child() {
    return new Env(names.child(), new HashMap<>(scalars), new HashMap<>(arrays), lambda, scratch,
        new HashMap<>(rows), new HashMap<>(drawn));
  }

  Env lambda() {
    return new Env(names.child(), new HashMap<>(scalars), new HashMap<>(arrays), lambda + 1);
  }

  /**
   * This lambda's scope, with scratch rows for the random draws of {@code body}; call it before
   * the body opens any block, so that the rows' names are taken before any local's.
   */
  Env withScratch(List<KStmt> body) {
    int draws = RandomRows.draws(body);
    if (draws == 0) return this;
    return new Env(names, scalars, arrays, lambda, new RandomRows.Scratch(names, draws), rows, drawn);
  }

  /** The declarations of the scratch rows this lambda's loops drew into, for its top; empty when none. */
  CodeBlock scratchDeclarations() {
    return scratch == null ? CodeBlock.of("") : scratch.declarations();
  }
}
