package dev.adjoint.runtime.io;

import dev.adjoint.runtime.Tensor;

/**
 * Turns a Fortran-order (column-major) array into C order. The reader decodes Fortran-order data as
 * a C-order tensor of the reversed shape, which is exactly the transpose of the array it stores, so
 * reversing the axes gives the array.
 */
final class FortranOrder {
  private FortranOrder() {}

  static Tensor toCOrder(Tensor reversedShape) {
    int rank = reversedShape.rank();
    if (rank < 2) {
      return reversedShape; // one axis or none: both orders are the same
    }
    int[] shape = new int[rank];
    for (int axis = 0; axis < rank; axis++) {
      shape[axis] = reversedShape.dim(rank - 1 - axis);
    }
    int[] source = sourceIndices(shape);
    return switch (reversedShape.dtype()) {
      case F32 -> {
        float[] from = reversedShape.floatData();
        float[] to = new float[source.length];
        for (int i = 0; i < to.length; i++) {
          to[i] = from[source[i]];
        }
        yield Tensor.ofFloats(shape, to);
      }
      case F64 -> {
        double[] from = reversedShape.doubleData();
        double[] to = new double[source.length];
        for (int i = 0; i < to.length; i++) {
          to[i] = from[source[i]];
        }
        yield Tensor.ofDoubles(reversedShape.dtype(), shape, to);
      }
      case BF16, F16 -> {
        short[] from = reversedShape.halfData();
        short[] to = new short[source.length];
        for (int i = 0; i < to.length; i++) {
          to[i] = from[source[i]];
        }
        yield Tensor.ofHalfBits(reversedShape.dtype(), shape, to);
      }
      case I32 -> {
        int[] from = reversedShape.intData();
        int[] to = new int[source.length];
        for (int i = 0; i < to.length; i++) {
          to[i] = from[source[i]];
        }
        yield Tensor.ofInts(shape, to);
      }
      case BOOL -> {
        boolean[] from = reversedShape.boolData();
        boolean[] to = new boolean[source.length];
        for (int i = 0; i < to.length; i++) {
          to[i] = from[source[i]];
        }
        yield Tensor.ofBooleans(shape, to);
      }
    };
  }

  /**
   * For each C-order position of an array of {@code shape}, its position in Fortran order, where
   * axis 0 varies fastest: an odometer over the C-order index that keeps the Fortran offset in step.
   */
  private static int[] sourceIndices(int[] shape) {
    int rank = shape.length;
    int size = 1;
    for (int dim : shape) {
      size *= dim;
    }
    int[] fortranStride = new int[rank];
    int stride = 1;
    for (int axis = 0; axis < rank; axis++) {
      fortranStride[axis] = stride;
      stride *= shape[axis];
    }
    int[] index = new int[rank];
    int[] source = new int[size];
    int offset = 0;
    for (int i = 0; i < size; i++) {
      source[i] = offset;
      for (int axis = rank - 1; axis >= 0; axis--) {
        index[axis]++;
        offset += fortranStride[axis];
        if (index[axis] < shape[axis]) {
          break;
        }
        offset -= fortranStride[axis] * shape[axis];
        index[axis] = 0;
      }
    }
    return source;
  }
}
