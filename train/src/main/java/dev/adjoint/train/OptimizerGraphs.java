package dev.adjoint.train;

import static dev.adjoint.train.UpdateArguments.BETA1;
import static dev.adjoint.train.UpdateArguments.BETA2;
import static dev.adjoint.train.UpdateArguments.BIAS_CORRECTION1;
import static dev.adjoint.train.UpdateArguments.BIAS_CORRECTION2;
import static dev.adjoint.train.UpdateArguments.EPS;
import static dev.adjoint.train.UpdateArguments.GRAD;
import static dev.adjoint.train.UpdateArguments.GRAD_SCALE;
import static dev.adjoint.train.UpdateArguments.LR;
import static dev.adjoint.train.UpdateArguments.M;
import static dev.adjoint.train.UpdateArguments.MOMENTUM;
import static dev.adjoint.train.UpdateArguments.MOMENTUM_BUFFER;
import static dev.adjoint.train.UpdateArguments.PARAM;
import static dev.adjoint.train.UpdateArguments.V;
import static dev.adjoint.train.UpdateArguments.WEIGHT_DECAY;

import dev.adjoint.compiler.ir.Emitter;
import dev.adjoint.compiler.ir.Graph;
import dev.adjoint.compiler.ir.GraphBuilder;
import dev.adjoint.compiler.ir.Input;
import dev.adjoint.compiler.ir.Node;
import dev.adjoint.compiler.ir.Reduce;
import dev.adjoint.compiler.ir.TensorType;
import dev.adjoint.compiler.ir.Unary;
import dev.adjoint.runtime.DType;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.stream.IntStream;

/**
 * The optimisers' parameter updates as graphs, so that they compile like any program: fusion turns
 * each into one elementwise kernel per param shape (read param, gradient and state once, write the
 * new values once), for Java and CUDA alike. Argument names are {@link UpdateArguments}'; scalar
 * arguments are rank 0 of the param's element type, and the host computes everything that does not
 * vary per element (bias corrections, the clipping factor) in f64 — see
 * {@code dev.adjoint.train.OptimizerSettings#scalars}.
 *
 * <p>The formulas follow PyTorch's {@code torch.optim} (single-tensor, non-foreach path), with
 * {@code g = grad · grad_scale}:
 *
 * <pre>
 * adam:   g' = g + wd·p;  m' = β1·m + (1−β1)·g';  v' = β2·v + (1−β2)·g'·g'
 *         p' = p − (lr / bc1) · m' / (√v' / √bc2 + ε)
 * adamw:  m', v' from g (no decay in the gradient);  p' = p·(1 − lr·wd) − (lr / bc1) · m' / (√v' / √bc2 + ε)
 * sgd:    g' = g + wd·p;  b' = μ·b + g';  p' = p − lr·b'      (Nesterov: p' = p − lr·(g' + μ·b'))
 * </pre>
 *
 * with {@code bc1 = 1 − β1^step}, {@code bc2 = 1 − β2^step}.
 */
public final class OptimizerGraphs {
  private OptimizerGraphs() {}

  /**
   * The update program of {@code settings}' optimiser for a param of type {@code param}: Adam,
   * AdamW or SGD (Nesterov's when the settings say so). Its scalar arguments are exactly the keys of
   * {@link dev.adjoint.train.OptimizerSettings#scalars}, its state arguments
   * {@link dev.adjoint.train.OptimizerSettings#slots}.
   */
  public static Graph update(OptimizerSettings settings, TensorType param) {
    Objects.requireNonNull(settings, "settings");
    return switch (settings.kind()) {
      case ADAM -> adam(param, false);
      case ADAMW -> adam(param, true);
      case SGD -> sgd(param, settings.nesterov());
    };
  }

  /**
   * Adam ({@code decoupledWeightDecay = false}: weight decay as L2 in the gradient) or AdamW
   * ({@code true}: decay applied to the param directly).
   *
   * <p>Arguments, in order: {@code param grad m v} (of {@code param}'s type), then the scalars
   * {@code lr beta1 beta2 eps weight_decay bias_correction1 bias_correction2 grad_scale}. Outputs:
   * the new param, the new {@code m}, the new {@code v}.
   *
   * @throws IllegalArgumentException if {@code param} is not floating-point
   */
  public static Graph adam(TensorType param, boolean decoupledWeightDecay) {
    requireFloating(param);
    Builder b = new Builder(param);
    Node p = b.tensor(PARAM);
    Node grad = b.tensor(GRAD);
    Node m = b.tensor(M);
    Node v = b.tensor(V);
    Node lr = b.scalar(LR);
    Node beta1 = b.scalar(BETA1);
    Node beta2 = b.scalar(BETA2);
    Node eps = b.scalar(EPS);
    Node wd = b.scalar(WEIGHT_DECAY);
    Node bc1 = b.scalar(BIAS_CORRECTION1);
    Node bc2 = b.scalar(BIAS_CORRECTION2);
    Node gradScale = b.scalar(GRAD_SCALE);
    Emitter e = b.e;

    Node g = e.mul(grad, b.spread(gradScale));
    if (!decoupledWeightDecay) g = e.add(g, e.mul(b.spread(wd), p));
    Node newM = e.add(e.mul(b.spread(beta1), m), e.mul(b.spread(b.oneMinus(beta1)), g));
    Node newV = e.add(e.mul(b.spread(beta2), v), e.mul(b.spread(b.oneMinus(beta2)), e.mul(g, g)));
    Node denom = e.add(
        e.div(e.unary(Unary.Fn.SQRT, newV), b.spread(e.unary(Unary.Fn.SQRT, bc2))), b.spread(eps));
    Node stepSize = e.div(lr, bc1);
    Node decayed = decoupledWeightDecay ? e.mul(p, b.spread(b.oneMinus(e.mul(lr, wd)))) : p;
    Node newP = e.sub(decayed, e.mul(b.spread(stepSize), e.div(newM, denom)));
    return b.graph(decoupledWeightDecay ? "adamw_update" : "adam_update", List.of(newP, newM, newV));
  }

  /**
   * SGD with momentum, optionally Nesterov's. Arguments, in order: {@code param grad
   * momentum_buffer} (of {@code param}'s type), then the scalars {@code lr momentum weight_decay
   * grad_scale}. Outputs: the new param and the new momentum buffer. With momentum 0 it is plain
   * SGD (the buffer is then the last gradient).
   *
   * @throws IllegalArgumentException if {@code param} is not floating-point
   */
  public static Graph sgd(TensorType param, boolean nesterov) {
    requireFloating(param);
    Builder b = new Builder(param);
    Node p = b.tensor(PARAM);
    Node grad = b.tensor(GRAD);
    Node buf = b.tensor(MOMENTUM_BUFFER);
    Node lr = b.scalar(LR);
    Node mu = b.scalar(MOMENTUM);
    Node wd = b.scalar(WEIGHT_DECAY);
    Node gradScale = b.scalar(GRAD_SCALE);
    Emitter e = b.e;

    Node g = e.add(e.mul(grad, b.spread(gradScale)), e.mul(b.spread(wd), p));
    Node newBuf = e.add(e.mul(b.spread(mu), buf), g);
    Node direction = nesterov ? e.add(g, e.mul(b.spread(mu), newBuf)) : newBuf;
    Node newP = e.sub(p, e.mul(b.spread(lr), direction));
    return b.graph(nesterov ? "sgd_nesterov_update" : "sgd_update", List.of(newP, newBuf));
  }

  /**
   * The L2 norm of all the gradients together, {@code sqrt(Σ_i Σ g_i²)}, for clipping by global
   * norm. Arguments {@code grad_0 … grad_{n-1}} of the given types; one rank-0 output, in f64 when
   * any gradient is f64 and f32 otherwise (each gradient's sum of squares is taken in its own type
   * and converted).
   *
   * @throws IllegalArgumentException if the list is empty or a type is not floating-point
   */
  public static Graph globalNorm(List<TensorType> grads) {
    Objects.requireNonNull(grads, "grads");
    if (grads.isEmpty()) throw new IllegalArgumentException("global norm of no gradients");
    grads.forEach(OptimizerGraphs::requireFloating);
    DType out = grads.stream().anyMatch(t -> t.dtype() == DType.F64) ? DType.F64 : DType.F32;
    GraphBuilder builder = new GraphBuilder();
    Emitter e = new Emitter(builder);
    List<Node> arguments = new ArrayList<>();
    Node total = null;
    for (int i = 0; i < grads.size(); i++) {
      TensorType t = grads.get(i);
      Node g = builder.add(new Input(UpdateArguments.gradient(i), Input.Kind.ARGUMENT, t));
      arguments.add(g);
      List<Integer> axes = IntStream.range(0, t.rank()).boxed().toList();
      Node squares = e.cast(e.reduce(Reduce.Fn.SUM, e.mul(g, g), axes), out);
      total = total == null ? squares : e.add(total, squares);
    }
    Node norm = e.unary(Unary.Fn.SQRT, total);
    return new Graph(UpdateArguments.GLOBAL_NORM, arguments, List.of(), List.of(norm));
  }

  private static void requireFloating(TensorType t) {
    Objects.requireNonNull(t, "param type");
    if (!t.dtype().isFloating()) {
      throw new IllegalArgumentException("only floating-point params are trained, got " + t);
    }
  }

  /** Arguments in declaration order, scalars of the param's element type spread to its shape. */
  private static final class Builder {
    final GraphBuilder builder = new GraphBuilder();
    final Emitter e = new Emitter(builder);
    final TensorType type;
    final List<Node> arguments = new ArrayList<>();

    Builder(TensorType type) {
      this.type = type;
    }

    Node tensor(String name) {
      return argument(name, type);
    }

    Node scalar(String name) {
      return argument(name, TensorType.scalar(type.dtype()));
    }

    private Node argument(String name, TensorType t) {
      Node n = builder.add(new Input(name, Input.Kind.ARGUMENT, t));
      arguments.add(n);
      return n;
    }

    Node spread(Node scalar) {
      return e.broadcast(scalar, type.shape());
    }

    Node oneMinus(Node scalar) {
      return e.sub(e.fullLike(1, scalar), scalar);
    }

    Graph graph(String name, List<Node> outputs) {
      return new Graph(name, arguments, List.of(), outputs);
    }
  }
}
