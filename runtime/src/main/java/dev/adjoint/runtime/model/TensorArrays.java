package dev.adjoint.runtime.model;

import dev.adjoint.runtime.DType;
import dev.adjoint.runtime.FloatFormats;
import dev.adjoint.runtime.Tensor;
import java.util.Objects;

/**
 * Tensors as the primitive arrays generated kernels read and write ({@code float[]} for f32, bf16
 * and f16, {@code double[]} for f64, {@code int[]} for i32, {@code boolean[]} for bool), and back.
 */
public final class TensorArrays {
  private TensorArrays() {}

  /**
   * The elements of {@code t} as a buffer array. Shared with the tensor when {@code written} is
   * false (kernels only read it), a copy otherwise; bf16 and f16 elements are always widened into
   * a new {@code float[]}.
   */
  public static Object toArray(Tensor t, boolean written) {
    Objects.requireNonNull(t, "t");
    return switch (t.dtype()) {
      case F32 -> written ? t.floatData().clone() : t.floatData();
      case F64 -> written ? t.doubleData().clone() : t.doubleData();
      case I32 -> written ? t.intData().clone() : t.intData();
      case BOOL -> written ? t.boolData().clone() : t.boolData();
      case F16, BF16 -> {
        short[] bits = t.halfData();
        float[] out = new float[bits.length];
        for (int i = 0; i < bits.length; i++) {
          out[i] = t.dtype() == DType.BF16 ? FloatFormats.bf16ToFloat(bits[i]) : FloatFormats.f16ToFloat(bits[i]);
        }
        yield out;
      }
    };
  }

  /**
   * Whether {@link #toArray toArray(t, false)} shares the tensor's own array rather than making a
   * new one: for every element type but bf16 and f16, whose elements are widened to floats.
   */
  public static boolean sharesArray(DType dtype) {
    Objects.requireNonNull(dtype, "dtype");
    return dtype != DType.BF16 && dtype != DType.F16;
  }

  /**
   * Writes the elements of {@code t} into {@code array} (bf16 and f16 widened), a buffer array of
   * its element type and count that the caller keeps between runs, so that a run needing a copy
   * of an input allocates none; returns {@code array}.
   *
   * @throws IllegalArgumentException if {@code array} is not the buffer array of {@code t}'s
   *     element type and count
   */
  public static Object copyInto(Tensor t, Object array) {
    Objects.requireNonNull(t, "t");
    Objects.requireNonNull(array, "array");
    int n = t.size();
    switch (t.dtype()) {
      case F32 -> System.arraycopy(t.floatData(), 0, checked(t, array, float[].class), 0, n);
      case F64 -> System.arraycopy(t.doubleData(), 0, checked(t, array, double[].class), 0, n);
      case I32 -> System.arraycopy(t.intData(), 0, checked(t, array, int[].class), 0, n);
      case BOOL -> System.arraycopy(t.boolData(), 0, checked(t, array, boolean[].class), 0, n);
      case F16, BF16 -> {
        short[] bits = t.halfData();
        float[] out = checked(t, array, float[].class);
        for (int i = 0; i < n; i++) {
          out[i] = t.dtype() == DType.BF16 ? FloatFormats.bf16ToFloat(bits[i]) : FloatFormats.f16ToFloat(bits[i]);
        }
      }
    }
    return array;
  }

  private static <A> A checked(Tensor t, Object array, Class<A> type) {
    if (!type.isInstance(array) || java.lang.reflect.Array.getLength(array) != t.size()) {
      String got = array.getClass().isArray()
          ? array.getClass().getComponentType().getName() + "[" + java.lang.reflect.Array.getLength(array) + "]"
          : array.getClass().getName();
      throw new IllegalArgumentException(t.size() + " " + t.dtype() + " elements go into a "
          + type.getComponentType().getName() + "[" + t.size() + "], not a " + got);
    }
    return type.cast(array);
  }

  /**
   * A tensor of {@code dtype} and {@code shape} holding the elements of a buffer array (copied;
   * bf16 and f16 values narrowed to their 16-bit patterns).
   *
   * @throws ClassCastException if the array is not the one {@code dtype} keeps its elements in
   */
  public static Tensor toTensor(DType dtype, int[] shape, Object array) {
    Objects.requireNonNull(dtype, "dtype");
    return switch (dtype) {
      case F32 -> Tensor.ofFloats(shape, (float[]) array);
      case F64 -> Tensor.ofDoubles(DType.F64, shape, (double[]) array);
      case I32 -> Tensor.ofInts(shape, (int[]) array);
      case BOOL -> Tensor.ofBooleans(shape, (boolean[]) array);
      case F16, BF16 -> {
        float[] values = (float[]) array;
        short[] bits = new short[values.length];
        for (int i = 0; i < bits.length; i++) {
          bits[i] = dtype == DType.BF16 ? FloatFormats.floatToBf16(values[i]) : FloatFormats.floatToF16(values[i]);
        }
        yield Tensor.ofHalfBits(dtype, shape, bits);
      }
    };
  }
}
