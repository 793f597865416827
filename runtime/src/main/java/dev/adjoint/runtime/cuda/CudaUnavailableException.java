package dev.adjoint.runtime.cuda;

/** No CUDA driver or no GPU on this machine: the message says which, and what to use instead. */
public final class CudaUnavailableException extends RuntimeException {
  public CudaUnavailableException(String message) {
    super(message);
  }
}
