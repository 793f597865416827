package dev.adjoint.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class TensorTest {
  private static final double[] SAMPLE = {0, 1, -2, 3, 4, -5};

  @ParameterizedTest
  @EnumSource(DType.class)
  void doublesRoundTripForValuesEveryDtypeHolds(DType dtype) {
    double[] values = dtype == DType.BOOL ? new double[] {0, 1, 1, 0, 1, 0} : SAMPLE;
    Tensor tensor = Tensor.ofDoubles(dtype, new int[] {2, 3}, values);
    assertEquals(dtype, tensor.dtype());
    assertEquals(List.of(2, 3), tensor.shape());
    assertArrayEquals(new int[] {2, 3}, tensor.shapeArray());
    assertEquals(2, tensor.rank());
    assertEquals(3, tensor.dim(1));
    assertEquals(6, tensor.size());
    assertArrayEquals(values, tensor.toDoubles());
    assertEquals(values[5], tensor.getDouble(5));
  }

  /** The value {@code value} becomes as a one-element tensor of {@code dtype}. */
  private static double stored(DType dtype, double value) {
    return Tensor.ofDoubles(dtype, new int[] {1}, new double[] {value}).getDouble(0);
  }

  @Test
  void ofDoublesRoundsToNearestEvenOnceFromTheDouble() {
    assertEquals(1 + 0x1p-10, stored(DType.F16, 1 + 0x1p-11 + 0x1p-40));
    assertEquals(1.0, stored(DType.F16, 1 + 0x1p-11));
    assertEquals(1 + 0x1p-7, stored(DType.BF16, 1 + 0x1p-8 + 0x1p-40));
    assertEquals(1.0, stored(DType.F32, 1 + 0x1p-24));
    assertEquals(1 + 0x1p-22, stored(DType.F32, 1 + 0x1p-23 + 0x1p-24));
    assertEquals(Double.POSITIVE_INFINITY, stored(DType.F32, 1e300));
  }

  @Test
  void boolIsTrueForEveryNonZeroValueIncludingNaN() {
    Tensor tensor = Tensor.ofDoubles(DType.BOOL, new int[] {4}, new double[] {0, -0.0, 0.5, Double.NaN});
    assertArrayEquals(new boolean[] {false, false, true, true}, tensor.boolData());
  }

  @Test
  void i32RefusesFractionsNaNAndOutOfRangeValues() {
    assertEquals("values[1] is 2.5, which is not an integer; an i32 tensor holds integers only",
        assertThrows(IllegalArgumentException.class,
            () -> Tensor.ofDoubles(DType.I32, new int[] {2}, new double[] {1, 2.5})).getMessage());
    assertEquals("values[0] is NaN, which is not an integer; an i32 tensor holds integers only",
        assertThrows(IllegalArgumentException.class,
            () -> Tensor.ofDoubles(DType.I32, new int[] {1}, new double[] {Double.NaN})).getMessage());
    assertEquals("values[0] is Infinity, which is not an integer; an i32 tensor holds integers only",
        assertThrows(IllegalArgumentException.class,
            () -> Tensor.ofDoubles(DType.I32, new int[] {1}, new double[] {Double.POSITIVE_INFINITY})).getMessage());
    assertEquals("values[0] is 2.147483648E9, which is outside the i32 range [-2147483648, 2147483647]",
        assertThrows(IllegalArgumentException.class,
            () -> Tensor.ofDoubles(DType.I32, new int[] {1}, new double[] {2147483648.0})).getMessage());
    assertEquals(-2147483648, Tensor.ofDoubles(DType.I32, new int[] {1}, new double[] {-2147483648.0}).intData()[0]);
  }

  @Test
  void shapesAreChecked() {
    assertEquals("shape [2, -1] has a negative dimension (-1 at axis 1)",
        assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(DType.F32, new int[] {2, -1})).getMessage());
    assertEquals("shape [65536, 65536] has 4294967296 elements, more than the 2147483647 a tensor can hold",
        assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(DType.F32, new int[] {65536, 65536})).getMessage());
    assertEquals("shape [2, 3] needs 6 values but 5 were given",
        assertThrows(IllegalArgumentException.class, () -> Tensor.ofFloats(new int[] {2, 3}, new float[5])).getMessage());
    assertEquals(0, Tensor.zeros(DType.F32, new int[] {0, 65536, 65536}).size());
    assertEquals("axis 2 is out of range for a tensor of shape [2, 3] (rank 2)",
        assertThrows(IndexOutOfBoundsException.class, () -> Tensor.zeros(DType.F32, new int[] {2, 3}).dim(2)).getMessage());
    assertEquals("flat index 6 is out of range for a tensor of 6 elements",
        assertThrows(IndexOutOfBoundsException.class, () -> Tensor.zeros(DType.F32, new int[] {2, 3}).getDouble(6)).getMessage());
  }

  @Test
  void scalarsAndEmptyTensors() {
    Tensor scalar = Tensor.scalar(DType.F64, 2.5);
    assertEquals(0, scalar.rank());
    assertEquals(1, scalar.size());
    assertEquals(List.of(), scalar.shape());
    assertEquals(2.5, scalar.getDouble(0));
    Tensor empty = Tensor.zeros(DType.I32, new int[] {3, 0});
    assertEquals(0, empty.size());
    assertArrayEquals(new double[0], empty.toDoubles());
  }

  @Test
  void factoriesCopyTheirInputsAndShapeIsImmutable() {
    float[] values = {1, 2};
    int[] shape = {2};
    Tensor tensor = Tensor.ofFloats(shape, values);
    values[0] = 99;
    shape[0] = 5;
    assertEquals(1, tensor.getDouble(0));
    assertEquals(2, tensor.dim(0));
    tensor.shapeArray()[0] = 7;
    assertEquals(2, tensor.dim(0));
    assertThrows(UnsupportedOperationException.class, () -> tensor.shape().set(0, 3));
  }

  @Test
  void dataAccessorsNameTheActualDtype() {
    Tensor bf16 = Tensor.zeros(DType.BF16, new int[] {1});
    assertEquals("floatData() is for f32 tensors, but this tensor is bf16",
        assertThrows(IllegalStateException.class, bf16::floatData).getMessage());
    assertEquals("doubleData() is for f64 tensors, but this tensor is bf16",
        assertThrows(IllegalStateException.class, bf16::doubleData).getMessage());
    assertEquals("intData() is for i32 tensors, but this tensor is bf16",
        assertThrows(IllegalStateException.class, bf16::intData).getMessage());
    assertEquals("boolData() is for bool tensors, but this tensor is bf16",
        assertThrows(IllegalStateException.class, bf16::boolData).getMessage());
    assertEquals("halfData() is for bf16 and f16 tensors, but this tensor is i32",
        assertThrows(IllegalStateException.class, () -> Tensor.zeros(DType.I32, new int[] {1}).halfData()).getMessage());
    assertEquals(1, bf16.halfData().length);
    assertEquals("ofHalfBits makes bf16 or f16 tensors, not f32",
        assertThrows(IllegalArgumentException.class,
            () -> Tensor.ofHalfBits(DType.F32, new int[] {1}, new short[1])).getMessage());
  }

  @Test
  void castConvertsLikeNumPy() {
    Tensor floats = Tensor.ofDoubles(DType.F64, new int[] {5}, new double[] {1.9, -1.9, 0, 3, 1 + 0x1p-11 + 0x1p-40});
    assertArrayEquals(new int[] {1, -1, 0, 3, 1}, floats.cast(DType.I32).intData());
    assertArrayEquals(new boolean[] {true, true, false, true, true}, floats.cast(DType.BOOL).boolData());
    assertEquals(1 + 0x1p-10, floats.cast(DType.F16).getDouble(4));
    assertEquals(1.9f, floats.cast(DType.F32).floatData()[0]);
    assertSame(floats, floats.cast(DType.F64));
    Tensor bools = Tensor.ofBooleans(new int[] {2}, new boolean[] {true, false});
    assertArrayEquals(new float[] {1, 0}, bools.cast(DType.F32).floatData());
    assertEquals("cannot cast element 1 (NaN) to i32: it is NaN",
        assertThrows(IllegalArgumentException.class,
            () -> Tensor.ofDoubles(DType.F32, new int[] {2}, new double[] {0, Double.NaN}).cast(DType.I32)).getMessage());
    assertEquals("cannot cast element 0 (3.0E9) to i32: it is outside the i32 range [-2147483648, 2147483647]",
        assertThrows(IllegalArgumentException.class,
            () -> Tensor.ofDoubles(DType.F64, new int[] {1}, new double[] {3e9}).cast(DType.I32)).getMessage());
    assertEquals(2147483647, Tensor.scalar(DType.F64, 2147483647.9).cast(DType.I32).intData()[0]);
  }

  @Test
  void reshapeKeepsTheElementsAndInfersMinusOne() {
    Tensor tensor = Tensor.ofDoubles(DType.F32, new int[] {2, 3}, SAMPLE);
    Tensor reshaped = tensor.reshape(new int[] {3, -1});
    assertEquals(List.of(3, 2), reshaped.shape());
    assertArrayEquals(SAMPLE, reshaped.toDoubles());
    assertEquals(List.of(), Tensor.scalar(DType.F32, 1).reshape(new int[] {1, 1}).reshape(new int[0]).shape());
    assertEquals("cannot reshape [2, 3] (6 elements) to [4, 2] (8 elements)",
        assertThrows(IllegalArgumentException.class, () -> tensor.reshape(new int[] {4, 2})).getMessage());
    assertEquals("cannot reshape [2, 3] (6 elements) to [4, -1]: no size for the -1 dimension fits",
        assertThrows(IllegalArgumentException.class, () -> tensor.reshape(new int[] {4, -1})).getMessage());
    assertEquals("cannot reshape to [-1, -1]: only one dimension can be -1",
        assertThrows(IllegalArgumentException.class, () -> tensor.reshape(new int[] {-1, -1})).getMessage());
    assertEquals("cannot reshape to [6, -2]: dimension -2 at axis 1 is negative",
        assertThrows(IllegalArgumentException.class, () -> tensor.reshape(new int[] {6, -2})).getMessage());
  }

  @Test
  void equalityIsByDtypeShapeAndBits() {
    Tensor a = Tensor.ofFloats(new int[] {2}, new float[] {1, Float.NaN});
    Tensor b = Tensor.ofFloats(new int[] {2}, new float[] {1, Float.NaN});
    assertEquals(a, b);
    assertEquals(a.hashCode(), b.hashCode());
    assertNotEquals(a, a.reshape(new int[] {2, 1}));
    assertNotEquals(a, a.cast(DType.F64));
    assertNotEquals(Tensor.scalar(DType.F32, 0.0), Tensor.scalar(DType.F32, -0.0));
    assertNotEquals(Tensor.scalar(DType.F64, 0.0), Tensor.scalar(DType.F64, -0.0));
    assertEquals(Tensor.zeros(DType.BF16, new int[] {3}), Tensor.ofHalfBits(DType.BF16, new int[] {3}, new short[3]));
    assertNotEquals(Tensor.zeros(DType.BF16, new int[] {3}), Tensor.zeros(DType.F16, new int[] {3}));
  }
}
