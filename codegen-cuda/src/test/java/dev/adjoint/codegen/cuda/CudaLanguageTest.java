package dev.adjoint.codegen.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.compiler.ir.Binary;
import dev.adjoint.compiler.ir.Unary;
import dev.adjoint.compiler.kernel.CFamilyOps;
import dev.adjoint.compiler.kernel.KExpr;
import dev.adjoint.compiler.render.Spelling;
import dev.adjoint.runtime.DType;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * CUDA C's spelling table covers every function ({@code UnaryFunctionPlacesTest} in the compiler
 * lists the other places a unary function touches): each {@link Unary.Fn} on each dtype it is
 * defined on has a spelling, each call-style {@link Binary.Fn} too, and every function a spelling
 * calls is the prelude's ({@code adj_}) or a name {@link CudaNames} keeps user identifiers from
 * shadowing.
 */
class CudaLanguageTest {
  static List<DType> dtypesOf(Unary.Fn fn) {
    if (fn == Unary.Fn.NOT) return List.of(DType.BOOL);
    List<DType> out = new ArrayList<>(List.of(DType.F32, DType.F64, DType.BF16, DType.F16));
    if (!fn.floatingOnly()) out.add(DType.I32);
    return out;
  }

  @ParameterizedTest
  @EnumSource(Unary.Fn.class)
  void everyUnaryFunctionHasASpellingInCudaLanguageUnary(Unary.Fn fn) {
    for (DType d : dtypesOf(fn)) {
      Spelling s = CudaLanguage.INSTANCE.unary(fn, d);
      assertNotNull(s, "CudaLanguage.unary has no spelling of " + fn.opName() + " on " + d);
      calleesAreReserved(s, fn.opName() + " on " + d);
    }
  }

  @ParameterizedTest
  @EnumSource(Binary.Fn.class)
  void everyCallStyleBinaryFunctionHasASpellingInCudaLanguageBinary(Binary.Fn fn) {
    for (DType d : List.of(DType.F32, DType.F64, DType.BF16, DType.F16, DType.I32)) {
      Spelling s = CudaLanguage.INSTANCE.binary(fn, d);
      if (CFamilyOps.infix(fn) == null) assertNotNull(s, "CudaLanguage.binary has no spelling of " + fn.opName() + " on " + d);
      if (s != null) calleesAreReserved(s, fn.opName() + " on " + d);
    }
    if (fn == Binary.Fn.DIV || fn == Binary.Fn.MOD) {
      assertNotNull(CudaLanguage.INSTANCE.binary(fn, DType.I32), "i32 floor " + fn.opName());
    }
  }

  private static void calleesAreReserved(Spelling s, String what) {
    for (Object piece : s.open()) {
      String name = piece.toString().replace("(", "").strip();
      if (!name.matches("[A-Za-z_][A-Za-z0-9_]*")) continue;
      assertTrue(name.startsWith("adj_") || CudaNames.reserved(name),
          what + " calls " + name + ": add it to CudaNames.RESERVED so no kernel name can shadow it");
    }
  }

  @Test
  void libraryFunctionsTakeTheFloatOrDoubleName() {
    assertEquals("expf", CudaLanguage.INSTANCE.unary(Unary.Fn.EXP, DType.F32).open().get(0));
    assertEquals("expf", CudaLanguage.INSTANCE.unary(Unary.Fn.EXP, DType.BF16).open().get(0));
    assertEquals("exp", CudaLanguage.INSTANCE.unary(Unary.Fn.EXP, DType.F64).open().get(0));
    assertEquals("log1pf", CudaLanguage.INSTANCE.unary(Unary.Fn.LOG1P, DType.F32).open().get(0));
    assertEquals("rsqrtf", CudaLanguage.INSTANCE.unary(Unary.Fn.RSQRT, DType.F32).open().get(0));
    assertEquals("fabsf", CudaLanguage.INSTANCE.unary(Unary.Fn.ABS, DType.F32).open().get(0));
    assertEquals("powf", CudaLanguage.INSTANCE.binary(Binary.Fn.POW, DType.F32).open().get(0));
    assertEquals("adj_max", CudaLanguage.INSTANCE.binary(Binary.Fn.MAX, DType.F64).open().get(0));
    assertEquals(null, CudaLanguage.INSTANCE.binary(Binary.Fn.ADD, DType.F32));
  }

  @Test
  void printsFunctionsAtTheirTypes() {
    var x = new KExpr.Var("x", DType.F32);
    var h = new KExpr.Var("h", DType.BF16);
    var n = new KExpr.Var("n", DType.I32);
    assertEquals("expf(x)", print(new KExpr.Unary(Unary.Fn.EXP, x)));
    assertEquals("adj_bf16(expf(h))", print(new KExpr.Unary(Unary.Fn.EXP, h)));
    assertEquals("abs(n)", print(new KExpr.Unary(Unary.Fn.ABS, n)));
    assertEquals("(float) adj_floormod((double) x, (double) x)", print(new KExpr.Binary(Binary.Fn.MOD, x, x)));
    assertEquals("x - 2.0f", print(new KExpr.Binary(Binary.Fn.ADD, x, new KExpr.Const(-2, DType.F32))));
    assertEquals("-x * (-x)", print(new KExpr.Binary(Binary.Fn.MUL, new KExpr.Unary(Unary.Fn.NEG, x),
        new KExpr.Unary(Unary.Fn.NEG, x))));
    assertEquals("adj_floordiv(n, 2)", print(new KExpr.Binary(Binary.Fn.DIV, n, KExpr.Const.index(2))));
  }

  private static String print(KExpr e) {
    return new CudaExpressions(new CudaExpressions.Names() {
      @Override
      public String scalar(String irName, DType dtype) {
        return irName;
      }

      @Override
      public String array(String irName, DType dtype) {
        return irName;
      }

      @Override
      public boolean nonNegative(String irName) {
        return false;
      }

      @Override
      public String buffer(dev.adjoint.compiler.kernel.Buffer buffer) {
        return buffer.name();
      }

      @Override
      public String size(dev.adjoint.compiler.ir.Dim dim) {
        return "adj_n_" + dim;
      }

      @Override
      public String seed() {
        return "adj_seed";
      }

      @Override
      public String step() {
        return "adj_step";
      }
    }).expr(e).text();
  }
}
