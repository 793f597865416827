/**
 * Inner loops of generated row kernels (attention, layer norm) over contiguous f32 runs:
 * {@link dev.adjoint.runtime.exec.vector.RowKernels} runs them with the Vector API when it is on
 * (see {@link dev.adjoint.runtime.exec.VectorSupport}) and as scalar loops otherwise.
 */
package dev.adjoint.runtime.exec.vector;
