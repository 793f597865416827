package dev.adjoint.runtime;

/**
 * Conversions between the 16-bit floating-point formats (bfloat16 and IEEE binary16) and
 * {@code float}/{@code double}, all rounding to nearest, ties to even.
 *
 * <p>16-bit values are passed around as their raw bits in a {@code short}. Widening to
 * {@code float} is exact. Narrowing keeps NaN a NaN (with its sign and the top of its payload) and
 * overflows to infinity, as IEEE 754 requires.
 */
public final class FloatFormats {
  private FloatFormats() {}

  /** The bfloat16 nearest to {@code value} (ties to even); a NaN stays a (quiet) NaN. */
  public static short floatToBf16(float value) {
    int bits = Float.floatToRawIntBits(value);
    if (Float.isNaN(value)) {
      // Truncating could clear every payload bit that is set and turn the NaN into infinity;
      // setting the quiet bit keeps it a NaN.
      return (short) ((bits >>> 16) | 0x0040);
    }
    // Adding 0x7fff rounds the dropped half up when it is above the midpoint; adding the kept
    // low bit as well moves an exact midpoint up only when that makes the result even. A carry
    // into the exponent is the correct next binade, and past the largest finite value it gives
    // infinity.
    int roundingBias = 0x7fff + ((bits >>> 16) & 1);
    return (short) ((bits + roundingBias) >>> 16);
  }

  /** The exact {@code float} value of a bfloat16. */
  public static float bf16ToFloat(short bits) {
    return Float.intBitsToFloat((bits & 0xffff) << 16);
  }

  /** The binary16 nearest to {@code value} (ties to even); a NaN stays a NaN. */
  public static short floatToF16(float value) {
    return Float.floatToFloat16(value);
  }

  /** The exact {@code float} value of a binary16. */
  public static float f16ToFloat(short bits) {
    return Float.float16ToFloat(bits);
  }

  /**
   * The bfloat16 nearest to {@code value} (ties to even), rounded once from the exact double:
   * not the same as {@code floatToBf16((float) value)}, which rounds twice.
   */
  public static short doubleToBf16(double value) {
    return floatToBf16(toFloatRoundToOdd(value));
  }

  /**
   * The binary16 nearest to {@code value} (ties to even), rounded once from the exact double:
   * not the same as {@code floatToF16((float) value)}, which rounds twice.
   */
  public static short doubleToF16(double value) {
    return floatToF16(toFloatRoundToOdd(value));
  }

  /**
   * Rounds to {@code float} with "round to odd": truncate toward zero, then set the lowest bit if
   * anything was lost. A second rounding of the result to nearest-even in a format at least two
   * bits narrower (bf16: 8 bits, f16: 11 bits, float: 24) then equals rounding the double directly
   * (Boldo and Melquiond, 2008), which plain double → float → half does not: a value just above a
   * half-way point can first land exactly on it and then tie to even downwards.
   */
  static float toFloatRoundToOdd(double value) {
    float nearest = (float) value;
    if (Double.isNaN(value) || nearest == value) {
      return nearest;
    }
    int bits = Float.floatToRawIntBits(nearest);
    if (Math.abs((double) nearest) > Math.abs(value)) {
      // Rounded away from zero: step one unit back toward it (from infinity this gives the
      // largest finite float, which is what truncation gives).
      bits -= 1;
    }
    return Float.intBitsToFloat(bits | 1);
  }
}
