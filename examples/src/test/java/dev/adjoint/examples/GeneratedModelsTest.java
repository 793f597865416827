package dev.adjoint.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.adjoint.compiler.Compilation;
import dev.adjoint.compiler.RunOptions;
import dev.adjoint.examples.models.WordVectors;
import dev.adjoint.runtime.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The classes this module's build generated with the Maven plugin, used as a program would use them. */
class GeneratedModelsTest {
  @Test
  void theGeneratedClassGivesWhatTheInterpreterGives() {
    Compilation c = Compilation.compile(Path.of("src/main/adjoint/word_vectors.adj"));
    WordVectors words = new WordVectors();
    for (var entry : Map.of("orange_apple", words.orangeApple(), "phone_apple", words.phoneApple()).entrySet()) {
      Tensor expected = c.run(entry.getKey(), RunOptions.defaults(), Map.of(), Map.of()).outputs().get(0);
      assertEquals(expected.shape(), entry.getValue().shape(), entry.getKey());
      assertArrayEquals(expected.floatData(), entry.getValue().floatData(), 1e-6f, entry.getKey());
    }
  }

  @Test
  void theDemoPrintsTheMovedApples() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    WordVectorsDemo.print(new PrintStream(bytes, true, StandardCharsets.UTF_8));
    assertEquals("""
        [orange, apple] -> (0.8546, 2.5727) (1.1454, 2.4273)
        [phone, apple]  -> (3.1454, 0.8546) (2.8546, 1.1454)
        """, bytes.toString(StandardCharsets.UTF_8));
  }
}
