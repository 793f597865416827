/**
 * Matrix products for generated contraction kernels, blocked for the cache and tiled for
 * registers (the BLIS design): {@link dev.adjoint.runtime.exec.gemm.GemmF32} drives the loops, the
 * generated kernel packs operand panels by evaluating its own operand expressions (so broadcasts,
 * transposes, head splits and dropout cost nothing extra) and finishes each output tile with its
 * epilogue; a micro-kernel multiplies one register tile.
 *
 * <p>The micro-kernel uses the Vector API ({@code jdk.incubator.vector}) when the module is
 * present ({@code --add-modules jdk.incubator.vector}) and not switched off with
 * {@code -Dadjoint.vector=false}; otherwise a scalar micro-kernel computes the same bits. Both
 * sum every output element in the order of its reduction index, each product rounded before it is
 * added, which is the order and rounding of the kernel interpreter: the fast path agrees with the
 * oracle bit for bit.
 */
package dev.adjoint.runtime.exec.gemm;
