/**
 * The CUDA runtime of generated code, through {@code java.lang.foreign} (no JNI, no native library
 * of our own): the driver API of {@code libcuda.so.1} ({@link dev.adjoint.runtime.cuda.CudaDriver}),
 * NVRTC with a fallback to {@code nvcc -cubin} and an on-disk module cache
 * ({@link dev.adjoint.runtime.cuda.CudaCompiler}), and a device memory pool
 * ({@link dev.adjoint.runtime.cuda.DeviceMemoryPool}).
 */
package dev.adjoint.runtime.cuda;
