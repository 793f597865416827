package dev.adjoint.runtime.io;

import dev.adjoint.runtime.DType;

/**
 * An element encoding in an array file (always little-endian) and the dtype it is read into. It
 * differs from {@link DType} by {@link #I64}: 64-bit integers are what NumPy and PyTorch make by
 * default, so files hold them often; they are read into i32 when every value fits.
 */
enum StoredType {
  F32(DType.F32, 4),
  F64(DType.F64, 8),
  BF16(DType.BF16, 2),
  F16(DType.F16, 2),
  I32(DType.I32, 4),
  I64(DType.I32, 8),
  BOOL(DType.BOOL, 1);

  private final DType dtype;
  private final int byteSize;

  StoredType(DType dtype, int byteSize) {
    this.dtype = dtype;
    this.byteSize = byteSize;
  }

  /** The dtype of the tensor this encoding is read into. */
  DType dtype() {
    return dtype;
  }

  /** Bytes per element in the file. */
  int byteSize() {
    return byteSize;
  }

  /** The encoding that stores {@code dtype} exactly. */
  static StoredType exact(DType dtype) {
    return switch (dtype) {
      case F32 -> F32;
      case F64 -> F64;
      case BF16 -> BF16;
      case F16 -> F16;
      case I32 -> I32;
      case BOOL -> BOOL;
    };
  }
}
