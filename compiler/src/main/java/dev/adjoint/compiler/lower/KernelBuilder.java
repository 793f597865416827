package dev.adjoint.compiler.lower;

import dev.adjoint.compiler.fusion.Group;
import dev.adjoint.compiler.ir.Binary;
import dev.adjoint.compiler.ir.Broadcast;
import dev.adjoint.compiler.ir.Cast;
import dev.adjoint.compiler.ir.Concat;
import dev.adjoint.compiler.ir.Constant;
import dev.adjoint.compiler.ir.Dim;
import dev.adjoint.compiler.ir.DimSize;
import dev.adjoint.compiler.ir.DotGeneral;
import dev.adjoint.compiler.ir.DynamicSlice;
import dev.adjoint.compiler.ir.Gather;
import dev.adjoint.compiler.ir.Input;
import dev.adjoint.compiler.ir.Iota;
import dev.adjoint.compiler.ir.Node;
import dev.adjoint.compiler.ir.Pad;
import dev.adjoint.compiler.ir.RandomUniform;
import dev.adjoint.compiler.ir.Reduce;
import dev.adjoint.compiler.ir.Reshape;
import dev.adjoint.compiler.ir.ScatterAdd;
import dev.adjoint.compiler.ir.Select;
import dev.adjoint.compiler.ir.Shape;
import dev.adjoint.compiler.ir.Slice;
import dev.adjoint.compiler.ir.StopGradient;
import dev.adjoint.compiler.ir.Transpose;
import dev.adjoint.compiler.ir.Unary;
import dev.adjoint.compiler.ir.UpdateSlice;
import dev.adjoint.compiler.kernel.Access;
import dev.adjoint.compiler.kernel.Axis;
import dev.adjoint.compiler.kernel.Buffer;
import dev.adjoint.compiler.kernel.IndexMap;
import dev.adjoint.compiler.kernel.KExpr;
import dev.adjoint.compiler.kernel.KStmt;
import dev.adjoint.compiler.kernel.Kernel;
import dev.adjoint.compiler.kernel.KernelKind;
import dev.adjoint.compiler.kernel.Reducer;
import dev.adjoint.runtime.DType;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiFunction;

/**
 * Builds one kernel. Its maps run over the primary result's axes; every other value is computed on
 * demand by {@link #value}, at the outermost level where all the indices it depends on are known
 * (a row's maximum once per row, not once per element), and remembered there, so a value used
 * twice is computed once. Views become index arithmetic; reductions, contractions, weighted sums
 * and the online softmax become their structured statements, updating accumulators declared where
 * their results are needed; stored nodes are loaded.
 */
final class KernelBuilder {
  private final Group group;
  private final Map<Node, Buffer> buffers;
  private final String name;
  private final Set<Node> computed = Collections.newSetFromMap(new IdentityHashMap<>());
  private final Set<Buffer> reads = new LinkedHashSet<>();
  private final Set<Buffer> writes = new LinkedHashSet<>();
  /** The value of every let made so far, by name: where an operand is read, for its index map. */
  private final Map<String, KExpr> lets = new HashMap<>();
  /** Every loop variable so far: what index maps are affine in. */
  private final Set<String> loopVars = new HashSet<>();
  /** The contraction the primary result is (or an elementwise chain over): its epilogue is the kernel's. */
  private final Node product;
  private String productAccumulator;
  private int fresh;

  KernelBuilder(Group group, Map<Node, Buffer> buffers, String name) {
    this.group = group;
    this.buffers = buffers;
    this.name = name;
    computed.addAll(group.outputs());
    computed.addAll(group.inlined());
    this.product = product(group.primary());
  }

  Kernel build() {
    Block root = new Block(null);
    Node primary = group.primary();
    Node anchor = anchor();
    if (primary.op() instanceof ScatterAdd) {
      scatter(primary, root);
    } else if (writesWindowInPlace(primary)) {
      window(primary, root);
    } else if (anchor != null) {
      rowContraction(primary, anchor, root);
    } else {
      List<KExpr> index = new ArrayList<>();
      loops(root, primary, index, 0);
    }
    for (Node out : group.stored()) {
      if (!writes.contains(buffers.get(out))) {
        throw new IllegalStateException(name + ": lowering stored no " + out + " of its " + group.kind() + " group");
      }
    }
    KernelKind kind = KernelKind.of(root.statements);
    return new Kernel(name + "_" + kind.label(), kind, new ArrayList<>(reads), new ArrayList<>(writes),
        root.statements, Lowerer.origins(group), group.outputs().size() + group.inlined().size());
  }

  /**
   * The contraction whose result the primary is (or an elementwise chain over, at the same index),
   * when one of its operands is computed here rather than loaded: that operand's elements are the
   * expensive part (an attention probability recomputes a score), so they are computed once each
   * and the other operand's free axes become a row of accumulators. Null when the plain loop nest
   * serves.
   */
  private Node anchor() {
    Node n = product;
    if (n == null) return null;
    DotGeneral d = (DotGeneral) n.op();
    boolean lhsComputed = computedOperand(n.input(0));
    boolean rhsComputed = computedOperand(n.input(1));
    if (lhsComputed == rhsComputed) return null;
    if (d.lhsFree(n.input(0).type().rank()).isEmpty() || d.rhsFree(n.input(1).type().rank()).isEmpty()) return null;
    return n;
  }

  /** The contraction {@code primary} is, or an elementwise chain over at the same index; null if none. */
  private Node product(Node primary) {
    Node n = primary;
    while (!(n.op() instanceof DotGeneral)) {
      if (n.inputs().isEmpty()) return null;
      Node next = null;
      for (Node in : n.inputs()) {
        if (computed.contains(in) && in.type().shape().equals(primary.type().shape()) && isChain(in)) next = in;
      }
      if (next == null || !(n.op() instanceof Unary || n.op() instanceof Binary || n.op() instanceof Select
          || n.op() instanceof Cast || n.op() instanceof StopGradient)) {
        return null;
      }
      n = next;
    }
    return n;
  }

  private boolean isChain(Node n) {
    return n.op() instanceof DotGeneral || n.op() instanceof Unary || n.op() instanceof Binary
        || n.op() instanceof Select || n.op() instanceof Cast || n.op() instanceof StopGradient;
  }

  /** Whether an operand is computed inside this kernel (through views) rather than read from memory. */
  private boolean computedOperand(Node operand) {
    Node n = operand;
    while (n.op() instanceof Broadcast || n.op() instanceof Reshape || n.op() instanceof Transpose
        || n.op() instanceof Slice || n.op() instanceof StopGradient) {
      if (!computed.contains(n)) return false;
      n = n.input(0);
    }
    return computed.contains(n) && !(n.op() instanceof Input);
  }

  /**
   * forall (batch, free axes of the computed operand) {
   *   acc[other operand's free axes] = 0
   *   weighted sum over (contracted axes) { a = computed[...]; for v: acc[v] += a * other[..., v] }
   *   for v: primary[..., v] = epilogue(acc[v])
   * }
   *
   * (an online softmax instead of the weighted sum when the computed operand is a softmax over the
   * contracted axis).
   */
  private void rowContraction(Node primary, Node dot, Block root) {
    DotGeneral d = (DotGeneral) dot.op();
    Node lhs = dot.input(0);
    Node rhs = dot.input(1);
    boolean computedIsLhs = computedOperand(lhs);
    int nb = d.lhsBatch().size();
    List<Integer> lf = d.lhsFree(lhs.type().rank());
    List<Integer> rf = d.rhsFree(rhs.type().rank());
    Shape out = dot.type().shape();
    // Result axes: [batch nb][lhs free][rhs free]; outer = batch + the computed operand's free axes.
    List<Integer> outer = new ArrayList<>();
    List<Integer> vector = new ArrayList<>();
    for (int a = 0; a < nb; a++) outer.add(a);
    for (int a = 0; a < lf.size(); a++) (computedIsLhs ? outer : vector).add(nb + a);
    for (int a = 0; a < rf.size(); a++) (computedIsLhs ? vector : outer).add(nb + lf.size() + a);
    KExpr[] index = new KExpr[out.rank()];
    Block block = root;
    List<Block> chain = new ArrayList<>();
    List<Node> rowResults = new ArrayList<>();
    List<Block> rowResultBlocks = new ArrayList<>();
    for (int k = 0; k < outer.size(); k++) {
      Block body = new Block(block);
      body.declares.add("i" + outer.get(k));
      loopVars.add("i" + outer.get(k));
      index[outer.get(k)] = new KExpr.Var("i" + outer.get(k), DType.I32);
      for (Node extra : group.outputs().subList(1, group.outputs().size())) {
        if (!isColumnSum(extra, primary) && extra.type().rank() == k + 1 && outer.subList(0, k + 1).equals(range(k + 1))) {
          rowResults.add(extra);
          rowResultBlocks.add(body);
        }
      }
      chain.add(body);
      block = body;
    }
    Block rowBlock = block;
    OnlineSoftmax.Match soft = OnlineSoftmax.match(computedIsLhs ? lhs : rhs, dot, computedIsLhs ? 0 : 1);
    // A row's statistics are computed and stored before its accumulation — except a softmax's
    // maximum and sum, which the online pass produces on the way.
    for (int k = 0; k < rowResults.size(); k++) {
      Node extra = rowResults.get(k);
      if (soft != null && (extra == soft.max() || extra == soft.sum())) continue;
      store(extra, java.util.Arrays.asList(index).subList(0, extra.type().rank()), rowResultBlocks.get(k));
    }
    List<Dim> vectorDims = new ArrayList<>();
    KExpr length = KExpr.Const.index(1);
    for (int a : vector) {
      vectorDims.add(out.dim(a));
      length = KExpr.mul(length, KExpr.size(out.dim(a)));
    }
    String acc = "acc" + fresh++;
    DType dtype = dot.type().dtype();
    rowBlock.statements.add(new KStmt.DeclareArray(acc, dtype, length, new KExpr.Const(0, dtype)));
    rowBlock.declares.add(acc);
    // The contracted axes, then the lane over the other operand's free axes.
    List<String> cvars = new ArrayList<>();
    List<Dim> cext = new ArrayList<>();
    KExpr[] li = new KExpr[lhs.type().rank()];
    KExpr[] ri = new KExpr[rhs.type().rank()];
    for (int i = 0; i < nb; i++) {
      li[d.lhsBatch().get(i)] = index[i];
      ri[d.rhsBatch().get(i)] = index[i];
    }
    for (int c = 0; c < d.lhsContract().size(); c++) {
      String v = "r" + fresh++;
      cvars.add(v);
      loopVars.add(v);
      cext.add(lhs.type().shape().dim(d.lhsContract().get(c)));
      li[d.lhsContract().get(c)] = new KExpr.Var(v, DType.I32);
      ri[d.rhsContract().get(c)] = new KExpr.Var(v, DType.I32);
    }
    String lane = "v" + fresh++;
    loopVars.add(lane);
    KExpr laneVar = new KExpr.Var(lane, DType.I32);
    List<KExpr> laneIndex = IndexMaps.unflat(laneVar, vectorDims);
    for (int a = 0; a < lf.size(); a++) {
      int axis = nb + a;
      li[lf.get(a)] = computedIsLhs ? index[axis] : laneIndex.get(vector.indexOf(axis));
    }
    for (int a = 0; a < rf.size(); a++) {
      int axis = nb + lf.size() + a;
      ri[rf.get(a)] = computedIsLhs ? laneIndex.get(vector.indexOf(axis)) : index[axis];
    }
    Block inner = nest(rowBlock, cvars);
    List<KExpr> computedIndex = List.of(computedIsLhs ? li : ri);
    Node other = computedIsLhs ? rhs : lhs;
    List<KExpr> otherIndex = List.of(computedIsLhs ? ri : li);
    KExpr element = new KExpr.Element(acc, laneVar, dtype);
    Axis laneAxis = new Axis(lane, length);
    KExpr result;
    if (soft == null) {
      KExpr weight = value(computedIsLhs ? lhs : rhs, computedIndex, inner);
      KStmt.Operand weightOperand = operand(weight, computedIndex);
      KStmt.WeightedRow row = weightedRow(inner, laneAxis, other, otherIndex, computedIsLhs);
      close(rowBlock, inner, cvars, cext,
          (axes, body) -> new KStmt.WeightedSum(acc, axes, body, weightOperand, row));
      result = element;
    } else {
      KExpr sum = onlineSoftmax(soft, dtype, computedIndex, rowBlock, inner, cvars.get(0), KExpr.size(cext.get(0)), laneAxis,
          acc, other, otherIndex, computedIsLhs);
      List<KExpr> rowIndex = java.util.Arrays.asList(index).subList(0, soft.max().type().rank());
      for (Node extra : rowResults) {
        if (extra == soft.max() || extra == soft.sum()) store(extra, rowIndex, rowBlock);
      }
      result = new KExpr.Binary(Binary.Fn.DIV, element, sum);
    }
    // The epilogue, one lane at a time, with the contraction's value read from its accumulator.
    Block store = new Block(rowBlock);
    store.declares.add(lane);
    KExpr[] full = index.clone();
    for (int k = 0; k < vector.size(); k++) full[vector.get(k)] = laneIndex.get(k);
    List<KExpr> fullIndex = List.of(full);
    store.remember(new Block.Key(dot, fullIndex), result);
    store(primary, fullIndex, store);
    storeBeside(primary, fullIndex, store);
    rowBlock.statements.add(new KStmt.Loop(lane, length, false, store.statements));
    for (int k = chain.size() - 1; k >= 0; k--) {
      Block outerBlock = k == 0 ? root : chain.get(k - 1);
      outerBlock.statements.add(KStmt.ForAll.of(new Axis("i" + outer.get(k), KExpr.size(out.dim(outer.get(k)))),
          chain.get(k).statements));
    }
  }

  /**
   * The row a weighted sum adds at each step: the other operand's elements along the lane, computed
   * in a block of their own; what they need that does not vary along the lane, computed in
   * {@code inner} meanwhile, is the row's setup.
   */
  private KStmt.WeightedRow weightedRow(Block inner, Axis lane, Node other, List<KExpr> otherIndex,
      boolean computedIsLhs) {
    int mark = inner.statements.size();
    Block laneBlock = new Block(inner);
    laneBlock.declares.add(lane.var());
    KExpr o = value(other, otherIndex, laneBlock);
    List<KStmt> setup = take(inner, mark);
    return new KStmt.WeightedRow(setup, lane, laneBlock.statements, operand(o, otherIndex), computedIsLhs);
  }

  /** Removes and returns the statements of {@code block} from position {@code mark} on. */
  private static List<KStmt> take(Block block, int mark) {
    List<KStmt> tail = new ArrayList<>(block.statements.subList(mark, block.statements.size()));
    block.statements.subList(mark, block.statements.size()).clear();
    return tail;
  }

  /** An operand's element {@code value} at {@code index}, with its access when it is a plain affine load. */
  private KStmt.Operand operand(KExpr value, List<KExpr> index) {
    KExpr v = value;
    if (v instanceof KExpr.Var var && lets.containsKey(var.name())) v = lets.get(var.name());
    Optional<Access> access = Optional.empty();
    if (v instanceof KExpr.Load load) {
      access = IndexMap.of(load.index(), loopVars).map(map -> new Access(load.buffer(), map));
    }
    return new KStmt.Operand(value, index, access);
  }

  /**
   * The softmax-weighted contraction in one pass over the row, rescaling what has been summed so
   * far whenever the running maximum grows:
   *
   * <pre>
   * m = -inf; l = 0; acc[:] = 0
   * for j: a = scores[j]; m' = max(m, a); c = exp(m - m'); p = exp(a - m')
   *        l = l·c + p; acc[v] = acc[v]·c + p·other[j, v]; m = m'
   * result[v] = acc[v] / l
   * </pre>
   *
   * (c is 1 and p is 0 while every score so far is -inf, a fully masked prefix.) The final m and
   * l are the softmax's maximum and sum, remembered for whoever stores them. Returns l.
   */
  private KExpr onlineSoftmax(OnlineSoftmax.Match soft, DType dtype, List<KExpr> scoreIndex, Block rowBlock,
      Block inner, String key, KExpr keyExtent, Axis lane, String acc, Node other, List<KExpr> otherIndex,
      boolean computedIsLhs) {
    String m = "max" + fresh++;
    String l = "sum" + fresh++;
    rowBlock.statements.add(new KStmt.Declare(m, dtype, new KExpr.Const(Double.NEGATIVE_INFINITY, dtype)));
    rowBlock.statements.add(new KStmt.Declare(l, dtype, new KExpr.Const(0, dtype)));
    rowBlock.declares.add(m);
    rowBlock.declares.add(l);
    KExpr score = value(soft.scores(), scoreIndex, inner);
    String next = local(inner);
    String rescale = local(inner);
    String weight = local(inner);
    Optional<KStmt.Dropout> dropout = Optional.empty();
    if (soft.keep() != null) {
      // Dropout on the probabilities: the row sum counts every probability, the output only the
      // kept ones, scaled — the same mask the graph draws, element for element.
      int mark = inner.statements.size();
      KExpr kept = value(soft.keep(), scoreIndex, inner);
      KExpr factor = value(soft.scale(), scoreIndex, inner);
      List<KStmt> body = take(inner, mark);
      dropout = Optional.of(new KStmt.Dropout(body, kept, factor, soft.divide(), local(inner)));
    }
    KStmt.WeightedRow row = weightedRow(inner, lane, other, otherIndex, computedIsLhs);
    rowBlock.statements.add(new KStmt.OnlineSoftmax(m, l, new Axis(key, keyExtent), inner.statements, score, next,
        rescale, weight, dropout, acc, row));
    nests.remove(inner);
    KExpr mVar = new KExpr.Var(m, dtype);
    KExpr lVar = new KExpr.Var(l, dtype);
    List<KExpr> rowIndex = scoreIndex.subList(0, soft.max().type().rank());
    rowBlock.remember(new Block.Key(soft.max(), List.copyOf(rowIndex)), mVar);
    rowBlock.remember(new Block.Key(soft.sum(), List.copyOf(rowIndex)), lVar);
    return lVar;
  }

  /** A fresh name for a value of {@code block} that a structured statement binds. */
  private String local(Block block) {
    String name = "v" + fresh++;
    block.declares.add(name);
    return name;
  }

  /**
   * In a row-contraction kernel's store loop: results over the primary's elements are stored,
   * column sums added to.
   */
  private void storeBeside(Node primary, List<KExpr> fullIndex, Block store) {
    for (Node extra : group.outputs().subList(1, group.outputs().size())) {
      if (isColumnSum(extra, primary)) {
        accumulate(extra, fullIndex, store);
      } else if (extra.type().shape().equals(primary.type().shape())) {
        Buffer eb = buffers.get(extra);
        writes.add(eb);
        store.statements.add(new KStmt.Store(eb, IndexMaps.flat(fullIndex, extra.type().shape()), value(extra, fullIndex, store)));
      } else if (!writes.contains(buffers.get(extra))) {
        // A statistic of leading axes the reordered loops did not open first: stored at every
        // element of its row (the same value each time).
        store(extra, fullIndex.subList(0, extra.type().rank()), store);
      }
    }
  }

  private static List<Integer> range(int n) {
    List<Integer> out = new ArrayList<>();
    for (int i = 0; i < n; i++) out.add(i);
    return out;
  }

  /** Opens the primary result's loops one axis at a time, storing extra results at their own depth. */
  private void loops(Block block, Node primary, List<KExpr> index, int axis) {
    for (Node extra : group.outputs().subList(1, group.outputs().size())) {
      if (!isColumnSum(extra, primary) && extra.type().rank() == axis) store(extra, index.subList(0, axis), block);
    }
    if (axis == primary.type().rank()) {
      store(primary, index, block);
      for (Node extra : group.outputs().subList(1, group.outputs().size())) {
        if (isColumnSum(extra, primary)) accumulate(extra, index, block);
      }
      attachEpilogue(block);
      return;
    }
    String var = "i" + axis;
    loopVars.add(var);
    Block body = new Block(block);
    body.declares.add(var);
    List<KExpr> deeper = new ArrayList<>(index);
    deeper.add(new KExpr.Var(var, DType.I32));
    loops(body, primary, deeper, axis + 1);
    block.statements.add(KStmt.ForAll.of(new Axis(var, KExpr.size(primary.type().shape().dim(axis))), body.statements));
  }

  /**
   * Makes what follows the product's contraction in the innermost block — everything the kernel
   * does with each element of the product — that contraction's epilogue.
   */
  private void attachEpilogue(Block leaf) {
    if (productAccumulator == null) return;
    for (int i = 0; i < leaf.statements.size(); i++) {
      if (leaf.statements.get(i) instanceof KStmt.Contraction c && c.accumulator().equals(productAccumulator)) {
        List<KStmt> epilogue = take(leaf, i + 1);
        leaf.statements.set(i, c.withEpilogue(epilogue));
        return;
      }
    }
  }

  /** A sum over the leading axes of an elementwise function of the primary's elements. */
  private static boolean isColumnSum(Node extra, Node primary) {
    if (!(extra.op() instanceof Reduce r) || r.fn() != Reduce.Fn.SUM) return false;
    if (!extra.input(0).type().shape().equals(primary.type().shape())) return false;
    for (int a = 0; a < r.axes().size(); a++) if (r.axes().get(a) != a) return false;
    return true;
  }

  /** extra[trailing axes] += its input at the primary's element (the kernel zeroes extra first). */
  private void accumulate(Node extra, List<KExpr> index, Block block) {
    Buffer b = buffers.get(extra);
    writes.add(b);
    int k = ((Reduce) extra.op()).axes().size();
    List<KExpr> kept = index.subList(k, index.size());
    KExpr v = value(extra.input(0), List.copyOf(index), block);
    block.statements.add(new KStmt.Accumulate(b, IndexMaps.flat(kept, extra.type().shape()), v));
  }

  private void store(Node n, List<KExpr> index, Block block) {
    Buffer b = buffers.get(n);
    if (b == null) return; // computed only for the results beside it
    writes.add(b);
    KExpr v = value(n, List.copyOf(index), block);
    block.statements.add(new KStmt.Store(b, IndexMaps.flat(index, n.type().shape()), v));
  }

  /** A scatter-add kernel: loop over the updates, add each into its row. */
  /**
   * An update_slice whose result is its target's own buffer (a donated argument, see Lowerer): the
   * elements outside the window are already there, so only the window is stored.
   */
  private boolean writesWindowInPlace(Node n) {
    return n.op() instanceof UpdateSlice && group.stored().equals(List.of(n)) && buffers.get(n) != null
        && buffers.get(n) == buffers.get(n.input(0)) && !computed.contains(n.input(0));
  }

  /** Loops over the value's elements, storing each at its place in the window of the target's buffer. */
  private void window(Node n, Block root) {
    UpdateSlice u = (UpdateSlice) n.op();
    Node value = n.input(1);
    Buffer out = buffers.get(n);
    writes.add(out);
    List<KExpr> index = new ArrayList<>();
    List<Block> chain = new ArrayList<>();
    Block block = elementBlocks(root, value.type().rank(), index, chain);
    Dim window = value.type().shape().dim(u.axis());
    Node start = n.input(2);
    Buffer startBuffer = buffers.get(start);
    KExpr s;
    if (startBuffer != null && (!computed.contains(start) || start.op() instanceof Input)) {
      // Loaded where it is used, so the map is the kernel's only statement (a GPU spreads it over threads).
      reads.add(startBuffer);
      KExpr low = new KExpr.Binary(Binary.Fn.MAX, new KExpr.Load(startBuffer, KExpr.Const.index(0)), KExpr.Const.index(0));
      s = new KExpr.Binary(Binary.Fn.MIN, low, KExpr.size(n.type().shape().dim(u.axis()).minus(window)));
    } else {
      s = start(start, n.type().shape().dim(u.axis()), window, root);
    }
    List<KExpr> target = new ArrayList<>(index);
    target.set(u.axis(), KExpr.add(index.get(u.axis()), s));
    block.statements.add(new KStmt.Store(out, IndexMaps.flat(target, n.type().shape()), value(value, List.copyOf(index), block)));
    // Each element of the window is stored once: a map over the value's axes.
    for (int a = value.type().rank() - 1; a >= 0; a--) {
      Block inner = chain.get(a);
      Block outer = a == 0 ? root : chain.get(a - 1);
      outer.statements.add(KStmt.ForAll.of(new Axis("i" + a, KExpr.size(value.type().shape().dim(a))), inner.statements));
    }
  }

  /**
   * A block per axis of a {@code rank}-dimensional element map, each inside the one before, from
   * {@code root}: their loop variables ({@code i0, i1, …}) go to {@code index} and the blocks to
   * {@code chain}, outermost first. The innermost block is returned.
   */
  private Block elementBlocks(Block root, int rank, List<KExpr> index, List<Block> chain) {
    Block block = root;
    for (int a = 0; a < rank; a++) {
      Block body = new Block(block);
      String var = "i" + a;
      body.declares.add(var);
      loopVars.add(var);
      index.add(new KExpr.Var(var, DType.I32));
      chain.add(body);
      block = body;
    }
    return block;
  }

  private void scatter(Node n, Block root) {
    Node ids = n.input(0);
    Node updates = n.input(1);
    Buffer out = buffers.get(n);
    writes.add(out);
    List<KExpr> index = new ArrayList<>();
    List<Block> chain = new ArrayList<>();
    Block block = elementBlocks(root, updates.type().rank(), index, chain);
    int lead = ids.type().rank();
    KExpr row = value(ids, List.copyOf(index.subList(0, lead)), block);
    List<KExpr> target = new ArrayList<>();
    target.add(row);
    target.addAll(index.subList(lead, index.size()));
    block.statements.add(new KStmt.Accumulate(out, IndexMaps.flat(target, n.type().shape()),
        value(updates, List.copyOf(index), block)));
    // Close the loops inside out; iterations may add to the same row, so none is parallel.
    for (int a = updates.type().rank() - 1; a >= 0; a--) {
      Block inner = chain.get(a);
      Block outer = a == 0 ? root : chain.get(a - 1);
      outer.statements.add(new KStmt.Loop("i" + a, KExpr.size(updates.type().shape().dim(a)), false, inner.statements));
    }
  }

  // ---------------------------------------------------------------------------------------------

  /** The value of {@code n} at {@code index}, computed (once) in the outermost block that can. */
  KExpr value(Node n, List<KExpr> index, Block at) {
    Block.Key key = new Block.Key(n, index);
    KExpr known = at.lookup(key);
    if (known != null) return known;
    Buffer stored = buffers.get(n);
    boolean compute = computed.contains(n) && !(n.op() instanceof Input);
    KExpr result;
    if (stored != null && !compute) {
      reads.add(stored);
      result = new KExpr.Load(stored, IndexMaps.flat(index, n.type().shape()));
    } else {
      result = compute(n, index, at);
    }
    Block home = at.home(variables(result));
    if (!(result instanceof KExpr.Var || result instanceof KExpr.Const)
        && !(n.op() instanceof Broadcast || n.op() instanceof Reshape || n.op() instanceof Transpose
            || n.op() instanceof Slice || n.op() instanceof StopGradient)) {
      String var = "v" + fresh++;
      lets.put(var, result);
      home.statements.add(new KStmt.Let(var, result));
      home.declares.add(var);
      result = new KExpr.Var(var, result.dtype());
    }
    home.remember(key, result);
    return result;
  }

  private KExpr compute(Node n, List<KExpr> index, Block at) {
    return switch (n.op()) {
      case Constant c -> new KExpr.Const(c.value(), c.dtype());
      case DimSize d -> new KExpr.Cast(n.type().dtype(), KExpr.size(d.dim()));
      case Iota i -> index.get(i.axis());
      case RandomUniform r -> new KExpr.Random(r.site(), IndexMaps.flat(index, n.type().shape()), n.type().dtype());
      case Unary u -> new KExpr.Unary(u.fn(), value(n.input(0), index, at));
      case Binary b -> new KExpr.Binary(b.fn(), value(n.input(0), index, at), value(n.input(1), index, at));
      case Select s -> new KExpr.Select(value(n.input(0), index, at), value(n.input(1), index, at), value(n.input(2), index, at));
      case Cast c -> new KExpr.Cast(c.to(), value(n.input(0), index, at));
      case StopGradient s -> value(n.input(0), index, at);
      case Broadcast b -> value(n.input(0), broadcastIndex(b, n.input(0).type().shape(), index), at);
      case Transpose t -> {
        KExpr[] in = new KExpr[index.size()];
        for (int a = 0; a < index.size(); a++) in[t.permutation().get(a)] = index.get(a);
        yield value(n.input(0), List.of(in), at);
      }
      case Reshape r -> value(n.input(0), IndexMaps.reshape(index, n.type().shape(), n.input(0).type().shape()), at);
      case Slice s -> {
        List<KExpr> in = new ArrayList<>(index);
        in.set(s.axis(), KExpr.add(KExpr.size(s.start()), KExpr.mul(index.get(s.axis()), KExpr.Const.index(s.stride()))));
        yield value(n.input(0), in, at);
      }
      case Pad p -> pad(n, p, index, at);
      case Concat c -> concat(n, c, index, at);
      case Gather g -> {
        Node ids = n.input(1);
        int lead = ids.type().rank();
        List<KExpr> row = new ArrayList<>();
        row.add(value(ids, List.copyOf(index.subList(0, lead)), at));
        row.addAll(index.subList(lead, index.size()));
        yield value(n.input(0), row, at);
      }
      case DynamicSlice d -> {
        Node x = n.input(0);
        List<KExpr> in = new ArrayList<>(index);
        in.set(d.axis(), KExpr.add(index.get(d.axis()), start(n.input(1), x.type().shape().dim(d.axis()), d.size(), at)));
        yield value(x, in, at);
      }
      case UpdateSlice u -> updateSlice(n, u, index, at);
      case Reduce r -> reduce(n, r, index, at);
      case DotGeneral d -> contract(n, d, index, at);
      case Input i -> throw new IllegalStateException("input " + i.name() + " has no buffer");
      case ScatterAdd s -> throw new IllegalStateException("scatter_add is computed by its own kernel");
    };
  }

  private static List<KExpr> broadcastIndex(Broadcast b, Shape in, List<KExpr> index) {
    List<KExpr> out = new ArrayList<>();
    for (int k = 0; k < b.axes().size(); k++) {
      int a = b.axes().get(k);
      boolean stretched = in.dim(k).equals(Dim.of(1)) && !b.shape().dim(a).equals(Dim.of(1));
      out.add(stretched ? KExpr.Const.index(0) : index.get(a));
    }
    return out;
  }

  /** Zero outside the operand; the read itself is clamped so it stays inside the buffer. */
  private KExpr pad(Node n, Pad p, List<KExpr> index, Block at) {
    Dim size = n.input(0).type().shape().dim(p.axis());
    KExpr j = KExpr.add(index.get(p.axis()), KExpr.mul(KExpr.Const.index(-1), KExpr.size(p.before())));
    KExpr inside = and(new KExpr.Binary(Binary.Fn.GE, j, KExpr.Const.index(0)),
        new KExpr.Binary(Binary.Fn.LT, j, KExpr.size(size)));
    List<KExpr> in = new ArrayList<>(index);
    in.set(p.axis(), clamp(j, size));
    return new KExpr.Select(inside, value(n.input(0), in, at), new KExpr.Const(0, n.type().dtype()));
  }

  /**
   * The target's element, or where the index falls in the window the value's: the window starts
   * at the run-time start clamped into the axis (as XLA's dynamic_update_slice).
   */
  private KExpr updateSlice(Node n, UpdateSlice u, List<KExpr> index, Block at) {
    Node value = n.input(1);
    Dim window = value.type().shape().dim(u.axis());
    KExpr s = start(n.input(2), n.type().shape().dim(u.axis()), window, at);
    KExpr j = KExpr.add(index.get(u.axis()), KExpr.mul(KExpr.Const.index(-1), s));
    KExpr inside = and(new KExpr.Binary(Binary.Fn.GE, j, KExpr.Const.index(0)),
        new KExpr.Binary(Binary.Fn.LT, j, KExpr.size(window)));
    List<KExpr> in = new ArrayList<>(index);
    in.set(u.axis(), clamp(j, window));
    return new KExpr.Select(inside, value(value, in, at), value(n.input(0), index, at));
  }

  /** A run-time start clamped to {@code [0, extent - window]}. */
  private KExpr start(Node start, Dim extent, Dim window, Block at) {
    KExpr s = value(start, List.of(), at);
    KExpr low = new KExpr.Binary(Binary.Fn.MAX, s, KExpr.Const.index(0));
    return new KExpr.Binary(Binary.Fn.MIN, low, KExpr.size(extent.minus(window)));
  }

  private KExpr concat(Node n, Concat c, List<KExpr> index, Block at) {
    KExpr i = index.get(c.axis());
    KExpr result = null;
    Dim offset = Dim.of(0);
    List<KExpr> values = new ArrayList<>();
    List<KExpr> ends = new ArrayList<>();
    for (Node part : n.inputs()) {
      Dim size = part.type().shape().dim(c.axis());
      List<KExpr> in = new ArrayList<>(index);
      in.set(c.axis(), clamp(KExpr.add(i, KExpr.mul(KExpr.Const.index(-1), KExpr.size(offset))), size));
      values.add(value(part, in, at));
      offset = offset.plus(size);
      ends.add(KExpr.size(offset));
    }
    result = values.get(values.size() - 1);
    for (int k = values.size() - 2; k >= 0; k--) {
      result = new KExpr.Select(new KExpr.Binary(Binary.Fn.LT, i, ends.get(k)), values.get(k), result);
    }
    return result;
  }

  private static KExpr and(KExpr a, KExpr b) {
    return new KExpr.Binary(Binary.Fn.AND, a, b);
  }

  private static KExpr clamp(KExpr i, Dim size) {
    KExpr low = new KExpr.Binary(Binary.Fn.MAX, i, KExpr.Const.index(0));
    return new KExpr.Binary(Binary.Fn.MIN, low, KExpr.add(KExpr.size(size), KExpr.Const.index(-1)));
  }

  /** acc = identity; for each reduced index: acc = acc ⊕ x[...]. */
  private KExpr reduce(Node n, Reduce r, List<KExpr> index, Block at) {
    Node x = n.input(0);
    Block home = at.home(variables(index));
    String acc = "acc" + fresh++;
    DType dtype = n.type().dtype();
    home.statements.add(new KStmt.Declare(acc, dtype, new KExpr.Const(r.fn().identity, dtype)));
    home.declares.add(acc);
    List<KExpr> full = new ArrayList<>();
    int k = 0;
    List<String> vars = new ArrayList<>();
    for (int a = 0; a < x.type().rank(); a++) {
      if (r.axes().contains(a)) {
        String v = "r" + fresh++;
        vars.add(v);
        loopVars.add(v);
        full.add(new KExpr.Var(v, DType.I32));
      } else {
        full.add(index.get(k++));
      }
    }
    Block inner = nest(home, vars);
    KExpr v = value(x, full, inner);
    Reducer reducer = Reducer.of(r.fn());
    close(home, inner, vars, r.axes().stream().map(a -> x.type().shape().dim(a)).toList(),
        (axes, body) -> new KStmt.Reduce(acc, reducer, axes, body, v));
    return new KExpr.Var(acc, dtype);
  }

  /** acc = 0; for each contracted index: acc += lhs[...] · rhs[...]. */
  private KExpr contract(Node n, DotGeneral d, List<KExpr> index, Block at) {
    Node l = n.input(0);
    Node r = n.input(1);
    Block home = at.home(variables(index));
    String acc = "acc" + fresh++;
    DType dtype = n.type().dtype();
    home.statements.add(new KStmt.Declare(acc, dtype, new KExpr.Const(0, dtype)));
    home.declares.add(acc);
    List<String> vars = new ArrayList<>();
    List<Dim> extents = new ArrayList<>();
    KExpr[] li = new KExpr[l.type().rank()];
    KExpr[] ri = new KExpr[r.type().rank()];
    int o = 0;
    for (int i = 0; i < d.lhsBatch().size(); i++, o++) {
      li[d.lhsBatch().get(i)] = index.get(o);
      ri[d.rhsBatch().get(i)] = index.get(o);
    }
    for (int a : d.lhsFree(l.type().rank())) li[a] = index.get(o++);
    for (int a : d.rhsFree(r.type().rank())) ri[a] = index.get(o++);
    for (int c = 0; c < d.lhsContract().size(); c++) {
      String v = "r" + fresh++;
      vars.add(v);
      loopVars.add(v);
      extents.add(l.type().shape().dim(d.lhsContract().get(c)));
      KExpr var = new KExpr.Var(v, DType.I32);
      li[d.lhsContract().get(c)] = var;
      ri[d.rhsContract().get(c)] = var;
    }
    Block inner = nest(home, vars);
    List<KExpr> leftIndex = List.of(li);
    List<KExpr> rightIndex = List.of(ri);
    KStmt.Operand a = operand(value(l, leftIndex, inner), leftIndex);
    KStmt.Operand b = operand(value(r, rightIndex, inner), rightIndex);
    close(home, inner, vars, extents, (axes, body) -> new KStmt.Contraction(acc, axes, body, a, b, List.of()));
    if (n == product && productAccumulator == null) productAccumulator = acc;
    return new KExpr.Var(acc, dtype);
  }

  /** Blocks for nested loops over {@code vars} below {@code home}; returns the innermost. */
  private final Map<Block, List<Block>> nests = new IdentityHashMap<>();

  private Block nest(Block home, List<String> vars) {
    if (vars.isEmpty()) return home;
    Block b = home;
    List<Block> chain = new ArrayList<>();
    for (String v : vars) {
      b = new Block(b);
      b.declares.add(v);
      chain.add(b);
    }
    nests.put(b, chain);
    return b;
  }

  /**
   * Closes the nest {@link #nest} opened for {@code vars}: {@code make} builds the structured
   * statement over its innermost axes from the innermost block's statements, and the statements
   * lowering placed at an outer level of the nest (values that do not vary along the inner axes)
   * keep the axes from there out as plain loops around it.
   */
  private void close(Block home, Block innermost, List<String> vars, List<Dim> extents,
      BiFunction<List<Axis>, List<KStmt>, KStmt.Structured> make) {
    if (vars.isEmpty()) {
      home.statements.add(make.apply(List.of(), List.of()));
      return;
    }
    List<Block> chain = nests.remove(innermost);
    List<Axis> axes = new ArrayList<>();
    for (int k = 0; k < vars.size(); k++) axes.add(new Axis(vars.get(k), KExpr.size(extents.get(k))));
    int level = chain.size() - 2;
    while (level >= 0 && chain.get(level).statements.isEmpty()) level--;
    KStmt stmt = make.apply(axes.subList(level + 1, axes.size()), chain.getLast().statements);
    for (int k = level; k >= 0; k--) {
      List<KStmt> body = new ArrayList<>(chain.get(k).statements);
      body.add(stmt);
      stmt = new KStmt.Loop(vars.get(k), KExpr.size(extents.get(k)), false, body);
    }
    home.statements.add(stmt);
  }

  /** Names an expression refers to (loop variables, lets, accumulators). */
  static Set<String> variables(Object e) {
    Set<String> out = new HashSet<>();
    collect(e, out);
    return out;
  }

  private static void collect(Object e, Set<String> out) {
    switch (e) {
      case List<?> list -> list.forEach(x -> collect(x, out));
      case KExpr.Var v -> out.add(v.name());
      case KExpr.Load l -> collect(l.index(), out);
      case KExpr.Element el -> {
        out.add(el.array());
        collect(el.index(), out);
      }
      case KExpr.Unary u -> collect(u.x(), out);
      case KExpr.Binary b -> {
        collect(b.a(), out);
        collect(b.b(), out);
      }
      case KExpr.Select s -> {
        collect(s.condition(), out);
        collect(s.a(), out);
        collect(s.b(), out);
      }
      case KExpr.Cast c -> collect(c.x(), out);
      case KExpr.Random r -> collect(r.index(), out);
      default -> {}
    }
  }
}
