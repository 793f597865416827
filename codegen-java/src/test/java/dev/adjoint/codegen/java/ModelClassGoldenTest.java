package dev.adjoint.codegen.java;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.adjoint.compiler.Compilation;
import dev.adjoint.compiler.RunOptions;
import dev.adjoint.compiler.target.CpuTarget;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The whole generated class of a small model, as text: what a reader of generated code sees. When
 * the generator changes on purpose, rewrite the golden with {@code -Dadjoint.updateGoldens=true}
 * and review the diff.
 */
class ModelClassGoldenTest {
  private static final Path FOLDER = Path.of("src", "test", "resources", "model");

  @Test
  void theTinyModelsClassIsTheGolden() throws Exception {
    List<com.palantir.javapoet.JavaFile> files = ModelGenerator.generate(Compilation.compile(FOLDER.resolve("tiny.adj")),
        "com.example.models", RunOptions.defaults(), CpuTarget.avx512());
    assertEquals(1, files.size());
    String actual = files.get(0).toString();
    Path golden = FOLDER.resolve("Tiny.java.golden");
    if (Boolean.getBoolean("adjoint.updateGoldens")) Files.writeString(golden, actual, StandardCharsets.UTF_8);
    assertEquals(Files.readString(golden, StandardCharsets.UTF_8), actual);
    // And it compiles without a warning against the runtime alone.
    InProcessCompiler.withoutCache(GeneratedEquivalenceTest.werror()).load(files.get(0));
  }
}
