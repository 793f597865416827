package dev.adjoint.compiler.fusion;

import dev.adjoint.compiler.ir.DotGeneral;
import dev.adjoint.compiler.ir.Graph;
import dev.adjoint.compiler.ir.Input;
import dev.adjoint.compiler.ir.Node;
import dev.adjoint.compiler.ir.Reduce;
import dev.adjoint.compiler.ir.Shape;
import dev.adjoint.compiler.ir.StopGradient;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Partitions a graph into kernels by structure. The decisions, in order:
 *
 * <ol>
 *   <li><b>What lives in memory.</b> Results, scatter-adds and contractions are stored; so are the
 *       operands of contractions (a contraction reads each operand many times). Everything else —
 *       elementwise functions, layout changes, constants, reductions — is recomputed inside the
 *       kernels that need it.
 *   <li><b>Epilogues.</b> A contraction whose only use is a chain of elementwise functions over its
 *       own result (bias, activation, residual, scaling) is computed inside the kernel that stores
 *       the end of the chain.
 *   <li><b>Expanding contractions.</b> A contraction of two data-dependent tensors whose result is
 *       larger than either operand — attention scores, q·kᵀ, and in the backward pass dO·vᵀ — is
 *       never stored: every kernel that needs its elements recomputes them, so no T×S tensor is
 *       ever written. Its consumers (softmax, the product with v, the gradient contractions) read
 *       it through their own loops.
 *   <li><b>Shared reductions.</b> A reduction needed by more than one kernel (softmax's row
 *       maximum and sum, layer norm's mean and variance, used again by the backward pass) is
 *       stored — computed inside the first kernel that can (one whose loops start with the
 *       reduction's own axes), as an extra result.
 * </ol>
 */
public final class Partitioner {
  /** Stand-in size for run-time dims when comparing tensor sizes: sequence-like. */
  private static final long SYMBOL_SIZE = 128;

  private final Graph graph;
  private final List<Node> order;
  private final Map<Node, List<Node>> users = new IdentityHashMap<>();
  private final Set<Node> outputs = Collections.newSetFromMap(new IdentityHashMap<>());
  private final Set<Node> dataDependent = Collections.newSetFromMap(new IdentityHashMap<>());
  private final Set<Node> dependsOnParam = Collections.newSetFromMap(new IdentityHashMap<>());
  private final Set<Node> stored = Collections.newSetFromMap(new IdentityHashMap<>());
  private final Set<Node> expanding = Collections.newSetFromMap(new IdentityHashMap<>());
  /** Each node's place in {@link #order}: a node can only be computed from nodes before it. */
  private final Map<Node, Integer> position = new IdentityHashMap<>();
  /** Answers of {@link #reaches}, by target then source: fusion trials ask the same ones again and again. */
  private final Map<Node, Map<Node, Boolean>> reachable = new IdentityHashMap<>();
  /** {@link #cone} of each root while {@link #stored} is unchanged: fusion trials ask for them again and again. */
  private final Map<Node, List<Node>> cones = new IdentityHashMap<>();

  private Partitioner(Graph graph) {
    this.graph = graph;
    this.order = graph.topologicalOrder();
    for (Node n : order) users.put(n, new ArrayList<>());
    for (int i = 0; i < order.size(); i++) position.put(order.get(i), i);
    for (Node n : order) for (Node i : n.inputs()) users.get(i).add(n);
    outputs.addAll(graph.outputs());
    for (Node n : order) {
      boolean argument = n.op() instanceof Input in && in.kind() == Input.Kind.ARGUMENT;
      if (argument || n.inputs().stream().anyMatch(dataDependent::contains)) dataDependent.add(n);
      boolean param = n.op() instanceof Input in && in.kind() == Input.Kind.PARAM;
      if (param || n.inputs().stream().anyMatch(dependsOnParam::contains)) dependsOnParam.add(n);
    }
  }

  public static FusionPlan partition(Graph graph) {
    return new Partitioner(graph).run();
  }

  private FusionPlan run() {
    for (Node n : order) {
      NodeKind k = NodeKind.of(n);
      if (k == NodeKind.CONTRACTION && isExpanding(n)) expanding.add(n);
    }
    for (Node n : order) {
      NodeKind k = NodeKind.of(n);
      if (k == NodeKind.INPUT) continue;
      if (outputs.contains(n) || k == NodeKind.SCATTER) store(n);
      if (k == NodeKind.CONTRACTION && !expanding.contains(n)) {
        store(n);
        for (Node operand : n.inputs()) {
          Node source = peelViews(operand);
          NodeKind sk = NodeKind.of(source);
          if (sk != NodeKind.INPUT && sk != NodeKind.GENERATOR && !derivesFromExpanding(source)) store(source);
        }
      }
    }
    moveContractionsIntoEpilogues();
    storeSharedReductions();
    return new FusionPlan(graph, stored, groups());
  }

  /**
   * A batched product of two activations whose result is larger than either operand: attention
   * scores. Neither operand may be computed from params alone (a weight), and the product must
   * have batch axes (heads, sequences in a batch) — a plain matrix product with an argument as its
   * weight is an ordinary contraction, stored once.
   */
  private boolean isExpanding(Node dot) {
    DotGeneral d = (DotGeneral) dot.op();
    if (weightOnly(dot.input(0)) || weightOnly(dot.input(1)) || d.lhsBatch().isEmpty()) return false;
    if (d.lhsFree(dot.input(0).type().rank()).isEmpty() || d.rhsFree(dot.input(1).type().rank()).isEmpty()) return false;
    long out = estimate(dot.type().shape());
    return out > estimate(dot.input(0).type().shape()) && out > estimate(dot.input(1).type().shape());
  }

  /** Computed from params (and constants) without any argument of the entry. */
  private boolean weightOnly(Node n) {
    return !dataDependent.contains(n) && dependsOnParam.contains(n);
  }

  static long estimate(Shape shape) {
    Map<String, Long> sizes = new HashMap<>();
    for (var d : shape.dims()) for (String s : d.symbols()) sizes.put(s, SYMBOL_SIZE);
    long n = 1;
    for (var d : shape.dims()) n = Math.multiplyExact(n, Math.max(1, d.evaluate(sizes)));
    return n;
  }

  private static Node peelViews(Node n) {
    while (NodeKind.of(n) == NodeKind.VIEW && n.inputs().size() == 1) n = n.input(0);
    return n;
  }

  /** Whether computing {@code n} without storing anything involves an expanding contraction. */
  private boolean derivesFromExpanding(Node n) {
    Deque<Node> work = new ArrayDeque<>(List.of(n));
    Set<Node> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    while (!work.isEmpty()) {
      Node m = work.pop();
      if (!seen.add(m)) continue;
      if (expanding.contains(m)) return true;
      if (m != n && stored.contains(m)) continue;
      NodeKind k = NodeKind.of(m);
      if (k == NodeKind.INPUT || k == NodeKind.CONTRACTION || k == NodeKind.SCATTER) continue;
      work.addAll(m.inputs());
    }
    return false;
  }

  /** A stored contraction whose only use is an elementwise chain over its result moves to the chain's end. */
  private void moveContractionsIntoEpilogues() {
    Set<Node> claimed = Collections.newSetFromMap(new IdentityHashMap<>());
    for (Node n : order) {
      if (NodeKind.of(n) != NodeKind.CONTRACTION || expanding.contains(n) || outputs.contains(n)) continue;
      List<Node> chain = new ArrayList<>();
      Node end = n;
      while (!outputs.contains(end) && users.get(end).size() == 1) {
        Node user = users.get(end).get(0);
        boolean elementwise = NodeKind.of(user) == NodeKind.ELEMENTWISE || user.op() instanceof StopGradient;
        if (!elementwise || !user.type().shape().equals(n.type().shape()) || claimed.contains(user)) break;
        chain.add(user);
        end = user;
      }
      if (!chain.isEmpty()) {
        unstore(n);
        store(end);
        claimed.addAll(chain);
      }
    }
  }

  /** Reductions computed by more than one kernel are stored once instead (repeat until stable). */
  private void storeSharedReductions() {
    for (boolean changed = true; changed; ) {
      changed = false;
      Map<Node, Integer> kernelsUsing = new IdentityHashMap<>();
      for (Node root : roots()) {
        for (Node m : cone(root)) {
          if (NodeKind.of(m) == NodeKind.REDUCTION) kernelsUsing.merge(m, 1, Integer::sum);
        }
      }
      for (var e : kernelsUsing.entrySet()) {
        if (e.getValue() > 1 && store(e.getKey())) changed = true;
      }
    }
  }

  private List<Node> roots() {
    List<Node> roots = new ArrayList<>();
    for (Node n : order) if (stored.contains(n) && NodeKind.of(n) != NodeKind.INPUT) roots.add(n);
    return roots;
  }

  /** Adds {@code n} to the stored nodes; whether it was not stored yet. */
  private boolean store(Node n) {
    boolean added = stored.add(n);
    if (added) cones.clear();
    return added;
  }

  private void unstore(Node n) {
    if (stored.remove(n)) cones.clear();
  }

  /** The nodes a kernel storing {@code root} computes without reading them from memory. */
  List<Node> cone(Node root) {
    List<Node> known = cones.get(root);
    if (known != null) return known;
    List<Node> cone = List.copyOf(computeCone(root));
    cones.put(root, cone);
    return cone;
  }

  private List<Node> computeCone(Node root) {
    List<Node> out = new ArrayList<>();
    Set<Node> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    Deque<Node> work = new ArrayDeque<>(root.inputs());
    while (!work.isEmpty()) {
      Node m = work.pop();
      if (stored.contains(m) || NodeKind.of(m) == NodeKind.INPUT || !seen.add(m)) continue;
      out.add(m);
      work.addAll(m.inputs());
    }
    return out;
  }

  /**
   * One group per stored node, then shared reductions folded into the first kernel whose loops
   * begin with the reduction's axes, when that creates no cycle between kernels.
   */
  private List<Group> groups() {
    List<Node> roots = roots();
    Map<Node, Node> hostOf = new IdentityHashMap<>();
    // Repeat: a merge refused because it made a cycle may become possible once another is made.
    for (boolean changed = true; changed; ) {
      changed = false;
      for (Node r : roots) {
        if (NodeKind.of(r) != NodeKind.REDUCTION || outputs.contains(r) || hostOf.containsKey(r)) continue;
        Node best = null;
        for (Node c : roots) {
          if (c == r || hostOf.containsKey(c) || !usesDirectly(c, r)) continue;
          if (!leadsWith(c.type().shape(), r.type().shape()) || !readAtOwnIndex(c, r)) continue;
          // A statistic of the host's own result would make the host compute its row twice.
          if (reaches(c, r)) continue;
          if (best == null || c.type().rank() > best.type().rank()) best = c;
        }
        if (best == null) continue;
        Map<Node, Node> trial = new IdentityHashMap<>(hostOf);
        trial.put(r, best);
        for (var e : trial.entrySet()) if (e.getValue() == r) e.setValue(best);
        if (valid(trial) && !cyclic(build(roots, trial))) {
          hostOf = trial;
          changed = true;
        }
      }
      // A column sum (a bias gradient) is added up inside a kernel that loops over its elements:
      // the one storing what it sums if possible, else any kernel over the same elements.
      for (Node r : roots) {
        if (NodeKind.of(r) != NodeKind.REDUCTION || hostOf.containsKey(r)) continue;
        for (Node p : preferringReaders(r, roots)) {
          if (p == r || hostOf.containsKey(p) || !isColumnSumOf(r, p)) continue;
          Map<Node, Node> trial = new IdentityHashMap<>(hostOf);
          trial.put(r, p);
          for (var x : trial.entrySet()) if (x.getValue() == r) x.setValue(p);
          if (valid(trial) && !cyclic(build(roots, trial))) {
            hostOf = trial;
            changed = true;
            break;
          }
        }
      }
      // An elementwise result over the same loops as a stored node it reads joins that node's kernel.
      for (Node e : roots) {
        if (hostOf.containsKey(e) || !isElementwiseOnly(e)) continue;
        for (Node p : preferringReaders(e, roots)) {
          if (p == e || hostOf.containsKey(p)) continue;
          if (!p.type().shape().equals(e.type().shape()) || !readAtOwnIndex(e, p)) continue;
          // Statistics already computed beside e must not be statistics of p's own result.
          boolean statisticOfHost = false;
          for (var x : hostOf.entrySet()) {
            if (x.getValue() == e && reaches(p, x.getKey())) statisticOfHost = true;
          }
          if (statisticOfHost) continue;
          Map<Node, Node> trial = new IdentityHashMap<>(hostOf);
          trial.put(e, p);
          for (var x : trial.entrySet()) if (x.getValue() == e) x.setValue(p);
          if (valid(trial) && !cyclic(build(roots, trial))) {
            hostOf = trial;
            changed = true;
            break;
          }
        }
      }
    }
    return order(withoutUnreadResults(build(roots, hostOf)));
  }

  private List<Group> build(List<Node> roots, Map<Node, Node> hostOf) {
    Map<Node, List<Node>> extra = new IdentityHashMap<>();
    for (Node r : roots) if (hostOf.containsKey(r)) extra.computeIfAbsent(hostOf.get(r), k -> new ArrayList<>()).add(r);
    List<Group> groups = new ArrayList<>();
    for (Node r : roots) {
      if (hostOf.containsKey(r)) continue;
      List<Node> outs = new ArrayList<>(List.of(r));
      outs.addAll(extra.getOrDefault(r, List.of()));
      Set<Node> inlined = new LinkedHashSet<>(cone(r));
      for (Node x : extra.getOrDefault(r, List.of())) inlined.addAll(cone(x));
      groups.add(new Group(kindOf(r, inlined), outs, new ArrayList<>(inlined)));
    }
    return groups;
  }

  /**
   * {@code r} sums leading axes of an elementwise function of {@code p}'s result over p's own
   * loops (reading p at the element p's kernel stores), so p's kernel can add each element into r.
   */
  private boolean isColumnSumOf(Node r, Node p) {
    Reduce red = (Reduce) r.op();
    Node x = r.input(0);
    if (!x.type().shape().equals(p.type().shape())) return false;
    for (int a = 0; a < red.axes().size(); a++) if (red.axes().get(a) != a) return false;
    if (red.fn() != Reduce.Fn.SUM) return false;
    if (x == p) return true;
    if (stored.contains(x)) return false;
    Deque<Node> work = new ArrayDeque<>(List.of(x));
    Set<Node> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    while (!work.isEmpty()) {
      Node m = work.pop();
      if (!seen.add(m)) continue;
      if (m == p) continue;
      if (stored.contains(m) || NodeKind.of(m) == NodeKind.INPUT || NodeKind.of(m) == NodeKind.GENERATOR) continue;
      boolean elementwise = NodeKind.of(m) == NodeKind.ELEMENTWISE && !(m.op() instanceof dev.adjoint.compiler.ir.Gather
          || m.op() instanceof dev.adjoint.compiler.ir.DynamicSlice || m.op() instanceof dev.adjoint.compiler.ir.UpdateSlice);
      if (!elementwise || !m.type().shape().equals(p.type().shape())) {
        if (!(NodeKind.of(m) == NodeKind.VIEW && m.op() instanceof dev.adjoint.compiler.ir.Broadcast)) return false;
        continue;
      }
      for (Node in : m.inputs()) {
        if (in.type().shape().equals(p.type().shape()) || in == p) work.push(in);
        else if (!(stored.contains(in) || NodeKind.of(in) == NodeKind.INPUT || NodeKind.of(in) == NodeKind.VIEW
            || NodeKind.of(in) == NodeKind.GENERATOR)) {
          return false;
        }
      }
    }
    return true;
  }

  /** The roots {@code n}'s kernel reads first (the natural hosts), then every other root. */
  private List<Node> preferringReaders(Node n, List<Node> roots) {
    List<Node> first = new ArrayList<>();
    List<Node> rest = new ArrayList<>();
    for (Node p : roots) (usesDirectly(n, p) ? first : rest).add(p);
    first.addAll(rest);
    return first;
  }

  /** A stored node computed without reductions or contractions: cheap to compute beside another result. */
  private boolean isElementwiseOnly(Node root) {
    NodeKind k = NodeKind.of(root);
    if (k != NodeKind.ELEMENTWISE && k != NodeKind.VIEW) return false;
    for (Node m : cone(root)) {
      NodeKind mk = NodeKind.of(m);
      if (mk == NodeKind.REDUCTION || mk == NodeKind.CONTRACTION || mk == NodeKind.SCATTER) return false;
    }
    return true;
  }

  /**
   * Results no other kernel reads (their readers all joined the kernel that computes them) and
   * that are not the entry's results stay inside that kernel instead of being stored.
   */
  private List<Group> withoutUnreadResults(List<Group> groups) {
    Map<Node, Group> producer = new IdentityHashMap<>();
    for (Group g : groups) for (Node o : g.outputs()) producer.put(o, g);
    Set<Node> readElsewhere = Collections.newSetFromMap(new IdentityHashMap<>());
    for (Group g : groups) {
      Set<Node> members = Collections.newSetFromMap(new IdentityHashMap<>());
      members.addAll(g.outputs());
      members.addAll(g.inlined());
      for (Node m : members) {
        for (Node in : m.inputs()) if (producer.containsKey(in) && producer.get(in) != g) readElsewhere.add(in);
      }
    }
    List<Group> out = new ArrayList<>();
    for (Group g : groups) {
      List<Node> kept = new ArrayList<>(List.of(g.primary()));
      List<Node> inlined = new ArrayList<>(g.inlined());
      for (Node o : g.outputs().subList(1, g.outputs().size())) {
        if (outputs.contains(o) || readElsewhere.contains(o)) kept.add(o);
        else {
          inlined.add(o);
          unstore(o);
        }
      }
      Node primary = g.primary();
      boolean primaryNeeded = outputs.contains(primary) || readElsewhere.contains(primary) || kept.size() == 1;
      if (!primaryNeeded) unstore(primary);
      out.add(new Group(g.kind(), kept, inlined, primaryNeeded));
    }
    return out;
  }

  /**
   * Whether every result hosted in another kernel (after hosts were themselves hosted) can be
   * computed there: a row statistic read at the host's own rows, a column sum over the host's
   * elements, or a result over the host's own elements.
   */
  private boolean valid(Map<Node, Node> hostOf) {
    for (var e : hostOf.entrySet()) {
      Node x = e.getKey();
      Node host = e.getValue();
      boolean ok;
      if (NodeKind.of(x) == NodeKind.REDUCTION) {
        ok = isColumnSumOf(x, host)
            || (leadsWith(host.type().shape(), x.type().shape()) && readAtOwnIndex(host, x) && !reaches(host, x));
      } else {
        ok = x.type().shape().equals(host.type().shape()) && readAtOwnIndex(x, host);
      }
      if (!ok) return false;
    }
    return true;
  }

  /** Whether some group needs, through other groups, a result of its own. */
  private boolean cyclic(List<Group> groups) {
    try {
      order(groups);
      return false;
    } catch (IllegalStateException e) {
      return true;
    }
  }

  /** Whether {@code root}'s kernel reads {@code r} (through its cone). */
  private boolean usesDirectly(Node root, Node r) {
    if (root.inputs().contains(r)) return true;
    for (Node m : cone(root)) if (m.inputs().contains(r)) return true;
    return false;
  }

  /**
   * Whether the kernel storing {@code host} needs {@code r} only at the index of its own outer
   * loops — a row's statistic for that row — so computing r there gives every value it needs. It
   * follows the host's loop axes down through the kernel's nodes (as the lowering will index them)
   * and compares the labels that reach r.
   */
  private boolean readAtOwnIndex(Node host, Node r) {
    Map<Node, List<List<Integer>>> seen = new IdentityHashMap<>();
    List<Integer> own = new ArrayList<>();
    for (int a = 0; a < host.type().rank(); a++) own.add(a);
    boolean[] ok = {true};
    trace(host, own, r, seen, ok, new int[] {1000});
    return ok[0];
  }

  private void trace(Node n, List<Integer> labels, Node r, Map<Node, List<List<Integer>>> seen, boolean[] ok, int[] fresh) {
    if (!ok[0]) return;
    if (n == r) {
      for (int a = 0; a < labels.size(); a++) if (labels.get(a) != a) ok[0] = false;
      return;
    }
    if (n != r && (stored.contains(n) || NodeKind.of(n) == NodeKind.INPUT) && !seen.isEmpty()) return;
    List<List<Integer>> visits = seen.computeIfAbsent(n, k -> new ArrayList<>());
    if (visits.contains(labels) || visits.size() > 8) return;
    visits.add(labels);
    int unknown = -1;
    switch (n.op()) {
      case dev.adjoint.compiler.ir.Broadcast b -> {
        List<Integer> in = new ArrayList<>();
        for (int k = 0; k < b.axes().size(); k++) {
          boolean stretched = !n.input(0).type().shape().dim(k).equals(b.shape().dim(b.axes().get(k)));
          in.add(stretched ? unknown : labels.get(b.axes().get(k)));
        }
        trace(n.input(0), in, r, seen, ok, fresh);
      }
      case dev.adjoint.compiler.ir.Transpose t -> {
        Integer[] in = new Integer[labels.size()];
        for (int a = 0; a < labels.size(); a++) in[t.permutation().get(a)] = labels.get(a);
        trace(n.input(0), List.of(in), r, seen, ok, fresh);
      }
      case dev.adjoint.compiler.ir.Reshape re -> {
        // Only unit axes added or dropped keep labels; anything else is traced as unknown.
        List<dev.adjoint.compiler.ir.Dim> outDims = n.type().shape().dims();
        List<dev.adjoint.compiler.ir.Dim> inDims = n.input(0).type().shape().dims();
        List<Integer> kept = new ArrayList<>();
        for (int a = 0; a < outDims.size(); a++) if (!outDims.get(a).equals(dev.adjoint.compiler.ir.Dim.of(1))) kept.add(labels.get(a));
        List<Integer> in = new ArrayList<>();
        int k = 0;
        boolean plain = true;
        for (var d : inDims) {
          if (d.equals(dev.adjoint.compiler.ir.Dim.of(1))) in.add(unknown);
          else if (k < kept.size()) in.add(kept.get(k++));
          else plain = false;
        }
        if (!plain || k != kept.size()) in = java.util.Collections.nCopies(inDims.size(), unknown);
        trace(n.input(0), in, r, seen, ok, fresh);
      }
      case dev.adjoint.compiler.ir.Reduce red -> {
        List<Integer> in = new ArrayList<>();
        int k = 0;
        for (int a = 0; a < n.input(0).type().rank(); a++) in.add(red.axes().contains(a) ? fresh[0]++ : labels.get(k++));
        trace(n.input(0), in, r, seen, ok, fresh);
      }
      case DotGeneral d -> {
        Integer[] li = new Integer[n.input(0).type().rank()];
        Integer[] ri = new Integer[n.input(1).type().rank()];
        int o = 0;
        for (int i = 0; i < d.lhsBatch().size(); i++, o++) {
          li[d.lhsBatch().get(i)] = labels.get(o);
          ri[d.rhsBatch().get(i)] = labels.get(o);
        }
        for (int a : d.lhsFree(li.length)) li[a] = labels.get(o++);
        for (int a : d.rhsFree(ri.length)) ri[a] = labels.get(o++);
        for (int c = 0; c < d.lhsContract().size(); c++) {
          int f = fresh[0]++;
          li[d.lhsContract().get(c)] = f;
          ri[d.rhsContract().get(c)] = f;
        }
        trace(n.input(0), List.of(li), r, seen, ok, fresh);
        trace(n.input(1), List.of(ri), r, seen, ok, fresh);
      }
      default -> {
        boolean sameShape = n.inputs().stream().allMatch(i -> i.type().shape().equals(n.type().shape()));
        for (Node in : n.inputs()) {
          trace(in, sameShape ? labels : java.util.Collections.nCopies(in.type().rank(), unknown), r, seen, ok, fresh);
        }
      }
    }
  }

  /** Whether {@code to} is computed from {@code from}. */
  private boolean reaches(Node from, Node to) {
    Integer source = position.get(from);
    Integer target = position.get(to);
    if (source != null && target != null && source > target) return false;
    return reachable.computeIfAbsent(to, t -> new IdentityHashMap<>()).computeIfAbsent(from, f -> search(f, to));
  }

  private static boolean search(Node from, Node to) {
    Deque<Node> work = new ArrayDeque<>(List.of(to));
    Set<Node> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    while (!work.isEmpty()) {
      Node m = work.pop();
      if (m == from) return true;
      if (seen.add(m)) work.addAll(m.inputs());
    }
    return false;
  }

  /** A reduction over trailing axes of what a kernel loops over: its loops start with the reduction's. */
  private static boolean leadsWith(Shape loops, Shape reduced) {
    if (reduced.rank() > loops.rank()) return false;
    return loops.dims().subList(0, reduced.rank()).equals(reduced.dims());
  }

  private String kindOf(Node root, Set<Node> inlined) {
    if (NodeKind.of(root) == NodeKind.SCATTER) return "scatter";
    boolean attention = inlined.stream().anyMatch(expanding::contains);
    if (attention) return "attention";
    boolean contraction = NodeKind.of(root) == NodeKind.CONTRACTION
        || inlined.stream().anyMatch(n -> NodeKind.of(n) == NodeKind.CONTRACTION);
    if (contraction) return "contraction";
    boolean reduction = NodeKind.of(root) == NodeKind.REDUCTION
        || inlined.stream().anyMatch(n -> NodeKind.of(n) == NodeKind.REDUCTION);
    if (reduction) return "reduction";
    boolean computes = NodeKind.of(root) == NodeKind.ELEMENTWISE
        || inlined.stream().anyMatch(n -> NodeKind.of(n) == NodeKind.ELEMENTWISE);
    return computes ? "elementwise" : "copy";
  }

  /** Groups in dependency order (a group after every group storing something it reads). */
  private List<Group> order(List<Group> groups) {
    Map<Node, Group> producer = new IdentityHashMap<>();
    for (Group g : groups) for (Node o : g.outputs()) producer.put(o, g);
    List<Group> sorted = new ArrayList<>();
    Set<Group> done = Collections.newSetFromMap(new IdentityHashMap<>());
    Set<Group> visiting = Collections.newSetFromMap(new IdentityHashMap<>());
    for (Group g : groups) visit(g, producer, done, visiting, sorted);
    return sorted;
  }

  private void visit(Group g, Map<Node, Group> producer, Set<Group> done, Set<Group> visiting, List<Group> sorted) {
    if (done.contains(g)) return;
    if (!visiting.add(g)) throw new IllegalStateException("fusion made a cycle through " + g.kind() + " kernel of " + g.primary());
    Set<Node> reads = Collections.newSetFromMap(new IdentityHashMap<>());
    for (Node o : g.outputs()) reads.addAll(o.inputs());
    for (Node m : g.inlined()) reads.addAll(m.inputs());
    for (Node r : reads) {
      Group p = producer.get(r);
      if (p != null && p != g) visit(p, producer, done, visiting, sorted);
    }
    visiting.remove(g);
    done.add(g);
    sorted.add(g);
  }
}
