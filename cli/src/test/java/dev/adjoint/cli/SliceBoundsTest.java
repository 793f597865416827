package dev.adjoint.cli;

import static dev.adjoint.cli.CliRunner.run;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A slice whose end is a run-time size ({@code slice(table, 0, 0, T)}) and runs past its axis is
 * refused before any backend runs, with the same message on every backend (generated code does
 * not bounds-check its slices).
 */
class SliceBoundsTest {
  private static final String PROGRAM = """
      dim T
      model Positions {
        param table: f32[3, 4]
        fn forward(x: f32[T, 4]) -> f32[T, 4] = x + slice(table, 0, 0, T)
      }
      """;

  @TempDir Path dir;

  @ParameterizedTest
  @ValueSource(strings = {"java", "interp", "fused"})
  void aSliceOutsideItsAxisIsAMessageOnEveryBackend(String backend) {
    String file = CliRunner.program(dir, "positions.adj", PROGRAM);
    String fits = CliRunner.npy(dir, "x3.npy", CliRunner.normal(1, 3, 4));
    run("eval", file, "--input", "x=" + fits, "--backend", backend, "--out", dir.resolve("ok").toString()).succeeds();
    String tooLong = CliRunner.npy(dir, "x5.npy", CliRunner.normal(1, 5, 4));
    run("eval", file, "--input", "x=" + tooLong, "--backend", backend, "--out", dir.resolve("out").toString())
        .failsWithError("slice [0, 5) of axis 0 is outside its 3 elements at the sizes T=5 (" + file + ":4:47)");
  }
}
