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
 * Single fused kernels of {@code kernels.adj} at the base configuration's sizes: softmax over the
 * 8192 rows of 128 scores of B = 8, H = 8, T = 128; layer norm over 1024 rows of 512; attention of
 * 8 × 8 heads of 128 × 64 (forward, online softmax).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xss16m"})
public class KernelBenchmark {
  @Param({"softmax", "layer_norm", "attention"})
  public String kernel;

  @Param({"2"})
  public int threads;

  private CompiledEntry entry;

  @Setup(Level.Trial)
  public void compile() {
    entry = switch (kernel) {
      case "softmax" -> CompiledEntry.of("kernels.adj", "softmax_rows", Map.of("R", 8192L, "C", 128L), false, false,
          threads);
      case "layer_norm" -> CompiledEntry.of("kernels.adj", "layer_norm_rows", Map.of("R", 1024L, "C", 512L), false, false,
          threads);
      case "attention" -> CompiledEntry.of("kernels.adj", "attention_heads", Map.of("B", 8L, "T", 128L), false, false,
          threads);
      default -> throw new IllegalArgumentException("unknown kernel " + kernel);
    };
  }

  @Benchmark
  public List<Tensor> run() {
    return entry.run();
  }
}
