package dev.adjoint.cli;

import static dev.adjoint.cli.CliRunner.bytes;
import static dev.adjoint.cli.CliRunner.normal;
import static dev.adjoint.cli.CliRunner.npy;
import static dev.adjoint.cli.CliRunner.program;
import static dev.adjoint.cli.CliRunner.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.runtime.DType;
import dev.adjoint.runtime.Tensor;
import dev.adjoint.runtime.io.Npy;
import dev.adjoint.runtime.io.Safetensors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code adjoint eval}: the files it writes and every option of CLI.md that changes a result. */
class EvalCommandTest {
  @TempDir Path dir;

  /** A model with two params: y = x @ w + b. */
  private String affine;

  @BeforeEach
  void programs() {
    affine = program(dir, "affine.adj", """
        dim B
        const D = 3

        fn unused(x: f32[B, D]) -> f32[B, D] = x

        model Affine {
          param w: f32[D, D] = xavier_uniform()
          param b: f32[D] = normal(0.0, 1.0)
          fn forward(x: f32[B, D]) -> f32[B, D] = x @ w + b
          fn scaled(x: f32[B, D], s: f32) -> f32[B, D] = (x @ w + b) * s
        }
        """);
  }

  private Path out(String name) {
    return dir.resolve(name);
  }

  private static Tensor read(Path p) {
    return Npy.read(p);
  }

  private static Set<String> files(Path folder) throws Exception {
    try (Stream<Path> s = Files.list(folder)) {
      return new java.util.TreeSet<>(s.map(p -> p.getFileName().toString()).toList());
    }
  }

  @Test
  void singleResultWritesOutputNpyAndParams() throws Exception {
    String x = npy(dir, "x.npy", normal(1, 2, 3));
    var r = run("eval", affine, "--input", "x=" + x, "--out", out("o").toString()).succeeds();
    assertEquals(Set.of("output.npy", "params.safetensors"), files(out("o")));
    Tensor y = read(out("o/output.npy"));
    assertEquals(DType.F32, y.dtype());
    assertEquals(List.of(2, 3), y.shape());
    assertTrue(r.out().startsWith("output.npy: f32[2, 3] [["), r.out());
    Map<String, Tensor> params = Safetensors.read(out("o/params.safetensors"));
    assertEquals(List.of("b", "w"), params.keySet().stream().sorted().toList());
    assertEquals(List.of(3, 3), params.get("w").shape());
    assertEquals(List.of(3), params.get("b").shape());
    // The output is what the written params give.
    assertArrayEquals(affine(read(Path.of(x)), params.get("w"), params.get("b")), y.toDoubles(), 1e-5);
  }

  /** A run-time position is a 0-d i32 .npy; a donated cache comes back updated (docs/language.md). */
  @Test
  void aScalarPositionWritesIntoTheCache() throws Exception {
    String file = program(dir, "step.adj", """
        fn step(cache: donate f32[4, 2], v: f32[1, 2], pos: i32) -> f32[4, 2] = update_slice(cache, v, 0, pos + 1)
        """);
    String cache = npy(dir, "cache.npy", Tensor.ofFloats(new int[] {4, 2}, new float[] {0, 1, 2, 3, 4, 5, 6, 7}));
    String v = npy(dir, "v.npy", Tensor.ofFloats(new int[] {1, 2}, new float[] {-1, -2}));
    String pos = npy(dir, "pos.npy", Tensor.scalar(DType.I32, 1));
    for (String backend : List.of("interp", "java")) {
      run("eval", file, "--input", "cache=" + cache, "--input", "v=" + v, "--input", "pos=" + pos, "--backend", backend,
          "--out", out(backend).toString()).succeeds();
      assertArrayEquals(new double[] {0, 1, 2, 3, -1, -2, 6, 7}, read(out(backend + "/output.npy")).toDoubles(), 0, backend);
    }
  }

  @Test
  void outputFolderIsCreatedWithItsParents() {
    String x = npy(dir, "x.npy", normal(1, 2, 3));
    run("eval", affine, "--input", "x=" + x, "--out", out("a/b/c").toString()).succeeds();
    assertTrue(Files.isRegularFile(out("a/b/c/output.npy")));
  }

  @Test
  void tupleResultWritesOneFileEach() throws Exception {
    String file = program(dir, "tuple.adj", """
        dim B
        fn two(x: f32[B, 3]) -> (f32[B, 3], f32[B]) {
          return (x * 2.0, sum(x, axis=-1))
        }
        """);
    String x = npy(dir, "x.npy", Tensor.ofFloats(new int[] {2, 3}, new float[] {0, 1, 2, 3, 4, 5}));
    var r = run("eval", file, "--input", "x=" + x, "--out", out("o").toString()).succeeds();
    assertEquals(Set.of("output_0.npy", "output_1.npy", "params.safetensors"), files(out("o")));
    assertEquals(Tensor.ofFloats(new int[] {2, 3}, new float[] {0, 2, 4, 6, 8, 10}), read(out("o/output_0.npy")));
    assertEquals(Tensor.ofFloats(new int[] {2}, new float[] {3, 12}), read(out("o/output_1.npy")));
    assertEquals("output_0.npy: f32[2, 3] [[0, 2, 4], [6, 8, 10]]" + System.lineSeparator()
        + "output_1.npy: f32[2] [3, 12]" + System.lineSeparator(), r.out());
    assertTrue(Safetensors.read(out("o/params.safetensors")).isEmpty());
  }

  @Test
  void scalarInputAndScalarResultAre0d() {
    String file = program(dir, "scalar.adj", "fn sq(s: f32) -> f32 = s * s\n");
    String s = npy(dir, "s.npy", Tensor.scalar(DType.F32, 3));
    var r = run("eval", file, "--input", "s=" + s, "--out", out("o").toString()).succeeds();
    Tensor y = read(out("o/output.npy"));
    assertEquals(List.of(), y.shape());
    assertEquals(9.0, y.getDouble(0));
    assertEquals("output.npy: f32[] 9" + System.lineSeparator(), r.out());
  }

  @Test
  void defaultEntryIsTheOnlyModelsForward() {
    String x = npy(dir, "x.npy", normal(1, 2, 3));
    run("eval", affine, "--input", "x=" + x, "--out", out("default").toString()).succeeds();
    run("eval", affine, "--entry", "Affine.forward", "--input", "x=" + x, "--out", out("named").toString())
        .succeeds();
    assertArrayEquals(bytes(out("default/output.npy")), bytes(out("named/output.npy")));
  }

  @Test
  void defaultEntryIsTheOnlyFunctionWhenThereIsNoModel() {
    String file = program(dir, "one.adj", "dim B\nfn neg(x: f32[B]) -> f32[B] = -x\n");
    String x = npy(dir, "x.npy", Tensor.ofFloats(new int[] {2}, new float[] {1, -2}));
    var r = run("eval", file, "--input", "x=" + x, "--out", out("o").toString()).succeeds();
    assertEquals("output.npy: f32[2] [-1, 2]" + System.lineSeparator(), r.out());
  }

  @Test
  void otherEntriesByName() {
    String x = npy(dir, "x.npy", normal(1, 2, 3));
    String s = npy(dir, "s.npy", Tensor.scalar(DType.F32, 2));
    run("eval", affine, "--input", "x=" + x, "--out", out("f").toString()).succeeds();
    run("eval", affine, "--entry", "Affine.scaled", "--input", "x=" + x, "--input", "s=" + s,
        "--out", out("s").toString()).succeeds();
    double[] f = read(out("f/output.npy")).toDoubles();
    double[] scaled = read(out("s/output.npy")).toDoubles();
    for (int i = 0; i < f.length; i++) assertEquals(2 * f[i], scaled[i], 1e-6);
    run("eval", affine, "--entry", "unused", "--input", "x=" + x, "--out", out("u").toString()).succeeds();
    assertEquals(read(Path.of(x)), read(out("u/output.npy")));
  }

  @Test
  void paramsFromSafetensorsAndFromNpyFiles() {
    Tensor w = normal(5, 3, 3);
    Tensor b = normal(6, 3);
    Tensor x = normal(1, 2, 3);
    String xPath = npy(dir, "x.npy", x);
    Path set = dir.resolve("set.safetensors");
    Map<String, Tensor> given = new LinkedHashMap<>();
    given.put("w", w);
    given.put("b", b);
    Safetensors.write(set, given);

    run("eval", affine, "--input", "x=" + xPath, "--params", set.toString(), "--out", out("all").toString())
        .succeeds();
    assertArrayEquals(affine(x, w, b), read(out("all/output.npy")).toDoubles(), 1e-5);
    assertEquals(given, Safetensors.read(out("all/params.safetensors")));

    run("eval", affine, "--input", "x=" + xPath, "--param", "w=" + npy(dir, "w.npy", w),
        "--param", "b=" + npy(dir, "b.npy", b), "--out", out("each").toString()).succeeds();
    assertArrayEquals(bytes(out("all/output.npy")), bytes(out("each/output.npy")));

    // --param overrides one entry of --params; the rest come from the file.
    Tensor w2 = normal(7, 3, 3);
    run("eval", affine, "--input", "x=" + xPath, "--params", set.toString(), "--param", "w=" + npy(dir, "w2.npy", w2),
        "--out", out("mixed").toString()).succeeds();
    assertArrayEquals(affine(x, w2, b), read(out("mixed/output.npy")).toDoubles(), 1e-5);
    Map<String, Tensor> used = Safetensors.read(out("mixed/params.safetensors"));
    assertEquals(w2, used.get("w"));
    assertEquals(b, used.get("b"));
  }

  @Test
  void aParamNotGivenIsInitialisedFromTheSeed() {
    Tensor w = normal(5, 3, 3);
    String x = npy(dir, "x.npy", normal(1, 2, 3));
    run("eval", affine, "--input", "x=" + x, "--param", "w=" + npy(dir, "w.npy", w), "--seed", "4",
        "--out", out("o").toString()).succeeds();
    run("eval", affine, "--input", "x=" + x, "--seed", "4", "--out", out("seeded").toString()).succeeds();
    Map<String, Tensor> used = Safetensors.read(out("o/params.safetensors"));
    assertEquals(w, used.get("w"));
    assertEquals(Safetensors.read(out("seeded/params.safetensors")).get("b"), used.get("b"));
  }

  @Test
  void theWrittenParamsReproduceTheRun() {
    String x = npy(dir, "x.npy", normal(1, 2, 3));
    run("eval", affine, "--input", "x=" + x, "--seed", "9", "--out", out("first").toString()).succeeds();
    run("eval", affine, "--input", "x=" + x, "--params", out("first/params.safetensors").toString(),
        "--out", out("again").toString()).succeeds();
    assertArrayEquals(bytes(out("first/output.npy")), bytes(out("again/output.npy")));
  }

  @Test
  void seedChoosesTheInitialisationDeterministically() {
    String x = npy(dir, "x.npy", normal(1, 2, 3));
    run("eval", affine, "--input", "x=" + x, "--out", out("default").toString()).succeeds();
    run("eval", affine, "--input", "x=" + x, "--seed", "0", "--out", out("zero").toString()).succeeds();
    run("eval", affine, "--input", "x=" + x, "--seed", "1", "--out", out("one").toString()).succeeds();
    run("eval", affine, "--input", "x=" + x, "--seed", "1", "--out", out("one_again").toString()).succeeds();
    // The default seed is 0.
    assertArrayEquals(bytes(out("default/params.safetensors")), bytes(out("zero/params.safetensors")));
    assertArrayEquals(bytes(out("one/params.safetensors")), bytes(out("one_again/params.safetensors")));
    assertArrayEquals(bytes(out("one/output.npy")), bytes(out("one_again/output.npy")));
    assertFalse(java.util.Arrays.equals(bytes(out("zero/params.safetensors")), bytes(out("one/params.safetensors"))));
  }

  @Test
  void dropoutIsActiveOnlyWithTrainAndSeeded() {
    String file = program(dir, "drop.adj", """
        dim B
        fn d(x: f32[B, 64]) -> f32[B, 64] = dropout(x, 0.5)
        """);
    Tensor ones = Tensor.ofDoubles(DType.F32, new int[] {4, 64}, java.util.Collections.nCopies(256, 1.0)
        .stream().mapToDouble(Double::doubleValue).toArray());
    String x = npy(dir, "x.npy", ones);
    run("eval", file, "--input", "x=" + x, "--out", out("eval0").toString()).succeeds();
    run("eval", file, "--input", "x=" + x, "--seed", "3", "--out", out("eval3").toString()).succeeds();
    run("eval", file, "--input", "x=" + x, "--train", "--seed", "3", "--out", out("train3").toString()).succeeds();
    run("eval", file, "--input", "x=" + x, "--train", "--seed", "3", "--out", out("train3b").toString()).succeeds();
    run("eval", file, "--input", "x=" + x, "--train", "--seed", "4", "--out", out("train4").toString()).succeeds();

    // Without --train dropout is the identity, whatever the seed.
    assertEquals(ones, read(out("eval0/output.npy")));
    assertEquals(ones, read(out("eval3/output.npy")));
    // With it, every element is dropped (0) or scaled by 1/(1-p) = 2, and some of each.
    double[] t = read(out("train3/output.npy")).toDoubles();
    long zeros = java.util.Arrays.stream(t).filter(v -> v == 0).count();
    long twos = java.util.Arrays.stream(t).filter(v -> v == 2).count();
    assertEquals(t.length, zeros + twos);
    assertTrue(zeros > 64 && twos > 64, "dropped " + zeros + " of " + t.length);
    // The same seed gives the same bytes; another seed another mask.
    assertArrayEquals(bytes(out("train3/output.npy")), bytes(out("train3b/output.npy")));
    assertNotEquals(read(out("train3/output.npy")), read(out("train4/output.npy")));
  }

  @Test
  void dropoutInsideTheEncoderLayerExample() {
    String example = CliRunner.EXAMPLES.resolve("encoder_layer.adj").toString();
    String x = npy(dir, "x.npy", normal(2, 2, 3, 16));
    run("eval", example, "--input", "x=" + x, "--out", out("eval").toString()).succeeds();
    run("eval", example, "--input", "x=" + x, "--out", out("eval_again").toString()).succeeds();
    run("eval", example, "--input", "x=" + x, "--train", "--out", out("train").toString()).succeeds();
    run("eval", example, "--input", "x=" + x, "--train", "--out", out("train_again").toString()).succeeds();
    assertArrayEquals(bytes(out("eval/output.npy")), bytes(out("eval_again/output.npy")));
    assertArrayEquals(bytes(out("train/output.npy")), bytes(out("train_again/output.npy")));
    assertNotEquals(read(out("eval/output.npy")), read(out("train/output.npy")));
    // Dropout draws no params: both runs used the same ones.
    assertArrayEquals(bytes(out("eval/params.safetensors")), bytes(out("train/params.safetensors")));
  }

  @Test
  void dtypeF64ComputesInDoublePrecision() {
    Tensor x = normal(1, 2, 3);
    String xPath = npy(dir, "x.npy", x);
    run("eval", affine, "--input", "x=" + xPath, "--out", out("f32").toString()).succeeds();
    run("eval", affine, "--input", "x=" + xPath, "--dtype", "f64", "--out", out("f64").toString()).succeeds();
    Tensor y64 = read(out("f64/output.npy"));
    assertEquals(DType.F64, y64.dtype());
    assertEquals(List.of(2, 3), y64.shape());
    Map<String, Tensor> params = Safetensors.read(out("f64/params.safetensors"));
    // The same initial values, so the same result up to f32 rounding.
    assertArrayEquals(read(out("f32/output.npy")).toDoubles(), y64.toDoubles(), 1e-5);
    assertArrayEquals(affine(x, params.get("w"), params.get("b")), y64.toDoubles(), 1e-12);

    // An f64 input is accepted with --dtype f64 (and refused without: see EvalInputErrorsTest).
    String x64 = npy(dir, "x64.npy", x.cast(DType.F64));
    run("eval", affine, "--input", "x=" + x64, "--dtype", "f64", "--out", out("f64in").toString()).succeeds();
    assertArrayEquals(bytes(out("f64/output.npy")), bytes(out("f64in/output.npy")));
  }

  @Test
  void dimFixesASizeNoInputFixes() {
    String file = program(dir, "mask.adj", "dim N\nfn mask() -> f32[N, N] = causal_mask(N)\n");
    var r = run("eval", file, "--dim", "N=3", "--out", out("o").toString()).succeeds();
    assertEquals(List.of(3, 3), read(out("o/output.npy")).shape());
    assertEquals("output.npy: f32[3, 3] [[0, -inf, -inf], [0, 0, -inf], [0, 0, 0]]" + System.lineSeparator(), r.out());
  }

  @Test
  void dimAgreeingWithTheInputsIsAccepted() {
    String x = npy(dir, "x.npy", normal(1, 2, 3));
    run("eval", affine, "--input", "x=" + x, "--dim", "B=2", "--out", out("o").toString()).succeeds();
  }

  /** x @ w + b for x: [n, d], w: [d, d], b: [d], in double. */
  private static double[] affine(Tensor x, Tensor w, Tensor b) {
    int n = x.dim(0);
    int d = w.dim(0);
    double[] xs = x.toDoubles();
    double[] ws = w.toDoubles();
    double[] bs = b.toDoubles();
    double[] out = new double[n * d];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < d; j++) {
        double s = bs[j];
        for (int k = 0; k < d; k++) s += xs[i * d + k] * ws[k * d + j];
        out[i * d + j] = s;
      }
    }
    return out;
  }
}
