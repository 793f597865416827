package dev.adjoint.compiler.ir;

import dev.adjoint.compiler.interp.DArray;
import dev.adjoint.compiler.interp.EvalContext;
import dev.adjoint.runtime.DType;
import java.util.ArrayList;
import java.util.List;

/**
 * A tensor contraction (XLA's DotGeneral): the result's axes are the batch axes, then the free
 * axes of the left operand, then those of the right, each in operand order. Matmul, batched
 * matmul and index-notation contractions are all this one primitive.
 */
public record DotGeneral(
    List<Integer> lhsBatch, List<Integer> rhsBatch, List<Integer> lhsContract, List<Integer> rhsContract)
    implements Op {
  public DotGeneral {
    lhsBatch = List.copyOf(lhsBatch);
    rhsBatch = List.copyOf(rhsBatch);
    lhsContract = List.copyOf(lhsContract);
    rhsContract = List.copyOf(rhsContract);
    if (lhsBatch.size() != rhsBatch.size() || lhsContract.size() != rhsContract.size()) {
      throw new ShapeError("dot_general needs as many batch and contracting axes on both sides");
    }
  }

  public List<Integer> lhsFree(int rank) {
    return free(rank, lhsBatch, lhsContract);
  }

  public List<Integer> rhsFree(int rank) {
    return free(rank, rhsBatch, rhsContract);
  }

  private static List<Integer> free(int rank, List<Integer> batch, List<Integer> contract) {
    List<Integer> out = new ArrayList<>();
    for (int a = 0; a < rank; a++) if (!batch.contains(a) && !contract.contains(a)) out.add(a);
    return out;
  }

  @Override
  public TensorType type(List<TensorType> inputs) {
    Op.expectArity("dot_general", inputs, 2);
    TensorType l = inputs.get(0);
    TensorType r = inputs.get(1);
    if (l.dtype() != r.dtype() || !l.dtype().isFloating()) {
      throw new ShapeError("dot_general needs floating operands of one type, got " + l + " and " + r);
    }
    for (int i = 0; i < lhsBatch.size(); i++) {
      check(l, r, lhsBatch.get(i), rhsBatch.get(i));
    }
    for (int i = 0; i < lhsContract.size(); i++) {
      check(l, r, lhsContract.get(i), rhsContract.get(i));
    }
    List<Dim> dims = new ArrayList<>();
    for (int a : lhsBatch) dims.add(l.shape().dim(a));
    for (int a : lhsFree(l.rank())) dims.add(l.shape().dim(a));
    for (int a : rhsFree(r.rank())) dims.add(r.shape().dim(a));
    return l.withShape(Shape.of(dims));
  }

  private static void check(TensorType l, TensorType r, int la, int ra) {
    if (la < 0 || la >= l.rank() || ra < 0 || ra >= r.rank()) {
      throw new ShapeError("dot_general axis out of range for " + l + " and " + r);
    }
    if (!l.shape().dim(la).equals(r.shape().dim(ra))) {
      throw new ShapeError("dot_general pairs axis " + la + " of " + l + " with axis " + ra + " of " + r);
    }
  }

  @Override
  public DArray evaluate(List<DArray> inputs, DType dtype, int[] out, EvalContext context) {
    DArray l = inputs.get(0);
    DArray r = inputs.get(1);
    int[] ls = DArray.strides(l.shape());
    int[] rs = DArray.strides(r.shape());
    List<Integer> lf = lhsFree(l.rank());
    List<Integer> rf = rhsFree(r.rank());
    // Per result axis, the stride it moves in each operand; per contracted axis likewise.
    int[] outL = new int[out.length];
    int[] outR = new int[out.length];
    int o = 0;
    for (int i = 0; i < lhsBatch.size(); i++, o++) {
      outL[o] = ls[lhsBatch.get(i)];
      outR[o] = rs[rhsBatch.get(i)];
    }
    for (int a : lf) outL[o++] = ls[a];
    for (int a : rf) outR[o++] = rs[a];
    int[] kShape = new int[lhsContract.size()];
    int[] kL = new int[kShape.length];
    int[] kR = new int[kShape.length];
    for (int i = 0; i < kShape.length; i++) {
      kShape[i] = l.dim(lhsContract.get(i));
      kL[i] = ls[lhsContract.get(i)];
      kR[i] = rs[rhsContract.get(i)];
    }
    int kSize = DArray.sizeOf(kShape);
    double[] data = new double[DArray.sizeOf(out)];
    int[] index = new int[out.length];
    int[] k = new int[kShape.length];
    for (int i = 0; i < data.length; i++) {
      int baseL = 0;
      int baseR = 0;
      for (int a = 0; a < out.length; a++) {
        baseL += index[a] * outL[a];
        baseR += index[a] * outR[a];
      }
      double acc = 0;
      java.util.Arrays.fill(k, 0);
      for (int j = 0; j < kSize; j++) {
        int offL = baseL;
        int offR = baseR;
        for (int a = 0; a < k.length; a++) {
          offL += k[a] * kL[a];
          offR += k[a] * kR[a];
        }
        acc += l.get(offL) * r.get(offR);
        DArray.next(k, kShape);
      }
      data[i] = acc;
      DArray.next(index, out);
    }
    return DArray.of(dtype, out, data);
  }

  /**
   * Each operand's cotangent is another contraction of {@code g} with the other operand, over the
   * other operand's free axes, transposed back to the operand's own axis order.
   */
  @Override
  public List<Node> vjp(Node y, Node g, Emitter e) {
    Node l = y.input(0);
    Node r = y.input(1);
    int nb = lhsBatch.size();
    List<Integer> lf = lhsFree(l.type().rank());
    List<Integer> rf = rhsFree(r.type().rank());
    List<Integer> gBatch = range(0, nb);
    List<Integer> gLhsFree = range(nb, nb + lf.size());
    List<Integer> gRhsFree = range(nb + lf.size(), nb + lf.size() + rf.size());
    // dL = g · R over R's free axes: result [batch, lhs free, R's contracted axes (ascending)].
    Node dl = e.node(new DotGeneral(gBatch, rhsBatch, gRhsFree, rf), g, r);
    List<Integer> rContractSorted = rhsContract.stream().sorted().toList();
    Integer[] lPerm = new Integer[l.type().rank()];
    for (int i = 0; i < nb; i++) lPerm[lhsBatch.get(i)] = i;
    for (int j = 0; j < lf.size(); j++) lPerm[lf.get(j)] = nb + j;
    for (int k = 0; k < lhsContract.size(); k++) {
      lPerm[lhsContract.get(k)] = nb + lf.size() + rContractSorted.indexOf(rhsContract.get(k));
    }
    // dR = L · g over L's free axes: result [batch, L's contracted axes (ascending), rhs free].
    Node dr = e.node(new DotGeneral(lhsBatch, gBatch, lf, gLhsFree), l, g);
    List<Integer> lContractSorted = lhsContract.stream().sorted().toList();
    Integer[] rPerm = new Integer[r.type().rank()];
    for (int i = 0; i < nb; i++) rPerm[rhsBatch.get(i)] = i;
    for (int k = 0; k < rhsContract.size(); k++) {
      rPerm[rhsContract.get(k)] = nb + lContractSorted.indexOf(lhsContract.get(k));
    }
    for (int j = 0; j < rf.size(); j++) rPerm[rf.get(j)] = nb + lhsContract.size() + j;
    return List.of(e.transpose(dl, List.of(lPerm)), e.transpose(dr, List.of(rPerm)));
  }


  private static List<Integer> range(int from, int to) {
    List<Integer> out = new ArrayList<>();
    for (int i = from; i < to; i++) out.add(i);
    return out;
  }

  @Override
  public String describe() {
    return "dot_general batch=" + lhsBatch + "/" + rhsBatch + " contract=" + lhsContract + "/" + rhsContract;
  }
}
