package dev.adjoint.compiler.ir;

import dev.adjoint.compiler.interp.DArray;
import dev.adjoint.compiler.interp.EvalContext;
import dev.adjoint.runtime.DType;
import dev.adjoint.runtime.math.SpecialFunctions;
import java.util.List;
import java.util.function.DoubleUnaryOperator;

/** An elementwise function of one operand. */
public record Unary(Fn fn) implements Op {
  public enum Fn {
    NEG(v -> -v),
    EXP(Math::exp),
    LOG(Math::log),
    SQRT(Math::sqrt),
    RSQRT(v -> 1.0 / Math.sqrt(v)),
    ABS(Math::abs),
    SIGN(Math::signum),
    SIN(Math::sin),
    COS(Math::cos),
    TANH(Math::tanh),
    ERF(SpecialFunctions::erf),
    NOT(v -> v == 0 ? 1 : 0);

    private final DoubleUnaryOperator apply;

    Fn(DoubleUnaryOperator apply) {
      this.apply = apply;
    }

    public double apply(double v) {
      return apply.applyAsDouble(v);
    }

    public String opName() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** Whether the function is defined on floating-point operands only. */
    public boolean floatingOnly() {
      return this != NEG && this != ABS && this != SIGN && this != NOT;
    }
  }

  @Override
  public TensorType type(List<TensorType> inputs) {
    Op.expectArity(fn.opName(), inputs, 1);
    DType d = inputs.get(0).dtype();
    if (fn == Fn.NOT ? d != DType.BOOL : (d == DType.BOOL || (fn.floatingOnly() && !d.isFloating()))) {
      throw new ShapeError(fn.opName() + " is not defined on " + inputs.get(0));
    }
    return inputs.get(0);
  }

  @Override
  public DArray evaluate(List<DArray> inputs, DType dtype, int[] shape, EvalContext context) {
    DArray x = inputs.get(0);
    double[] out = new double[x.size()];
    for (int i = 0; i < out.length; i++) out[i] = fn.apply(x.get(i));
    return DArray.of(dtype, shape, out);
  }

  @Override
  public String describe() {
    return fn.opName();
  }
}
