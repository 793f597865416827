package dev.adjoint.compiler.ir;

import dev.adjoint.compiler.interp.DArray;
import dev.adjoint.compiler.interp.EvalContext;
import dev.adjoint.runtime.DType;
import dev.adjoint.runtime.random.Philox4x32;
import java.util.List;

/**
 * Uniform numbers in [0, 1) from Philox-4x32-10 keyed by (seed, step, site): element {@code i}
 * is {@link Philox4x32#uniform} at index {@code i} in C order, so every backend draws the same
 * bits. {@code site} identifies the call site (and its inlining path).
 */
public record RandomUniform(TensorType result, int site) implements Op {
  @Override
  public TensorType type(List<TensorType> inputs) {
    Op.expectArity("random_uniform", inputs, 0);
    return result;
  }

  @Override
  public DArray evaluate(List<DArray> inputs, DType dtype, int[] shape, EvalContext context) {
    double[] out = new double[DArray.sizeOf(shape)];
    for (int i = 0; i < out.length; i++) {
      out[i] = Philox4x32.uniform(context.seed(), context.step(), site, i);
    }
    return DArray.of(dtype, shape, out);
  }

  @Override
  public List<Node> vjp(Node result, Node g, Emitter e) {
    return List.of();
  }

  @Override
  public String describe() {
    return "random_uniform site=" + Integer.toHexString(site);
  }
}
