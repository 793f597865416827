package dev.adjoint.compiler.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.adjoint.compiler.Compilation;
import dev.adjoint.compiler.RunOptions;
import dev.adjoint.compiler.kernel.KernelProgram;
import dev.adjoint.compiler.target.CpuTarget;
import dev.adjoint.compiler.target.CudaTarget;
import dev.adjoint.compiler.target.Target;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The small encoder layer's forward pass with its schedules, as {@code adjoint dump --stage schedule}
 * prints it, per target preset (never the detected machine, so the text is the same everywhere).
 * When the rules change on purpose, rewrite the goldens with {@code -Dadjoint.updateGoldens=true}
 * and review the diff.
 */
class ScheduleGoldenTest {
  private static final Path FOLDER = Path.of("src", "test", "resources", "schedule");

  private static Target target(String name) {
    return name.startsWith("sm_") ? CudaTarget.named(name) : CpuTarget.named(name);
  }

  @ParameterizedTest
  @ValueSource(strings = {"avx2", "avx512", "sm_80", "sm_90"})
  void theEncodersScheduleIsTheGolden(String name) throws Exception {
    KernelProgram program = Compilation.compile(StepKernels.SMALL_ENCODER).kernels("EncoderSmall.forward",
        RunOptions.defaults(), false);
    String actual = Scheduler.print(program, target(name));
    Path golden = FOLDER.resolve("encoder_small_forward." + name + ".golden");
    if (Boolean.getBoolean("adjoint.updateGoldens")) {
      Files.createDirectories(FOLDER);
      Files.writeString(golden, actual, StandardCharsets.UTF_8);
    }
    assertEquals(Files.readString(golden, StandardCharsets.UTF_8), actual);
    assertEquals(actual, Scheduler.print(program, target(name)), "the same text every time");
  }

  @ParameterizedTest
  @ValueSource(strings = {"avx2", "avx512"})
  void theCpuPresetsPickDifferentTiles(String name) {
    KernelProgram program = StepKernels.step();
    List<Schedule> mine = Scheduler.schedule(program, target(name));
    List<Schedule> other = Scheduler.schedule(program, target(name.equals("avx2") ? "avx512" : "avx2"));
    for (int i = 0; i < mine.size(); i++) {
      if (mine.get(i).routine() == Routine.GEMM) assertNotEquals(mine.get(i).tile(), other.get(i).tile());
    }
  }
}
