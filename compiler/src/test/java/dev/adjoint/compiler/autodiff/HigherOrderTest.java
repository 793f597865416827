package dev.adjoint.compiler.autodiff;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.compiler.Compilation;
import dev.adjoint.compiler.RunOptions;
import dev.adjoint.compiler.interp.DArray;
import dev.adjoint.compiler.interp.EvalContext;
import dev.adjoint.compiler.interp.Interpreter;
import dev.adjoint.compiler.ir.Emitter;
import dev.adjoint.compiler.ir.Graph;
import dev.adjoint.compiler.ir.GraphBuilder;
import dev.adjoint.compiler.ir.GraphCopier;
import dev.adjoint.compiler.ir.Input;
import dev.adjoint.compiler.ir.Node;
import dev.adjoint.compiler.ir.Reduce;
import dev.adjoint.compiler.ir.Verifier;
import dev.adjoint.runtime.DType;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The gradient graph is an ordinary graph, so differentiating it again gives second derivatives:
 * a Hessian–vector product H·v = ∇(∇f · v), checked against central differences of ∇f along v.
 */
class HigherOrderTest {
  @ParameterizedTest(name = "{0} wrt {1}")
  @CsvSource(delimiter = '|', value = {
      "mlp|x|fn main(x: f64[4], w1: f64[4, 5], w2: f64[5]) -> f64 = sum(tanh(x @ w1) * w2)",
      "mlp|w1|fn main(x: f64[4], w1: f64[4, 5], w2: f64[5]) -> f64 = sum(tanh(x @ w1) * w2)",
      "softmax|x|fn main(x: f64[6], c: f64[6]) -> f64 = sum(softmax(x) * c)",
      "layer_norm|x|fn main(x: f64[3, 4], g: f64[4], b: f64[4]) -> f64 = sum(layer_norm(x, g, b) * layer_norm(x, g, b))",
      "gelu|x|fn main(x: f64[5]) -> f64 = sum(gelu(x) * x)"})
  void hessianVectorProductMatchesFiniteDifferences(String name, String wrtName, String source) {
    Graph f = Compilation.compileSource(name + ".adj", source).graph("main", RunOptions.defaults(), Map.of()).graph();
    Node x = f.arguments().stream().filter(a -> Graph.paramName(a).equals(wrtName)).findFirst().orElseThrow();
    Graph grad = Simplifier.simplify(ReverseMode.gradient(f, List.of(x), true));
    Verifier.verify(grad);

    // h(x, v) = ∇f(x) · v, then H·v = ∇_x h.
    GraphBuilder b = new GraphBuilder();
    GraphCopier copier = new GraphCopier(b);
    Graph g2 = copier.copy(grad);
    Emitter e = new Emitter(b);
    Node v = b.add(new Input("v", Input.Kind.ARGUMENT, x.type()));
    Node gx = g2.outputs().get(1);
    Node h = e.reduce(Reduce.Fn.SUM, e.mul(gx, v), IntStream.range(0, x.type().rank()).boxed().toList());
    List<Node> args = new ArrayList<>(g2.arguments());
    args.add(v);
    Graph hvpGraph = ReverseMode.gradient(new Graph("hvp", args, g2.params(), List.of(h)), List.of(copier.copy(x)), true);
    Graph hvp = Simplifier.simplify(hvpGraph);
    Verifier.verify(hvp);

    Random random = new Random(name.hashCode());
    Map<String, DArray> values = new HashMap<>();
    for (Node a : f.arguments()) values.put(Graph.paramName(a), normal(a, random));
    DArray direction = normal(x, random);
    values.put("v", direction);
    EvalContext context = new EvalContext(Map.of(), 0, 0);
    double[] analytic = Interpreter.run(hvp, values, context).get(1).toArray();

    double step = 1e-5;
    double[] plus = gradientAt(grad, values, wrtName, direction, step, context);
    double[] minus = gradientAt(grad, values, wrtName, direction, -step, context);
    double worst = 0;
    for (int i = 0; i < analytic.length; i++) {
      double numeric = (plus[i] - minus[i]) / (2 * step);
      double scale = Math.max(1e-6, Math.max(Math.abs(numeric), Math.abs(analytic[i])));
      worst = Math.max(worst, Math.abs(numeric - analytic[i]) / scale);
    }
    double reported = worst;
    assertTrue(worst < 1e-6, () -> name + ": worst relative error " + reported);
  }

  private static double[] gradientAt(Graph grad, Map<String, DArray> values, String wrt, DArray direction, double step,
      EvalContext context) {
    Map<String, DArray> moved = new HashMap<>(values);
    DArray x = values.get(wrt);
    double[] data = x.toArray();
    for (int i = 0; i < data.length; i++) data[i] += step * direction.get(i);
    moved.put(wrt, DArray.of(DType.F64, x.shape(), data));
    return Interpreter.run(grad, moved, context).get(1).toArray();
  }

  private static DArray normal(Node like, Random random) {
    int[] shape = like.type().shape().evaluate(Map.of());
    double[] data = new double[DArray.sizeOf(shape)];
    for (int i = 0; i < data.length; i++) data[i] = random.nextGaussian();
    return DArray.of(DType.F64, shape, data);
  }
}
