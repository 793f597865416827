/**
 * Java backend: prints lowered kernel IR as Java source with JavaPoet and loads it in process.
 *
 * <p>Empty until the fusion and lowering stages exist; the Java backend issue fills it.
 */
package dev.adjoint.codegen.java;
