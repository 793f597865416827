package dev.adjoint.runtime.exec;

import dev.adjoint.runtime.exec.gemm.GemmF32;

/**
 * {@code exp} of an f32 value, as generated f32 kernels call it. Where products are fused (the
 * vector GEMM, {@link GemmF32#fusesMultiplyAdd()}), f32 results are held to the kernel interpreter
 * within the backend's tolerance (1e-5 relative) rather than bit for bit, and this is a polynomial
 * within one unit in the last place of {@code (float) Math.exp(x)}, inlined by the JIT: about
 * twice as fast as {@code Math.exp}'s call into a double-precision routine, which attention's
 * softmax and its gradient call several times per query and key. Otherwise, and for bf16 and f16,
 * which must give the interpreter's bits, it is {@code (float) Math.exp(x)}.
 */
public final class ExpF32 {
  private static final boolean POLYNOMIAL = GemmF32.fusesMultiplyAdd();
  private static final float LOG2_E = 1.44269504088896341f;
  /** ln 2 in two parts: the first exact in few bits, so that {@code n * LN2_HIGH} is exact. */
  private static final float LN2_HIGH = 0.693359375f;
  private static final float LN2_LOW = -2.12194440e-4f;

  private ExpF32() {}

  /** {@code e^x} in f32: the polynomial where products are fused, else {@code (float) Math.exp(x)}. */
  public static float exp(float x) {
    return POLYNOMIAL ? polynomial(x) : (float) Math.exp(x);
  }

  /** Whether {@link #exp} takes the polynomial in this process. */
  public static boolean polynomialInUse() {
    return POLYNOMIAL;
  }

  /**
   * {@code e^x} within one unit in the last place of {@code (float) Math.exp(x)}: x = n ln 2 + r
   * with |r| <= ln 2 / 2, e^r by its degree-7 minimax polynomial (Cephes' expf coefficients), and
   * 2^n put in the exponent bits. Outside [-87, 88], where 2^n would leave the normal range, and for
   * NaN, it is {@code Math.exp}'s value.
   */
  static float polynomial(float x) {
    if (!(x >= -87.0f && x <= 88.0f)) return (float) Math.exp(x);
    float n = (float) Math.floor(Math.fma(x, LOG2_E, 0.5f));
    float r = Math.fma(-n, LN2_HIGH, x);
    r = Math.fma(-n, LN2_LOW, r);
    float p = 1.9875691500e-4f;
    p = Math.fma(p, r, 1.3981999507e-3f);
    p = Math.fma(p, r, 8.3334519073e-3f);
    p = Math.fma(p, r, 4.1665795894e-2f);
    p = Math.fma(p, r, 1.6666665459e-1f);
    p = Math.fma(p, r, 5.0000001201e-1f);
    float er = Math.fma(p * r, r, r) + 1.0f;
    return er * Float.intBitsToFloat(((int) n + 127) << 23);
  }
}
