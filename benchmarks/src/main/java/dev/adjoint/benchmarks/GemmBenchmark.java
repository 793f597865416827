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
 * The generated f32 matrix product of {@code sgemm.adj} ({@code a @ b}, both n × n): 2n³ FLOP per
 * run, on {@code threads} threads. Compare with OpenBLAS through benchmarks/compare-pytorch.sh.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xss16m"})
public class GemmBenchmark {
  @Param({"512", "1024", "2048"})
  public int n;

  @Param({"2"})
  public int threads;

  private CompiledEntry sgemm;

  @Setup(Level.Trial)
  public void compile() {
    sgemm = CompiledEntry.of("sgemm.adj", "sgemm", Map.of("N", (long) n), false, false, threads);
  }

  @Benchmark
  public List<Tensor> sgemm() {
    return sgemm.run();
  }
}
