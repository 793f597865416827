package dev.adjoint.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.compiler.interp.DArray;
import dev.adjoint.compiler.interp.EvalContext;
import dev.adjoint.compiler.interp.Interpreter;
import dev.adjoint.compiler.ir.Dim;
import dev.adjoint.compiler.ir.Graph;
import dev.adjoint.compiler.ir.Node;
import dev.adjoint.compiler.ir.Shape;
import dev.adjoint.compiler.ir.TensorType;
import dev.adjoint.compiler.ir.Verifier;
import dev.adjoint.compiler.kernel.KernelInterpreter;
import dev.adjoint.compiler.kernel.KernelKind;
import dev.adjoint.compiler.kernel.KernelPrinter;
import dev.adjoint.compiler.kernel.KernelProgram;
import dev.adjoint.compiler.pipeline.Pipeline;
import dev.adjoint.runtime.DType;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The update graphs against plain Java loops written from the formulas (PyTorch's), over several
 * steps of random data in f64, and the check that fusion makes each update a single kernel.
 */
class OptimizerGraphsTest {
  private static final EvalContext NO_SIZES = new EvalContext(Map.of(), 0, 0);
  private static final TensorType MATRIX = new TensorType(DType.F64, Shape.ofConstants(3, 5));

  @ParameterizedTest(name = "decoupled {0}")
  @ValueSource(booleans = {false, true})
  void adamMatchesPlainJavaOverSteps(boolean decoupled) {
    Graph graph = OptimizerGraphs.adam(MATRIX, decoupled);
    assertEquals(List.of("param", "grad", "m", "v", "lr", "beta1", "beta2", "eps", "weight_decay",
        "bias_correction1", "bias_correction2", "grad_scale"), names(graph));
    Random random = new Random(11);
    int n = 15;
    double[] p = gaussian(random, n);
    double[] m = new double[n];
    double[] v = new double[n];
    double[] pRef = p.clone();
    double[] mRef = m.clone();
    double[] vRef = v.clone();
    OptimizerSettings settings = new OptimizerSettings(decoupled ? OptimizerSettings.Kind.ADAMW
        : OptimizerSettings.Kind.ADAM, 0.9, 0.98, 1e-9, 0.1, 0, false);
    for (int step = 1; step <= 6; step++) {
      double[] grad = gaussian(random, n);
      double lr = 0.01 * step;
      double gradScale = step == 3 ? 0.25 : 1;
      Map<String, DArray> in = scalars(settings.scalars(step, lr, gradScale));
      in.put("param", array(p));
      in.put("grad", array(grad));
      in.put("m", array(m));
      in.put("v", array(v));
      List<DArray> out = Interpreter.run(graph, in, NO_SIZES);
      p = out.get(0).toArray();
      m = out.get(1).toArray();
      v = out.get(2).toArray();
      referenceAdam(pRef, grad, mRef, vRef, step, lr, 0.9, 0.98, 1e-9, 0.1, gradScale, decoupled);
      assertClose(pRef, p, "param at step " + step);
      assertClose(mRef, m, "m at step " + step);
      assertClose(vRef, v, "v at step " + step);
    }
  }

  @ParameterizedTest(name = "nesterov {0}")
  @ValueSource(booleans = {false, true})
  void sgdMatchesPlainJavaOverSteps(boolean nesterov) {
    Graph graph = OptimizerGraphs.sgd(MATRIX, nesterov);
    assertEquals(List.of("param", "grad", "momentum_buffer", "lr", "momentum", "weight_decay", "grad_scale"),
        names(graph));
    Random random = new Random(12);
    int n = 15;
    double[] p = gaussian(random, n);
    double[] buf = new double[n];
    double[] pRef = p.clone();
    double[] bufRef = buf.clone();
    OptimizerSettings settings = new OptimizerSettings(OptimizerSettings.Kind.SGD, 0.9, 0.98, 1e-9, 0.05, 0.9,
        nesterov);
    for (int step = 1; step <= 6; step++) {
      double[] grad = gaussian(random, n);
      double gradScale = step == 2 ? 0.5 : 1;
      Map<String, DArray> in = scalars(settings.scalars(step, 0.1, gradScale));
      in.put("param", array(p));
      in.put("grad", array(grad));
      in.put("momentum_buffer", array(buf));
      List<DArray> out = Interpreter.run(graph, in, NO_SIZES);
      p = out.get(0).toArray();
      buf = out.get(1).toArray();
      referenceSgd(pRef, grad, bufRef, 0.1, 0.9, 0.05, gradScale, nesterov);
      assertClose(pRef, p, "param at step " + step);
      assertClose(bufRef, buf, "buffer at step " + step);
    }
  }

  @Test
  void globalNormIsTheL2NormOfAllGradients() {
    TensorType a = new TensorType(DType.F64, Shape.ofConstants(2, 3));
    TensorType b = new TensorType(DType.F64, Shape.ofConstants(4));
    TensorType c = TensorType.scalar(DType.F64);
    Graph graph = OptimizerGraphs.globalNorm(List.of(a, b, c));
    assertEquals(List.of("grad_0", "grad_1", "grad_2"), names(graph));
    Random random = new Random(13);
    double[] x = gaussian(random, 6);
    double[] y = gaussian(random, 4);
    double z = random.nextGaussian();
    double expected = 0;
    for (double d : x) expected += d * d;
    for (double d : y) expected += d * d;
    expected = Math.sqrt(expected + z * z);
    Map<String, DArray> in = Map.of(
        "grad_0", DArray.of(DType.F64, new int[] {2, 3}, x),
        "grad_1", DArray.of(DType.F64, new int[] {4}, y),
        "grad_2", DArray.of(DType.F64, new int[0], new double[] {z}));
    double viaGraph = Interpreter.run(graph, in, NO_SIZES).get(0).get(0);
    assertEquals(expected, viaGraph, 1e-12);
    double viaKernels = KernelInterpreter.outputs(Pipeline.forward().kernels(graph), in, NO_SIZES).get(0).get(0);
    assertEquals(expected, viaKernels, 1e-12);
  }

  @Test
  void globalNormIsF32OnlyWhenEveryGradientIs() {
    TensorType f32 = new TensorType(DType.F32, Shape.ofConstants(2));
    TensorType f64 = new TensorType(DType.F64, Shape.ofConstants(2));
    assertEquals(DType.F32, OptimizerGraphs.globalNorm(List.of(f32, f32)).outputs().get(0).type().dtype());
    assertEquals(DType.F64, OptimizerGraphs.globalNorm(List.of(f32, f64)).outputs().get(0).type().dtype());
    assertEquals(0, OptimizerGraphs.globalNorm(List.of(f32)).outputs().get(0).type().rank());
  }

  static List<Graph> updates(TensorType type) {
    return List.of(OptimizerGraphs.adam(type, false), OptimizerGraphs.adam(type, true),
        OptimizerGraphs.sgd(type, false), OptimizerGraphs.sgd(type, true));
  }

  @Test
  void everyUpdateIsOneElementwiseKernelThatAgreesWithTheGraph() {
    Random random = new Random(14);
    for (Graph graph : updates(MATRIX)) {
      Verifier.verify(graph);
      KernelProgram program = Pipeline.forward().kernels(graph);
      String text = KernelPrinter.print(program);
      assertEquals(1, program.kernels().size(), graph.name() + ":\n" + text);
      assertEquals(KernelKind.ELEMENTWISE, program.kernels().get(0).kind(), text);
      Map<String, DArray> in = randomInputs(graph, random, Map.of());
      List<DArray> expected = Interpreter.run(graph, in, NO_SIZES);
      List<DArray> actual = KernelInterpreter.outputs(program, in, NO_SIZES);
      assertEquals(expected.size(), actual.size());
      for (int i = 0; i < expected.size(); i++) {
        assertClose(expected.get(i).toArray(), actual.get(i).toArray(), graph.name() + " output " + i);
      }
    }
  }

  @Test
  void symbolicShapesAndF32StillFuseToOneKernel() {
    TensorType type = new TensorType(DType.F32, Shape.of(Dim.symbol("D"), Dim.of(4)));
    Map<String, Long> sizes = Map.of("D", 3L);
    EvalContext context = new EvalContext(sizes, 0, 0);
    Random random = new Random(15);
    for (Graph graph : updates(type)) {
      KernelProgram program = Pipeline.forward().kernels(graph);
      assertEquals(1, program.kernels().size(), KernelPrinter.print(program));
      Map<String, DArray> in = randomInputs(graph, random, sizes);
      List<DArray> expected = Interpreter.run(graph, in, context);
      List<DArray> actual = KernelInterpreter.outputs(program, in, context);
      for (int i = 0; i < expected.size(); i++) {
        assertEquals(DType.F32, actual.get(i).dtype());
        double[] a = expected.get(i).toArray();
        double[] b = actual.get(i).toArray();
        for (int j = 0; j < a.length; j++) {
          assertEquals(a[j], b[j], 1e-5 * Math.max(1, Math.abs(a[j])), graph.name() + " output " + i);
        }
      }
    }
  }

  @Test
  void integerParamsAreRefused() {
    TensorType ints = new TensorType(DType.I32, Shape.ofConstants(2));
    var e = assertThrows(IllegalArgumentException.class, () -> OptimizerGraphs.adam(ints, false));
    assertTrue(e.getMessage().contains("i32[2]"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> OptimizerGraphs.sgd(ints, false));
    assertThrows(IllegalArgumentException.class, () -> OptimizerGraphs.globalNorm(List.of(ints)));
    assertThrows(IllegalArgumentException.class, () -> OptimizerGraphs.globalNorm(List.of()));
  }

  @Test
  void theSettingsBindEveryScalarArgument() {
    for (OptimizerSettings.Kind kind : OptimizerSettings.Kind.values()) {
      OptimizerSettings s = OptimizerSettings.defaults(kind);
      Graph graph = OptimizerGraphs.update(s, MATRIX);
      List<String> expected = new java.util.ArrayList<>(List.of(UpdateArguments.PARAM, UpdateArguments.GRAD));
      expected.addAll(s.slots());
      expected.addAll(s.scalars(1, 1e-3, 1).keySet());
      assertEquals(expected, names(graph), kind.toString());
    }
    assertEquals("adamw_update", OptimizerGraphs.update(OptimizerSettings.adamw(0.1), MATRIX).name());
    assertEquals("sgd_nesterov_update",
        OptimizerGraphs.update(OptimizerSettings.sgd(0.9).withNesterov(true), MATRIX).name());
  }

  // ---- the plain Java reference -----------------------------------------------------------

  static void referenceAdam(double[] p, double[] grad, double[] m, double[] v, int step, double lr, double beta1,
      double beta2, double eps, double wd, double gradScale, boolean decoupled) {
    double bc1 = 1 - Math.pow(beta1, step);
    double bc2 = 1 - Math.pow(beta2, step);
    for (int i = 0; i < p.length; i++) {
      double g = grad[i] * gradScale;
      if (decoupled) {
        p[i] *= 1 - lr * wd;
      } else {
        g += wd * p[i];
      }
      m[i] = beta1 * m[i] + (1 - beta1) * g;
      v[i] = beta2 * v[i] + (1 - beta2) * g * g;
      double mHat = m[i] / bc1;
      double vHat = v[i] / bc2;
      p[i] -= lr * mHat / (Math.sqrt(vHat) + eps);
    }
  }

  static void referenceSgd(double[] p, double[] grad, double[] buf, double lr, double mu, double wd,
      double gradScale, boolean nesterov) {
    for (int i = 0; i < p.length; i++) {
      double g = grad[i] * gradScale + wd * p[i];
      buf[i] = mu * buf[i] + g;
      p[i] -= lr * (nesterov ? g + mu * buf[i] : buf[i]);
    }
  }

  // ---- helpers ----------------------------------------------------------------------------

  private static List<String> names(Graph graph) {
    return graph.arguments().stream().map(Graph::paramName).toList();
  }

  private static double[] gaussian(Random random, int n) {
    double[] out = new double[n];
    for (int i = 0; i < n; i++) out[i] = random.nextGaussian();
    return out;
  }

  private static DArray array(double[] values) {
    return DArray.of(DType.F64, new int[] {3, 5}, values.clone());
  }

  private static Map<String, DArray> scalars(Map<String, Double> values) {
    Map<String, DArray> out = new HashMap<>();
    values.forEach((k, v) -> out.put(k, DArray.of(DType.F64, new int[0], new double[] {v})));
    return out;
  }

  /** Tensors normal, moments positive, scalars in the ranges the optimisers use. */
  private static Map<String, DArray> randomInputs(Graph graph, Random random, Map<String, Long> sizes) {
    Map<String, DArray> in = new HashMap<>();
    for (Node arg : graph.arguments()) {
      String name = Graph.paramName(arg);
      int[] shape = arg.type().shape().evaluate(sizes);
      double[] values = new double[DArray.sizeOf(shape)];
      for (int i = 0; i < values.length; i++) {
        values[i] = switch (name) {
          case "v" -> random.nextDouble();
          case "beta1", "beta2", "momentum", "bias_correction1", "bias_correction2" -> 0.5 + 0.4 * random.nextDouble();
          case "eps" -> 1e-8;
          case "lr", "weight_decay", "grad_scale" -> random.nextDouble();
          default -> random.nextGaussian();
        };
      }
      in.put(name, DArray.of(arg.type().dtype(), shape, values));
    }
    return in;
  }

  private static void assertClose(double[] expected, double[] actual, String what) {
    assertEquals(expected.length, actual.length, what);
    for (int i = 0; i < expected.length; i++) {
      assertEquals(expected[i], actual[i], 1e-12 * Math.max(1, Math.abs(expected[i])), what + " element " + i);
    }
  }
}
