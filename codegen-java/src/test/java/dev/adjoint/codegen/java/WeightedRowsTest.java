package dev.adjoint.codegen.java;

import static dev.adjoint.codegen.java.HandWrittenPrograms.bin;
import static dev.adjoint.codegen.java.HandWrittenPrograms.buffer;
import static dev.adjoint.codegen.java.HandWrittenPrograms.c;
import static dev.adjoint.codegen.java.HandWrittenPrograms.load;
import static dev.adjoint.codegen.java.HandWrittenPrograms.v;
import static dev.adjoint.runtime.DType.F32;
import static dev.adjoint.runtime.DType.I32;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.adjoint.compiler.ir.Binary.Fn;
import dev.adjoint.compiler.ir.Dim;
import dev.adjoint.compiler.kernel.Buffer;
import dev.adjoint.compiler.kernel.KExpr;
import dev.adjoint.compiler.kernel.KStmt;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Which loops {@link WeightedRows} turns into one weighted sum of rows after the loop. */
class WeightedRowsTest {
  private static final Buffer V = buffer(0, "v", F32, Buffer.Role.ARGUMENT, Dim.symbol("T"), Dim.of(8));
  private static final Buffer P = buffer(1, "p", F32, Buffer.Role.ARGUMENT, Dim.symbol("T"));

  /** {@code for d in 0..8 { let x = v[start + d]; acc[d] = acc[d] + w * x }}. */
  private static KStmt update(KExpr start) {
    return new KStmt.Loop("d", c(8, I32), false, List.of(new KStmt.Let("x", load(V, bin(Fn.ADD, start, v("d", I32)))),
        new KStmt.AssignElement("acc", v("d", I32),
            bin(Fn.ADD, new KExpr.Element("acc", v("d", I32), F32), bin(Fn.MUL, v("w", F32), v("x", F32))))));
  }

  private static KStmt weight() {
    return new KStmt.Let("w", load(P, v("r", I32)));
  }

  private static KExpr row(String var) {
    return bin(Fn.MUL, v(var, I32), c(8, I32));
  }

  @Test
  void anUpdateAnywhereInTheLoopWithTheRowAloneElsewhereQualifies() {
    KStmt update = update(row("r"));
    KStmt.Loop loop = new KStmt.Loop("r", new KExpr.Size(Dim.symbol("T")), false,
        List.of(weight(), update, new KStmt.Assign("m", v("w", F32))));
    WeightedRows.Match m = WeightedRows.match(loop, Set.of());
    assertNotNull(m);
    assertEquals(update, m.update());
    assertEquals(c(0, I32), m.start());
    assertEquals(c(8, I32), m.stride());
  }

  @Test
  void loopsThatReadTheRowTwiceUpdatesOrLocalStartsDoNot() {
    KExpr size = new KExpr.Size(Dim.symbol("T"));
    KStmt readsRow = new KStmt.Let("peek", new KExpr.Element("acc", c(0, I32), F32));
    assertNull(WeightedRows.match(new KStmt.Loop("r", size, false, List.of(weight(), update(row("r")), readsRow)),
        Set.of()), "the row read inside the loop");
    assertNull(WeightedRows.match(new KStmt.Loop("r", size, false, List.of(weight(), update(row("r")),
        update(row("r")))), Set.of()), "two updates");
    assertNull(WeightedRows.match(new KStmt.Loop("r", size, false, List.of(weight(), new KStmt.Let("k", v("r", I32)),
        update(row("k")))), Set.of()), "a start that names a local of the loop");
    assertNull(WeightedRows.match(new KStmt.Loop("r", size, false, List.of(weight(), update(bin(Fn.MUL, v("r", I32),
        v("r", I32))))), Set.of()), "a start not affine in r");
    assertNull(WeightedRows.match(new KStmt.Loop("r", size, false, List.of(weight(), update(row("r")))), Set.of(V)),
        "rows the kernel writes");
  }
}
