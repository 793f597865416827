/**
 * Where generated code will run: {@link dev.adjoint.compiler.target.CpuTarget} (vector lanes and
 * registers as the JIT uses them, FMA units, cores, caches; read by
 * {@link dev.adjoint.compiler.target.CpuDetection}, or the presets {@code avx2} and {@code avx512})
 * and {@link dev.adjoint.compiler.target.CudaTarget} (compute capability, SMs, shared memory,
 * tensor-core shapes; presets {@code sm_80} and {@code sm_90}). The schedule rules read nothing
 * else of the machine.
 */
package dev.adjoint.compiler.target;
