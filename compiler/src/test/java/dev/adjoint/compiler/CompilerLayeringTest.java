package dev.adjoint.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.constantpool.PoolEntry;
import java.lang.classfile.constantpool.Utf8Entry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The compiler does not import the training application (ARCHITECTURE.md: train depends on the
 * compiler, not the other way round), nor the backends or the command line: read from its
 * compiled classes, every name in every constant pool.
 */
class CompilerLayeringTest {
  private static final List<String> FORBIDDEN = List.of("dev/adjoint/train/", "dev/adjoint/runtime/train/",
      "dev/adjoint/codegen/", "dev/adjoint/cli/");

  @Test
  void compilerClassesReferNeitherToTrainingNorToBackends() throws Exception {
    Path classes = Path.of(Compilation.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    TreeSet<String> found = new TreeSet<>();
    List<Path> files = classFiles(classes);
    for (Path file : files) {
      ClassModel model = ClassFile.of().parse(Files.readAllBytes(file));
      for (PoolEntry entry : model.constantPool()) {
        if (!(entry instanceof Utf8Entry utf8)) continue;
        for (String prefix : FORBIDDEN) {
          if (utf8.stringValue().contains(prefix)) found.add(model.thisClass().asInternalName() + " refers to " + utf8.stringValue());
        }
      }
      String name = classes.relativize(file).toString().replace('\\', '/');
      if (name.contains("/train/")) found.add(name + " is in a train package");
    }
    assertTrue(files.size() > 100, "read " + files.size() + " classes from " + classes);
    assertEquals(new TreeSet<>(), found);
  }

  private static List<Path> classFiles(Path root) {
    try (Stream<Path> files = Files.walk(root)) {
      return files.filter(p -> p.toString().endsWith(".class")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
