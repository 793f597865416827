package dev.adjoint.codegen.java;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.palantir.javapoet.JavaFile;
import dev.adjoint.compiler.Compilation;
import dev.adjoint.compiler.RunOptions;
import dev.adjoint.compiler.interp.DArray;
import dev.adjoint.compiler.interp.EvalContext;
import dev.adjoint.compiler.kernel.KernelInterpreter;
import dev.adjoint.compiler.kernel.KernelProgram;
import dev.adjoint.runtime.DType;
import dev.adjoint.runtime.Tensor;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class JavaGeneratorTest {
  private static final InProcessCompiler JAVAC = InProcessCompiler.withoutCache(GeneratedEquivalenceTest.werror());

  private static final Map<String, DArray> HOSTILE_INPUTS = new LinkedHashMap<>();

  static {
    HOSTILE_INPUTS.put(HandWrittenPrograms.X.name(), DArray.of(DType.F32, new int[] {7},
        new double[] {1.5, -2.25, Double.NaN, 0.0, -0.0, 3e5, -7}));
    HOSTILE_INPUTS.put(HandWrittenPrograms.P.name(), DArray.of(DType.I32, new int[] {7},
        new double[] {-7, -1, 0, 5, 3, -3, 100}));
    HOSTILE_INPUTS.put(HandWrittenPrograms.GROESSE.name(), DArray.of(DType.F64, new int[] {7},
        new double[] {0.3, -1.2, 2.5, 0.0, -0.0, 10.0, -3.3}));
    HOSTILE_INPUTS.put(HandWrittenPrograms.FLAGS.name(), DArray.of(DType.BOOL, new int[] {7},
        new double[] {1, 0, 1, 0, 1, 0, 1}));
  }

  @Test
  void hostileNamesCannotInjectCode() throws Exception {
    KernelProgram program = HandWrittenPrograms.program();
    JavaFile file = JavaGenerator.generate(program, "dev.adjoint.generated.test", "Hostile");
    String source = file.toString();

    // Plain ASCII, so no unicode escape or odd line terminator can change what javac reads.
    assertTrue(source.chars().allMatch(ch -> ch == '\n' || (ch >= 0x20 && ch < 0x7F)), "non-ASCII or control characters");
    // Each hostile name survives only sanitised, in comments, or as an escaped string literal.
    assertTrue(source.contains("sizes.get(\"n\\\"; System.exit(2); //\")"), source);
    String code = codeOnly(source);
    for (String fragment : List.of("System.exit", "class Evil", "Evil {", "{@code", "*/", "\"names\"")) {
      assertFalse(code.contains(fragment), () -> fragment + " outside comments and string literals:\n" + code);
    }

    Class<?> generated = JAVAC.load(file);
    // Nothing but run() and one method per kernel (and the lambdas of parallel loops).
    TreeSet<String> methods = new TreeSet<>();
    for (Method m : generated.getDeclaredMethods()) if (!m.isSynthetic()) methods.add(m.getName());
    assertEquals(new TreeSet<>(List.of("run", "k0EvilU000a", "k1", "k2")), methods);
    assertEquals(0, generated.getDeclaredClasses().length);
    assertEquals(1, generated.getDeclaredConstructors().length);
    assertEquals(0, generated.getDeclaredFields().length);
    assertTrue(Modifier.isFinal(generated.getModifiers()));

    // And it computes what the interpreter computes, to the bit.
    assertSameAsInterpreter(program, generated, 1);
    assertSameAsInterpreter(program, generated, 3);
  }

  /** The source without comments and with every string literal emptied: what javac reads as code. */
  static String codeOnly(String source) {
    StringBuilder out = new StringBuilder();
    int i = 0;
    while (i < source.length()) {
      if (source.startsWith("//", i)) {
        i = source.indexOf('\n', i);
        if (i < 0) break;
      } else if (source.startsWith("/*", i)) {
        int end = source.indexOf("*/", i + 2);
        assertTrue(end > 0, "unterminated comment");
        i = end + 2;
      } else if (source.charAt(i) == '"') {
        int j = i + 1;
        while (source.charAt(j) != '"') j += source.charAt(j) == '\\' ? 2 : 1;
        out.append("\"\"");
        i = j + 1;
      } else {
        out.append(source.charAt(i++));
      }
    }
    return out.toString();
  }

  private static void assertSameAsInterpreter(KernelProgram program, Class<?> generated, int threads) {
    Map<String, Long> sizes = Map.of(HandWrittenPrograms.SIZE, 7L);
    List<DArray> expected = KernelInterpreter.outputs(program, HOSTILE_INPUTS, new EvalContext(sizes, 11, 5));
    Map<String, Tensor> tensors = new LinkedHashMap<>();
    HOSTILE_INPUTS.forEach((name, d) -> tensors.put(name, Tensor.ofDoubles(d.dtype(), d.shape(), d.toArray())));
    List<Tensor> actual = new JavaBackend.Prepared(program, InProcessCompiler.instantiate(generated))
        .run(tensors, sizes, 11, 5, threads);
    assertEquals(expected.size(), actual.size());
    for (int i = 0; i < expected.size(); i++) {
      int output = i;
      assertTrue(GoldenPrograms.identical(expected.get(i), actual.get(i)), () -> "output " + output + " ("
          + program.outputs().get(output).name() + "): " + Arrays.toString(expected.get(output).toArray()) + " vs "
          + actual.get(output));
    }
  }

  @Test
  void generatedCodeNamesThingsAfterTheProgram() {
    KernelProgram program = HandWrittenPrograms.program();
    String source = JavaGenerator.generate(program, "p", "Hostile").toString();
    // Keywords get a suffix, clashes a number, names without letters a prefix.
    for (String expected : List.of("final float[] xSystemExit_1 = buffers.f32(0);", "final double[] grE = buffers.f64(1);",
        "final int[] classEvil = buffers.i32(3);", "final float[] class_ = buffers.f32(4);",
        "final double[] math = buffers.f64(5);", "final int[] context_2 = buffers.i32(6);",
        "final float[] aB = buffers.f32(7);", "final float[] aB_2 = buffers.f32(8);", "final boolean[] aB_3 = buffers.bool(9);",
        "final double[] buffer0x = buffers.f64(10);", "final float[] buffers_2 = buffers.f32(11);",
        "final float[] buffer = buffers.f32(12);", "final int nSystemExit_2 = sizes.get(",
        "final float for_ = xSystemExit_1[i];", "final int int_ = classEvil[i];", "final int v = Math.floorDiv(int_, 3);",
        "final int var_ = Math.floorMod(int_, 3);", "final double math_2 = grE[i];", "final boolean yield_ = u000a[i];",
        "for (int i_2 = 0; i_2 < 2; i_2++) {", "final float for__2 = (float) i_2 * (-1.5f);")) {
      assertTrue(source.contains(expected), () -> "no '" + expected + "' in\n" + source);
    }
  }

  @Test
  void loopsRunOnOneThreadWhenTheyAccumulateOrTouchOuterLocals() {
    String source = JavaGenerator.generate(HandWrittenPrograms.program(), "p", "Hostile").toString();
    assertTrue(source.contains("// One thread: the loop updates locals declared before it."), source);
    assertTrue(source.contains("// One thread: iterations add into aB, so they run in order"), source);
    assertTrue(source.contains("// Iterations of i, j are independent: split them across the pool's threads."), source);
    // The flattened nest: i and j from one range.
    assertTrue(source.contains("context.parallelFor(nSystemExit_2 * 3, (start, end) -> {"), source);
    assertTrue(source.contains("final int i = row / 3;"), source);
    assertTrue(source.contains("final int j = row % 3;"), source);
    // An extent read from a mutable local is evaluated once, as the interpreter does.
    assertTrue(source.contains("final int uCount = m;"), source);
  }

  @Test
  void generatingTwiceGivesTheSameBytes() throws Exception {
    Path folder = GoldenPrograms.goldenFolder("example_encoder_layer");
    Properties properties = new Properties();
    try (var reader = java.nio.file.Files.newBufferedReader(folder.resolve("case.properties"))) {
      properties.load(reader);
    }
    String entry = properties.getProperty("entry").strip();
    // Two separate compilations of the source: nothing may depend on identity hash codes or map order.
    String first = JavaGenerator.generate(Compilation.compile(folder.resolve("program.adj")).kernels(entry,
        RunOptions.defaults(), true), "p", "Encoder").toString();
    String second = JavaGenerator.generate(Compilation.compile(folder.resolve("program.adj")).kernels(entry,
        RunOptions.defaults(), true), "p", "Encoder").toString();
    assertEquals(first, second);
    KernelProgram hostile = HandWrittenPrograms.program();
    assertEquals(JavaGenerator.generate(hostile, "p", "Hostile").toString(),
        JavaGenerator.generate(HandWrittenPrograms.program(), "p", "Hostile").toString());
  }

  @Test
  void badClassAndPackageNamesAreRefused() {
    KernelProgram program = HandWrittenPrograms.program();
    for (String bad : List.of("", "class", "Math", "Buffers", "A-B", "A.B", "1A", "A\"")) {
      assertThrows(IllegalArgumentException.class, () -> JavaGenerator.generate(program, "p", bad), bad);
    }
    for (String bad : List.of("a..b", "a.class", "a-b", " a")) {
      assertThrows(IllegalArgumentException.class, () -> JavaGenerator.generate(program, bad, "A"), bad);
    }
    assertTrue(JavaGenerator.generate(program, "", "A").toString().startsWith("import "));
  }

  @Test
  void classNamesComeFromProgramNames() {
    assertEquals("HostileNames", JavaGenerator.className(HandWrittenPrograms.program()));
  }
}
