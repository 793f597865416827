package dev.adjoint.compiler.schedule;

import static dev.adjoint.runtime.DType.F32;
import static dev.adjoint.runtime.DType.I32;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.compiler.schedule.RowProgram.BufferRow;
import dev.adjoint.compiler.schedule.RowProgram.Operation;
import dev.adjoint.compiler.schedule.RowProgram.Scratch;
import dev.adjoint.compiler.schedule.RowProgram.Step;
import dev.adjoint.compiler.schedule.RowProgram.Value;
import dev.adjoint.compiler.ir.Binary.Fn;
import dev.adjoint.compiler.ir.Dim;
import dev.adjoint.compiler.ir.Unary;
import dev.adjoint.compiler.kernel.Buffer;
import dev.adjoint.compiler.kernel.KExpr;
import dev.adjoint.compiler.kernel.KStmt;
import dev.adjoint.compiler.ir.Shape;
import dev.adjoint.compiler.ir.TensorType;
import dev.adjoint.runtime.DType;
import java.util.Map;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Which loop bodies {@link RowProgram} turns into whole-row operations, and the steps and rows it plans;
 * a dot product whose block of products a row block computes reads a row of them.
 */
class RowProgramTest {
  private static Buffer buffer(int id, String name, DType dtype, Buffer.Role role, Dim... shape) {
    return new Buffer(id, name, new TensorType(dtype, Shape.of(shape)), role);
  }

  private static KExpr c(double v, DType d) {
    return new KExpr.Const(v, d);
  }

  private static KExpr v(String name, DType d) {
    return new KExpr.Var(name, d);
  }

  private static KExpr bin(Fn fn, KExpr a, KExpr b) {
    return new KExpr.Binary(fn, a, b);
  }

  private static KExpr un(Unary.Fn fn, KExpr x) {
    return new KExpr.Unary(fn, x);
  }

  private static KExpr load(Buffer b, KExpr index) {
    return new KExpr.Load(b, index);
  }

  private static final Buffer SCORES = buffer(0, "scores", F32, Buffer.Role.ARGUMENT, Dim.of(4), Dim.symbol("T"));
  private static final Buffer MAX = buffer(1, "max", F32, Buffer.Role.ARGUMENT, Dim.symbol("T"));
  private static final Buffer SUM = buffer(2, "sum", F32, Buffer.Role.ARGUMENT, Dim.symbol("T"));
  private static final Buffer OUT = buffer(3, "out", F32, Buffer.Role.OUTPUT, Dim.symbol("T"));

  /** {@code scores[i * T + r]}: a run along r that starts at {@code i * T}. */
  private static KExpr scoreAt(KExpr r) {
    return load(SCORES, bin(Fn.ADD, bin(Fn.MUL, v("i", I32), new KExpr.Size(Dim.symbol("T"))), r));
  }

  private static final KExpr START = bin(Fn.MUL, v("i", I32), new KExpr.Size(Dim.symbol("T")));

  /** The softmax gradient's weight: {@code exp(scores / 8 - max[r]) / sum[r]}. */
  private static List<KStmt> probability() {
    return List.of(new KStmt.Let("a", bin(Fn.DIV, scoreAt(v("r", I32)), c(8, F32))),
        new KStmt.Let("b", bin(Fn.SUB, v("a", F32), load(MAX, v("r", I32)))),
        new KStmt.Let("e", un(Unary.Fn.EXP, v("b", F32))),
        new KStmt.Let("s", load(SUM, v("r", I32))));
  }

  @Test
  void aChainOfOperationsOnRunsBecomesOneCallEach() {
    RowProgram p = RowProgram.of("r", probability(), bin(Fn.DIV, v("e", F32), v("s", F32)), Map.of(), Set.of());
    assertNotNull(p);
    assertEquals(List.of(
        new Step(Operation.DIVIDE, new BufferRow(SCORES, START), new Value(c(8, F32)), new Scratch(0)),
        new Step(Operation.SUBTRACT, new Scratch(0), new BufferRow(MAX, c(0, I32)), new Scratch(0)),
        new Step(Operation.EXP, new Scratch(0), null, new Scratch(0)),
        new Step(Operation.DIVIDE, new Scratch(0), new BufferRow(SUM, c(0, I32)), null)), p.steps());
    assertEquals(1, p.scratchRows(), "each step runs in place on the one row");
  }

  @Test
  void valuesThatDoNotDependOnTheLoopVariableAreComputedOnce() {
    // scale = exp(-m) * sum[i], where m and i are outside the loop: one value, not a row.
    List<KStmt> body = List.of(new KStmt.Let("scale", bin(Fn.MUL, un(Unary.Fn.EXP, un(Unary.Fn.NEG, v("m", F32))),
        load(SUM, v("i", I32)))));
    RowProgram p = RowProgram.of("r", body, bin(Fn.MAX, v("scale", F32), scoreAt(v("r", I32))), Map.of(), Set.of());
    assertNotNull(p);
    KExpr scale = bin(Fn.MUL, un(Unary.Fn.EXP, un(Unary.Fn.NEG, v("m", F32))), load(SUM, v("i", I32)));
    assertEquals(List.of(new Step(Operation.MAX, new Value(scale), new BufferRow(SCORES, START), null)), p.steps());
    assertEquals(0, p.scratchRows());
  }

  @Test
  void rowsLiveAtOnceTakeRowsOfTheirOwn() {
    // (scores - max) * (scores + sum): both operands live until the product.
    List<KStmt> body = List.of(new KStmt.Let("x", bin(Fn.SUB, scoreAt(v("r", I32)), load(MAX, v("r", I32)))),
        new KStmt.Let("y", bin(Fn.ADD, scoreAt(v("r", I32)), load(SUM, v("r", I32)))));
    RowProgram p = RowProgram.of("r", body, bin(Fn.MUL, v("x", F32), v("y", F32)), Map.of(), Set.of());
    assertNotNull(p);
    assertEquals(2, p.scratchRows());
    assertEquals(new Step(Operation.MULTIPLY, new Scratch(0), new Scratch(1), null), p.steps().getLast());
  }

  @Test
  void bodiesThatAreNotElementwiseOverContiguousRunsDoNotQualify() {
    KExpr weight = bin(Fn.DIV, v("e", F32), v("s", F32));
    assertNull(RowProgram.of("r", probability(), weight, Map.of(), Set.of(MAX)), "reads a buffer the kernel writes");
    List<KStmt> strided = List.of(new KStmt.Let("a", load(SCORES, bin(Fn.MUL, v("r", I32), c(2, I32)))));
    assertNull(RowProgram.of("r", strided, un(Unary.Fn.EXP, v("a", F32)), Map.of(), Set.of()), "a run with stride 2");
    List<KStmt> logs = List.of(new KStmt.Let("a", un(Unary.Fn.LOG, scoreAt(v("r", I32)))));
    assertNull(RowProgram.of("r", logs, un(Unary.Fn.EXP, v("a", F32)), Map.of(), Set.of()), "log has no row operation");
    List<KStmt> index = List.of(new KStmt.Let("a", new KExpr.Cast(F32, v("r", I32))));
    assertNull(RowProgram.of("r", index, un(Unary.Fn.EXP, v("a", F32)), Map.of(), Set.of()), "the loop variable as a value");
    List<KStmt> select = List.of(new KStmt.Let("a", new KExpr.Select(bin(Fn.GT, scoreAt(v("r", I32)),
        load(MAX, v("r", I32))), scoreAt(v("r", I32)), c(0, F32))));
    assertNull(RowProgram.of("r", select, un(Unary.Fn.EXP, v("a", F32)), Map.of(), Set.of()),
        "a select on a comparison of two runs");
    List<KStmt> store = List.of(new KStmt.Store(OUT, v("r", I32), scoreAt(v("r", I32))));
    assertNull(RowProgram.of("r", store, un(Unary.Fn.EXP, scoreAt(v("r", I32))), Map.of(), Set.of()), "a store");
    assertNull(RowProgram.of("r", List.of(), bin(Fn.MUL, v("m", F32), c(2, F32)), Map.of(), Set.of()),
        "a value the same for every r: nothing to do per element");
    assertNull(RowProgram.of("r", List.of(), scoreAt(v("r", I32)), Map.of(), Set.of()), "a plain copy of a run");
  }

  @Test
  void selectsOnARunAgainstAValueAreOneCall() {
    // where(0 < scores, scores, 0): the comparison mirrored so the run comes first, the same test.
    List<KStmt> relu = List.of(new KStmt.Let("a", new KExpr.Select(bin(Fn.LT, c(0, F32), scoreAt(v("r", I32))),
        scoreAt(v("r", I32)), c(0, F32))));
    RowProgram p = RowProgram.of("r", relu, un(Unary.Fn.EXP, v("a", F32)), Map.of(), Set.of());
    assertNotNull(p);
    assertEquals(List.of(
        new RowProgram.Select(dev.adjoint.runtime.exec.vector.RowMaps.Compare.GREATER, new BufferRow(SCORES, START),
            new Value(c(0, F32)), new BufferRow(SCORES, START), new Value(c(0, F32)), new Scratch(0)),
        new Step(Operation.EXP, new Scratch(0), null, null)), p.steps());
  }

  @Test
  void epiloguesStoreAndAddWholeRows() {
    // out[i * T + r] = where(keep >= 0.1, acc, 0) / 0.9, and sums[r] += the same.
    Buffer sums = buffer(4, "sums", F32, Buffer.Role.OUTPUT, Dim.symbol("T"));
    KExpr.Random keep = new KExpr.Random(0x77, bin(Fn.ADD, START, v("r", I32)), F32);
    List<KStmt> epilogue = List.of(
        new KStmt.Let("kept", new KExpr.Select(bin(Fn.GE, keep, c(0.1, F32)), v("acc", F32), c(0, F32))),
        new KStmt.Let("scaled", bin(Fn.DIV, v("kept", F32), c(0.9, F32))),
        new KStmt.Store(OUT, bin(Fn.ADD, START, v("r", I32)), v("scaled", F32)),
        new KStmt.Accumulate(sums, v("r", I32), v("scaled", F32)));
    RowProgram p = RowProgram.ofEpilogue("r", "acc", epilogue, r -> r.equals(keep), Set.of(OUT, sums));
    assertNotNull(p);
    assertEquals(List.of(
        new RowProgram.Select(dev.adjoint.runtime.exec.vector.RowMaps.Compare.GREATER_OR_EQUAL,
            new RowProgram.RandomRow(keep), new Value(c(0.1, F32)), new RowProgram.TileRow(), new Value(c(0, F32)),
            new Scratch(0)),
        new Step(Operation.DIVIDE, new Scratch(0), new Value(c(0.9, F32)), new Scratch(0)),
        new RowProgram.Write(OUT, START, new Scratch(0), false),
        new RowProgram.Write(sums, c(0, I32), new Scratch(0), true)), p.steps());
    assertNull(RowProgram.ofEpilogue("r", "acc", epilogue, r -> false, Set.of(OUT, sums)), "a draw with no drawn row");
    List<KStmt> readsWhatItWrites = List.of(new KStmt.Store(OUT, v("r", I32), load(OUT, v("r", I32))));
    assertNull(RowProgram.ofEpilogue("r", "acc", readsWhatItWrites, r -> true, Set.of(OUT)), "a buffer it writes");
    assertNull(RowProgram.ofEpilogue("r", "acc", List.of(), r -> true, Set.of()), "nothing written");
  }

  @Test
  void mentionsSeesNamesInNestedStatements() {
    KStmt nested = new KStmt.Loop("d", c(4, I32), false, List.of(new KStmt.Let("t", bin(Fn.ADD, v("acc", F32),
        c(1, F32)))));
    assertTrue(RowProgram.mentions(nested, "acc"));
    assertTrue(RowProgram.mentions(new KStmt.Assign("acc", c(0, F32)), "acc"));
    assertFalse(RowProgram.mentions(new KStmt.Let("acc2", c(0, F32)), "acc"));
  }

  @Test
  void aDotProductOfTheRowBlockReadsItsRowOfProducts() {
    // var acc = 0; contract acc over d { q . k }; weight = acc / 8: the products' row divided by 8.
    Buffer q = buffer(5, "q", F32, Buffer.Role.ARGUMENT, Dim.symbol("T"), Dim.of(8));
    KStmt.Operand left = new KStmt.Operand(v("x", F32), List.of(v("d", I32)), java.util.Optional.empty());
    KStmt.Operand right = new KStmt.Operand(v("y", F32), List.of(v("d", I32)), java.util.Optional.empty());
    List<KStmt> body = List.of(new KStmt.Declare("acc", F32, c(0, F32)),
        new KStmt.Contraction("acc", List.of(new dev.adjoint.compiler.kernel.Axis("d", c(8, I32))),
            List.of(new KStmt.Let("x", load(q, v("d", I32))), new KStmt.Let("y", load(q, v("d", I32)))), left, right,
            List.of()));
    RowProgram p = RowProgram.of("r", body, bin(Fn.DIV, v("acc", F32), c(8, F32)), Map.of("acc", 0), Set.of());
    assertNotNull(p);
    assertEquals(List.of(new Step(Operation.DIVIDE, new RowProgram.ProductsRow(0), new Value(c(8, F32)), null)), p.steps());
    assertNull(RowProgram.of("r", body, bin(Fn.DIV, v("acc", F32), c(8, F32)), Map.of(), Set.of()),
        "a dot product computed in the loop is no row operation");
  }
}
