/**
 * Matrix products for generated contraction kernels, blocked for the cache and tiled for
 * registers (the BLIS design): {@link dev.adjoint.runtime.exec.gemm.GemmF32} drives the loops, the
 * generated kernel packs operand panels by evaluating its own operand expressions (so broadcasts,
 * transposes, head splits and dropout cost nothing extra) and finishes each output tile with its
 * epilogue; a micro-kernel multiplies one register tile.
 *
 * <p>Which micro-kernel and which cache blocks a product runs with is its
 * {@link dev.adjoint.runtime.exec.gemm.GemmPlan}, which the schedule chose for its CPU target
 * (compiler/schedule): a register tile of the family in {@link dev.adjoint.runtime.exec.gemm.RegisterTile#FAMILY}
 * (6 × 2V for AVX2's 16 vector registers, 12 × 2V for AVX-512's 32, and others) and KC, MC, NC
 * from the cache sizes. A class that may run elsewhere than where it was generated holds the plan
 * of each {@link dev.adjoint.runtime.exec.gemm.CpuFamily} and takes this machine's when it loads.
 * The vector kernels use the Vector API ({@code jdk.incubator.vector}) when the module is present ({@code --add-modules jdk.incubator.vector}) and not switched off with
 * {@code -Dadjoint.vector=false}; otherwise the scalar 4 × 8 kernel runs whatever the plan says.
 * Every kernel sums each output element in the order of its reduction index: the vector kernels
 * with one fused multiply-add per step ({@code Math.fma}'s bits, the same for every tile and
 * block), the scalar kernel with the product rounded first (the kernel interpreter's bits).
 */
package dev.adjoint.runtime.exec.gemm;
