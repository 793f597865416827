// How long a model takes from .adj source to loaded classes: the front end, autodiff, fusion and
// lowering of every entry point and its gradient, generation of the typed model classes, javac
// (in process, no cache) and class loading. Each round compiles into a new package, so javac
// never reuses anything; the first rounds warm the JVM up, the last ones are the warm figure.
//
//   mvn -B -q install -DskipTests
//   java -cp cli/target/adjoint.jar tools/bench/CompileTime.java examples/src/main/adjoint/transformer.adj [rounds]
//
// Not a test: timings depend on the machine. Results go in docs/perf.md.

import com.palantir.javapoet.JavaFile;
import dev.adjoint.codegen.java.InProcessCompiler;
import dev.adjoint.codegen.java.ModelGenerator;
import dev.adjoint.compiler.Compilation;
import dev.adjoint.compiler.RunOptions;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

public class CompileTime {
  public static void main(String[] args) {
    Path file = Path.of(args[0]);
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 20;
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    com.sun.management.OperatingSystemMXBean os =
        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    double[] total = new double[rounds];
    double[] cpu = new double[rounds];
    double[] processCpu = new double[rounds];
    for (int round = 0; round < rounds; round++) {
      long p0 = os.getProcessCpuTime();
      long c0 = threads.getCurrentThreadCpuTime();
      long t0 = System.nanoTime();
      Compilation c = Compilation.compile(file);
      List<JavaFile> files = ModelGenerator.generate(c, "bench.round" + round, RunOptions.defaults());
      long t1 = System.nanoTime();
      long lines = files.stream().mapToLong(f -> f.toString().lines().count()).sum();
      List<Class<?>> classes = InProcessCompiler.withoutCache(InProcessCompiler.DEFAULT_OPTIONS).loadAll(files);
      long t2 = System.nanoTime();
      total[round] = (t2 - t0) / 1e6;
      cpu[round] = (threads.getCurrentThreadCpuTime() - c0) / 1e6;
      processCpu[round] = (os.getProcessCpuTime() - p0) / 1e6;
      System.out.printf("round %d: %d classes (%d lines): compiler and generation %.0f ms, javac and loading %.0f ms, "
          + "total %.0f ms (CPU: %.0f ms on this thread, %.0f ms in the process)%n", round, classes.size(), lines,
          (t1 - t0) / 1e6, (t2 - t1) / 1e6, total[round], cpu[round], processCpu[round]);
    }
    // On a machine shared with other work the wall time includes waiting for a core; CPU times do
    // not. The process's CPU time adds the garbage collector's and the JIT compiler's threads.
    System.out.printf("warm (last %d rounds): median_ms=%.0f min_ms=%.0f thread_cpu_median_ms=%.0f "
        + "process_cpu_median_ms=%.0f%n", rounds - rounds / 2, median(total, rounds), min(total, rounds),
        median(cpu, rounds), median(processCpu, rounds));
  }

  private static double[] warm(double[] values, int rounds) {
    double[] warm = Arrays.copyOfRange(values, rounds / 2, rounds);
    Arrays.sort(warm);
    return warm;
  }

  private static double median(double[] values, int rounds) {
    double[] warm = warm(values, rounds);
    return warm[warm.length / 2];
  }

  private static double min(double[] values, int rounds) {
    return warm(values, rounds)[0];
  }
}
