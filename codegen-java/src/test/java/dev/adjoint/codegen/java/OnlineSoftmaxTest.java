package dev.adjoint.codegen.java;

import static dev.adjoint.codegen.java.HandWrittenPrograms.bin;
import static dev.adjoint.codegen.java.HandWrittenPrograms.buffer;
import static dev.adjoint.codegen.java.HandWrittenPrograms.c;
import static dev.adjoint.codegen.java.HandWrittenPrograms.load;
import static dev.adjoint.codegen.java.HandWrittenPrograms.un;
import static dev.adjoint.codegen.java.HandWrittenPrograms.v;
import static dev.adjoint.runtime.DType.F32;
import static dev.adjoint.runtime.DType.I32;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.adjoint.compiler.ir.Binary.Fn;
import dev.adjoint.compiler.ir.Dim;
import dev.adjoint.compiler.ir.Unary;
import dev.adjoint.compiler.kernel.Buffer;
import dev.adjoint.compiler.kernel.KExpr;
import dev.adjoint.compiler.kernel.KStmt;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** Which loops {@link OnlineSoftmax} recognises as the online softmax over keys, as the attention fusion lowers it. */
class OnlineSoftmaxTest {
  private static final Buffer SCORES = buffer(0, "scores", F32, Buffer.Role.ARGUMENT, Dim.symbol("T"));
  private static final Buffer VALUES = buffer(1, "values", F32, Buffer.Role.ARGUMENT, Dim.symbol("T"), Dim.of(4));
  private static final KExpr MINUS_INFINITY = c(Double.NEGATIVE_INFINITY, F32);

  private static KExpr guarded(double otherwise, KExpr from) {
    return new KExpr.Select(bin(Fn.EQ, v("next", F32), MINUS_INFINITY), c(otherwise, F32),
        un(Unary.Fn.EXP, bin(Fn.SUB, from, v("next", F32))));
  }

  /** {@code for r { let x = scores[r] / 8; next, s, w; sum = sum * s + w; acc = acc * s + w * values; max = next }}. */
  private static List<KStmt> body() {
    KStmt update = new KStmt.Loop("d", c(4, I32), false, List.of(
        new KStmt.Let("value", load(VALUES, bin(Fn.ADD, bin(Fn.MUL, v("r", I32), c(4, I32)), v("d", I32)))),
        new KStmt.AssignElement("acc", v("d", I32), bin(Fn.ADD,
            bin(Fn.MUL, new KExpr.Element("acc", v("d", I32), F32), v("s", F32)),
            bin(Fn.MUL, v("w", F32), v("value", F32))))));
    return List.of(
        new KStmt.Let("x", bin(Fn.DIV, load(SCORES, v("r", I32)), c(8, F32))),
        new KStmt.Let("next", bin(Fn.MAX, v("max", F32), v("x", F32))),
        new KStmt.Let("s", guarded(1.0, v("max", F32))),
        new KStmt.Let("w", guarded(0.0, v("x", F32))),
        new KStmt.Assign("sum", bin(Fn.ADD, bin(Fn.MUL, v("sum", F32), v("s", F32)), v("w", F32))),
        update,
        new KStmt.Assign("max", v("next", F32)));
  }

  private static OnlineSoftmax.Match match(List<KStmt> body) {
    KStmt.Loop loop = new KStmt.Loop("r", new KExpr.Size(Dim.symbol("T")), false, body);
    WeightedRows.Match rows = WeightedRows.match(loop, Set.of());
    assertNotNull(rows, "the weighted rows");
    return OnlineSoftmax.match(loop, rows);
  }

  private static List<KStmt> with(int at, UnaryOperator<KStmt> change) {
    List<KStmt> body = new ArrayList<>(body());
    body.set(at, change.apply(body.get(at)));
    return body;
  }

  @Test
  void theFusionsLoopMatches() {
    assertEquals(new OnlineSoftmax.Match(1, "x", "max", "sum"), match(body()));
    // max(x, max) is the same maximum.
    assertEquals(new OnlineSoftmax.Match(1, "x", "max", "sum"),
        match(with(1, s -> new KStmt.Let("next", bin(Fn.MAX, v("x", F32), v("max", F32))))));
  }

  @Test
  void loopsThatComputeSomethingElseDoNot() {
    assertNull(match(with(2, s -> new KStmt.Let("s", guarded(0.0, v("max", F32))))), "a rescale of 0 where all is -inf");
    assertNull(match(with(3, s -> new KStmt.Let("w", guarded(0.0, v("max", F32))))), "a weight that is not the score's");
    assertNull(match(with(4, s -> new KStmt.Assign("sum", bin(Fn.ADD, v("sum", F32), v("w", F32))))),
        "a sum without the rescale");
    assertNull(match(with(6, s -> new KStmt.Assign("max", v("x", F32)))), "a maximum that is not the running one");
    assertNull(match(with(1, s -> new KStmt.Let("next", bin(Fn.MIN, v("max", F32), v("x", F32))))), "a minimum");
    assertNull(match(with(0, s -> new KStmt.Let("x", bin(Fn.DIV, load(SCORES, v("r", I32)), v("sum", F32))))),
        "a score that reads the running sum");
  }
}
