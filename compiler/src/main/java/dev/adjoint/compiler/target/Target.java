package dev.adjoint.compiler.target;

/**
 * Where generated code will run: what a schedule needs to know about the machine (vector lanes and
 * registers, caches and cores; or SMs, shared memory and tensor cores). Immutable values; the
 * presets fix every field, so a schedule printed for a preset is the same on every machine.
 */
public sealed interface Target permits CpuTarget, CudaTarget {
  /** The preset's name ({@code avx2}, {@code sm_90}) or {@code detected}. */
  String name();

  /** One line with every field, as {@code adjoint dump --stage schedule} prints it. */
  String describe();
}
