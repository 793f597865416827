/**
 * Java backend: prints lowered kernel IR as Java source with JavaPoet
 * ({@link dev.adjoint.codegen.java.JavaGenerator}), compiles and loads it in process with an
 * on-disk cache ({@link dev.adjoint.codegen.java.InProcessCompiler}), and runs it on tensors
 * ({@link dev.adjoint.codegen.java.JavaBackend}). Generated classes need only the runtime's
 * {@code dev.adjoint.runtime.exec} package at run time.
 */
package dev.adjoint.codegen.java;
