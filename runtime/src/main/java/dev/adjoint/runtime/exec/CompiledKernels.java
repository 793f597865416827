package dev.adjoint.runtime.exec;

/**
 * A kernel program compiled to Java: one generated class per program implements this interface.
 * An instance has no state of its own, so one instance may run on several threads at once, each
 * with its own buffers.
 */
public interface CompiledKernels {
  /**
   * Runs every kernel of the program in order. {@code buffers} holds one array per buffer slot of
   * the program (the generated class's Javadoc lists them: arguments and params filled in,
   * outputs and temporaries of the right length); the results are written into the output slots.
   *
   * @param sizes the run-time sizes the program's shapes use ({@code B}, {@code T}, ...)
   * @param context the seed and step of random streams, and the threads parallel loops run on
   */
  void run(Buffers buffers, Sizes sizes, RunContext context);
}
