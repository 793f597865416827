package dev.adjoint.runtime.init;

import dev.adjoint.runtime.random.Philox4x32;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Draws initial param values, the same on every backend: element {@code i} of param {@code name}
 * uses Philox stream (seed, step {@value #INIT_STEP}, site = FNV-1a hash of the name) at index i.
 * Fans follow PyTorch for an {@code [in, out]} matrix: fan_in = shape[0]·r, fan_out = shape[1]·r,
 * r the product of the remaining dims; a vector has fan_in = fan_out = its length.
 */
public final class ParamInitializer {
  /** The step reserved for initialisation, apart from training steps 0, 1, 2, …. */
  public static final int INIT_STEP = -1;

  private ParamInitializer() {}

  public static double[] initialize(String name, String initializer, List<Double> args, int[] shape, long seed) {
    int n = 1;
    for (int s : shape) n = Math.multiplyExact(n, s);
    double[] out = new double[n];
    int site = siteOf(name);
    long receptive = 1;
    for (int i = 2; i < shape.length; i++) receptive *= shape[i];
    double fanIn = shape.length == 0 ? 1 : shape.length == 1 ? shape[0] : (double) shape[0] * receptive;
    double fanOut = shape.length == 0 ? 1 : shape.length == 1 ? shape[0] : (double) shape[1] * receptive;
    switch (initializer) {
      case "zeros" -> {}
      case "ones" -> java.util.Arrays.fill(out, 1.0);
      case "constant" -> java.util.Arrays.fill(out, args.get(0));
      case "normal" -> fillNormal(out, seed, site, args.get(0), args.get(1));
      case "uniform" -> fillUniform(out, seed, site, args.get(0), args.get(1));
      case "xavier_uniform" -> {
        double bound = Math.sqrt(6.0 / (fanIn + fanOut));
        fillUniform(out, seed, site, -bound, bound);
      }
      case "xavier_normal" -> fillNormal(out, seed, site, 0, Math.sqrt(2.0 / (fanIn + fanOut)));
      case "kaiming_uniform" -> {
        // PyTorch's kaiming_uniform_ defaults: a = 0, leaky_relu gain sqrt(2), fan_in mode.
        double bound = Math.sqrt(2.0) * Math.sqrt(3.0 / fanIn);
        fillUniform(out, seed, site, -bound, bound);
      }
      default -> throw new IllegalArgumentException("unknown initializer '" + initializer + "'");
    }
    return out;
  }

  private static void fillUniform(double[] out, long seed, int site, double lo, double hi) {
    for (int i = 0; i < out.length; i++) out[i] = lo + (hi - lo) * Philox4x32.uniform(seed, INIT_STEP, site, i);
  }

  private static void fillNormal(double[] out, long seed, int site, double mean, double std) {
    for (int i = 0; i < out.length; i++) out[i] = mean + std * Philox4x32.normal(seed, INIT_STEP, site, i);
  }

  /** FNV-1a of the UTF-8 name: a fixed, documented hash other backends reproduce. */
  public static int siteOf(String name) {
    int h = 0x811C9DC5;
    for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
      h ^= b & 0xFF;
      h *= 0x01000193;
    }
    return h;
  }
}
