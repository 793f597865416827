/**
 * Counter-based random numbers ({@link dev.adjoint.runtime.random.Philox4x32}): the same bits on
 * every backend for the same (seed, step, call site, element).
 */
package dev.adjoint.runtime.random;
