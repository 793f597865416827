package dev.adjoint.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import org.junit.jupiter.api.Test;

class TensorToStringTest {
  private static Tensor f32(int[] shape, double... values) {
    return Tensor.ofDoubles(DType.F32, shape, values);
  }

  @Test
  void nestsLikeNumPyOnOneLine() {
    assertEquals("f32[2, 3] [[1, 2, 3], [4, 5, 6]]", f32(new int[] {2, 3}, 1, 2, 3, 4, 5, 6).toString());
    assertEquals("f32[] 1.5", Tensor.scalar(DType.F32, 1.5).toString());
    assertEquals("f32[0] []", Tensor.zeros(DType.F32, new int[] {0}).toString());
    assertEquals("f32[2, 0] [[], []]", Tensor.zeros(DType.F32, new int[] {2, 0}).toString());
    assertEquals("i32[2, 1, 2] [[[1, -2]], [[3, 4]]]",
        Tensor.ofInts(new int[] {2, 1, 2}, new int[] {1, -2, 3, 4}).toString());
    assertEquals("bool[2] [true, false]", Tensor.ofBooleans(new int[] {2}, new boolean[] {true, false}).toString());
  }

  @Test
  void numbersAreTheShortestTextOfTheValueInItsOwnDtype() {
    assertEquals("f32[3] [1.15, 0.1, -0]", f32(new int[] {3}, 1.15, 0.1, -0.0).toString());
    assertEquals("f64[2] [1.15, 0.30000000000000004]",
        Tensor.ofDoubles(DType.F64, new int[] {2}, new double[] {1.15, 0.1 + 0.2}).toString());
    assertEquals("bf16[3] [1.15, 0.1, 3.39E38]",
        Tensor.ofDoubles(DType.BF16, new int[] {3}, new double[] {1.15, 0.1, 3.39e38}).toString());
    assertEquals("f16[4] [0.1, 65500, 6E-8, 1.001]",
        Tensor.ofDoubles(DType.F16, new int[] {4}, new double[] {0.1, 65504, 6e-8, 1.001}).toString());
    assertEquals("f32[4] [nan, inf, -inf, 1E10]",
        f32(new int[] {4}, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 1e10).toString());
    assertEquals("f32[2] [1E-5, 1.5E-5]", f32(new int[] {2}, 1e-5, 1.5e-5).toString());
  }

  @Test
  void largeTensorsShowTheEndsOfEachAxis() {
    double[] values = new double[2000];
    for (int i = 0; i < values.length; i++) {
      values[i] = i;
    }
    assertEquals("f32[2000] [0, 1, 2, ..., 1997, 1998, 1999]", f32(new int[] {2000}, values).toString());
    assertEquals("f32[2, 1000] [[0, 1, 2, ..., 997, 998, 999], [1000, 1001, 1002, ..., 1997, 1998, 1999]]",
        f32(new int[] {2, 1000}, values).toString());
    assertEquals("f32[200, 10] [[0, 1, 2, ..., 7, 8, 9], [10, 11, 12, ..., 17, 18, 19], "
            + "[20, 21, 22, ..., 27, 28, 29], ..., [1970, 1971, 1972, ..., 1977, 1978, 1979], "
            + "[1980, 1981, 1982, ..., 1987, 1988, 1989], [1990, 1991, 1992, ..., 1997, 1998, 1999]]",
        f32(new int[] {200, 10}, values).toString());
    String thousand = Tensor.zeros(DType.F32, new int[] {1000}).toString();
    assertFalse(thousand.contains("..."), "1000 elements are printed in full");
  }
}
