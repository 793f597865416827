package dev.adjoint.runtime;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * An immutable n-dimensional array: a {@link DType}, a shape, and the elements in C (row-major)
 * order in a primitive array that matches the dtype:
 *
 * <table>
 *   <caption>Backing arrays</caption>
 *   <tr><th>dtype</th><th>array</th></tr>
 *   <tr><td>f32</td><td>{@code float[]}</td></tr>
 *   <tr><td>f64</td><td>{@code double[]}</td></tr>
 *   <tr><td>bf16, f16</td><td>{@code short[]} holding the raw 16-bit patterns</td></tr>
 *   <tr><td>i32</td><td>{@code int[]}</td></tr>
 *   <tr><td>bool</td><td>{@code boolean[]}</td></tr>
 * </table>
 *
 * <p>Factories copy the arrays they are given. The {@code ...Data()} accessors hand out the backing
 * array itself so that generated code can read large tensors without copying; callers must not
 * write to it. Java arrays are indexed by int, so a tensor holds at most {@link Integer#MAX_VALUE}
 * elements; larger shapes are refused.
 */
public final class Tensor {
  private final DType dtype;
  private final int[] shape;
  private final List<Integer> shapeList;
  private final int size;
  /** One of float[], double[], short[], int[], boolean[], as {@link #dtype} says; never written after construction. */
  private final Object data;

  private Tensor(DType dtype, int[] shape, int size, Object data) {
    this.dtype = dtype;
    this.shape = shape;
    this.shapeList = Arrays.stream(shape).boxed().toList();
    this.size = size;
    this.data = data;
  }

  // ---- factories ----------------------------------------------------------------------------

  /**
   * A tensor of {@code dtype} holding {@code values} converted to it: rounded to nearest, ties to
   * even, for f32, bf16 and f16 (once, from the exact double); exact for f64; for i32 every value
   * must be an integer in range; for bool a value is {@code true} when it is not 0 (NaN is true).
   *
   * @throws IllegalArgumentException if the shape is invalid, the value count does not match it,
   *     or an i32 value is not an integer in range
   */
  public static Tensor ofDoubles(DType dtype, int[] shape, double[] values) {
    Objects.requireNonNull(dtype, "dtype");
    Objects.requireNonNull(values, "values");
    int[] checkedShape = Shapes.checkedCopy(shape);
    int size = checkCount(checkedShape, values.length);
    return new Tensor(dtype, checkedShape, size, ElementConversions.fromDoubles(dtype, values));
  }

  /** An f32 tensor holding a copy of {@code values}. */
  public static Tensor ofFloats(int[] shape, float[] values) {
    Objects.requireNonNull(values, "values");
    return create(DType.F32, shape, values.clone(), values.length);
  }

  /** An i32 tensor holding a copy of {@code values}. */
  public static Tensor ofInts(int[] shape, int[] values) {
    Objects.requireNonNull(values, "values");
    return create(DType.I32, shape, values.clone(), values.length);
  }

  /** A bool tensor holding a copy of {@code values}. */
  public static Tensor ofBooleans(int[] shape, boolean[] values) {
    Objects.requireNonNull(values, "values");
    return create(DType.BOOL, shape, values.clone(), values.length);
  }

  /**
   * A bf16 or f16 tensor holding a copy of {@code bits}, the raw 16-bit patterns of its elements.
   *
   * @throws IllegalArgumentException if {@code dtype} is not bf16 or f16
   */
  public static Tensor ofHalfBits(DType dtype, int[] shape, short[] bits) {
    Objects.requireNonNull(dtype, "dtype");
    Objects.requireNonNull(bits, "bits");
    if (dtype != DType.BF16 && dtype != DType.F16) {
      throw new IllegalArgumentException("ofHalfBits makes bf16 or f16 tensors, not " + dtype);
    }
    return create(dtype, shape, bits.clone(), bits.length);
  }

  /** A rank-0 tensor holding {@code value} converted to {@code dtype} as {@link #ofDoubles} does. */
  public static Tensor scalar(DType dtype, double value) {
    return ofDoubles(dtype, new int[0], new double[] {value});
  }

  /** A tensor of the given shape whose elements are all 0 (false for bool). */
  public static Tensor zeros(DType dtype, int[] shape) {
    Objects.requireNonNull(dtype, "dtype");
    int[] checkedShape = Shapes.checkedCopy(shape);
    int size = Shapes.size(checkedShape);
    return new Tensor(dtype, checkedShape, size, ElementConversions.newArray(dtype, size));
  }

  private static Tensor create(DType dtype, int[] shape, Object ownedData, int length) {
    int[] checkedShape = Shapes.checkedCopy(shape);
    int size = checkCount(checkedShape, length);
    return new Tensor(dtype, checkedShape, size, ownedData);
  }

  private static int checkCount(int[] shape, int valueCount) {
    int size = Shapes.size(shape);
    if (size != valueCount) {
      throw new IllegalArgumentException("shape " + Shapes.format(shape) + " needs " + size
          + " values but " + valueCount + " were given");
    }
    return size;
  }

  // ---- shape --------------------------------------------------------------------------------

  /** The element type. */
  public DType dtype() {
    return dtype;
  }

  /** The shape as an unmodifiable list; empty for a scalar. */
  public List<Integer> shape() {
    return shapeList;
  }

  /** A fresh copy of the shape. */
  public int[] shapeArray() {
    return shape.clone();
  }

  /** The number of axes; 0 for a scalar. */
  public int rank() {
    return shape.length;
  }

  /**
   * The size of one axis.
   *
   * @throws IndexOutOfBoundsException if {@code axis} is not in {@code [0, rank())}
   */
  public int dim(int axis) {
    if (axis < 0 || axis >= shape.length) {
      throw new IndexOutOfBoundsException("axis " + axis + " is out of range for a tensor of shape "
          + Shapes.format(shape) + " (rank " + shape.length + ")");
    }
    return shape[axis];
  }

  /** The number of elements: the product of the shape, 1 for a scalar. */
  public int size() {
    return size;
  }

  // ---- values -------------------------------------------------------------------------------

  /**
   * The element at a C-order index as a double: exact for every dtype; bool gives 1 or 0.
   *
   * @throws IndexOutOfBoundsException if {@code flatIndex} is not in {@code [0, size())}
   */
  public double getDouble(int flatIndex) {
    if (flatIndex < 0 || flatIndex >= size) {
      throw new IndexOutOfBoundsException("flat index " + flatIndex + " is out of range for a tensor of "
          + size + " elements");
    }
    return ElementConversions.getDouble(dtype, data, flatIndex);
  }

  /** A fresh array of all elements as doubles, in C order (exact for every dtype). */
  public double[] toDoubles() {
    return ElementConversions.toDoubles(dtype, data, size);
  }

  /**
   * This tensor converted to {@code target}: floating-point targets round to nearest, ties to even;
   * an i32 target truncates toward zero, as NumPy's {@code astype} and C casts do; a bool target is
   * {@code true} where the value is not 0. Returns {@code this} when the dtype already matches.
   *
   * @throws IllegalArgumentException when a value is NaN or outside the i32 range for an i32 target
   */
  public Tensor cast(DType target) {
    Objects.requireNonNull(target, "target");
    if (target == dtype) {
      return this;
    }
    double[] values = toDoubles();
    if (target == DType.I32) {
      for (int i = 0; i < values.length; i++) {
        values[i] = ElementConversions.truncateForI32(values[i], i);
      }
    }
    return new Tensor(target, shape, size, ElementConversions.fromDoubles(target, values));
  }

  /**
   * The same elements under another shape with the same element count; one dimension may be
   * {@code -1}, which is inferred as in NumPy. The data is shared, which is safe because neither
   * tensor can change it.
   *
   * @throws IllegalArgumentException if the element counts differ or the shape is invalid
   */
  public Tensor reshape(int[] newShape) {
    int[] resolved = Reshape.resolve(shape, size, newShape);
    return new Tensor(dtype, resolved, size, data);
  }

  // ---- backing arrays (not copied: callers must not write to them) ---------------------------

  /** The backing array of an f32 tensor. Do not modify it: it is shared, not copied. */
  public float[] floatData() {
    requireDtype("floatData()", DType.F32);
    return (float[]) data;
  }

  /** The backing array of an f64 tensor. Do not modify it: it is shared, not copied. */
  public double[] doubleData() {
    requireDtype("doubleData()", DType.F64);
    return (double[]) data;
  }

  /** The backing array of an i32 tensor. Do not modify it: it is shared, not copied. */
  public int[] intData() {
    requireDtype("intData()", DType.I32);
    return (int[]) data;
  }

  /** The backing array of a bool tensor. Do not modify it: it is shared, not copied. */
  public boolean[] boolData() {
    requireDtype("boolData()", DType.BOOL);
    return (boolean[]) data;
  }

  /**
   * The backing array of raw 16-bit patterns of a bf16 or f16 tensor. Do not modify it: it is
   * shared, not copied.
   */
  public short[] halfData() {
    if (dtype != DType.BF16 && dtype != DType.F16) {
      throw new IllegalStateException("halfData() is for bf16 and f16 tensors, but this tensor is " + dtype);
    }
    return (short[]) data;
  }

  private void requireDtype(String accessor, DType expected) {
    if (dtype != expected) {
      throw new IllegalStateException(accessor + " is for " + expected + " tensors, but this tensor is " + dtype);
    }
  }

  // ---- identity -----------------------------------------------------------------------------

  /**
   * Equal when dtype, shape and the bits of every element are equal: a NaN equals a NaN with the
   * same bits, and 0.0 differs from -0.0.
   */
  @Override
  public boolean equals(Object other) {
    return other instanceof Tensor that
        && dtype == that.dtype
        && Arrays.equals(shape, that.shape)
        && ElementConversions.sameBits(dtype, data, that.data);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * dtype.hashCode() + Arrays.hashCode(shape)) + ElementConversions.bitsHash(dtype, data);
  }

  /**
   * NumPy-like text on one line, e.g. {@code f32[2, 3] [[1, 2, 3], [4, 5, 6]]}; past 1000 elements
   * each long axis shows its first and last three entries around {@code ...}.
   */
  @Override
  public String toString() {
    return TensorFormatter.format(this);
  }
}
