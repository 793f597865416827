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
  void writesOneClassPerProgramInThePackageFolders() throws Exception {
    String out = run("compile", CliRunner.EXAMPLES.resolve("attention.adj").toString(), "--target", "java",
        "--out", dir.toString(), "--package", "my.models").succeeds().out();
    assertEquals(String.join(System.lineSeparator(), "my/models/CausalAttention.java", "my/models/GradCausalAttention.java")
        + System.lineSeparator(), out);
    String source = Files.readString(dir.resolve("my/models/CausalAttention.java"));
    assertTrue(source.startsWith("package my.models;"), source);
    // Byte-for-byte deterministic: a second run writes the same text.
    run("compile", CliRunner.EXAMPLES.resolve("attention.adj").toString(), "--target", "java", "--out",
        dir.resolve("again").toString(), "--package", "my.models").succeeds();
    assertEquals(source, Files.readString(dir.resolve("again/my/models/CausalAttention.java")));
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
