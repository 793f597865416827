package dev.adjoint.runtime.exec;

import java.util.Arrays;
import java.util.Objects;

/**
 * The storage of a program's buffers, by slot: one primitive array per buffer, of the buffer's
 * element type — {@code float[]} for f32, and also for bf16 and f16 (each element holds a value
 * of that format, widened exactly), {@code double[]} for f64, {@code int[]} for i32,
 * {@code boolean[]} for bool. Generated code reads and writes the arrays in place.
 */
public final class Buffers {
  private final Object[] arrays;

  private Buffers(Object[] arrays) {
    this.arrays = arrays;
  }

  /**
   * Wraps the arrays (not copied: kernels write into them).
   *
   * @throws IllegalArgumentException if an element is not a float[], double[], int[] or boolean[]
   */
  public static Buffers of(Object... arrays) {
    Objects.requireNonNull(arrays, "arrays");
    Object[] copy = arrays.clone();
    for (int i = 0; i < copy.length; i++) {
      Object a = copy[i];
      if (!(a instanceof float[] || a instanceof double[] || a instanceof int[] || a instanceof boolean[])) {
        throw new IllegalArgumentException("buffer slot " + i + " must be a float[], double[], int[] or boolean[], got "
            + describe(a));
      }
    }
    return new Buffers(copy);
  }

  /** The number of slots. */
  public int count() {
    return arrays.length;
  }

  /** The array in {@code slot}, whatever its type. */
  public Object get(int slot) {
    return arrays[checkSlot(slot)];
  }

  /** The {@code float[]} of an f32, bf16 or f16 buffer. */
  public float[] f32(int slot) {
    if (arrays[checkSlot(slot)] instanceof float[] a) return a;
    throw wrongType(slot, "float[]");
  }

  /** The {@code double[]} of an f64 buffer. */
  public double[] f64(int slot) {
    if (arrays[checkSlot(slot)] instanceof double[] a) return a;
    throw wrongType(slot, "double[]");
  }

  /** The {@code int[]} of an i32 buffer. */
  public int[] i32(int slot) {
    if (arrays[checkSlot(slot)] instanceof int[] a) return a;
    throw wrongType(slot, "int[]");
  }

  /** The {@code boolean[]} of a bool buffer. */
  public boolean[] bool(int slot) {
    if (arrays[checkSlot(slot)] instanceof boolean[] a) return a;
    throw wrongType(slot, "boolean[]");
  }

  private int checkSlot(int slot) {
    if (slot < 0 || slot >= arrays.length) {
      throw new IndexOutOfBoundsException("buffer slot " + slot + " is out of range; there are " + arrays.length);
    }
    return slot;
  }

  private IllegalArgumentException wrongType(int slot, String expected) {
    return new IllegalArgumentException("buffer slot " + slot + " holds " + describe(arrays[slot]) + ", expected a "
        + expected);
  }

  private static String describe(Object a) {
    if (a == null) return "null";
    return a.getClass().isArray() ? a.getClass().getComponentType().getName() + "[" + java.lang.reflect.Array.getLength(a) + "]"
        : a.getClass().getName();
  }

  @Override
  public String toString() {
    return "Buffers" + Arrays.stream(arrays).map(Buffers::describe).toList();
  }
}
