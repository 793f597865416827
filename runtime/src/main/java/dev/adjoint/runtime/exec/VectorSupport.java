package dev.adjoint.runtime.exec;

/**
 * Whether kernels use the Vector API ({@code jdk.incubator.vector}): when the module is in the
 * boot layer ({@code --add-modules jdk.incubator.vector}, as the {@code adjoint} launcher and the
 * build's tests run) and the system property {@code adjoint.vector} is not {@code false}.
 */
public final class VectorSupport {
  /** The system property that switches the Vector API off: {@code -Dadjoint.vector=false}. */
  public static final String PROPERTY = "adjoint.vector";
  private static final String MODULE = "jdk.incubator.vector";

  private VectorSupport() {}

  /** This process's choice. */
  public static boolean enabled() {
    return enabled(ModuleLayer.boot().findModule(MODULE).isPresent(), System.getProperty(PROPERTY));
  }

  /**
   * The size in bits of this JVM's preferred vector species ({@code FloatVector.SPECIES_PREFERRED}):
   * what the JIT will use, so it reflects flags such as {@code -XX:UseAVX=2} (256 on an AVX-512
   * machine) or {@code -XX:MaxVectorSize}; 0 where the Vector API is off.
   */
  public static int preferredBits() {
    if (!enabled()) return 0;
    try {
      return Preferred.BITS;
    } catch (LinkageError e) {
      return 0;
    }
  }

  /** Loaded only where the Vector API is on. */
  private static final class Preferred {
    static final int BITS = jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.vectorBitSize();
  }

  /** The choice for a process where the module is or is not present and the property has {@code setting} (or is unset). */
  public static boolean enabled(boolean modulePresent, String setting) {
    boolean switchedOff = setting != null && setting.strip().equalsIgnoreCase("false");
    return modulePresent && !switchedOff;
  }
}
