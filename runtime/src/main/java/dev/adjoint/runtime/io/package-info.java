/**
 * Array files: NumPy {@code .npy} ({@link dev.adjoint.runtime.io.Npy}) and {@code .safetensors}
 * ({@link dev.adjoint.runtime.io.Safetensors}). Readers check everything and report problems as
 * {@link dev.adjoint.runtime.io.ArrayFileException}s that name the file; writers replace files
 * atomically and produce the same bytes as NumPy and the reference safetensors implementation.
 */
package dev.adjoint.runtime.io;
