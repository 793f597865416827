/**
 * CUDA backend: prints lowered kernel IR as CUDA C and builds it with NVRTC or nvcc.
 *
 * <p>Empty until the fusion and lowering stages exist; the CUDA backend issue fills it.
 */
package dev.adjoint.codegen.cuda;
