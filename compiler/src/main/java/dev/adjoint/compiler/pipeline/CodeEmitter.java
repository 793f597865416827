package dev.adjoint.compiler.pipeline;

/**
 * The emit stage of one backend: code for a program's scheduled kernels (generated Java compiled
 * and loaded, CUDA C and its launcher, …). Backends implement it; the compiler does not emit.
 *
 * @param <T> what the backend makes of the program
 */
@FunctionalInterface
public interface CodeEmitter<T> {
  /** Emits {@code program}, which the pipeline has run through {@link Stage#SCHEDULE}. */
  T emit(Artifacts program);
}
