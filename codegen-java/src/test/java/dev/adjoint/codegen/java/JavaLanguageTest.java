package dev.adjoint.codegen.java;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.compiler.ir.Binary;
import dev.adjoint.compiler.ir.Unary;
import dev.adjoint.compiler.kernel.CFamilyOps;
import dev.adjoint.compiler.render.Spelling;
import dev.adjoint.runtime.DType;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Java's spelling table covers every function ({@code UnaryFunctionPlacesTest} in the compiler
 * lists the other places a unary function touches): each {@link Unary.Fn} on each dtype it is
 * defined on has a spelling, each call-style {@link Binary.Fn} too, and every class a spelling
 * calls is the JDK's or the runtime's, all that generated code may depend on.
 */
class JavaLanguageTest {
  static List<DType> dtypesOf(Unary.Fn fn) {
    if (fn == Unary.Fn.NOT) return List.of(DType.BOOL);
    List<DType> out = new ArrayList<>(List.of(DType.F32, DType.F64, DType.BF16, DType.F16));
    if (!fn.floatingOnly()) out.add(DType.I32);
    return out;
  }

  @ParameterizedTest
  @EnumSource(Unary.Fn.class)
  void everyUnaryFunctionHasASpellingInJavaLanguageUnary(Unary.Fn fn) {
    for (DType d : dtypesOf(fn)) {
      Spelling s = JavaLanguage.INSTANCE.unary(fn, d);
      assertNotNull(s, "JavaLanguage.unary has no spelling of " + fn.opName() + " on " + d);
      classesAreTheRuntimes(s, fn.opName() + " on " + d);
    }
  }

  @ParameterizedTest
  @EnumSource(Binary.Fn.class)
  void everyCallStyleBinaryFunctionHasASpellingInJavaLanguageBinary(Binary.Fn fn) {
    for (DType d : List.of(DType.F32, DType.F64, DType.BF16, DType.F16, DType.I32)) {
      Spelling s = JavaLanguage.INSTANCE.binary(fn, d);
      if (CFamilyOps.infix(fn) == null) assertNotNull(s, "JavaLanguage.binary has no spelling of " + fn.opName() + " on " + d);
      if (s != null) classesAreTheRuntimes(s, fn.opName() + " on " + d);
    }
  }

  private static void classesAreTheRuntimes(Spelling s, String what) {
    for (Object piece : s.open()) {
      if (piece instanceof Class<?> c) {
        String name = c.getName();
        assertTrue(name.startsWith("java.") || name.startsWith("dev.adjoint.runtime."),
            what + " calls " + name + ": generated code depends on the JDK and the runtime alone");
      }
    }
  }

  @Test
  void functionsComputeInDoubleAndNarrowExceptF32Exp() {
    assertEquals(DType.F32, JavaLanguage.INSTANCE.unary(Unary.Fn.EXP, DType.F32).computesIn());
    assertEquals(DType.F64, JavaLanguage.INSTANCE.unary(Unary.Fn.EXP, DType.BF16).computesIn());
    assertEquals(DType.F64, JavaLanguage.INSTANCE.unary(Unary.Fn.TANH, DType.F32).computesIn());
    assertEquals(null, JavaLanguage.INSTANCE.unary(Unary.Fn.ABS, DType.F32).computesIn());
    assertEquals(null, JavaLanguage.INSTANCE.binary(Binary.Fn.ADD, DType.F32));
  }
}
