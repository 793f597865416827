package dev.adjoint.compiler.lower;

import dev.adjoint.compiler.diag.Span;
import dev.adjoint.compiler.fusion.FusionPlan;
import dev.adjoint.compiler.fusion.Group;
import dev.adjoint.compiler.ir.Graph;
import dev.adjoint.compiler.ir.Input;
import dev.adjoint.compiler.ir.Node;
import dev.adjoint.compiler.kernel.Buffer;
import dev.adjoint.compiler.kernel.Kernel;
import dev.adjoint.compiler.kernel.KernelProgram;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Lowers a fusion plan to a kernel program: one buffer per stored node, one kernel per group. */
public final class Lowerer {
  private Lowerer() {}

  public static KernelProgram lower(FusionPlan plan) {
    Graph g = plan.graph();
    Map<Node, Buffer> buffers = new IdentityHashMap<>();
    List<Buffer> arguments = new ArrayList<>();
    List<Buffer> params = new ArrayList<>();
    for (Node a : g.arguments()) {
      Buffer b = new Buffer(buffers.size(), Graph.paramName(a), a.type(), Buffer.Role.ARGUMENT);
      buffers.put(a, b);
      arguments.add(b);
    }
    for (Node p : g.params()) {
      Buffer b = new Buffer(buffers.size(), Graph.paramName(p), p.type(), Buffer.Role.PARAM);
      buffers.put(p, b);
      params.add(b);
    }
    // Results first, named by position, so printed programs read out0, out1, ….
    Set<Node> resultNodes = new LinkedHashSet<>(g.outputs());
    int r = 0;
    for (Node o : resultNodes) {
      if (buffers.containsKey(o)) continue;
      buffers.put(o, new Buffer(buffers.size(), g.outputs().size() == 1 ? "out" : "out" + r, o.type(), Buffer.Role.OUTPUT));
      r++;
    }
    List<Buffer> temporaries = new ArrayList<>();
    for (Group group : plan.groups()) {
      for (Node n : group.stored()) {
        if (buffers.containsKey(n)) continue;
        Buffer b = new Buffer(buffers.size(), "t" + temporaries.size(), n.type(), Buffer.Role.TEMPORARY);
        buffers.put(n, b);
        temporaries.add(b);
      }
    }
    List<Kernel> kernels = new ArrayList<>();
    for (Group group : plan.groups()) {
      kernels.add(new KernelBuilder(group, buffers, "k" + kernels.size()).build());
    }
    List<Buffer> outputs = new ArrayList<>();
    for (Node o : g.outputs()) {
      Buffer b = buffers.get(o);
      if (b == null && o.op() instanceof Input) b = buffers.get(o);
      outputs.add(b);
    }
    return new KernelProgram(g.name(), arguments, params, outputs, temporaries, kernels);
  }

  /** Source lines of a group's nodes, in order, for comments. */
  static List<Span> origins(Group group) {
    Set<Span> spans = new LinkedHashSet<>();
    for (Node n : group.outputs()) n.origin().ifPresent(spans::add);
    for (Node n : group.inlined()) n.origin().ifPresent(spans::add);
    List<Span> sorted = new ArrayList<>(spans);
    sorted.sort((a, b) -> a.file().path().equals(b.file().path()) ? Integer.compare(a.start(), b.start())
        : a.file().path().compareTo(b.file().path()));
    return sorted;
  }
}
