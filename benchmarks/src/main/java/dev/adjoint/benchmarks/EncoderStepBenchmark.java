package dev.adjoint.benchmarks;

import dev.adjoint.runtime.Tensor;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The encoder layer's training step (forward with dropout, mean-square loss, every gradient) at the
 * two configurations of the issue: small (B = 32, T = 64, D = 128, H = 4, F = 512) and base (B = 8,
 * T = 128, D = 512, H = 8, F = 2048).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 5)
@Measurement(iterations = 5, time = 5)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xss16m"})
public class EncoderStepBenchmark {
  @Param({"small", "base"})
  public String config;

  @Param({"2"})
  public int threads;

  private CompiledEntry step;

  @Setup(Level.Trial)
  public void compile() {
    step = switch (config) {
      case "small" -> CompiledEntry.of("encoder_layer_small.adj", "EncoderSmall.loss", Map.of("B", 32L, "T", 64L), true,
          true, threads);
      case "base" -> CompiledEntry.of("encoder_layer_base.adj", "EncoderBase.loss", Map.of("B", 8L, "T", 128L), true,
          true, threads);
      default -> throw new IllegalArgumentException("unknown configuration " + config);
    };
  }

  @Benchmark
  public List<Tensor> trainingStep() {
    return step.run();
  }
}
