package dev.adjoint.codegen.java;

import static dev.adjoint.codegen.java.HandWrittenPrograms.bin;
import static dev.adjoint.codegen.java.HandWrittenPrograms.buffer;
import static dev.adjoint.codegen.java.HandWrittenPrograms.c;
import static dev.adjoint.codegen.java.HandWrittenPrograms.load;
import static dev.adjoint.codegen.java.HandWrittenPrograms.v;
import static dev.adjoint.runtime.DType.F32;
import static dev.adjoint.runtime.DType.I32;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.compiler.ir.Binary.Fn;
import dev.adjoint.compiler.ir.Dim;
import dev.adjoint.compiler.kernel.Buffer;
import dev.adjoint.compiler.kernel.KExpr;
import dev.adjoint.compiler.kernel.KStmt;
import dev.adjoint.compiler.kernel.Kernel;
import dev.adjoint.compiler.kernel.KernelKind;
import dev.adjoint.compiler.kernel.KernelProgram;
import dev.adjoint.runtime.Tensor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Float selects are printed without a branch when both values are safe to compute either way, and
 * as {@code ?:} when a value reads an array (the select may be what keeps its index in bounds).
 */
class SelectEmissionTest {
  private static final Dim N = Dim.symbol("n");
  private static final Buffer X = buffer(0, "x", F32, Buffer.Role.ARGUMENT, N);
  private static final Buffer MASKED = buffer(1, "masked", F32, Buffer.Role.OUTPUT, N);
  private static final Buffer SHIFTED = buffer(2, "shifted", F32, Buffer.Role.OUTPUT, N);

  private static KernelProgram program() {
    KExpr i = v("i", I32);
    KStmt.Loop loop = new KStmt.Loop("i", new KExpr.Size(N), true, List.of(
        new KStmt.Let("value", load(X, i)),
        new KStmt.Store(MASKED, i, new KExpr.Select(bin(Fn.GT, v("value", F32), c(0, F32)), v("value", F32), c(0, F32))),
        new KStmt.Store(SHIFTED, i, new KExpr.Select(bin(Fn.GT, i, c(0, I32)),
            load(X, bin(Fn.SUB, i, c(1, I32))), c(0, F32)))));
    Kernel k = new Kernel("k0", KernelKind.ELEMENTWISE, List.of(X), List.of(MASKED, SHIFTED), List.of(loop), List.of(), 2);
    return new KernelProgram("selects", List.of(X), List.of(), List.of(MASKED, SHIFTED), List.of(), List.of(k));
  }

  @Test
  void masksAreBranchFreeAndGuardedReadsStayTernaries() {
    String source = JavaGenerator.generate(program(), "p", "Selects").toString();
    assertTrue(source.contains("masked[i] = KernelMath.select(value > 0.0f, value, 0.0f);"), source);
    assertTrue(source.contains("shifted[i] = i > 0 ? x[i - 1] : 0.0f;"), source);
    Tensor x = Tensor.ofFloats(new int[] {5}, new float[] {-1.5f, 2.0f, -0.0f, Float.NaN, 3.0f});
    List<Tensor> out = JavaBackend.run(program(), Map.of("x", x), Map.of(), 0, 0, 2);
    assertEquals(Tensor.ofFloats(new int[] {5}, new float[] {0.0f, 2.0f, 0.0f, 0.0f, 3.0f}), out.get(0));
    assertEquals(Tensor.ofFloats(new int[] {5}, new float[] {0.0f, -1.5f, 2.0f, -0.0f, Float.NaN}), out.get(1));
  }
}
