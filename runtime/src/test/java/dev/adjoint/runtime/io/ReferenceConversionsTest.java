package dev.adjoint.runtime.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.runtime.FloatFormats;
import java.math.BigInteger;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Our 16-bit conversions against PyTorch (float32 to bfloat16) and NumPy (float32 and float64 to
 * float16), from {@code conversions.json}: random bit patterns, exact ties, near-ties, subnormals,
 * overflow, and float64 values that rounding through float32 would get wrong.
 */
class ReferenceConversionsTest {
  @SuppressWarnings("unchecked")
  private static List<List<BigInteger>> cases(String name) {
    return (List<List<BigInteger>>) (List<?>) ReferenceFiles.json("conversions.json").get(name);
  }

  @Test
  void floatToBf16MatchesPyTorch() {
    List<List<BigInteger>> cases = cases("f32_to_bf16");
    assertTrue(cases.size() > 500);
    for (List<BigInteger> c : cases) {
      float input = Float.intBitsToFloat(c.get(0).intValue());
      short ours = FloatFormats.floatToBf16(input);
      if (Float.isNaN(input)) {
        // PyTorch makes every NaN the canonical 0x7FC0; we keep sign and payload. Both are NaN.
        assertTrue(Float.isNaN(FloatFormats.bf16ToFloat(ours)), "NaN " + Integer.toHexString(c.get(0).intValue()));
        continue;
      }
      assertEquals(c.get(1).intValue(), ours & 0xffff, "bf16 of float bits " + Integer.toHexString(c.get(0).intValue()));
    }
  }

  @Test
  void floatToF16MatchesNumPy() {
    List<List<BigInteger>> cases = cases("f32_to_f16");
    assertTrue(cases.size() > 500);
    for (List<BigInteger> c : cases) {
      float input = Float.intBitsToFloat(c.get(0).intValue());
      assertEquals(c.get(1).intValue(), FloatFormats.floatToF16(input) & 0xffff, "f16 of " + input);
      assertEquals(c.get(1).intValue(), FloatFormats.doubleToF16(input) & 0xffff, "f16 of (double) " + input);
    }
  }

  @Test
  void doubleToF16MatchesNumPyWhichRoundsOnce() {
    List<List<BigInteger>> cases = cases("f64_to_f16");
    assertTrue(cases.size() > 500);
    int differentViaFloat = 0;
    for (List<BigInteger> c : cases) {
      double input = Double.longBitsToDouble(c.get(0).longValue());
      int expected = c.get(1).intValue();
      assertEquals(expected, FloatFormats.doubleToF16(input) & 0xffff, "f16 of " + input);
      if ((FloatFormats.floatToF16((float) input) & 0xffff) != expected) {
        differentViaFloat++;
      }
    }
    // The near-tie cases are there to catch double rounding; make sure they do.
    assertTrue(differentViaFloat > 50, "only " + differentViaFloat + " cases catch double rounding");
  }
}
