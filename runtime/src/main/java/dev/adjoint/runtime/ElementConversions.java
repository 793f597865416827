package dev.adjoint.runtime;

import java.util.Arrays;

/** Per-dtype work on a tensor's backing array: conversion to and from doubles, bitwise equality. */
final class ElementConversions {
  private ElementConversions() {}

  static Object newArray(DType dtype, int size) {
    return switch (dtype) {
      case F32 -> new float[size];
      case F64 -> new double[size];
      case BF16, F16 -> new short[size];
      case I32 -> new int[size];
      case BOOL -> new boolean[size];
    };
  }

  /** A new backing array for {@code dtype} holding {@code values}, converted as {@link Tensor#ofDoubles} says. */
  static Object fromDoubles(DType dtype, double[] values) {
    int n = values.length;
    switch (dtype) {
      case F32 -> {
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
          out[i] = (float) values[i]; // the Java cast rounds to nearest, ties to even
        }
        return out;
      }
      case F64 -> {
        return values.clone();
      }
      case BF16 -> {
        short[] out = new short[n];
        for (int i = 0; i < n; i++) {
          out[i] = FloatFormats.doubleToBf16(values[i]);
        }
        return out;
      }
      case F16 -> {
        short[] out = new short[n];
        for (int i = 0; i < n; i++) {
          out[i] = FloatFormats.doubleToF16(values[i]);
        }
        return out;
      }
      case I32 -> {
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
          out[i] = exactI32(values[i], i);
        }
        return out;
      }
      case BOOL -> {
        boolean[] out = new boolean[n];
        for (int i = 0; i < n; i++) {
          out[i] = values[i] != 0; // NaN != 0 is true, as in NumPy
        }
        return out;
      }
    }
    throw new AssertionError(dtype);
  }

  private static int exactI32(double value, int index) {
    if (value != Math.rint(value) || Double.isInfinite(value)) {
      throw new IllegalArgumentException("values[" + index + "] is " + value
          + ", which is not an integer; an i32 tensor holds integers only");
    }
    if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("values[" + index + "] is " + value
          + ", which is outside the i32 range [" + Integer.MIN_VALUE + ", " + Integer.MAX_VALUE + "]");
    }
    return (int) value;
  }

  /** {@code value} truncated toward zero for a cast to i32; NaN and out-of-range values are refused. */
  static double truncateForI32(double value, int index) {
    double truncated = value < 0 ? Math.ceil(value) : Math.floor(value);
    if (Double.isNaN(value) || truncated < Integer.MIN_VALUE || truncated > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("cannot cast element " + index + " (" + value + ") to i32: it is "
          + (Double.isNaN(value) ? "NaN" : "outside the i32 range [" + Integer.MIN_VALUE + ", "
              + Integer.MAX_VALUE + "]"));
    }
    return truncated;
  }

  static double getDouble(DType dtype, Object data, int index) {
    return switch (dtype) {
      case F32 -> ((float[]) data)[index];
      case F64 -> ((double[]) data)[index];
      case BF16 -> FloatFormats.bf16ToFloat(((short[]) data)[index]);
      case F16 -> FloatFormats.f16ToFloat(((short[]) data)[index]);
      case I32 -> ((int[]) data)[index];
      case BOOL -> ((boolean[]) data)[index] ? 1 : 0;
    };
  }

  static double[] toDoubles(DType dtype, Object data, int size) {
    if (dtype == DType.F64) {
      return ((double[]) data).clone();
    }
    double[] out = new double[size];
    for (int i = 0; i < size; i++) {
      out[i] = getDouble(dtype, data, i);
    }
    return out;
  }

  /** Whether two backing arrays of {@code dtype} hold the same bits (raw bits for floats, NaNs included). */
  static boolean sameBits(DType dtype, Object a, Object b) {
    switch (dtype) {
      case F32 -> {
        float[] x = (float[]) a;
        float[] y = (float[]) b;
        for (int i = 0; i < x.length; i++) {
          if (Float.floatToRawIntBits(x[i]) != Float.floatToRawIntBits(y[i])) {
            return false;
          }
        }
        return x.length == y.length;
      }
      case F64 -> {
        double[] x = (double[]) a;
        double[] y = (double[]) b;
        for (int i = 0; i < x.length; i++) {
          if (Double.doubleToRawLongBits(x[i]) != Double.doubleToRawLongBits(y[i])) {
            return false;
          }
        }
        return x.length == y.length;
      }
      case BF16, F16 -> {
        return Arrays.equals((short[]) a, (short[]) b);
      }
      case I32 -> {
        return Arrays.equals((int[]) a, (int[]) b);
      }
      case BOOL -> {
        return Arrays.equals((boolean[]) a, (boolean[]) b);
      }
    }
    throw new AssertionError(dtype);
  }

  /** A hash consistent with {@link #sameBits}. */
  static int bitsHash(DType dtype, Object data) {
    switch (dtype) {
      case F32 -> {
        int hash = 1;
        for (float value : (float[]) data) {
          hash = 31 * hash + Float.floatToRawIntBits(value);
        }
        return hash;
      }
      case F64 -> {
        int hash = 1;
        for (double value : (double[]) data) {
          hash = 31 * hash + Long.hashCode(Double.doubleToRawLongBits(value));
        }
        return hash;
      }
      case BF16, F16 -> {
        return Arrays.hashCode((short[]) data);
      }
      case I32 -> {
        return Arrays.hashCode((int[]) data);
      }
      case BOOL -> {
        return Arrays.hashCode((boolean[]) data);
      }
    }
    throw new AssertionError(dtype);
  }
}
