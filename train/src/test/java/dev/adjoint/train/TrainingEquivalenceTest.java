package dev.adjoint.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.compiler.Compilation;
import dev.adjoint.runtime.Tensor;
import dev.adjoint.runtime.io.Npy;
import dev.adjoint.runtime.io.Safetensors;
import java.io.Reader;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Equivalence with an independent implementation: {@code tools/reference/train_equivalence.py}
 * trains nn.adj's Transformer built from torch.nn modules for 100 steps (Adam with the paper's
 * betas, the noam schedule, clipping, label smoothing 0.1, no dropout) from the initial params and
 * on the batches it committed; {@code adjoint train}'s step (generated Java, f32) from the same
 * params on the same batches gives the same loss at every step, within 1e-4.
 */
class TrainingEquivalenceTest {
  private static final String FOLDER = "/dev/adjoint/train/train_equivalence/";
  private static final double TOLERANCE = 1e-4;

  private static Path resource(String name) throws URISyntaxException {
    var url = TrainingEquivalenceTest.class.getResource(FOLDER + name);
    assertTrue(url != null, "missing test resource " + FOLDER + name + " (tools/reference/train_equivalence.py writes it)");
    return Path.of(url.toURI());
  }

  @Test
  void lossCurveMatchesPyTorchForAHundredSteps() throws Exception {
    Properties settings = new Properties();
    try (Reader r = Files.newBufferedReader(resource("settings.properties"))) {
      settings.load(r);
    }
    int v = Integer.parseInt(settings.getProperty("V"));
    int d = Integer.parseInt(settings.getProperty("D"));
    String program = String.format(Locale.ROOT, """
        dim B, S, T
        model Equivalence {
          layer transformer: Transformer(%d, %d, %s, %s, %s)
          fn forward(src: i32[B, S], tgt_in: i32[B, T]) -> f32[B, T, %d] = transformer(src, tgt_in)
          fn loss(src: i32[B, S], tgt_in: i32[B, T], tgt_out: i32[B, T]) -> f32 =
            cross_entropy(transformer(src, tgt_in), tgt_out, smoothing=%s)
        }
        """, v, d, settings.getProperty("H"), settings.getProperty("F"), settings.getProperty("N"), v,
        settings.getProperty("smoothing"));
    int steps = Integer.parseInt(settings.getProperty("steps"));
    Schedule schedule = Schedules.of("noam", Double.parseDouble(settings.getProperty("lr_scale")),
        Integer.parseInt(settings.getProperty("warmup")), steps, d);
    double clip = Double.parseDouble(settings.getProperty("clip"));

    Compilation c = Compilation.compileSource("equivalence.adj", program);
    // Dropout off (training = false): the reference has dropout 0.
    TrainingStep step = new TrainingStep(c, "Equivalence.loss", OptimizerSettings.adam(), clip, 0, 2, false);
    Map<String, Tensor> params = new java.util.LinkedHashMap<>(Safetensors.read(resource("init.safetensors")));
    assertEquals(new TreeSet<>(step.paramNames()), new TreeSet<>(params.keySet()), "the reference's param names");
    Map<String, Tensor> slots = step.zeroSlots(params);

    Tensor src = Npy.read(resource("src.npy"));
    Tensor tgtIn = Npy.read(resource("tgt_in.npy"));
    Tensor tgtOut = Npy.read(resource("tgt_out.npy"));
    float[] expected = Npy.read(resource("loss.npy")).floatData();
    assertEquals(steps, expected.length);

    double[] actual = new double[steps];
    double worst = 0;
    for (int s = 0; s < steps; s++) {
      Batch batch = Batch.of(examples(src, tgtOut, s));
      // adjoint train's batching gives the reference's arrays, trimmed to the batch's longest sequence.
      assertArrayEquals(trimmed(src, s, batch.src().dim(1)), batch.src().intData(), "src of batch " + s);
      assertArrayEquals(trimmed(tgtIn, s, batch.tgtIn().dim(1)), batch.tgtIn().intData(), "tgt_in of batch " + s);
      assertArrayEquals(trimmed(tgtOut, s, batch.tgtOut().dim(1)), batch.tgtOut().intData(), "tgt_out of batch " + s);
      actual[s] = step.run(params, slots, batch, s + 1, schedule.lr(s + 1));
      worst = Math.max(worst, Math.abs(actual[s] - expected[s]));
    }
    double finalWorst = worst;
    for (int s = 0; s < steps; s++) {
      int at = s;
      assertEquals(expected[s], actual[s], TOLERANCE, () -> "loss of step " + (at + 1) + " (largest difference "
          + finalWorst + "); adjoint " + Arrays.toString(actual));
    }
    // The curve is one of learning, not of a model stuck at its first loss.
    assertTrue(expected[steps - 1] < expected[0] - 0.5, "reference loss " + expected[0] + " -> " + expected[steps - 1]);
  }

  /** Row {@code b} of step {@code s}: the source without padding, the target up to EOS. */
  private static List<Example> examples(Tensor src, Tensor tgtOut, int s) {
    int batch = src.dim(1);
    List<Example> out = new ArrayList<>();
    for (int b = 0; b < batch; b++) {
      out.add(new Example(row(src, s, b, Vocabulary.PAD), row(tgtOut, s, b, Vocabulary.EOS)));
    }
    return out;
  }

  private static int[] row(Tensor t, int s, int b, int end) {
    int width = t.dim(2);
    int[] all = t.intData();
    int base = (s * t.dim(1) + b) * width;
    int n = 0;
    while (n < width && all[base + n] != end) n++;
    return Arrays.copyOfRange(all, base, base + n);
  }

  private static int[] trimmed(Tensor t, int s, int width) {
    int rows = t.dim(1);
    int full = t.dim(2);
    int[] all = t.intData();
    int[] out = new int[rows * width];
    for (int b = 0; b < rows; b++) System.arraycopy(all, (s * rows + b) * full, out, b * width, width);
    return out;
  }
}
