package dev.adjoint.runtime.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.runtime.DType;
import dev.adjoint.runtime.Tensor;
import org.junit.jupiter.api.Test;

class TensorArraysTest {
  @Test
  void copyIntoWritesEveryElementOverWhatTheArrayHeld() {
    Tensor t = Tensor.ofDoubles(DType.F32, new int[] {3}, new double[] {1.5, -2, 0});
    float[] kept = {Float.NaN, 7, 8};
    assertSame(kept, TensorArrays.copyInto(t, kept));
    assertArrayEquals(new float[] {1.5f, -2f, 0f}, kept);

    double[] doubles = {9, 9};
    TensorArrays.copyInto(Tensor.ofDoubles(DType.F64, new int[] {2}, new double[] {0.1, 0.2}), doubles);
    assertArrayEquals(new double[] {0.1, 0.2}, doubles);

    int[] ints = {5, 5};
    TensorArrays.copyInto(Tensor.ofInts(new int[] {2}, new int[] {-1, 3}), ints);
    assertArrayEquals(new int[] {-1, 3}, ints);

    boolean[] bools = {true, true};
    TensorArrays.copyInto(Tensor.ofBooleans(new int[] {2}, new boolean[] {false, true}), bools);
    assertArrayEquals(new boolean[] {false, true}, bools);
  }

  @Test
  void copyIntoWidensBf16AndF16AsToArrayDoes() {
    for (DType half : new DType[] {DType.BF16, DType.F16}) {
      Tensor t = Tensor.ofDoubles(half, new int[] {2, 2}, new double[] {1.0 / 3, -7.25, 65504, 1e-3});
      float[] kept = new float[] {Float.NaN, Float.NaN, Float.NaN, Float.NaN};
      TensorArrays.copyInto(t, kept);
      assertArrayEquals((float[]) TensorArrays.toArray(t, false), kept, half.toString());
    }
  }

  @Test
  void onlyBf16AndF16AreNotShared() {
    for (DType d : DType.values()) {
      boolean half = d == DType.BF16 || d == DType.F16;
      assertEquals(!half, TensorArrays.sharesArray(d), d.toString());
    }
    Tensor t = Tensor.ofDoubles(DType.F32, new int[] {1}, new double[] {2});
    assertSame(t.floatData(), TensorArrays.toArray(t, false));
    assertTrue(TensorArrays.toArray(t, true) != t.floatData());
    assertFalse(TensorArrays.sharesArray(DType.BF16));
  }

  @Test
  void copyIntoAnArrayOfAnotherTypeOrLengthIsRefused() {
    Tensor t = Tensor.ofDoubles(DType.F32, new int[] {3}, new double[] {1, 2, 3});
    assertEquals("3 f32 elements go into a float[3], not a float[4]",
        assertThrows(IllegalArgumentException.class, () -> TensorArrays.copyInto(t, new float[4])).getMessage());
    assertEquals("3 f32 elements go into a float[3], not a double[3]",
        assertThrows(IllegalArgumentException.class, () -> TensorArrays.copyInto(t, new double[3])).getMessage());
    Tensor b = Tensor.ofDoubles(DType.BF16, new int[] {2}, new double[] {1, 2});
    assertEquals("2 bf16 elements go into a float[2], not a java.lang.String",
        assertThrows(IllegalArgumentException.class, () -> TensorArrays.copyInto(b, "x")).getMessage());
  }
}
