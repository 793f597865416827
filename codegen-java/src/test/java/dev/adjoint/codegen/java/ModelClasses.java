package dev.adjoint.codegen.java;

import com.palantir.javapoet.JavaFile;
import dev.adjoint.compiler.Compilation;
import dev.adjoint.compiler.RunOptions;
import dev.adjoint.runtime.DType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The generated model classes of the examples, at their declared element types and in f64,
 * compiled once (one javac run, all lint warnings errors, the runtime alone on the class path) for
 * every test that uses them.
 */
final class ModelClasses {
  static final Path EXAMPLES = Path.of("..", "examples", "src", "main", "adjoint");
  /** The examples whose classes are compiled, by file name. */
  static final List<String> FILES = List.of("encoder_layer.adj", "transformer.adj", "attention.adj");

  /** One compiled class. */
  record Compiled(String file, Optional<DType> dtype, Compilation compilation, JavaFile source, Class<?> type) {
    String label() {
      return type.getSimpleName() + " " + dtype.map(DType::languageName).orElse("declared");
    }

    RunOptions options(long seed) {
      RunOptions o = RunOptions.defaults().withSeed(seed);
      return dtype.map(o::withDtype).orElse(o);
    }

    Object newInstance(long seed) {
      try {
        return type.getConstructor(long.class).newInstance(seed);
      } catch (ReflectiveOperationException e) {
        throw new AssertionError(e);
      }
    }
  }

  static final List<Compiled> ALL = compileAll();

  private ModelClasses() {}

  private static List<Compiled> compileAll() {
    List<JavaFile> sources = new ArrayList<>();
    List<Compiled> pending = new ArrayList<>();
    for (Optional<DType> dtype : List.of(Optional.<DType>empty(), Optional.of(DType.F64))) {
      String pkg = "dev.adjoint.generated.models." + dtype.map(DType::languageName).orElse("declared");
      for (String file : FILES) {
        // The Transformer's class is the largest by far: once, at its declared types, keeps javac's time down.
        if (dtype.isPresent() && file.equals("transformer.adj")) continue;
        Compilation c = Compilation.compile(EXAMPLES.resolve(file));
        RunOptions options = dtype.map(RunOptions.defaults()::withDtype).orElse(RunOptions.defaults());
        for (JavaFile source : ModelGenerator.generate(c, pkg, options)) {
          sources.add(source);
          pending.add(new Compiled(file, dtype, c, source, null));
        }
      }
    }
    long start = System.nanoTime();
    List<Class<?>> classes = InProcessCompiler.withoutCache(GeneratedEquivalenceTest.werror()).loadAll(sources);
    System.out.printf("model classes: %d compiled in one javac run in %d ms%n", classes.size(),
        (System.nanoTime() - start) / 1_000_000);
    List<Compiled> out = new ArrayList<>();
    for (int i = 0; i < pending.size(); i++) {
      Compiled p = pending.get(i);
      out.add(new Compiled(p.file(), p.dtype(), p.compilation(), p.source(), classes.get(i)));
    }
    return List.copyOf(out);
  }

  static Compiled get(String simpleName, Optional<DType> dtype) {
    return ALL.stream().filter(c -> c.type().getSimpleName().equals(simpleName) && c.dtype().equals(dtype)).findFirst()
        .orElseThrow();
  }
}
