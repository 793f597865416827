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

  /** The choice for a process where the module is or is not present and the property has {@code setting} (or is unset). */
  public static boolean enabled(boolean modulePresent, String setting) {
    boolean switchedOff = setting != null && setting.strip().equalsIgnoreCase("false");
    return modulePresent && !switchedOff;
  }
}
