package dev.adjoint.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Rounding of the 16-bit formats; NumPy and PyTorch check the same functions in io.ReferenceConversionsTest. */
class FloatFormatsTest {
  private static int hex(String text) {
    return Integer.parseUnsignedInt(text.substring(2), 16);
  }

  private static float f(String bits) {
    return Float.intBitsToFloat(hex(bits));
  }

  @ParameterizedTest(name = "{0} -> {1}: {2}")
  @CsvSource({
    "0x3F800000, 0x3F80, exact one",
    "0x3F808000, 0x3F80, tie goes down to the even 0x3F80",
    "0x3F818000, 0x3F82, tie goes up to the even 0x3F82",
    "0x3F808001, 0x3F81, just above a tie goes up",
    "0x3F807FFF, 0x3F80, just below a tie goes down",
    "0xBF808001, 0xBF81, negative values round by magnitude",
    "0x7F7F8000, 0x7F80, a tie above the largest finite bf16 overflows to infinity",
    "0x7F7F7FFF, 0x7F7F, just below that tie stays finite",
    "0x7F800000, 0x7F80, infinity",
    "0xFF800000, 0xFF80, negative infinity",
    "0x80000000, 0x8000, negative zero keeps its sign",
    "0x00008000, 0x0000, a subnormal tie goes to even zero",
    "0x00018000, 0x0002, a subnormal tie goes up to even",
    "0x007FFFFF, 0x0080, the largest subnormal rounds up to the smallest normal",
  })
  void floatToBf16RoundsToNearestEven(String input, String expected, String why) {
    assertEquals((short) hex(expected), FloatFormats.floatToBf16(f(input)), why);
  }

  @ParameterizedTest
  @CsvSource({"0x7FC00000", "0x7F800001", "0xFF800001", "0x7F810000", "0xFFC12345"})
  void floatToBf16KeepsNaNsNaN(String input) {
    float nan = f(input);
    short bits = FloatFormats.floatToBf16(nan);
    assertTrue(Float.isNaN(FloatFormats.bf16ToFloat(bits)), Integer.toHexString(bits & 0xffff));
    assertEquals(Float.floatToRawIntBits(nan) < 0, bits < 0, "sign kept");
    // The top payload bits survive.
    assertEquals(Float.floatToRawIntBits(nan) >>> 16 | 0x40, bits & 0xffff);
  }

  @ParameterizedTest(name = "{0} -> {1}: {2}")
  @CsvSource({
    "1.0, 0x3C00, exact one",
    "1.00048828125, 0x3C00, 1 + 2^-11 is a tie that goes down to even",
    "1.00146484375, 0x3C02, 1 + 3 * 2^-11 is a tie that goes up to even",
    "65504, 0x7BFF, the largest f16",
    "65519.99, 0x7BFF, below the overflow threshold",
    "65520, 0x7C00, the overflow threshold is a tie that goes to infinity",
    "5.9604644775390625E-8, 0x0001, 2^-24 is the smallest subnormal",
    "2.9802322387695312E-8, 0x0000, 2^-25 is a tie between 0 and the smallest subnormal: even 0",
    "8.940696716308594E-8, 0x0002, 3 * 2^-25 is a tie that goes up to even",
    "-0.0, 0x8000, negative zero",
  })
  void floatToF16RoundsToNearestEven(float input, String expected, String why) {
    assertEquals((short) hex(expected), FloatFormats.floatToF16(input), why);
  }

  @Test
  void doubleConversionsRoundOnceNotTwice() {
    // Via float, 1 + 2^-11 + 2^-40 first becomes the tie 1 + 2^-11 and then goes down to even.
    double aboveF16Tie = 1 + 0x1p-11 + 0x1p-40;
    assertEquals((short) 0x3C00, FloatFormats.floatToF16((float) aboveF16Tie));
    assertEquals((short) 0x3C01, FloatFormats.doubleToF16(aboveF16Tie));
    assertEquals((short) 0x3C00, FloatFormats.doubleToF16(1 + 0x1p-11 - 0x1p-40));
    double aboveBf16Tie = 1 + 0x1p-8 + 0x1p-40;
    assertEquals((short) 0x3F80, FloatFormats.floatToBf16((float) aboveBf16Tie));
    assertEquals((short) 0x3F81, FloatFormats.doubleToBf16(aboveBf16Tie));
    assertEquals((short) 0x3F80, FloatFormats.doubleToBf16(1 + 0x1p-8));
    assertEquals((short) 0x7F80, FloatFormats.doubleToBf16(1e300));
    assertEquals((short) 0x7C00, FloatFormats.doubleToF16(65520));
    assertEquals((short) 0x7BFF, FloatFormats.doubleToF16(Math.nextDown(65520.0)));
    assertEquals((short) 0x8000, FloatFormats.doubleToF16(-1e-300));
    // In the subnormal range too: 2^-134 is the tie between 0 and the smallest bf16, 2^-133.
    assertEquals((short) 0x0001, FloatFormats.doubleToBf16(0x1p-133 * 0.75));
    assertEquals((short) 0x0000, FloatFormats.doubleToBf16(0x1p-134));
    assertEquals((short) 0x0000, FloatFormats.floatToBf16((float) (0x1p-134 + 0x1p-160)));
    assertEquals((short) 0x0001, FloatFormats.doubleToBf16(0x1p-134 + 0x1p-160));
    assertEquals((short) 0x0000, FloatFormats.doubleToBf16(1e-300));
    assertTrue(Float.isNaN(FloatFormats.f16ToFloat(FloatFormats.doubleToF16(Double.NaN))));
    assertTrue(Float.isNaN(FloatFormats.bf16ToFloat(FloatFormats.doubleToBf16(Double.NaN))));
  }

  @Test
  void everyHalfValueRoundTripsThroughFloatAndDouble() {
    for (int i = 0; i < 1 << 16; i++) {
      short bits = (short) i;
      float bf16 = FloatFormats.bf16ToFloat(bits);
      float f16 = FloatFormats.f16ToFloat(bits);
      if (!Float.isNaN(bf16)) {
        assertEquals(bits, FloatFormats.floatToBf16(bf16));
        assertEquals(bits, FloatFormats.doubleToBf16(bf16));
      }
      if (!Float.isNaN(f16)) {
        assertEquals(bits, FloatFormats.floatToF16(f16));
        assertEquals(bits, FloatFormats.doubleToF16(f16));
      }
    }
  }

  @Test
  void roundingFromDoubleAgreesWithRoundingFromFloatForFloats() {
    SplittableRandom random = new SplittableRandom(7);
    for (int i = 0; i < 200_000; i++) {
      float value = Float.intBitsToFloat(random.nextInt());
      if (Float.isNaN(value)) {
        continue;
      }
      assertEquals(FloatFormats.floatToBf16(value), FloatFormats.doubleToBf16(value));
      assertEquals(FloatFormats.floatToF16(value), FloatFormats.doubleToF16(value));
    }
  }

  @Test
  void roundToOddMarksInexactResults() {
    assertEquals(1.0f, FloatFormats.toFloatRoundToOdd(1.0));
    assertEquals(Float.intBitsToFloat(0x3F800001), FloatFormats.toFloatRoundToOdd(1 + 0x1p-40));
    assertEquals(Float.intBitsToFloat(0x3F800001), FloatFormats.toFloatRoundToOdd(1 + 0x1p-23 - 0x1p-40));
    assertEquals(Float.intBitsToFloat(0x3F800003), FloatFormats.toFloatRoundToOdd(1 + 0x1p-22 + 0x1p-40));
    assertEquals(Float.MAX_VALUE, FloatFormats.toFloatRoundToOdd(1e300));
    assertEquals(-Float.MIN_VALUE, FloatFormats.toFloatRoundToOdd(-1e-300));
    assertEquals(Float.POSITIVE_INFINITY, FloatFormats.toFloatRoundToOdd(Double.POSITIVE_INFINITY));
  }
}
