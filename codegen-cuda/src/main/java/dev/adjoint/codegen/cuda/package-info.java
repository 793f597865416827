/**
 * CUDA backend: prints lowered kernel IR as CUDA C ({@link dev.adjoint.codegen.cuda.CudaGenerator})
 * with a per-kernel schedule ({@link dev.adjoint.codegen.cuda.CudaSchedule}): grid-stride threads
 * for elementwise work and per-output contractions, a block per row with warp-shuffle reductions for
 * softmax, norms and losses. Operators are spelled by the compiler's shared
 * {@link dev.adjoint.compiler.kernel.CFamilyOps} table.
 */
package dev.adjoint.codegen.cuda;
