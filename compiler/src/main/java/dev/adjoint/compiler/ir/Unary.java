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
    /** log(1 + x), accurate for small x. */
    LOG1P(Math::log1p),
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
  public List<Node> vjp(Node y, Node g, Emitter e) {
    Node x = y.input(0);
    Node dx = switch (fn) {
      case NEG -> e.neg(g);
      case EXP -> e.mul(g, y);
      case LOG -> e.div(g, x);
      case LOG1P -> e.div(g, e.add(e.fullLike(1, x), x));
      case SQRT -> e.div(e.mul(g, e.fullLike(0.5, y)), y);
      // d/dx x^(-1/2) = -1/2 · x^(-3/2) = -1/2 · y³
      case RSQRT -> e.mul(g, e.mul(e.fullLike(-0.5, y), e.mul(y, e.mul(y, y))));
      case ABS -> e.mul(g, e.unary(Fn.SIGN, x));
      case SIN -> e.mul(g, e.unary(Fn.COS, x));
      case COS -> e.neg(e.mul(g, e.unary(Fn.SIN, x)));
      case TANH -> e.mul(g, e.sub(e.fullLike(1, y), e.mul(y, y)));
      // d/dx erf(x) = 2/√π · e^(-x²)
      case ERF -> e.mul(g, e.mul(e.fullLike(1.1283791670955126, x), e.unary(Fn.EXP, e.neg(e.mul(x, x)))));
      case SIGN, NOT -> null;
    };
    return java.util.Arrays.asList(dx);
  }

  @Override
  public String describe() {
    return fn.opName();
  }
}
