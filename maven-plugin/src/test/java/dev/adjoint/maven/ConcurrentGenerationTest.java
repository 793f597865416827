package dev.adjoint.maven;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The goals are declared thread-safe: in a parallel build ({@code mvn -T4}) several modules run them at
 * once. Runs started together on separate projects give the bytes that one run alone gives.
 */
class ConcurrentGenerationTest {
  static final int PROJECTS = 4;

  @TempDir Path dir;

  @Test
  void runsAtOnceGiveWhatOneRunGives() throws Exception {
    List<Generation.Settings> projects = new ArrayList<>();
    for (int i = 0; i <= PROJECTS; i++) projects.add(project(dir.resolve("p" + i)));
    new Generation(new RecordingLog()).generate(projects.get(0));

    ExecutorService pool = Executors.newFixedThreadPool(PROJECTS);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<Generation.Outcome>> runs = new ArrayList<>();
    try {
      for (Generation.Settings p : projects.subList(1, projects.size())) {
        runs.add(pool.submit(() -> {
          start.await();
          return new Generation(new RecordingLog()).generate(p);
        }));
      }
      start.countDown();
      for (Future<Generation.Outcome> run : runs) assertEquals(List.of(), run.get().errors());
    } finally {
      pool.shutdownNow();
    }

    Path alone = projects.get(0).javaOutput().resolve("demo/Layer.java");
    for (Generation.Settings p : projects.subList(1, projects.size())) {
      assertArrayEquals(Files.readAllBytes(alone), Files.readAllBytes(p.javaOutput().resolve("demo/Layer.java")));
    }
  }

  private static Generation.Settings project(Path root) throws IOException {
    Path sources = root.resolve("src/main/adjoint");
    Files.createDirectories(sources.resolve("demo"));
    Files.createDirectories(sources.resolve("lib"));
    Files.writeString(sources.resolve("demo/layer.adj"), GenerationTest.LAYER);
    Files.writeString(sources.resolve("lib/scale.adj"), GenerationTest.SCALE);
    return new Generation.Settings(sources, new SourcePatterns(SourcePatterns.DEFAULT_INCLUDES, List.of("lib/**")),
        Optional.empty(), EnumSet.of(CodeTarget.JAVA), root.resolve("target/gen"), root.resolve("target/res"),
        root.resolve("target/state/generate.state"), "stamp");
  }
}
