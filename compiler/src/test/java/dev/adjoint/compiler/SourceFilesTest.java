package dev.adjoint.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Compilation.sourceFiles: what a build tool watches to know when a program must be compiled again. */
class SourceFilesTest {
  @TempDir Path dir;

  @Test
  void listsTheMainFileThenEveryImportTransitivelyOnce() throws IOException {
    Files.createDirectories(dir.resolve("lib"));
    Files.writeString(dir.resolve("lib/scale.adj"), "import \"consts.adj\"\nfn scale(x: f32) -> f32 = x * K\n");
    Files.writeString(dir.resolve("lib/consts.adj"), "const K = 2\n");
    Files.writeString(dir.resolve("main.adj"),
        "import \"lib/scale.adj\"\nimport \"lib/consts.adj\"\nfn f(x: f32) -> f32 = scale(x) + K\n");

    Compilation c = Compilation.compile(dir.resolve("main.adj"));

    assertEquals(List.of(dir.resolve("main.adj"), dir.resolve("lib/scale.adj"), dir.resolve("lib/consts.adj")),
        c.sourceFiles());
  }

  @Test
  void aFileWithoutImportsIsItsOnlySource() throws IOException {
    Files.writeString(dir.resolve("one.adj"), "fn f(x: f32) -> f32 = x\n");
    assertEquals(List.of(dir.resolve("one.adj")), Compilation.compile(dir.resolve("one.adj")).sourceFiles());
  }
}
