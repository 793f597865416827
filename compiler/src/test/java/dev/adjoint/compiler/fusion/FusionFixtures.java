package dev.adjoint.compiler.fusion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.adjoint.compiler.Compilation;
import dev.adjoint.compiler.RunOptions;
import dev.adjoint.compiler.ir.Dim;
import dev.adjoint.compiler.kernel.Buffer;
import dev.adjoint.compiler.kernel.Kernel;
import dev.adjoint.compiler.kernel.KernelProgram;
import dev.adjoint.compiler.pipeline.Gradient;
import dev.adjoint.compiler.pipeline.Pipeline;
import dev.adjoint.compiler.pipeline.Stage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The programs of the fusion tests ({@code src/test/resources/fusion/NAME.adj}), compiled to
 * kernels three ways, and what the tests say about the result: its structure as text, and its
 * kernel IR against a golden file.
 *
 * <p>Goldens ({@code fusion/NAME.kernels}) are {@link dev.adjoint.compiler.kernel.KernelPrinter}'s
 * text of a program. After a deliberate change to partitioning or lowering, rewrite them all and
 * review the diff:
 *
 * <pre>
 * mvn -B -o -q test -pl compiler -Dtest=FusionRulesTest -Dadjoint.updateGoldens=true
 * git diff compiler/src/test/resources/fusion/
 * </pre>
 */
final class FusionFixtures {
  /** Where the sources and goldens live, relative to the module (Maven's working directory for tests). */
  static final Path SOURCES = Path.of("src/test/resources/fusion");

  /** Set to rewrite the goldens from the current compiler instead of comparing with them. */
  static final boolean UPDATE_GOLDENS = Boolean.getBoolean("adjoint.updateGoldens");

  private FusionFixtures() {}

  /** Compiles {@code fusion/NAME.adj}; kernels name their source lines as {@code NAME.adj:line}. */
  static Compilation compile(String name) {
    return Compilation.compileSource(name + ".adj", resource(name + ".adj"));
  }

  /** The entry's forward program. */
  static KernelProgram forward(String name, String entry) {
    return compile(name).kernels(entry, RunOptions.defaults(), false);
  }

  /**
   * Forward and backward as {@link Compilation#kernels} builds them: the gradient of every param
   * and floating input, each output seeded with ones (for a scalar loss, the training step).
   */
  static KernelProgram gradient(String name, String entry) {
    return compile(name).kernels(entry, RunOptions.defaults(), true);
  }

  /**
   * Forward and backward with the output's cotangent as an argument named {@code cotangent} (what
   * {@code eval --grad --cotangent} runs): the backward of a layer inside a model, where the
   * gradient arriving from above is data, not ones.
   */
  static KernelProgram vjp(String name, String entry, RunOptions options) {
    return vjp(compile(name), entry, options);
  }

  static KernelProgram vjp(Compilation c, String entry, RunOptions options) {
    return Pipeline.gradient(Gradient.withCotangent()).elaborate(c, entry, options).through(Stage.SCHEDULE).kernels();
  }

  /**
   * One line per kernel: its kind, then what it writes, in order, each as {@code out} (a result)
   * or {@code tmp} (an intermediate) and its type — {@code attention -> tmp f32[B, 2, T], out f32[B, 2, T, 8]}.
   */
  static List<String> structure(KernelProgram program) {
    List<String> lines = new ArrayList<>();
    for (Kernel k : program.kernels()) {
      lines.add(k.kind() + " -> " + k.writes().stream().map(FusionFixtures::describe).collect(Collectors.joining(", ")));
    }
    return lines;
  }

  private static String describe(Buffer b) {
    String role = switch (b.role()) {
      case OUTPUT -> "out";
      case TEMPORARY -> "tmp";
      case ARGUMENT, PARAM -> "input";
    };
    return role + " " + b.type();
  }

  static void assertStructure(KernelProgram program, String... expected) {
    assertEquals(List.of(expected), structure(program), () -> "kernel structure of\n" + FusedText.of(program));
  }

  /** Kernel kinds in order. */
  static List<String> kinds(KernelProgram program) {
    return program.kernels().stream().map(k -> k.kind().label()).toList();
  }

  /**
   * Intermediates with two axes of the same run-time size, such as attention scores [B, H, T, T]:
   * what fusion must never write.
   */
  static List<Buffer> squareTemporaries(KernelProgram program) {
    List<Buffer> out = new ArrayList<>();
    for (Buffer b : program.temporaries()) if (isSquare(b)) out.add(b);
    return out;
  }

  static boolean isSquare(Buffer b) {
    List<Dim> dims = b.type().shape().dims();
    for (int i = 0; i < dims.size(); i++) {
      for (int j = i + 1; j < dims.size(); j++) {
        if (!dims.get(i).isConstant() && dims.get(i).equals(dims.get(j))) return true;
      }
    }
    return false;
  }

  /** Intermediates some kernel writes and no kernel reads: memory traffic for nothing. */
  static List<String> deadTemporaries(KernelProgram program) {
    Set<Buffer> read = new HashSet<>();
    for (Kernel k : program.kernels()) read.addAll(k.reads());
    List<String> dead = new ArrayList<>();
    for (Buffer b : program.temporaries()) if (!read.contains(b)) dead.add(b.name() + " : " + b.type());
    return dead;
  }

  /** The kernel IR text of {@code program} equals {@code fusion/GOLDEN.kernels} (or rewrites it). */
  static void assertGolden(String golden, KernelProgram program) {
    String actual = dev.adjoint.compiler.kernel.KernelPrinter.print(program);
    String file = golden + ".kernels";
    if (UPDATE_GOLDENS) {
      try {
        Files.createDirectories(SOURCES);
        Files.writeString(SOURCES.resolve(file), actual, StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return;
    }
    String expected = optionalResource(file);
    if (expected == null) {
      fail("no golden fusion/" + file + "; write it with -Dadjoint.updateGoldens=true and review it. The kernels:\n" + actual);
    }
    assertEquals(expected, actual, () -> "kernel IR differs from fusion/" + file
        + " (if the change is intended, rewrite the goldens with -Dadjoint.updateGoldens=true and review the diff)");
  }

  static String resource(String file) {
    String text = optionalResource(file);
    if (text == null) fail("missing test resource fusion/" + file);
    return text;
  }

  /**
   * From the source folder when the tests run in the module (so rewritten goldens count at once,
   * and a deleted one is missing rather than read stale from target/), else the class path.
   */
  private static String optionalResource(String file) {
    try {
      if (Files.isDirectory(SOURCES)) {
        Path p = SOURCES.resolve(file);
        return Files.isRegularFile(p) ? Files.readString(p, StandardCharsets.UTF_8) : null;
      }
      try (InputStream in = FusionFixtures.class.getResourceAsStream("/fusion/" + file)) {
        return in == null ? null : new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A short listing for assertion messages. */
  static final class FusedText {
    private FusedText() {}

    static String of(KernelProgram program) {
      StringBuilder out = new StringBuilder();
      for (Kernel k : program.kernels()) {
        out.append("  ").append(k.name()).append(" reads ")
            .append(k.reads().stream().map(b -> b.name() + " " + b.type()).collect(Collectors.joining(", ")))
            .append(" writes ")
            .append(k.writes().stream().map(b -> b.name() + " " + b.type()).collect(Collectors.joining(", ")))
            .append('\n');
      }
      return out.toString();
    }
  }
}
