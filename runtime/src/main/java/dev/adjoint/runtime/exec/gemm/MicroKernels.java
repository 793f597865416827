package dev.adjoint.runtime.exec.gemm;

import dev.adjoint.runtime.exec.VectorSupport;

/** Chooses the micro-kernel once per process: the Vector API's where it can run, else the scalar one. */
final class MicroKernels {
  private MicroKernels() {}

  static MicroKernelF32 select() {
    return choose(VectorSupport.enabled());
  }

  /** The vector kernel when {@code vector}; the scalar kernel otherwise, and also when the vector classes fail to link. */
  static MicroKernelF32 choose(boolean vector) {
    if (!vector) return new ScalarMicroKernelF32();
    try {
      return new VectorMicroKernelF32();
    } catch (LinkageError e) {
      return new ScalarMicroKernelF32();
    }
  }
}
