/**
 * What generated code needs at run time: {@link dev.adjoint.runtime.Tensor}, its element types
 * ({@link dev.adjoint.runtime.DType}) and the 16-bit float conversions
 * ({@link dev.adjoint.runtime.FloatFormats}). Array files are in {@code dev.adjoint.runtime.io},
 * random numbers in {@code dev.adjoint.runtime.random}.
 */
package dev.adjoint.runtime;
