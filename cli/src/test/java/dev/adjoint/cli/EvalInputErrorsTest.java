package dev.adjoint.cli;

import static dev.adjoint.cli.CliRunner.normal;
import static dev.adjoint.cli.CliRunner.npy;
import static dev.adjoint.cli.CliRunner.program;
import static dev.adjoint.cli.CliRunner.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.adjoint.runtime.DType;
import dev.adjoint.runtime.Tensor;
import dev.adjoint.runtime.io.Npy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mistakes in what {@code adjoint eval} is given at run time: each exits 1 with one message that
 * names the argument, axis, param or file, never a stack trace, and writes no results.
 */
class EvalInputErrorsTest {
  @TempDir Path dir;

  private String pair;
  private String affine;
  private String x;
  private String y;
  private String out;

  @BeforeEach
  void files() {
    pair = program(dir, "pair.adj", """
        dim B, T
        const D = 4
        fn f(x: f32[B, T, D], y: f32[B, T, D]) -> f32[B, T, D] = x + y
        """);
    affine = program(dir, "affine.adj", """
        dim B
        const D = 3
        model Affine {
          param weight: f32[D, D] = xavier_uniform()
          param bias: f32[D]
          fn forward(x: f32[B, D]) -> f32[B, D] = x @ weight + bias
        }
        """);
    x = npy(dir, "x.npy", normal(1, 2, 3, 4));
    y = npy(dir, "y.npy", normal(2, 2, 3, 4));
    out = dir.resolve("out").toString();
  }

  private CliRunner.Result evalPair(String xPath, String yPath, String... more) {
    String[] args = {"eval", pair, "--input", "x=" + xPath, "--input", "y=" + yPath, "--out", out};
    String[] all = Arrays.copyOf(args, args.length + more.length);
    System.arraycopy(more, 0, all, args.length, more.length);
    var r = run(all);
    assertFalse(Files.exists(Path.of(out)), "a failed run must not write results");
    return r;
  }

  @Test
  void theInputsOfTheseTestsAreValid() {
    run("eval", pair, "--input", "x=" + x, "--input", "y=" + y, "--out", out).succeeds();
  }

  @Test
  void wrongRankIsADiagnosticAtTheParameter() {
    String flat = npy(dir, "flat.npy", normal(3, 2, 3));
    var r = evalPair(flat, y).failsWith(1);
    assertEquals(List.of(
        pair + ":3:6: error: input 'x' must have 3 axes (f32[B, T, D]), got f32[2, 3]",
        "fn f(x: f32[B, T, D], y: f32[B, T, D]) -> f32[B, T, D] = x + y",
        "     ^~~~~~~~~~~~~~~"), r.err().lines().toList());
  }

  @Test
  void wrongSizeOfAConstantAxisNamesArgumentAndAxis() {
    String wide = npy(dir, "wide.npy", normal(3, 2, 3, 7));
    evalPair(x, wide).failsWithError("input 'y' axis 2 has size 7, expected 4");
  }

  @Test
  void inconsistentSizesOfADimNameBothInputs() {
    String longer = npy(dir, "longer.npy", normal(3, 2, 5, 4));
    evalPair(x, longer).failsWithError("input 'y' axis 1 has size 5, expected T = 3 (T fixed by input 'x' axis 1)");
  }

  @Test
  void dimDisagreeingWithAnInputNamesTheOption() {
    evalPair(x, y, "--dim", "T=4")
        .failsWithError("input 'x' axis 1 has size 3, expected T = 4 (T fixed by --dim T)");
  }

  @Test
  void wrongElementType() {
    String bools = npy(dir, "bools.npy", Tensor.ofBooleans(new int[] {2, 3, 4}, new boolean[24]));
    evalPair(bools, y).failsWithError("input 'x' has element type bool, expected f32 (f32[B, T, 4])");
    String ints = npy(dir, "ints.npy", Tensor.ofInts(new int[] {2, 3, 4}, new int[24]));
    evalPair(x, ints).failsWithError("input 'y' has element type i32, expected f32 (f32[B, T, 4])");
  }

  @Test
  void f64InputWithoutDtypeF64IsRefused() {
    String doubles = npy(dir, "doubles.npy", normal(3, 2, 3, 4).cast(DType.F64));
    evalPair(doubles, y).failsWithError("input 'x' has element type f64, expected f32 (f32[B, T, 4])");
  }

  @Test
  void missingInput() {
    run("eval", pair, "--input", "x=" + x, "--out", out).failsWithError("missing input 'y' (f32[B, T, 4])");
  }

  @Test
  void unknownInputListsTheArguments() {
    evalPair(x, y, "--input", "z=" + x).failsWithError("unknown input 'z': f takes x, y");
  }

  @Test
  void inputGivenTwice() {
    evalPair(x, y, "--input", "x=" + y).failsWithError("input 'x' is given twice (--input x=" + y + ")");
  }

  @Test
  void missingNpyFile() {
    String missing = dir.resolve("missing.npy").toString();
    evalPair(missing, y).failsWithError("cannot read input 'x': no such file '" + missing + "'");
  }

  @Test
  void folderInsteadOfNpyFile() {
    evalPair(dir.toString(), y).failsWithError("cannot read input 'x': '" + dir + "' is a folder, not a file");
  }

  @Test
  void truncatedNpyFile() throws Exception {
    byte[] whole = Npy.toBytes(normal(3, 2, 3, 4));
    Path cut = dir.resolve("cut.npy");
    Files.write(cut, Arrays.copyOf(whole, whole.length - 5));
    evalPair(x, cut.toString()).failsWithError("cannot read input 'y' from '" + cut
        + "': header says shape (2, 3, 4) of <f4 (96 bytes) but only 91 bytes of data follow");
  }

  @Test
  void notAnNpyFile() throws Exception {
    Path text = dir.resolve("text.npy");
    Files.writeString(text, "x,y\n1,2\n");
    evalPair(text.toString(), y).failsWithError("cannot read input 'x' from '" + text
        + "': not a .npy file: it does not start with the magic string \\x93NUMPY");
  }

  @Test
  void emptyNpyFile() throws Exception {
    Path empty = dir.resolve("empty.npy");
    Files.write(empty, new byte[0]);
    evalPair(empty.toString(), y).failsWithError("cannot read input 'x' from '" + empty
        + "': not a .npy file: it does not start with the magic string \\x93NUMPY");
  }

  @Test
  void unknownParamSuggestsTheClosestName() {
    String w = npy(dir, "w.npy", normal(4, 3, 3));
    String xs = npy(dir, "xs.npy", normal(5, 2, 3));
    run("eval", affine, "--input", "x=" + xs, "--param", "wieght=" + w, "--out", out)
        .failsWithError("unknown param 'wieght' (did you mean 'weight'?)");
  }

  @Test
  void paramForAnEntryWithoutParams() {
    evalPair(x, y, "--param", "w=" + x).failsWithError("unknown param 'w'; this entry point has no params");
  }

  @Test
  void paramOfTheWrongShape() {
    String w = npy(dir, "w.npy", normal(4, 3, 2));
    String xs = npy(dir, "xs.npy", normal(5, 2, 3));
    run("eval", affine, "--input", "x=" + xs, "--param", "weight=" + w, "--out", out)
        .failsWithError("param 'weight' has shape [3, 2], expected f32[3, 3]");
  }

  @Test
  void paramOfTheWrongElementType() {
    String w = npy(dir, "w.npy", Tensor.ofInts(new int[] {3, 3}, new int[9]));
    String xs = npy(dir, "xs.npy", normal(5, 2, 3));
    run("eval", affine, "--input", "x=" + xs, "--param", "weight=" + w, "--out", out)
        .failsWithError("param 'weight' has element type i32, expected f32[3, 3]");
  }

  @Test
  void paramGivenTwice() {
    String w = npy(dir, "w.npy", normal(4, 3, 3));
    String xs = npy(dir, "xs.npy", normal(5, 2, 3));
    run("eval", affine, "--input", "x=" + xs, "--param", "weight=" + w, "--param", "weight=" + w, "--out", out)
        .failsWithError("param 'weight' is given twice (--param weight=" + w + ")");
  }

  @Test
  void unreadableParamFiles() throws Exception {
    String xs = npy(dir, "xs.npy", normal(5, 2, 3));
    String missing = dir.resolve("missing.npy").toString();
    run("eval", affine, "--input", "x=" + xs, "--param", "weight=" + missing, "--out", out)
        .failsWithError("cannot read param 'weight': no such file '" + missing + "'");
    String missingSet = dir.resolve("missing.safetensors").toString();
    run("eval", affine, "--input", "x=" + xs, "--params", missingSet, "--out", out)
        .failsWithError("cannot read --params: no such file '" + missingSet + "'");
    Path notSafetensors = dir.resolve("short.safetensors");
    Files.write(notSafetensors, new byte[] {1, 2, 3});
    var r = run("eval", affine, "--input", "x=" + xs, "--params", notSafetensors.toString(), "--out", out)
        .failsWith(1);
    assertEquals(true, r.err().startsWith("error: cannot read --params from '" + notSafetensors + "': "), r.err());
  }

  @Test
  void unknownParamInASafetensorsFile() {
    Path set = dir.resolve("set.safetensors");
    dev.adjoint.runtime.io.Safetensors.write(set, Map.of("weight", normal(4, 3, 3), "bais", normal(5, 3)));
    String xs = npy(dir, "xs.npy", normal(5, 2, 3));
    run("eval", affine, "--input", "x=" + xs, "--params", set.toString(), "--out", out)
        .failsWithError("unknown param 'bais' (did you mean 'bias'?)");
  }

  @Test
  void sizeThatNoInputFixes() {
    String file = program(dir, "mask.adj", "dim N\nfn mask() -> f32[N, N] = causal_mask(N)\n");
    run("eval", file, "--out", out).failsWithError("size 'N' is not fixed by any input; pass --dim N=<size>");
  }

  @Test
  void dimThatNamesNoSize() {
    evalPair(x, y, "--dim", "N=3").failsWithError("--dim N: f has no size named 'N'; its sizes are B, T");
    String file = program(dir, "fixed.adj", "fn one() -> f32[2] = stack([1.0, 2.0])\n");
    run("eval", file, "--dim", "N=3", "--out", out)
        .failsWithError("--dim N: one has no size named 'N'; all its sizes are fixed");
  }

  @Test
  void malformedDim() {
    evalPair(x, y, "--dim", "T").failsWithError("--dim expects NAME=N, got 'T'");
    evalPair(x, y, "--dim", "T=").failsWithError("--dim expects NAME=N, got 'T='");
    evalPair(x, y, "--dim", "=3").failsWithError("--dim expects NAME=N, got '=3'");
    evalPair(x, y, "--dim", "T=three").failsWithError("--dim T=three: the size must be a non-negative integer, got 'three'");
    evalPair(x, y, "--dim", "T=-3").failsWithError("--dim T=-3: the size must be a non-negative integer, got -3");
    evalPair(x, y, "--dim", "T=99999999999")
        .failsWithError("--dim T=99999999999: the size must be at most 2147483647, got 99999999999");
    evalPair(x, y, "--dim", "T=3", "--dim", "T=3").failsWithError("--dim T is given twice");
  }

  @Test
  void inputWithoutEquals() {
    run("eval", pair, "--input", x, "--input", "y=" + y, "--out", out)
        .failsWithError("--input expects NAME=PATH.npy, got '" + x + "'");
    run("eval", pair, "--input", "x=", "--input", "y=" + y, "--out", out)
        .failsWithError("--input expects NAME=PATH.npy, got 'x='");
    run("eval", affine, "--input", "x=" + x, "--param", "weight", "--out", out)
        .failsWithError("--param expects NAME=PATH.npy, got 'weight'");
  }

  @Test
  void noEntryPointToChoose() {
    String file = program(dir, "two.adj", "fn a() -> f32 = 1.0\nfn b() -> f32 = 2.0\n");
    run("eval", file, "--out", out).failsWithError("cannot choose an entry point: pass --entry with one of a, b");
  }

  @Test
  void unknownEntryPointSuggestsTheClosestName() {
    run("eval", pair, "--entry", "g", "--input", "x=" + x, "--input", "y=" + y, "--out", out).failsWith(1);
    String file = program(dir, "names.adj", "fn orange_apple() -> f32 = 1.0\nfn other() -> f32 = 2.0\n");
    run("eval", file, "--entry", "orange_aple", "--out", out)
        .failsWithError("no function 'orange_aple' (did you mean 'orange_apple'?)");
  }

  @Test
  void outIsAFile() throws Exception {
    Path file = dir.resolve("taken");
    Files.writeString(file, "");
    run("eval", pair, "--input", "x=" + x, "--input", "y=" + y, "--out", file.toString())
        .failsWithError("--out '" + file + "' is a file, not a folder");
  }

  @Test
  void programErrorsAreDiagnostics() {
    String bad = program(dir, "bad.adj", "fn f(x: f32[3]) -> f32[4] = x\n");
    var r = run("eval", bad, "--out", out).failsWith(1);
    assertEquals(true, r.err().startsWith(bad + ":1:"), r.err());
  }
}
