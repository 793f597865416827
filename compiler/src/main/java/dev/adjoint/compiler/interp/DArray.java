package dev.adjoint.compiler.interp;

import dev.adjoint.runtime.DType;
import java.util.Arrays;
import java.util.Objects;

/**
 * The reference interpreter's array: every element held as a double, whatever the element type,
 * and rounded to that type after each operation so that f32 programs see f32 arithmetic. Arrays
 * are never mutated once built.
 */
public final class DArray {
  private final DType dtype;
  private final int[] shape;
  private final double[] data;

  private DArray(DType dtype, int[] shape, double[] data) {
    this.dtype = dtype;
    this.shape = shape;
    this.data = data;
  }

  /** Wraps {@code data} (rounding it to {@code dtype} in place); the caller gives up the array. */
  public static DArray of(DType dtype, int[] shape, double[] data) {
    Objects.requireNonNull(dtype, "dtype");
    if (sizeOf(shape) != data.length) {
      throw new IllegalArgumentException(
          "shape " + Arrays.toString(shape) + " needs " + sizeOf(shape) + " elements, got " + data.length);
    }
    for (int i = 0; i < data.length; i++) data[i] = round(dtype, data[i]);
    return new DArray(dtype, shape.clone(), data);
  }

  public static DArray filled(DType dtype, int[] shape, double value) {
    double[] d = new double[sizeOf(shape)];
    Arrays.fill(d, value);
    return of(dtype, shape, d);
  }

  public static int sizeOf(int[] shape) {
    long n = 1;
    for (int s : shape) n = Math.multiplyExact(n, (long) s);
    return Math.toIntExact(n);
  }

  /** Rounds a double to the nearest value representable in {@code dtype}. */
  public static double round(DType dtype, double v) {
    return switch (dtype) {
      case F64 -> v;
      case F32 -> (float) v;
      case F16 -> Float.float16ToFloat(Float.floatToFloat16((float) v));
      case BF16 -> bf16((float) v);
      case I32 -> Double.isNaN(v) ? 0 : (double) (int) (long) v;
      case BOOL -> v != 0 ? 1 : 0;
    };
  }

  private static double bf16(float f) {
    if (Float.isNaN(f)) return f;
    int bits = Float.floatToRawIntBits(f);
    int rounded = bits + 0x7FFF + ((bits >>> 16) & 1);
    return Float.intBitsToFloat(rounded & 0xFFFF0000);
  }

  public DType dtype() {
    return dtype;
  }

  public int[] shape() {
    return shape.clone();
  }

  public int rank() {
    return shape.length;
  }

  public int dim(int axis) {
    return shape[axis];
  }

  public int size() {
    return data.length;
  }

  public double get(int flat) {
    return data[flat];
  }

  /** A copy of the elements in C order. */
  public double[] toArray() {
    return data.clone();
  }

  /** Row-major strides of a shape. */
  public static int[] strides(int[] shape) {
    int[] s = new int[shape.length];
    int stride = 1;
    for (int i = shape.length - 1; i >= 0; i--) {
      s[i] = stride;
      stride *= shape[i];
    }
    return s;
  }

  /** Advances a multi-index in C order; returns false after the last one. */
  public static boolean next(int[] index, int[] shape) {
    for (int i = shape.length - 1; i >= 0; i--) {
      if (++index[i] < shape[i]) return true;
      index[i] = 0;
    }
    return false;
  }

  @Override
  public String toString() {
    return dtype.name().toLowerCase(java.util.Locale.ROOT) + Arrays.toString(shape);
  }
}
