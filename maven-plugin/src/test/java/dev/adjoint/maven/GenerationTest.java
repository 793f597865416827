package dev.adjoint.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The plugin's work on real files: what is compiled, written, skipped and deleted, and every error. */
class GenerationTest {
  static final String LAYER = """
      import "../lib/scale.adj"
      model Layer {
        param w: f32[4, 3] = normal(0.0, 0.1)
        fn forward(x: f32[B, 4]) -> f32[B, 3] {
          return scale(x @ w)
        }
      }
      """;
  static final String SCALE = "dim B\nfn scale(x: f32[B, 3]) -> f32[B, 3] = x * 2.0\n";

  @TempDir Path dir;
  Path sources;
  RecordingLog log = new RecordingLog();

  @BeforeEach
  void project() throws IOException {
    sources = dir.resolve("src/main/adjoint");
    Files.createDirectories(sources.resolve("demo"));
    Files.createDirectories(sources.resolve("lib"));
    Files.writeString(sources.resolve("demo/layer.adj"), LAYER);
    Files.writeString(sources.resolve("lib/scale.adj"), SCALE);
  }

  Generation.Settings settings(Optional<String> packageName) {
    return settings(packageName, EnumSet.of(CodeTarget.JAVA));
  }

  Generation.Settings settings(Optional<String> packageName, Set<CodeTarget> targets) {
    return new Generation.Settings(sources, new SourcePatterns(SourcePatterns.DEFAULT_INCLUDES, List.of("lib/**")),
        packageName, targets, dir.resolve("target/gen"), dir.resolve("target/res"),
        dir.resolve("target/state/generate.state"), "stamp 1");
  }

  Generation.Outcome run() {
    return new Generation(log).generate(settings(Optional.empty()));
  }

  List<String> generated() throws IOException {
    return files(dir.resolve("target/gen"));
  }

  static List<String> files(Path out) throws IOException {
    if (!Files.isDirectory(out)) return List.of();
    try (Stream<Path> s = Files.walk(out)) {
      return s.filter(Files::isRegularFile).map(p -> SourceScanner.relative(out, p)).sorted().toList();
    }
  }

  @Test
  void generatesAClassPerModelInThePackageOfItsFolder() throws IOException {
    Generation.Outcome o = run();
    assertEquals(List.of(), o.errors());
    assertEquals(1, o.sources());
    assertEquals(1, o.compiled());
    assertEquals(List.of("demo/Layer.java"), generated());
    assertTrue(Files.readString(dir.resolve("target/gen/demo/Layer.java")).startsWith("package demo;"));
  }

  @Test
  void theCudaTargetWritesATranslationUnitPerProgramToTheResources() throws IOException {
    Generation.Outcome o = new Generation(log).generate(settings(Optional.empty(), EnumSet.of(CodeTarget.JAVA, CodeTarget.CUDA)));
    assertEquals(List.of(), o.errors());
    assertEquals(List.of("demo/Layer.java"), generated());
    assertEquals(List.of("demo/GradLayerForward.cu", "demo/LayerForward.cu"), files(dir.resolve("target/res")));
    assertTrue(Files.readString(dir.resolve("target/res/demo/LayerForward.cu")).contains("__global__"));

    // Without cuda in the targets, the translation units go: they are no longer generated.
    Generation.Outcome javaOnly = run();
    assertEquals(1, javaOnly.compiled());
    assertEquals(2, javaOnly.deleted());
    assertEquals(List.of(), files(dir.resolve("target/res")));
  }

  @Test
  void aSecondRunWithNoChangeCompilesAndWritesNothing() throws IOException {
    run();
    Path file = dir.resolve("target/gen/demo/Layer.java");
    FileTime written = FileTime.fromMillis(1_000_000L);
    Files.setLastModifiedTime(file, written);

    Generation.Outcome again = run();

    assertEquals(0, again.compiled());
    assertEquals(1, again.upToDate());
    assertEquals(0, again.written());
    assertEquals(written, Files.getLastModifiedTime(file));
  }

  @Test
  void aChangedImportCompilesTheFilesThatImportIt() throws IOException {
    run();
    Files.writeString(sources.resolve("lib/scale.adj"), SCALE.replace("2.0", "3.0"));

    Generation.Outcome again = run();

    assertEquals(1, again.compiled());
    assertEquals(0, again.upToDate());
  }

  @Test
  void anEditThatGeneratesTheSameTextRewritesNothing() throws IOException {
    run();
    Files.writeString(sources.resolve("demo/layer.adj"), LAYER + "\n// a comment\n");
    Generation.Outcome again = run();
    assertEquals(1, again.compiled());
    assertEquals(0, again.written());
  }

  @Test
  void otherSettingsOrADeletedOutputGenerateAgain() throws IOException {
    run();
    Generation.Outcome renamed = new Generation(log).generate(settings(Optional.of("org.models")));
    assertEquals(1, renamed.compiled());
    assertEquals(List.of("org/models/Layer.java"), generated());
    assertEquals(1, renamed.deleted());

    Files.delete(dir.resolve("target/gen/org/models/Layer.java"));
    Generation.Outcome again = new Generation(log).generate(settings(Optional.of("org.models")));
    assertEquals(1, again.compiled());
    assertEquals(1, again.written());
  }

  @Test
  void aDeletedSourceTakesItsGeneratedFilesWithIt() throws IOException {
    run();
    Files.delete(sources.resolve("demo/layer.adj"));
    Generation.Outcome again = run();
    assertEquals(0, again.sources());
    assertEquals(1, again.deleted());
    assertEquals(List.of(), generated());
  }

  @Test
  void everyErrorOfEveryFileIsReportedWithItsLocation() throws IOException {
    Files.writeString(sources.resolve("demo/bad.adj"), "dim B\nfn f(x: f32[B, 4], y: f32[B, 3]) -> f32[B, 4] {\n"
        + "  let a = x + y\n  return a + zz\n}\n");
    Files.createDirectories(sources.resolve("other"));
    Files.writeString(sources.resolve("other/worse.adj"), "fn g(x: f32) -> f32 = x +\n");
    Path bad = sources.resolve("demo/bad.adj").toAbsolutePath();
    Path worse = sources.resolve("other/worse.adj").toAbsolutePath();

    Generation.Outcome o = run();

    assertTrue(o.failed());
    assertEquals(2, o.filesWithErrors());
    assertEquals(List.of(
        bad + ":3:11: error: shape mismatch in '+': f32[B, 4] and f32[B, 3]\n  let a = x + y\n          ^~~~~",
        bad + ":4:14: error: unknown name 'zz'\n  return a + zz\n             ^~",
        worse + ":1:26: error: unexpected end of file: expected an expression\n"
            + "fn g(x: f32) -> f32 = x +\n                         ^"), o.errors());
    // The good file is generated all the same, and stays up to date when only the others change.
    assertEquals(List.of("demo/Layer.java"), generated());
    assertEquals(1, run().upToDate());
  }

  @Test
  void errorsPastTheCompilersLimitAreCountedNotShown() throws IOException {
    StringBuilder program = new StringBuilder();
    for (int i = 0; i < 105; i++) program.append("fn f").append(i).append("(x: f32) -> f32 = y\n");
    Files.writeString(sources.resolve("demo/many.adj"), program);
    Generation.Outcome o = run();
    assertEquals(105, o.errorCount());
    assertEquals(101, o.errors().size());
    assertEquals("... and 5 more errors in this file", o.errors().get(100));
  }

  @Test
  void aFileThatBreaksTakesItsOldClassesAway() throws IOException {
    run();
    Files.writeString(sources.resolve("demo/layer.adj"), LAYER.replace("x @ w", "x @ v"));
    Generation.Outcome o = run();
    assertEquals(1, o.filesWithErrors());
    assertEquals(List.of(), generated());
  }

  @Test
  void twoModelsThatWriteTheSameClassAreRefused() throws IOException {
    Files.createDirectories(sources.resolve("demo/copy"));
    Files.writeString(sources.resolve("demo/copy/layer.adj"), LAYER.replace("../lib", "../../lib"));
    Generation.Outcome o = new Generation(log).generate(settings(Optional.of("one")));
    Path first = sources.resolve("demo/copy/layer.adj").toAbsolutePath();
    Path second = sources.resolve("demo/layer.adj").toAbsolutePath();
    assertEquals(List.of(second + ": error: generates one/Layer.java, which " + first
        + " generates too; give one of them another package or rename its model"), o.errors());
  }

  @Test
  void aFileWithNoPackageIsAnErrorNamingIt() throws IOException {
    Files.writeString(sources.resolve("top.adj"), "fn f(x: f32) -> f32 = x\n");
    Generation.Outcome o = run();
    assertEquals(List.of(sources.resolve("top.adj").toAbsolutePath() + ": error: no package for the generated classes: "
        + "put the file in a folder named after its package (com/example/top.adj gives com.example), or set <packageName>"),
        o.errors());
  }

  @Test
  void checkReportsErrorsAndWritesNothing() throws IOException {
    Files.writeString(sources.resolve("demo/bad.adj"), "fn f(x: f32) -> f32 = y\n");
    Generation.Outcome o = new Generation(log).check(sources, new SourcePatterns(SourcePatterns.DEFAULT_INCLUDES, List.of()));
    assertEquals(3, o.sources());
    assertEquals(List.of(sources.resolve("demo/bad.adj").toAbsolutePath() + ":1:23: error: unknown name 'y'\n"
        + "fn f(x: f32) -> f32 = y\n                      ^"), o.errors());
    assertFalse(Files.exists(dir.resolve("target")));
  }

  @Test
  void anAbsentSourceDirectoryHasNothingToDo() {
    Generation.Settings s = new Generation.Settings(dir.resolve("nowhere"), settings(Optional.empty()).patterns(),
        Optional.empty(), EnumSet.of(CodeTarget.JAVA), dir.resolve("gen"), dir.resolve("res"), dir.resolve("st"), "s");
    Generation.Outcome o = new Generation(log).generate(s);
    assertEquals(0, o.sources());
    assertFalse(o.failed());
  }
}
