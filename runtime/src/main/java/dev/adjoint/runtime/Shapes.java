package dev.adjoint.runtime;

import java.math.BigInteger;
import java.util.Objects;

/** Checks and formatting of tensor shapes, shared by the tensor factories. */
final class Shapes {
  private Shapes() {}

  /** A private copy of {@code shape}, refusing negative dimensions and element counts over int. */
  static int[] checkedCopy(int[] shape) {
    Objects.requireNonNull(shape, "shape");
    int[] copy = shape.clone();
    for (int axis = 0; axis < copy.length; axis++) {
      if (copy[axis] < 0) {
        throw new IllegalArgumentException("shape " + format(copy) + " has a negative dimension ("
            + copy[axis] + " at axis " + axis + ")");
      }
    }
    size(copy);
    return copy;
  }

  /**
   * The element count of a shape whose dimensions are non-negative. Java arrays are indexed by
   * int, so a tensor holds at most {@link Integer#MAX_VALUE} elements.
   */
  static int size(int[] shape) {
    long product = 1;
    for (int dim : shape) {
      if (dim == 0) {
        return 0;
      }
    }
    for (int dim : shape) {
      // Both factors are at most 2^31 - 1, so the product fits in a long before the check.
      product *= dim;
      if (product > Integer.MAX_VALUE) {
        throw new IllegalArgumentException("shape " + format(shape) + " has " + exactSize(shape)
            + " elements, more than the " + Integer.MAX_VALUE + " a tensor can hold");
      }
    }
    return (int) product;
  }

  private static BigInteger exactSize(int[] shape) {
    BigInteger product = BigInteger.ONE;
    for (int dim : shape) {
      product = product.multiply(BigInteger.valueOf(dim));
    }
    return product;
  }

  /** The shape as the language writes it: {@code [2, 3]}, {@code []} for a scalar. */
  static String format(int[] shape) {
    StringBuilder text = new StringBuilder("[");
    for (int axis = 0; axis < shape.length; axis++) {
      if (axis > 0) {
        text.append(", ");
      }
      text.append(shape[axis]);
    }
    return text.append(']').toString();
  }
}
