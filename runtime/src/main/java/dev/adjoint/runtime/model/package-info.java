/**
 * What a generated model class needs besides its kernels: the declarations of its params
 * ({@link dev.adjoint.runtime.model.ModelParam}), the values a model instance holds
 * ({@link dev.adjoint.runtime.model.ModelParams}: initialised from a seed, loaded from and saved
 * to {@code .safetensors}), the checks of its arguments
 * ({@link dev.adjoint.runtime.model.Arguments}) and the conversion of tensors to the arrays
 * kernels run on ({@link dev.adjoint.runtime.model.TensorArrays}).
 *
 * <p>Nothing here knows the compiler: a model class generated at build time runs with this
 * module alone.
 */
package dev.adjoint.runtime.model;
