package dev.adjoint.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.constantpool.PoolEntry;
import java.lang.classfile.constantpool.Utf8Entry;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The runtime is what generated code needs and nothing more (ARCHITECTURE.md): read from its
 * compiled classes — every name in every constant pool, so a type mentioned only in a signature
 * counts — it uses the JDK and itself, no AWT or image I/O, no compiler and no training
 * application, and it has no {@code train} package.
 */
class RuntimeLayeringTest {
  private static final List<String> FORBIDDEN = List.of("java/awt/", "javax/imageio/", "javax/swing/", "dev/adjoint/train/",
      "dev/adjoint/compiler/", "dev/adjoint/codegen/", "dev/adjoint/cli/");

  @Test
  void runtimeClassesReferNeitherToAwtNorToTheCompilerNorToTraining() throws Exception {
    Path classes = classesFolder();
    TreeSet<String> found = new TreeSet<>();
    int count = 0;
    for (Path file : classFiles(classes)) {
      count++;
      ClassModel model = ClassFile.of().parse(Files.readAllBytes(file));
      for (PoolEntry entry : model.constantPool()) {
        if (!(entry instanceof Utf8Entry utf8)) continue;
        String text = utf8.stringValue();
        for (String prefix : FORBIDDEN) {
          if (text.contains(prefix)) found.add(model.thisClass().asInternalName() + " refers to " + text);
        }
      }
    }
    assertTrue(count > 50, "read " + count + " classes from " + classes);
    assertEquals(new TreeSet<>(), found);
  }

  @Test
  void runtimeHasNoTrainPackage() throws Exception {
    Path classes = classesFolder();
    assertEquals(List.of(), classFiles(classes).stream().map(f -> classes.relativize(f).toString().replace('\\', '/'))
        .filter(name -> name.contains("/train/")).toList());
  }

  /** Where {@link Tensor}'s class was loaded from: the module's compiled classes. */
  private static Path classesFolder() throws URISyntaxException {
    return Path.of(Tensor.class.getProtectionDomain().getCodeSource().getLocation().toURI());
  }

  private static List<Path> classFiles(Path root) {
    try (Stream<Path> files = Files.walk(root)) {
      return files.filter(p -> p.toString().endsWith(".class")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
