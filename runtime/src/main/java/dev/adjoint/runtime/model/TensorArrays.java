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
