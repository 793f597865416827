package dev.adjoint.cli;

import dev.adjoint.compiler.Compilation;
import dev.adjoint.compiler.RunOptions;
import dev.adjoint.compiler.ir.Dim;
import dev.adjoint.compiler.ir.Graph;
import dev.adjoint.compiler.ir.Node;
import dev.adjoint.runtime.DType;
import dev.adjoint.runtime.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * Inputs the user did not give, drawn at the sizes of {@code --dim}: floats from a standard
 * normal, i32 ids uniformly below a bound, bools at random.
 */
final class RandomInputs {
  private RandomInputs() {}

  static Map<String, Tensor> fill(Compilation c, String entry, RunOptions options, Map<String, Tensor> given,
      Random random, int maxId) {
    Map<String, Tensor> all = new LinkedHashMap<>(given);
    Graph g = c.graph(entry, options, Map.of()).graph();
    for (Node a : g.arguments()) {
      String name = Graph.paramName(a);
      if (all.containsKey(name)) continue;
      for (int i = 0; i < a.type().rank(); i++) {
        Dim d = a.type().shape().dim(i);
        try {
          d.evaluate(options.dims());
        } catch (IllegalArgumentException e) {
          throw new UserError("input '" + name + "' axis " + i + " has size " + d + ": pass --dim for "
              + String.join(", ", d.symbols()) + ", or --input " + name + "=PATH.npy");
        }
      }
      // Named, with its shape and the limit, before an int overflows or an array is allocated.
      Compilation.checkSize(g, a, options.dims(), options.memoryBudget());
      int[] shape = new int[a.type().rank()];
      for (int i = 0; i < shape.length; i++) shape[i] = (int) a.type().shape().dim(i).evaluate(options.dims());
      all.put(name, draw(a.type().dtype(), shape, random, maxId));
    }
    return all;
  }

  private static Tensor draw(DType dtype, int[] shape, Random random, int maxId) {
    int n = 1;
    for (int s : shape) n *= s; // checked against the limit before drawing
    return switch (dtype) {
      case I32 -> {
        int[] v = new int[n];
        for (int i = 0; i < n; i++) v[i] = random.nextInt(Math.max(1, maxId));
        yield Tensor.ofInts(shape, v);
      }
      case BOOL -> {
        boolean[] v = new boolean[n];
        for (int i = 0; i < n; i++) v[i] = random.nextBoolean();
        yield Tensor.ofBooleans(shape, v);
      }
      default -> {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = random.nextGaussian();
        yield Tensor.ofDoubles(dtype, shape, v);
      }
    };
  }
}
