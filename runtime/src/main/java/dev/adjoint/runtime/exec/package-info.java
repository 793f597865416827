/**
 * What generated kernel code runs against: the {@link dev.adjoint.runtime.exec.CompiledKernels}
 * interface a generated class implements, its arguments ({@link dev.adjoint.runtime.exec.Buffers},
 * {@link dev.adjoint.runtime.exec.Sizes}, {@link dev.adjoint.runtime.exec.RunContext}), the thread
 * pool that splits parallel loops ({@link dev.adjoint.runtime.exec.ThreadPool}) and the few scalar
 * helpers whose exact rounding the kernel IR specifies ({@link dev.adjoint.runtime.exec.KernelMath}).
 *
 * <p>Nothing here knows the compiler: a class generated at build time needs only this module.
 */
package dev.adjoint.runtime.exec;
