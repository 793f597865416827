package dev.adjoint.codegen.java;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.palantir.javapoet.JavaFile;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeSpec;
import dev.adjoint.runtime.exec.Buffers;
import dev.adjoint.runtime.exec.CompiledKernels;
import dev.adjoint.runtime.exec.RunContext;
import dev.adjoint.runtime.exec.Sizes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import javax.lang.model.element.Modifier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InProcessCompilerTest {
  @TempDir
  Path cache;

  /** A tiny CompiledKernels class that writes {@code value} into slot 0. */
  private static JavaFile kernels(String className, float value) {
    MethodSpec run = MethodSpec.methodBuilder("run")
        .addAnnotation(Override.class)
        .addModifiers(Modifier.PUBLIC)
        .addParameter(Buffers.class, "buffers")
        .addParameter(Sizes.class, "sizes")
        .addParameter(RunContext.class, "context")
        .addStatement("buffers.f32(0)[0] = $Lf", value)
        .build();
    TypeSpec type = TypeSpec.classBuilder(className).addModifiers(Modifier.PUBLIC, Modifier.FINAL)
        .addSuperinterface(CompiledKernels.class).addMethod(run).build();
    return JavaFile.builder("dev.adjoint.generated.test", type).build();
  }

  private static float runIt(Class<?> generated) {
    float[] out = new float[1];
    InProcessCompiler.instantiate(generated).run(Buffers.of((Object) out), Sizes.none(), RunContext.of(0, 0));
    return out[0];
  }

  private Path onlyEntry() throws IOException {
    try (Stream<Path> s = Files.list(cache)) {
      List<Path> entries = s.toList();
      assertEquals(1, entries.size(), "cache entries: " + entries);
      return entries.get(0);
    }
  }

  private static Path classFile(Path entry) throws IOException {
    try (Stream<Path> s = Files.list(entry)) {
      return s.filter(p -> p.toString().endsWith(".class")).findFirst().orElseThrow();
    }
  }

  @Test
  void aSecondLoadOfUnchangedSourceRunsNoJavac() {
    JavaFile file = kernels("Tiny", 42);
    InProcessCompiler first = InProcessCompiler.withCache(cache);
    Class<?> a = first.load(file);
    assertEquals(1, first.javacRuns());
    assertSame(a, first.load(file), "the same compiler keeps what it loaded");
    assertEquals(1, first.javacRuns());

    // A new compiler, as in a new process: the class comes from disk.
    InProcessCompiler second = InProcessCompiler.withCache(cache);
    Class<?> b = second.load(file);
    assertEquals(0, second.javacRuns());
    assertNotSame(a, b);
    assertEquals(42f, runIt(b));
  }

  @Test
  void changedSourceOrOptionsCompileAgain() {
    InProcessCompiler compiler = InProcessCompiler.withCache(cache);
    compiler.load(kernels("Tiny", 1));
    assertEquals(2f, runIt(compiler.load(kernels("Tiny", 2))));
    assertEquals(2, compiler.javacRuns());
    InProcessCompiler strict = InProcessCompiler.withCache(cache, GeneratedEquivalenceTest.werror());
    strict.load(kernels("Tiny", 1));
    assertEquals(1, strict.javacRuns(), "other options, other entry");
  }

  @Test
  void aTruncatedClassFileIsDetectedAndRebuilt() throws IOException {
    JavaFile file = kernels("Tiny", 7);
    InProcessCompiler.withCache(cache).load(file);
    Path classFile = classFile(onlyEntry());
    byte[] bytes = Files.readAllBytes(classFile);
    Files.write(classFile, java.util.Arrays.copyOf(bytes, bytes.length / 2));

    InProcessCompiler again = InProcessCompiler.withCache(cache);
    assertEquals(7f, runIt(again.load(file)));
    assertEquals(1, again.javacRuns(), "the damaged entry was compiled again");
    assertEquals(bytes.length, Files.size(classFile), "and rewritten");
    InProcessCompiler third = InProcessCompiler.withCache(cache);
    third.load(file);
    assertEquals(0, third.javacRuns(), "the rebuilt entry is good");
  }

  @Test
  void anAlteredClassFileIsDetectedAndRebuilt() throws IOException {
    JavaFile file = kernels("Tiny", 7);
    InProcessCompiler.withCache(cache).load(file);
    Path classFile = classFile(onlyEntry());
    byte[] bytes = Files.readAllBytes(classFile);
    // Change the float constant's bytes: a class that still loads, and computes something else.
    int at = indexOf(bytes, new byte[] {0x40, (byte) 0xE0, 0, 0});
    assertTrue(at > 0, "7.0f in the constant pool");
    bytes[at] = 0x41;
    Files.write(classFile, bytes);

    InProcessCompiler again = InProcessCompiler.withCache(cache);
    assertEquals(7f, runIt(again.load(file)));
    assertEquals(1, again.javacRuns());
  }

  @Test
  void anEntryWithoutChecksumsIsRebuilt() throws IOException {
    JavaFile file = kernels("Tiny", 3);
    InProcessCompiler.withCache(cache).load(file);
    Files.delete(onlyEntry().resolve("SHA256SUMS"));
    InProcessCompiler again = InProcessCompiler.withCache(cache);
    assertEquals(3f, runIt(again.load(file)));
    assertEquals(1, again.javacRuns());
  }

  @Test
  void anEntryHoldsClassFilesAndChecksumsOnly() throws IOException {
    InProcessCompiler.withCache(cache).load(kernels("Tiny", 3));
    List<String> names = new ArrayList<>();
    try (Stream<Path> s = Files.list(onlyEntry())) {
      s.forEach(p -> names.add(p.getFileName().toString()));
    }
    assertEquals(List.of("SHA256SUMS", "dev.adjoint.generated.test.Tiny.class"), names.stream().sorted().toList());
  }

  @Test
  void aBatchCompilesInOneJavacRun() {
    InProcessCompiler compiler = InProcessCompiler.withCache(cache);
    List<Class<?>> classes = compiler.loadAll(List.of(kernels("A", 1), kernels("B", 2), kernels("C", 3)));
    assertEquals(1, compiler.javacRuns());
    assertEquals(List.of(1f, 2f, 3f), classes.stream().map(InProcessCompilerTest::runIt).toList());
    // Two different sources of one class name cannot share a run; each still gets its own class.
    List<Class<?>> clash = compiler.loadAll(List.of(kernels("D", 4), kernels("D", 5)));
    assertEquals(List.of(4f, 5f), clash.stream().map(InProcessCompilerTest::runIt).toList());
    assertEquals(3, compiler.javacRuns());
  }

  @Test
  void compileErrorsSayWhere() {
    MethodSpec bad = MethodSpec.methodBuilder("f").addStatement("int x = $S", "text").build();
    JavaFile file = JavaFile.builder("p", TypeSpec.classBuilder("Broken").addMethod(bad).build()).build();
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> InProcessCompiler.withCache(cache).load(file));
    assertTrue(e.getMessage().contains("p.Broken:5: error: incompatible types"), e.getMessage());
    assertTrue(e.getMessage().contains("int x = \"text\";"), e.getMessage());
  }

  @Test
  void theDefaultCacheFolderFollowsTheSystemProperty() {
    String before = System.getProperty(InProcessCompiler.CACHE_PROPERTY);
    try {
      System.setProperty(InProcessCompiler.CACHE_PROPERTY, cache.toString());
      assertEquals(cache, InProcessCompiler.defaultCacheDirectory());
      assertEquals(cache, InProcessCompiler.create().cacheDirectory().orElseThrow());
      System.clearProperty(InProcessCompiler.CACHE_PROPERTY);
      assertEquals(Path.of(System.getProperty("user.home"), ".cache", "adjoint", "java"),
          InProcessCompiler.defaultCacheDirectory());
    } finally {
      if (before == null) System.clearProperty(InProcessCompiler.CACHE_PROPERTY);
      else System.setProperty(InProcessCompiler.CACHE_PROPERTY, before);
    }
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) if (haystack[i + j] != needle[j]) continue outer;
      return i;
    }
    return -1;
  }
}
