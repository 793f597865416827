/**
 * The schedule stage: how each kernel runs on a target, decided by named rules
 * ({@link dev.adjoint.compiler.schedule.CpuRules}, {@link dev.adjoint.compiler.schedule.CudaRules})
 * and recorded as a {@link dev.adjoint.compiler.schedule.Schedule} value: the routine (GEMM, online
 * softmax, row kernels, loops; on CUDA tiled products, a block per row, a thread per iteration),
 * the GEMM's register tile and cache blocks, the thread split, and the trace of rules that applied.
 * {@link dev.adjoint.compiler.schedule.Scheduler} runs the rules; {@code adjoint dump --stage schedule}
 * prints the result. The kernel stays as it is: what apart from how (Halide, TVM).
 *
 * <p>A kernel's product ({@link dev.adjoint.compiler.schedule.ContractionPattern}) is read off its
 * structured statements (a map over the outputs holding a contraction); the other facts the rules
 * read ({@link dev.adjoint.compiler.schedule.KernelFacts}) still come from its loops. The Java
 * backend prints the GEMM from the product and the schedule's plan and decides the other routines
 * itself, and the CUDA backend does not read its schedule yet.
 */
package dev.adjoint.compiler.schedule;
