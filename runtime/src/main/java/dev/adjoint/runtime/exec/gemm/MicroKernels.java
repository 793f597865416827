package dev.adjoint.runtime.exec.gemm;

/** Chooses the micro-kernel once per process: the Vector API's where it can run, else the scalar one. */
final class MicroKernels {
  /** The system property that switches the Vector API off: {@code -Dadjoint.vector=false}. */
  static final String PROPERTY = "adjoint.vector";
  private static final String VECTOR_MODULE = "jdk.incubator.vector";

  private MicroKernels() {}

  static MicroKernelF32 select() {
    return choose(ModuleLayer.boot().findModule(VECTOR_MODULE).isPresent(), System.getProperty(PROPERTY));
  }

  /**
   * The vector kernel when the module is present and {@code setting} is not {@code false}; the
   * scalar kernel otherwise, and also when the vector classes fail to link.
   */
  static MicroKernelF32 choose(boolean vectorModulePresent, String setting) {
    boolean switchedOff = setting != null && setting.strip().equalsIgnoreCase("false");
    if (!vectorModulePresent || switchedOff) return new ScalarMicroKernelF32();
    try {
      return new VectorMicroKernelF32();
    } catch (LinkageError e) {
      return new ScalarMicroKernelF32();
    }
  }
}
