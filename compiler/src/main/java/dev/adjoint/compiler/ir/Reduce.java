package dev.adjoint.compiler.ir;

import dev.adjoint.compiler.interp.DArray;
import dev.adjoint.compiler.interp.EvalContext;
import dev.adjoint.runtime.DType;
import java.util.ArrayList;
import java.util.List;

/** Folds the operand over {@code axes} (ascending), which disappear from the result. */
public record Reduce(Fn fn, List<Integer> axes) implements Op {
  public enum Fn {
    SUM(0),
    PROD(1),
    MAX(Double.NEGATIVE_INFINITY),
    MIN(Double.POSITIVE_INFINITY);

    /** The value of an empty reduction. */
    public final double identity;

    Fn(double identity) {
      this.identity = identity;
    }

    double combine(double acc, double v) {
      return switch (this) {
        case SUM -> acc + v;
        case PROD -> acc * v;
        case MAX -> Math.max(acc, v);
        case MIN -> Math.min(acc, v);
      };
    }

    public String opName() {
      return "reduce_" + name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  public Reduce {
    axes = List.copyOf(axes);
    for (int i = 1; i < axes.size(); i++) {
      if (axes.get(i) <= axes.get(i - 1)) throw new ShapeError("reduce axes must ascend: " + axes);
    }
  }

  @Override
  public TensorType type(List<TensorType> inputs) {
    Op.expectArity(fn.opName(), inputs, 1);
    TensorType x = inputs.get(0);
    if (x.dtype() == DType.BOOL) throw new ShapeError(fn.opName() + " is not defined on " + x);
    List<Dim> dims = new ArrayList<>();
    for (int a = 0; a < x.rank(); a++) {
      if (!axes.contains(a)) dims.add(x.shape().dim(a));
    }
    for (int a : axes) {
      if (a < 0 || a >= x.rank()) throw new ShapeError("reduce axis " + a + " out of range for " + x);
    }
    return x.withShape(x.shape().withDims(dims));
  }

  @Override
  public DArray evaluate(List<DArray> inputs, DType dtype, int[] out, EvalContext context) {
    DArray x = inputs.get(0);
    int[] in = x.shape();
    int[] outStrides = DArray.strides(out);
    int[] keep = new int[in.length];
    int o = 0;
    for (int a = 0; a < in.length; a++) keep[a] = axes.contains(a) ? 0 : outStrides[o++];
    double[] data = new double[DArray.sizeOf(out)];
    java.util.Arrays.fill(data, fn.identity);
    int[] index = new int[in.length];
    for (int i = 0; i < x.size(); i++) {
      int dst = 0;
      for (int a = 0; a < in.length; a++) dst += index[a] * keep[a];
      data[dst] = fn.combine(data[dst], x.get(i));
      DArray.next(index, in);
    }
    return DArray.of(dtype, out, data);
  }

  /**
   * Sums spread the cotangent back evenly; {@code max}/{@code min} give it to the elements equal
   * to the result, ties sharing it equally (as {@code torch.amax}); {@code prod} uses y / x, which
   * assumes no zero among the factors.
   */
  @Override
  public List<Node> vjp(Node y, Node g, Emitter e) {
    Node x = y.input(0);
    Shape in = x.type().shape();
    List<Dim> kept = new ArrayList<>(in.dims());
    for (int a : axes) kept.set(a, Dim.of(1));
    Node gKeep = e.broadcast(e.reshape(g, Shape.of(kept)), in);
    Node yKeep = e.broadcast(e.reshape(y, Shape.of(kept)), in);
    Node dx = switch (fn) {
      case SUM -> gKeep;
      case PROD -> e.div(e.mul(gKeep, yKeep), x);
      case MAX, MIN -> {
        Node hit = e.cast(e.binary(Binary.Fn.EQ, x, yKeep), x.type().dtype());
        Node count = e.broadcast(e.sumKeep(hit, axes), in);
        yield e.div(e.mul(gKeep, hit), count);
      }
    };
    return List.of(dx);
  }

  @Override
  public String describe() {
    return fn.opName() + " axes=" + axes;
  }
}
