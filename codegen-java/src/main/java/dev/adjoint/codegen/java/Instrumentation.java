package dev.adjoint.codegen.java;

/**
 * What generated {@code run} methods do between kernels besides calling them.
 *
 * @param checkNumerics check every floating-point buffer a kernel writes as it returns, and stop at
 *     the first NaN or infinity ({@code --check-numerics})
 * @param timeKernels record each kernel's wall time into the run context's
 *     {@link dev.adjoint.runtime.exec.KernelTimes} ({@code adjoint bench --profile})
 */
public record Instrumentation(boolean checkNumerics, boolean timeKernels) {
  /** Kernels called one after another and nothing else: what users ship. */
  public static final Instrumentation NONE = new Instrumentation(false, false);
}
