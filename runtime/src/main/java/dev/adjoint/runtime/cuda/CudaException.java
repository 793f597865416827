package dev.adjoint.runtime.cuda;

/** A CUDA driver, NVRTC or nvcc call that failed: which call, and the error's name and text. */
public final class CudaException extends RuntimeException {
  public CudaException(String message) {
    super(message);
  }
}
