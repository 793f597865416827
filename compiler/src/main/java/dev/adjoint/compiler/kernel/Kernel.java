package dev.adjoint.compiler.kernel;

import dev.adjoint.compiler.diag.Span;
import java.util.List;
import java.util.Objects;

/**
 * One fused kernel: what it reads, what it writes, and the loops that compute it. {@code kind}
 * names the fusion pattern that formed it ({@code elementwise}, {@code reduction},
 * {@code contraction}, {@code attention}, …); {@code origins} are the source lines of the graph
 * nodes it computes, for messages and for comments in generated code.
 */
public record Kernel(String name, String kind, List<Buffer> reads, List<Buffer> writes, List<KStmt> body,
    List<Span> origins, int fusedNodes) {
  public Kernel {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(kind, "kind");
    reads = List.copyOf(reads);
    writes = List.copyOf(writes);
    body = List.copyOf(body);
    origins = List.copyOf(origins);
  }
}
