package dev.adjoint.cli;

import dev.adjoint.compiler.kernel.Buffer;
import dev.adjoint.compiler.kernel.Kernel;
import dev.adjoint.compiler.kernel.KernelProgram;
import java.util.stream.Collectors;

/** One line per kernel: its name, what it reads and writes, and where in the source it comes from. */
final class FusedSummary {
  private FusedSummary() {}

  static String print(KernelProgram program) {
    StringBuilder out = new StringBuilder();
    out.append("program ").append(program.name()).append(": ").append(program.kernels().size()).append(" kernels\n");
    for (Kernel k : program.kernels()) {
      out.append("  ").append(k.name()).append(" (").append(k.fusedNodes()).append(" nodes)  ")
          .append(k.reads().stream().map(FusedSummary::buffer).collect(Collectors.joining(", ")))
          .append(" -> ").append(k.writes().stream().map(FusedSummary::buffer).collect(Collectors.joining(", ")));
      if (!k.origins().isEmpty()) {
        out.append("   # ").append(k.origins().stream()
            .map(s -> java.nio.file.Path.of(s.file().path()).getFileName() + ":" + s.line()).distinct()
            .collect(Collectors.joining(", ")));
      }
      out.append('\n');
    }
    return out.toString();
  }

  private static String buffer(Buffer b) {
    return b.name() + ":" + b.type();
  }
}
