/**
 * JMH benchmarks of generated kernels and whole training steps: {@link
 * dev.adjoint.benchmarks.GemmBenchmark} (the generated matrix product at 512, 1024 and 2048),
 * {@link dev.adjoint.benchmarks.KernelBenchmark} (fused softmax, layer norm, attention) and {@link
 * dev.adjoint.benchmarks.EncoderStepBenchmark} (the encoder layer's training step, small and base).
 * Each compiles an {@code .adj} program once per trial, as {@code adjoint bench} does, and times
 * runs of the generated Java. They run from {@code benchmarks/target/benchmarks.jar}, never under
 * {@code mvn verify}; docs/perf.md has the commands and the figures.
 */
package dev.adjoint.benchmarks;
