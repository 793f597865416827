package dev.adjoint.compiler.kernel;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * Renders a kernel program in Graphviz DOT: buffers as nodes (arguments as boxes, params as grey
 * boxes, temporaries as ellipses, outputs double-octagons), one cluster per kernel labelled with
 * its name and kind and holding a node that lists its stores, and edges buffer → kernel → buffer.
 */
public final class KernelDot {
  /** Longest summary line and most summary lines per kernel, to keep big kernels legible. */
  private static final int MAX_LINE = 72;
  private static final int MAX_LINES = 8;

  private KernelDot() {}

  public static String print(KernelProgram program) {
    Map<Buffer, String> ids = new LinkedHashMap<>();
    List<Buffer> all = new ArrayList<>(program.arguments());
    all.addAll(program.params());
    all.addAll(program.temporaries());
    all.addAll(program.outputs());
    for (Kernel k : program.kernels()) {
      all.addAll(k.reads());
      all.addAll(k.writes());
    }
    for (Buffer b : all) ids.computeIfAbsent(b, x -> "b" + ids.size());

    StringBuilder out = new StringBuilder();
    out.append("digraph ").append(quote(program.name())).append(" {\n");
    out.append("  rankdir=TB;\n  node [fontname=\"Helvetica\", fontsize=10];\n");
    for (var e : ids.entrySet()) {
      Buffer b = e.getKey();
      String style = switch (b.role()) {
        case ARGUMENT -> "shape=box";
        case PARAM -> "shape=box, style=filled, fillcolor=lightgrey";
        case OUTPUT -> "shape=doubleoctagon";
        case TEMPORARY -> "shape=ellipse";
      };
      out.append("  ").append(e.getValue()).append(" [").append(style).append(", label=")
          .append(quote(b.name() + "\n" + b.type())).append("];\n");
    }
    List<Kernel> kernels = program.kernels();
    for (int i = 0; i < kernels.size(); i++) {
      Kernel k = kernels.get(i);
      out.append("  subgraph cluster_").append(i).append(" {\n");
      out.append("    label=").append(quote(k.name() + " [" + k.kind() + "]")).append(";\n");
      out.append("    style=rounded;\n");
      out.append("    k").append(i).append(" [shape=note, fontname=\"Courier\", label=")
          .append(leftJustified(summary(k))).append("];\n");
      out.append("  }\n");
    }
    for (int i = 0; i < kernels.size(); i++) {
      Kernel k = kernels.get(i);
      for (Buffer b : new LinkedHashSet<>(k.reads())) {
        out.append("  ").append(ids.get(b)).append(" -> k").append(i).append(";\n");
      }
      for (Buffer b : new LinkedHashSet<>(k.writes())) {
        out.append("  k").append(i).append(" -> ").append(ids.get(b)).append(";\n");
      }
    }
    out.append("}\n");
    return out.toString();
  }

  /** The kernel's stores and accumulates, one a line, shortened; "(no stores)" when it has none. */
  static List<String> summary(Kernel kernel) {
    List<String> lines = new ArrayList<>();
    collect(Flatten.statements(kernel.body()), lines);
    if (lines.isEmpty()) lines.add("(no stores)");
    if (lines.size() > MAX_LINES) {
      int more = lines.size() - (MAX_LINES - 1);
      lines = new ArrayList<>(lines.subList(0, MAX_LINES - 1));
      lines.add("… and " + more + " more");
    }
    lines.replaceAll(l -> l.length() <= MAX_LINE ? l : l.substring(0, MAX_LINE - 1) + "…");
    return lines;
  }

  private static void collect(List<KStmt> stmts, List<String> lines) {
    for (KStmt s : stmts) {
      switch (s) {
        case KStmt.Loop l -> collect(l.body(), lines);
        case KStmt.Store st -> lines.add(KernelPrinter.print(st, 0).strip());
        case KStmt.Accumulate a -> lines.add(KernelPrinter.print(a, 0).strip());
        default -> {}
      }
    }
  }

  private static String leftJustified(List<String> lines) {
    StringBuilder out = new StringBuilder("\"");
    for (String l : lines) out.append(escape(l)).append("\\l");
    return out.append('"').toString();
  }

  /** A DOT string literal: quotes and backslashes escaped, newlines as \n. */
  static String quote(String s) {
    return "\"" + escape(s).replace("\n", "\\n") + "\"";
  }

  private static String escape(String s) {
    return s.replace("\\", "\\\\").replace("\"", "\\\"");
  }
}
