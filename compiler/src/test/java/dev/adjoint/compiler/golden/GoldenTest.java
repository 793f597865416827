package dev.adjoint.compiler.golden;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.fail;

import dev.adjoint.compiler.Compilation;
import dev.adjoint.compiler.Run;
import dev.adjoint.compiler.RunOptions;
import dev.adjoint.compiler.diag.CompileException;
import dev.adjoint.compiler.ir.Graph;
import dev.adjoint.compiler.ir.Node;
import dev.adjoint.runtime.DType;
import dev.adjoint.runtime.Tensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Runs every case under the test resource folder {@code goldens/} in the reference interpreter,
 * with every float in the case's dtype (f64), and compares the results with what an independent
 * PyTorch implementation computed (tools/reference/, see its README for how to regenerate). Cases
 * with {@code as_written_*} tolerances run a second time with their types as written.
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
    List<String> failures = compareOutputs(golden, run.outputs(), golden.rtol(), golden.atol(), false, "");

    if (golden.asWritten().isPresent()) {
      GoldenCase.Tolerance tolerance = golden.asWritten().get();
      RunOptions written = RunOptions.defaults().withDims(golden.dims());
      Run asWritten = compilation.run(golden.entry(), written,
          golden.inputsAsDeclared(declaredTypes(compilation, golden)), golden.params());
      failures.addAll(compareOutputs(golden, asWritten.outputs(), tolerance.rtol(), tolerance.atol(), true, " (as written)"));
    }
    if (!failures.isEmpty()) {
      fail(golden + ", entry " + golden.entry() + ":\n  " + String.join("\n  ", failures));
    }
  }

  /**
   * Each output against its golden, labelled {@code output} or {@code output_i} then {@code suffix}.
   * A float result of a run {@code asWritten} may be narrower than the f64 golden (an entry
   * declared f32): it is compared at f64.
   */
  static List<String> compareOutputs(GoldenCase golden, List<Tensor> actual, double rtol, double atol, boolean asWritten,
      String suffix) {
    assertEquals(golden.outputs().size(), actual.size(), golden + ": number of results of " + golden.entry() + suffix);
    List<String> failures = new ArrayList<>();
    for (int i = 0; i < golden.outputs().size(); i++) {
      Tensor expected = golden.outputs().get(i);
      Tensor got = actual.get(i);
      if (asWritten && got.dtype().isFloating() && expected.dtype().isFloating()) got = got.cast(expected.dtype());
      Optional<String> mismatch = TensorComparison.compare(expected, got, rtol, atol);
      String label = (golden.outputs().size() == 1 ? "output" : "output_" + i) + suffix;
      mismatch.ifPresent(m -> failures.add(label + ": " + m));
    }
    return failures;
  }

  /** The element type of each argument of the case's entry, as its program declares it. */
  static Map<String, DType> declaredTypes(Compilation compilation, GoldenCase golden) {
    Map<String, DType> types = new TreeMap<>();
    RunOptions written = RunOptions.defaults().withDims(golden.dims());
    for (Node a : compilation.graph(golden.entry(), written, Map.of()).graph().arguments()) {
      types.put(Graph.paramName(a), a.type().dtype());
    }
    return types;
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
