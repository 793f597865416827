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
  /**
   * The arguments are clamped to [LOWEST, HIGHEST] first: below, e^x rounds to 0 in f32; above, it
   * overflows to infinity; and 2^n stays within two normal factors (see {@link #polynomial}).
   */
  public static final float LOWEST = -104.0f;
  /** The largest argument the polynomial takes; see {@link #LOWEST}. */
  public static final float HIGHEST = 89.0f;
  /** 1 / ln 2. */
  public static final float LOG2_E = 1.44269504088896341f;
  /** 1.5 * 2^23: adding and subtracting it rounds a float of magnitude below 2^22 to an integer. */
  public static final float ROUNDER = 12582912.0f;
  /** ln 2 in two parts: the first exact in few bits, so that {@code n * LN2_HIGH} is exact. */
  public static final float LN2_HIGH = 0.693359375f;
  /** ln 2 - {@link #LN2_HIGH}. */
  public static final float LN2_LOW = -2.12194440e-4f;
  /** e^r - 1 - r = r^2 * (C0 + r * (C1 + ... + r * C5)): Cephes' expf coefficients, C5 first. */
  public static final float C5 = 1.9875691500e-4f;
  /** See {@link #C5}. */
  public static final float C4 = 1.3981999507e-3f;
  /** See {@link #C5}. */
  public static final float C3 = 8.3334519073e-3f;
  /** See {@link #C5}. */
  public static final float C2 = 4.1665795894e-2f;
  /** See {@link #C5}. */
  public static final float C1 = 1.6666665459e-1f;
  /** See {@link #C5}. */
  public static final float C0 = 5.0000001201e-1f;

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
   * {@code e^x} within one unit in the last place of {@code (float) Math.exp(x)}, in steps that a
   * vector loop can take lane by lane to give the same bits
   * ({@code RowMaps.exp}): x is clamped to [{@link #LOWEST}, {@link #HIGHEST}] (NaN stays NaN);
   * x = n ln 2 + r with n the nearest integer to x / ln 2, so |r| <= ln 2 / 2; e^r by its degree-7
   * minimax polynomial; and 2^n applied as two factors 2^(n/2) and 2^(n - n/2), each a normal
   * float for every clamped x, so that results in the subnormal range round once and results past
   * the largest float overflow to infinity.
   */
  public static float polynomial(float x) {
    // In range the clamp is x itself; testing first is cheaper than Math.max and Math.min, which
    // keep NaN and signed zeros apart with several instructions each.
    float clamped = x >= LOWEST && x <= HIGHEST ? x : Math.min(Math.max(x, LOWEST), HIGHEST);
    float n = Math.fma(clamped, LOG2_E, ROUNDER) - ROUNDER;
    float r = Math.fma(-n, LN2_HIGH, clamped);
    r = Math.fma(-n, LN2_LOW, r);
    float p = C5;
    p = Math.fma(p, r, C4);
    p = Math.fma(p, r, C3);
    p = Math.fma(p, r, C2);
    p = Math.fma(p, r, C1);
    p = Math.fma(p, r, C0);
    float er = Math.fma(p * r, r, r) + 1.0f;
    int k = (int) n;
    int half = k >> 1;
    return er * powerOfTwo(half) * powerOfTwo(k - half);
  }

  /** 2^k for a k of a normal float's exponent range, by its bits. */
  private static float powerOfTwo(int k) {
    return Float.intBitsToFloat((k + 127) << 23);
  }
}
