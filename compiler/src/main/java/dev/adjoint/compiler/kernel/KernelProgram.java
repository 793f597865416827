package dev.adjoint.compiler.kernel;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A graph lowered to kernels: the kernels in an order that respects their dependencies, the
 * buffers they use, and which buffers are the entry's arguments, params and results (in the
 * graph's order).
 */
public record KernelProgram(String name, List<Buffer> arguments, List<Buffer> params, List<Buffer> outputs,
    List<Buffer> temporaries, List<Kernel> kernels) {
  public KernelProgram {
    Objects.requireNonNull(name, "name");
    arguments = List.copyOf(arguments);
    params = List.copyOf(params);
    outputs = List.copyOf(outputs);
    temporaries = List.copyOf(temporaries);
    kernels = List.copyOf(kernels);
  }

  /** The program with every kernel at loop level ({@link Flatten}), as backends print it. */
  public KernelProgram flatten() {
    return Flatten.program(this);
  }

  /**
   * Every buffer of the program, once: arguments, params, outputs and temporaries, then any other
   * buffer a kernel reads or writes. Backends number their buffer slots in this order.
   */
  public List<Buffer> buffers() {
    Set<Buffer> all = new LinkedHashSet<>();
    all.addAll(arguments);
    all.addAll(params);
    all.addAll(outputs);
    all.addAll(temporaries);
    for (Kernel k : kernels) {
      all.addAll(k.reads());
      all.addAll(k.writes());
    }
    return List.copyOf(all);
  }
}
