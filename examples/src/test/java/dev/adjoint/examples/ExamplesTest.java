package dev.adjoint.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.DynamicContainer.dynamicContainer;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import dev.adjoint.cli.Main;
import dev.adjoint.compiler.Compilation;
import dev.adjoint.compiler.RunOptions;
import dev.adjoint.compiler.diag.CompileException;
import dev.adjoint.compiler.ir.Dim;
import dev.adjoint.compiler.ir.Graph;
import dev.adjoint.compiler.ir.Node;
import dev.adjoint.compiler.ir.TensorType;
import dev.adjoint.runtime.DType;
import dev.adjoint.runtime.Tensor;
import dev.adjoint.runtime.io.Npy;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every example program checks, and every entry point of every example runs through
 * {@code adjoint eval} on random inputs of small sizes, giving finite results of the declared
 * shapes. The commands in each example's header comment ({@code // Run: adjoint eval ...}) work
 * as written.
 */
class ExamplesTest {
  /** Maven runs the tests in the module folder. */
  static final Path SOURCES = Path.of("src/main/adjoint");

  /** Sizes of run-time dims and shape variables; S differs from T so that a mix-up shows. */
  static final Map<String, Long> SIZES = Map.of("B", 2L, "T", 3L, "S", 4L, "N", 3L);

  /** What a leading {@code ...} stands for. */
  static final int[] ELLIPSIS = {2};

  @TempDir Path dir;

  static List<Path> examples() {
    try (Stream<Path> s = Files.list(SOURCES)) {
      List<Path> files = s.filter(p -> p.toString().endsWith(".adj")).sorted().toList();
      assertFalse(files.isEmpty(), "no examples under " + SOURCES.toAbsolutePath());
      return files;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @TestFactory
  Stream<DynamicNode> everyExampleChecksAndEveryEntryPointRuns() {
    return examples().stream().map(file -> {
      String name = file.getFileName().toString();
      Compilation c;
      try {
        c = Compilation.compile(file);
      } catch (CompileException e) {
        return dynamicTest(name + " checks", () -> fail(e.diagnostics().render()));
      }
      List<DynamicNode> tests = new ArrayList<>();
      tests.add(dynamicTest("checks", () -> {
        Cli r = Cli.run(List.of("check", file.toString()));
        assertEquals("", r.err());
        assertEquals(0, r.status());
        assertEquals("", r.out());
      }));
      assertFalse(c.entryPoints().isEmpty(), file + " has no entry point");
      for (String entry : c.entryPoints()) {
        tests.add(dynamicTest(entry, () -> evaluate(file, c, entry)));
      }
      return dynamicContainer(name, tests);
    });
  }

  /** Runs one entry on random inputs and checks every result's type, shape and finiteness. */
  private void evaluate(Path file, Compilation c, String entry) throws IOException {
    Graph graph = c.graph(entry, RunOptions.defaults(), Map.of()).graph();
    Path work = Files.createTempDirectory(dir, "run");
    Map<String, Long> sizes = sizes(graph);
    long vocabulary = vocabulary(file);
    Random random = new Random(entry.hashCode());
    List<String> args = new ArrayList<>(List.of("eval", file.toString(), "--entry", entry));
    for (Node a : graph.arguments()) {
      String name = Graph.paramName(a);
      Path input = work.resolve("in_" + name + ".npy");
      Npy.write(input, randomTensor(a.type(), sizes, vocabulary, random, file + " " + entry + " " + name));
      args.addAll(List.of("--input", name + "=" + input));
    }
    Path out = work.resolve("out");
    args.addAll(List.of("--out", out.toString()));
    Cli r = Cli.run(args);
    assertEquals(0, r.status(), () -> String.join(" ", args) + "\n" + r.err());
    assertEquals("", r.err());

    List<Node> outputs = graph.outputs();
    for (int i = 0; i < outputs.size(); i++) {
      String name = outputs.size() == 1 ? "output.npy" : "output_" + i + ".npy";
      Tensor t = Npy.read(out.resolve(name));
      TensorType declared = outputs.get(i).type();
      String what = file.getFileName() + " " + entry + " " + name;
      assertEquals(declared.dtype(), t.dtype(), what + ": element type");
      assertEquals(Arrays.stream(concrete(declared, sizes)).boxed().toList(), t.shape(), what + ": shape of " + declared);
      if (t.dtype().isFloating()) {
        double[] v = t.toDoubles();
        for (int k = 0; k < v.length; k++) {
          int at = k;
          assertTrue(Double.isFinite(v[k]), () -> what + ": element " + at + " is " + v[at]);
        }
      }
      assertTrue(r.out().contains(name + ": " + t.dtype().languageName()), r.out());
    }
    assertTrue(Files.isRegularFile(out.resolve("params.safetensors")), "params.safetensors");
  }

  /** The sizes for every symbol the entry's types use: {@link #SIZES}, else 2. */
  static Map<String, Long> sizes(Graph graph) {
    Map<String, Long> sizes = new LinkedHashMap<>();
    for (Node n : graph.topologicalOrder()) {
      for (Dim d : n.type().shape().dims()) {
        for (String s : d.symbols()) {
          if (!s.equals("...")) sizes.putIfAbsent(s, SIZES.getOrDefault(s, 2L));
        }
      }
    }
    return sizes;
  }

  /** The shape of a declared type at the chosen sizes; a leading {@code ...} becomes {@link #ELLIPSIS}. */
  static int[] concrete(TensorType type, Map<String, Long> sizes) {
    List<Integer> shape = new ArrayList<>();
    for (Dim d : type.shape().dims()) {
      if (d.equals(Dim.symbol("..."))) {
        for (int e : ELLIPSIS) shape.add(e);
      } else {
        shape.add(Math.toIntExact(d.evaluate(sizes)));
      }
    }
    return shape.stream().mapToInt(Integer::intValue).toArray();
  }

  /** Floats from a normal distribution, ids below the vocabulary size, random booleans. */
  static Tensor randomTensor(TensorType type, Map<String, Long> sizes, long vocabulary, Random random, String what) {
    int[] shape = concrete(type, sizes);
    int n = Arrays.stream(shape).reduce(1, Math::multiplyExact);
    double[] v = new double[n];
    DType dtype = type.dtype();
    for (int i = 0; i < n; i++) {
      if (dtype.isFloating()) {
        v[i] = random.nextGaussian();
      } else if (dtype == DType.I32) {
        assertTrue(vocabulary > 0, what + ": an i32 input needs the example to declare its vocabulary, const V");
        v[i] = random.nextInt((int) vocabulary);
      } else {
        v[i] = random.nextBoolean() ? 1 : 0;
      }
    }
    return Tensor.ofDoubles(dtype, shape, v);
  }

  private static final Pattern VOCABULARY = Pattern.compile("\\bconst\\b[^\\n]*?\\bV\\s*=\\s*(\\d+)");

  /** The example's vocabulary size, {@code const V = 16}; 0 if it declares none. */
  static long vocabulary(Path file) throws IOException {
    Matcher m = VOCABULARY.matcher(Files.readString(file));
    return m.find() ? Long.parseLong(m.group(1)) : 0;
  }

  /** {@code // Run: adjoint eval X.adj ...} and the like, in an example's header. */
  private static final Pattern DOCUMENTED = Pattern.compile("^//\\s*(?:[A-Za-z]+:)?\\s*adjoint eval (\\S+\\.adj)(.*)$");

  @TestFactory
  Stream<DynamicNode> theCommandsInTheHeadersWork() {
    List<DynamicNode> tests = new ArrayList<>();
    for (Path file : examples()) {
      List<String> lines;
      try {
        lines = Files.readAllLines(file);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      for (String line : lines) {
        Matcher m = DOCUMENTED.matcher(line.trim());
        if (!m.matches()) continue;
        assertEquals(file.getFileName().toString(), m.group(1), "the command in " + file + " runs another file");
        String options = m.group(2).trim();
        tests.add(dynamicTest(file.getFileName() + ": adjoint eval " + m.group(1) + " " + options,
            () -> runDocumented(file, options)));
      }
    }
    assertFalse(tests.isEmpty());
    return tests.stream();
  }

  /** Runs {@code options} as written, with generated files for the --input paths and a temporary --out. */
  private void runDocumented(Path file, String options) throws IOException {
    Compilation c = Compilation.compile(file);
    List<String> words = List.of(options.split("\\s+"));
    String entry = null;
    for (int i = 0; i + 1 < words.size(); i++) {
      if (words.get(i).equals("--entry")) entry = words.get(i + 1);
    }
    if (entry == null) entry = c.defaultEntry();
    Graph graph = c.graph(entry, RunOptions.defaults(), Map.of()).graph();
    Map<String, Long> sizes = sizes(graph);
    Map<String, TensorType> types = new LinkedHashMap<>();
    for (Node a : graph.arguments()) types.put(Graph.paramName(a), a.type());
    Path work = Files.createTempDirectory(dir, "documented");
    Random random = new Random(1);
    List<String> args = new ArrayList<>(List.of("eval", file.toString()));
    for (int i = 0; i < words.size(); i++) {
      String w = words.get(i);
      if ((w.equals("--input") || w.equals("--out")) && i + 1 < words.size()) {
        String value = words.get(++i);
        if (w.equals("--out")) {
          args.addAll(List.of("--out", work.resolve("out").toString()));
          continue;
        }
        String name = value.substring(0, value.indexOf('='));
        assertTrue(types.containsKey(name), "--input " + value + ": " + entry + " has no argument '" + name + "'");
        Path input = work.resolve(name + ".npy");
        Npy.write(input, randomTensor(types.get(name), sizes, vocabulary(file), random, name));
        args.addAll(List.of("--input", name + "=" + input));
      } else {
        args.add(w);
      }
    }
    Cli r = Cli.run(args);
    assertEquals(0, r.status(), () -> String.join(" ", args) + "\n" + r.err());
    assertEquals("", r.err());
  }

  /**
   * The word-vectors example's promise, read from what {@code adjoint eval} prints: next to orange
   * the apple moves to (1.15, 2.43), next to phone to (2.85, 1.15).
   */
  @Test
  void wordVectorsPrintTheMovedApple() {
    assertApple("orange_apple", 1.15, 2.43);
    assertApple("phone_apple", 2.85, 1.15);
  }

  private void assertApple(String entry, double x, double y) {
    Path out = dir.resolve(entry);
    Cli r = Cli.run(List.of("eval", SOURCES.resolve("word_vectors.adj").toString(), "--entry", entry,
        "--out", out.toString()));
    assertEquals(0, r.status(), r.err());
    Matcher m = Pattern.compile("^output\\.npy: f32\\[2, 2\\] \\[\\[(\\S+), (\\S+)\\], \\[(\\S+), (\\S+)\\]\\]$")
        .matcher(r.out().strip());
    assertTrue(m.matches(), "eval printed: " + r.out());
    // Row 1 is the apple; the example states it to two decimals.
    assertEquals(x, twoDecimals(Double.parseDouble(m.group(3))), 1e-9, entry + ": apple x in " + r.out());
    assertEquals(y, twoDecimals(Double.parseDouble(m.group(4))), 1e-9, entry + ": apple y in " + r.out());
    // The printed numbers are the written ones.
    double[] written = Npy.read(out.resolve("output.npy")).toDoubles();
    for (int i = 0; i < 4; i++) {
      assertEquals(written[i], Float.parseFloat(m.group(i + 1)), 0.0, "element " + i);
    }
  }

  private static double twoDecimals(double v) {
    return Math.round(v * 100) / 100.0;
  }

  /** One in-process run of the adjoint command. */
  record Cli(int status, String out, String err) {
    static Cli run(List<String> args) {
      StringWriter out = new StringWriter();
      StringWriter err = new StringWriter();
      int status = Main.run(args.toArray(String[]::new), new PrintWriter(out, true), new PrintWriter(err, true));
      return new Cli(status, out.toString(), err.toString());
    }
  }
}
