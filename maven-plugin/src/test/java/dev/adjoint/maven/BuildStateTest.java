package dev.adjoint.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BuildStateTest {
  @TempDir Path dir;

  @Test
  void whatIsSavedIsLoadedBack() {
    BuildState state = BuildState.empty();
    Map<Path, String> inputs = new LinkedHashMap<>();
    inputs.put(dir.resolve("a b/model.adj"), "abc");
    inputs.put(dir.resolve("lib.adj"), "def");
    state.put(dir.resolve("a b/model.adj"), new BuildState.Entry("com.example 0123", inputs,
        List.of(new BuildState.Output(GeneratedFile.Kind.JAVA, "com/example/Model Forward.java"))));
    state.put(dir.resolve("other.adj"), new BuildState.Entry("p 4567", Map.of(), List.of()));
    Path file = dir.resolve("state/generate.state");
    state.save(file);

    BuildState loaded = BuildState.load(file);

    assertEquals(state.entries(), loaded.entries());
  }

  @Test
  void aMissingOrDamagedStateIsEmptySoEverythingIsGeneratedAgain() throws IOException {
    assertTrue(BuildState.load(dir.resolve("none.state")).entries().isEmpty());
    Path foreign = dir.resolve("foreign.state");
    Files.writeString(foreign, "something else\n");
    assertTrue(BuildState.load(foreign).entries().isEmpty());

    BuildState state = BuildState.empty();
    state.put(dir.resolve("m.adj"), new BuildState.Entry("p 1", Map.of(), List.of()));
    Path damaged = dir.resolve("damaged.state");
    state.save(damaged);
    Files.writeString(damaged, Files.readString(damaged) + "output NOT_A_KIND x.java\n");
    assertTrue(BuildState.load(damaged).entries().isEmpty());
    Files.writeString(damaged, Files.readString(damaged).replace("output NOT_A_KIND x.java\n", "input\n"));
    assertTrue(BuildState.load(damaged).entries().isEmpty());
  }
}
