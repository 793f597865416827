package dev.adjoint.compiler.lower;

import dev.adjoint.compiler.diag.Span;
import dev.adjoint.compiler.fusion.FusionPlan;
import dev.adjoint.compiler.fusion.Group;
import dev.adjoint.compiler.ir.Graph;
import dev.adjoint.compiler.ir.Input;
import dev.adjoint.compiler.ir.Node;
import dev.adjoint.compiler.ir.UpdateSlice;
import dev.adjoint.compiler.kernel.Buffer;
import dev.adjoint.compiler.kernel.Kernel;
import dev.adjoint.compiler.kernel.KernelProgram;
import dev.adjoint.compiler.memory.MemoryPlanner;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Lowers a fusion plan to a kernel program: one buffer per stored node, one kernel per group. */
public final class Lowerer {
  private Lowerer() {}

  public static KernelProgram lower(FusionPlan plan) {
    return lower(plan, Set.of());
  }

  /**
   * Lowers with every donation but {@code refused}: a result that is an update_slice chain over a
   * donated argument takes the argument's buffer (no copy of it), when the kernels then write that
   * buffer once, read it there only at the element they write, and never read it later. A
   * donation that fails this (the frontend's rule makes it rare: a chain recomputed in two
   * kernels) is refused and the result gets a buffer of its own.
   */
  private static KernelProgram lower(FusionPlan plan, Set<String> refused) {
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
    Map<Node, Node> donatedTo = new IdentityHashMap<>();
    for (Node o : g.outputs()) {
      Node target = o;
      while (target.op() instanceof UpdateSlice) target = target.input(0);
      if (target == o || !(target.op() instanceof Input in) || in.kind() != Input.Kind.ARGUMENT) continue;
      if (!g.donated().contains(in.name()) || refused.contains(in.name()) || buffers.containsKey(o)) continue;
      if (donatedTo.containsValue(target)) continue;
      buffers.put(o, buffers.get(target));
      donatedTo.put(o, target);
    }
    // Results first, named by position, so printed programs read out0, out1, ….
    Set<Node> resultNodes = new LinkedHashSet<>(g.outputs());
    int r = 0;
    for (Node o : resultNodes) {
      if (donatedTo.containsKey(o)) r++; // the position stays taken: the other results keep their names
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
    for (Node argument : donatedTo.values()) {
      if (!writtenInPlace(plan, kernels, argument, buffers.get(argument))) {
        Set<String> more = new HashSet<>(refused);
        more.add(Graph.paramName(argument));
        return lower(plan, more);
      }
    }
    List<Buffer> outputs = new ArrayList<>();
    for (Node o : g.outputs()) {
      Buffer b = buffers.get(o);
      if (b == null && o.op() instanceof Input) b = buffers.get(o);
      outputs.add(b);
    }
    return new KernelProgram(g.name(), arguments, params, outputs, temporaries, kernels);
  }

  /**
   * One kernel writes the donated argument's buffer {@code b}, reading it there only at the
   * element it stores; no later kernel computes from the argument itself (later kernels that read
   * {@code b} read the result, which is what it then holds).
   */
  private static boolean writtenInPlace(FusionPlan plan, List<Kernel> kernels, Node argument, Buffer b) {
    int writer = -1;
    for (int k = 0; k < kernels.size(); k++) {
      if (kernels.get(k).writes().contains(b)) {
        if (writer >= 0) return false;
        writer = k;
      }
    }
    if (writer < 0) return false;
    for (int k = writer + 1; k < kernels.size(); k++) {
      Group later = plan.groups().get(k);
      List<Node> computed = new ArrayList<>(later.outputs());
      computed.addAll(later.inlined());
      for (Node n : computed) if (n.inputs().contains(argument)) return false;
    }
    Kernel w = kernels.get(writer);
    return !w.reads().contains(b) || MemoryPlanner.elementwiseOver(w, b, b);
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
