package dev.adjoint.compiler.golden;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.fail;

import dev.adjoint.compiler.Compilation;
import dev.adjoint.compiler.Run;
import dev.adjoint.compiler.RunOptions;
import dev.adjoint.compiler.diag.CompileException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Runs every case under the test resource folder {@code goldens/} in the reference interpreter,
 * with every float in the case's dtype (f64), and compares the results with what an independent
 * PyTorch implementation computed (tools/reference/, see its README for how to regenerate).
 */
class GoldenTest {

  static Stream<Arguments> cases() {
    return casesWhere(folder -> true, "golden cases");
  }

  /**
   * The case folders under {@code goldens/} that {@code keep} accepts, sorted, as (name, folder)
   * arguments; fails when there are none, since an empty source would pass silently.
   */
  static Stream<Arguments> casesWhere(Predicate<Path> keep, String what) {
    Path root = goldensFolder();
    try (Stream<Path> folders = Files.list(root)) {
      List<Path> sorted = folders.filter(Files::isDirectory).filter(keep).sorted().toList();
      assertFalse(sorted.isEmpty(), "no " + what + " under " + root);
      return sorted.stream().map(folder -> Arguments.of(folder.getFileName().toString(), folder));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + root, e);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void matchesPyTorch(String name, Path folder) {
    GoldenCase golden = GoldenCase.load(folder);

    Compilation compilation;
    try {
      compilation = Compilation.compile(golden.program());
    } catch (CompileException e) {
      fail(golden + ": program.adj does not compile:\n" + e.getMessage());
      return;
    }
    RunOptions options = RunOptions.defaults().withDtype(golden.dtype()).withDims(golden.dims());
    Run run = compilation.run(golden.entry(), options, golden.inputs(), golden.params());

    assertEquals(golden.outputs().size(), run.outputs().size(),
        golden + ": number of results of " + golden.entry());
    List<String> failures = new ArrayList<>();
    for (int i = 0; i < golden.outputs().size(); i++) {
      Optional<String> mismatch = TensorComparison.compare(
          golden.outputs().get(i), run.outputs().get(i), golden.rtol(), golden.atol());
      String label = golden.outputs().size() == 1 ? "output" : "output_" + i;
      mismatch.ifPresent(m -> failures.add(label + ": " + m));
    }
    if (!failures.isEmpty()) {
      fail(golden + ", entry " + golden.entry() + ":\n  " + String.join("\n  ", failures));
    }
  }

  /** The {@code goldens} folder of the test classpath (target/test-classes/goldens in a build). */
  static Path goldensFolder() {
    URL url = GoldenTest.class.getResource("/goldens");
    if (url == null) {
      throw new IllegalStateException("no 'goldens' resource folder on the test classpath");
    }
    if (!"file".equals(url.getProtocol())) {
      throw new IllegalStateException("goldens must be a folder on disk, found " + url);
    }
    try {
      return Path.of(url.toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException("bad resource URL " + url, e);
    }
  }
}
