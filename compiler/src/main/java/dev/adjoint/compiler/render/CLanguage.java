package dev.adjoint.compiler.render;

import dev.adjoint.compiler.ir.Binary;
import dev.adjoint.compiler.ir.Unary;
import dev.adjoint.runtime.DType;

/**
 * What a C-family language spells its own way (tinygrad's {@code CStyleLanguage}): type names,
 * literals, the rounding to bf16 and f16, and <em>one spelling table</em> of functions per dtype.
 * Operators, their binding and the parentheses are shared ({@link CExpressionPrinter}). A new
 * unary function needs its entry in {@link #unary} of each language, nothing else here.
 */
public interface CLanguage {
  /** The language's name, for messages ("Java", "CUDA C"). */
  String languageName();

  /** The type a value of {@code dtype} is computed in, as a cast or a declaration writes it. */
  Object typeName(DType dtype);

  /** The 64-bit integer a float passes through on its way to an i32 ({@code (int) (long) x}: truncate, then wrap). */
  Object wideInteger();

  /** A literal of {@code dtype} whose value {@code value} is already rounded to it. */
  Code literal(DType dtype, double value);

  /**
   * The spelling table of unary functions: how {@code fn} is written on an operand of
   * {@code dtype} (bool for {@code not} only; floating types for the functions that are
   * {@linkplain Unary.Fn#floatingOnly floating only}).
   */
  Spelling unary(Unary.Fn fn, DType dtype);

  /**
   * The spelling table of binary functions on operands of {@code dtype}: the call-style ops (pow,
   * max, min), i32 floor division and modulo (where an operand may be negative), and the floating
   * modulo; null where the op is written infix with the shared operator table.
   */
  Spelling binary(Binary.Fn fn, DType dtype);

  /** {@code x}, a value of the float type {@code from} (f32, f64, or an i32), rounded to the half type {@code half}. */
  Code roundToHalf(Code x, DType from, DType half);
}
