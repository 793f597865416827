/**
 * JMH benchmarks of generated kernels and whole training steps.
 *
 * <p>Empty until the Java backend exists; the Java backend issue fills it.
 */
package dev.adjoint.benchmarks;
