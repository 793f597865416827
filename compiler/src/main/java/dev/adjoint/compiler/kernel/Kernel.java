package dev.adjoint.compiler.kernel;

import dev.adjoint.compiler.diag.Span;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.StringJoiner;
import java.util.TreeSet;

/**
 * One fused kernel: what it reads, what it writes, and the statements that compute it.
 * {@code kind} is what its structured statements make it ({@link KernelKind#of}): a kernel with
 * structured statements must have that kind; one at loop level only (flattened for a backend by
 * {@link #flatten}, or written by hand) keeps the kind it is given. {@code origins} are the
 * source lines of the graph nodes it computes, for messages and for comments in generated code.
 */
public record Kernel(String name, KernelKind kind, List<Buffer> reads, List<Buffer> writes, List<KStmt> body,
    List<Span> origins, int fusedNodes) {
  public Kernel {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(kind, "kind");
    reads = List.copyOf(reads);
    writes = List.copyOf(writes);
    body = List.copyOf(body);
    origins = List.copyOf(origins);
    if (Flatten.isStructured(body) && KernelKind.of(body) != kind) {
      throw new IllegalArgumentException("kernel " + name + " is structured as " + KernelKind.of(body)
          + ", not " + kind);
    }
  }

  /** A kernel whose kind is read off its structured {@code body}. */
  public static Kernel of(String name, List<Buffer> reads, List<Buffer> writes, List<KStmt> body, List<Span> origins,
      int fusedNodes) {
    return new Kernel(name, KernelKind.of(body), reads, writes, body, origins, fusedNodes);
  }

  /** The kernel at loop level ({@link Flatten}): same name, kind and buffers. */
  public Kernel flatten() {
    return Flatten.kernel(this);
  }

  /**
   * The source lines it came from, as every printer shows them: {@code attention.adj:12, 13;
   * prelude.adj:40} (distinct lines per file, files in order of first use; empty when unknown).
   */
  public String sourceLines() {
    Map<String, TreeSet<Integer>> lines = new LinkedHashMap<>();
    for (Span s : origins) {
      if (s.file().length() == 0) continue;
      String path = s.file().path();
      String file = path.substring(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
      lines.computeIfAbsent(file, f -> new TreeSet<>()).add(s.line());
    }
    StringJoiner out = new StringJoiner("; ");
    lines.forEach((file, numbers) -> {
      StringJoiner list = new StringJoiner(", ");
      for (int line : numbers) list.add(Integer.toString(line));
      out.add(file + ":" + list);
    });
    return out.toString();
  }
}
