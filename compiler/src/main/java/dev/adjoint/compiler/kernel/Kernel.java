package dev.adjoint.compiler.kernel;

import dev.adjoint.compiler.diag.Span;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.StringJoiner;
import java.util.TreeSet;

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
