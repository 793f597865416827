package dev.adjoint.runtime.exec.gemm;

import dev.adjoint.runtime.exec.VectorSupport;

/**
 * The micro-kernel family: one unrolled Vector API kernel per register tile MR × V vectors, and
 * the scalar kernel ({@link RegisterTile#FAMILY}). A schedule (compiler/schedule) names the tile that fits its target's
 * registers; {@link #select} gives that variant, or the scalar kernel where the Vector API is off.
 */
final class MicroKernels {
  /** The Vector API is on and its classes link (a preferred species of 0 bits means either is not so). */
  private static final boolean VECTOR = VectorSupport.preferredBits() > 0;

  private MicroKernels() {}

  /** Whether this process multiplies on the Vector API (else every plan gets the scalar kernel). */
  static boolean vectorEnabled() {
    return VECTOR;
  }

  /** The kernel for a {@code rows} × {@code vectors}V tile in this process (the scalar one when the Vector API is off). */
  static MicroKernelF32 select(int rows, int vectors) {
    return choose(VECTOR, rows, vectors);
  }

  /**
   * The vector kernel of the tile when {@code vector}; the scalar kernel otherwise, and also when
   * the vector classes fail to link.
   *
   * @throws IllegalArgumentException when the family has no such tile
   */
  static MicroKernelF32 choose(boolean vector, int rows, int vectors) {
    if (!vector || vectors == 0) return Scalar.KERNEL;
    try {
      return switch (rows * 100 + vectors) {
        case 403 -> Holder.T4X3;
        case 602 -> Holder.T6X2;
        case 802 -> Holder.T8X2;
        case 803 -> Holder.T8X3;
        case 1202 -> Holder.T12X2;
        case 1402 -> Holder.T14X2;
        default -> throw new IllegalArgumentException("no " + rows + "x" + vectors + "V micro-kernel: the family has "
            + String.join(", ", RegisterTile.FAMILY.stream().map(RegisterTile::toString).toList()));
      };
    } catch (LinkageError e) {
      return Scalar.KERNEL;
    }
  }

  /** One instance of each kernel, so that a call site sees few classes. */
  private static final class Holder {
    static final MicroKernelF32 T4X3 = new VectorTile4x3();
    static final MicroKernelF32 T6X2 = new VectorTile6x2();
    static final MicroKernelF32 T8X2 = new VectorTile8x2();
    static final MicroKernelF32 T8X3 = new VectorTile8x3();
    static final MicroKernelF32 T12X2 = new VectorTile12x2();
    static final MicroKernelF32 T14X2 = new VectorTile14x2();
  }

  private static final class Scalar {
    static final MicroKernelF32 KERNEL = new ScalarMicroKernelF32();
  }
}
