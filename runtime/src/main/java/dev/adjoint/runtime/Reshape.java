package dev.adjoint.runtime;

import java.util.Objects;

/** Resolves the target shape of {@link Tensor#reshape}, including one inferred {@code -1}. */
final class Reshape {
  private Reshape() {}

  static int[] resolve(int[] from, int size, int[] requested) {
    Objects.requireNonNull(requested, "shape");
    int[] to = requested.clone();
    int inferredAxis = -1;
    long known = 1;
    for (int axis = 0; axis < to.length; axis++) {
      if (to[axis] == -1) {
        if (inferredAxis >= 0) {
          throw new IllegalArgumentException("cannot reshape to " + Shapes.format(to)
              + ": only one dimension can be -1");
        }
        inferredAxis = axis;
      } else if (to[axis] < 0) {
        throw new IllegalArgumentException("cannot reshape to " + Shapes.format(to)
            + ": dimension " + to[axis] + " at axis " + axis + " is negative");
      } else {
        known = Math.min(known * to[axis], (long) Integer.MAX_VALUE + 1); // saturate: only equality matters
      }
    }
    if (inferredAxis >= 0) {
      if (known == 0 || size % known != 0) {
        throw new IllegalArgumentException("cannot reshape " + Shapes.format(from) + " (" + size
            + " elements) to " + Shapes.format(to) + ": no size for the -1 dimension fits");
      }
      to[inferredAxis] = (int) (size / known);
    } else if (known != size) {
      throw new IllegalArgumentException("cannot reshape " + Shapes.format(from) + " (" + size
          + " elements) to " + Shapes.format(to) + " ("
          + (known > Integer.MAX_VALUE ? "more than " + Integer.MAX_VALUE : known) + " elements)");
    }
    return to;
  }
}
