package dev.adjoint.cli;

import static dev.adjoint.cli.CliRunner.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code adjoint compile --target java}: the generated sources, the same the backend compiles. */
class CompileCommandTest {
  @TempDir Path dir;

  @Test
  void writesOneClassPerModelInThePackageFolders() throws Exception {
    String out = run("compile", CliRunner.EXAMPLES.resolve("encoder_layer.adj").toString(), "--target", "java",
        "--out", dir.toString(), "--package", "my.models").succeeds().out();
    assertEquals("my/models/Encoder.java" + System.lineSeparator(), out);
    String source = Files.readString(dir.resolve("my/models/Encoder.java"));
    assertTrue(source.startsWith("package my.models;"), source);
    assertTrue(source.contains("public Tensor forward(Tensor x) {"), source);
    assertTrue(source.contains("public ValueAndGrad valueAndGrad(Tensor x) {"), source);
    // Byte-for-byte deterministic: a second run writes the same text.
    run("compile", CliRunner.EXAMPLES.resolve("encoder_layer.adj").toString(), "--target", "java", "--out",
        dir.resolve("again").toString(), "--package", "my.models").succeeds();
    assertEquals(source, Files.readString(dir.resolve("again/my/models/Encoder.java")));
  }

  @Test
  void topLevelFunctionsGetAClassNamedAfterTheFile() throws Exception {
    String out = run("compile", CliRunner.EXAMPLES.resolve("attention.adj").toString(), "--target", "java",
        "--out", dir.toString(), "--dtype", "f64").succeeds().out();
    assertEquals("adjoint/generated/Attention.java" + System.lineSeparator(), out);
    String source = Files.readString(dir.resolve("adjoint/generated/Attention.java"));
    assertTrue(source.contains("public Tensor causalAttention(Tensor q, Tensor k, Tensor v) {"), source);
    assertTrue(source.contains("Arguments.check(\"q\", q, DType.F64, 3, \"f64[B, T, 8]\");"), source);
  }

  @Test
  void trainingModeClassesTakeAStep() throws Exception {
    run("compile", CliRunner.EXAMPLES.resolve("encoder_layer.adj").toString(), "--target", "java", "--out",
        dir.toString(), "--train").succeeds();
    String source = Files.readString(dir.resolve("adjoint/generated/Encoder.java"));
    assertTrue(source.contains("public void setStep(int step) {"), source);
    assertTrue(source.contains("return new RunContext(seed, step, pool);"), source);
  }

  @Test
  void aParamOfARunTimeSizeIsRefused() throws Exception {
    Path program = dir.resolve("sized.adj");
    Files.writeString(program, "dim B\nmodel M {\n  param w: f32[B]\n  fn forward(x: f32[B]) -> f32[B] = x * w\n}\n");
    run("compile", program.toString(), "--target", "java", "--out", dir.resolve("out").toString())
        .failsWithError("param 'w' is f32[B]: a generated model class needs params of fixed shapes, but B is a run-time "
            + "size");
  }

  @Test
  void cudaIsRefusedWithAMessage() {
    run("compile", CliRunner.EXAMPLES.resolve("attention.adj").toString(), "--target", "cuda", "--out", dir.toString())
        .failsWithError("--target cuda: the CUDA backend is not part of this build yet; use --target java");
  }

  @Test
  void aBadPackageNameIsRefused() {
    run("compile", CliRunner.EXAMPLES.resolve("attention.adj").toString(), "--target", "java", "--out", dir.toString(),
        "--package", "my.1models").failsWithError("--package 'my.1models' is not a Java package name");
  }
}
