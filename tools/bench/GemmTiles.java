import dev.adjoint.runtime.exec.RunContext;
import dev.adjoint.runtime.exec.ThreadPool;
import dev.adjoint.runtime.exec.gemm.GemmF32;
import dev.adjoint.runtime.exec.gemm.GemmPlan;
import dev.adjoint.runtime.exec.gemm.GemmShape;
import dev.adjoint.runtime.exec.gemm.Ownership;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Times an N³ f32 product on each GEMM plan given, rounds interleaved so that other load falls on
 * every plan alike, and prints each plan's median and best time and GFLOP/s.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp runtime/target/classes tools/bench/GemmTiles.java \
 *     [N=1024] [THREADS=2] [ROUNDS=5] [ITERS=10] PLAN...
 * </pre>
 * A plan is {@code MRxV} or {@code MRxV/KC/MC/NC} (default blocks: KC 256, MC 12 MR, NC 8 NR).
 * With {@code -XX:UseAVX=2} the vectors are 256-bit.
 */
public class GemmTiles {
  public static void main(String[] args) throws Exception {
    int n = Integer.parseInt(arg(args, "N", "1024"));
    int threads = Integer.parseInt(arg(args, "THREADS", "2"));
    int rounds = Integer.parseInt(arg(args, "ROUNDS", "5"));
    int iters = Integer.parseInt(arg(args, "ITERS", "10"));
    List<String> names = new ArrayList<>();
    List<GemmPlan> plans = new ArrayList<>();
    for (String a : args) {
      if (a.contains("=")) continue;
      String[] p = a.split("/");
      String[] t = p[0].split("x");
      int mr = Integer.parseInt(t[0]);
      int v = Integer.parseInt(t[1]);
      int lanes = jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.length();
      int kc = p.length > 1 ? Integer.parseInt(p[1]) : 256;
      int mc = p.length > 2 ? Integer.parseInt(p[2]) : 12 * mr;
      int nc = p.length > 3 ? Integer.parseInt(p[3]) : 8 * v * lanes;
      names.add(a);
      plans.add(GemmPlan.of(mr, v, kc, mc, nc));
    }
    float[] a = new float[n * n];
    float[] b = new float[n * n];
    float[] c = new float[n * n];
    Random r = new Random(1);
    for (int i = 0; i < a.length; i++) {
      a[i] = (float) r.nextGaussian();
      b[i] = (float) r.nextGaussian();
    }
    double flop = 2.0 * n * n * n;
    double[][] times = new double[plans.size()][rounds * iters];
    try (ThreadPool pool = ThreadPool.of(threads)) {
      RunContext context = new RunContext(1, 0, pool);
      for (int round = -1; round < rounds; round++) {
        for (int p = 0; p < plans.size(); p++) {
          GemmPlan plan = plans.get(p);
          for (int it = 0; it < iters; it++) {
            long t0 = System.nanoTime();
            run(context, plan, n, a, b, c);
            long t1 = System.nanoTime();
            if (round >= 0) times[p][round * iters + it] = (t1 - t0) / 1e6;
          }
        }
      }
    }
    System.out.printf("N=%d threads=%d, %d rounds of %d; %s%n", n, threads, rounds, iters,
        jdk.incubator.vector.FloatVector.SPECIES_PREFERRED);
    for (int p = 0; p < plans.size(); p++) {
      double[] t = times[p].clone();
      Arrays.sort(t);
      double median = t[t.length / 2];
      System.out.printf("%-16s %-44s median %7.2f ms (%6.1f GFLOP/s)  best %7.2f ms (%6.1f GFLOP/s)%n", names.get(p),
          plans.get(p).describe(), median, flop / median / 1e6, t[0], flop / t[0] / 1e6);
    }
  }

  static void run(RunContext context, GemmPlan plan, int n, float[] a, float[] b, float[] c) {
    GemmF32.multiply(context, plan, new GemmShape(1, n, n, n), Ownership.ANY,
        (q, m0, m1, panel) -> {
          for (int m = m0; m < m1; m++) {
            int at = plan.leftStart(m - m0, n);
            for (int k = 0; k < n; k++) panel[at + k * plan.mr()] = a[m * n + k];
          }
        },
        (q, n0, n1, panel) -> {
          for (int k = 0; k < n; k++) plan.packRightRun(panel, n, k, n0, n1, b, k * n + n0);
        },
        (q, m0, m1, n0, n1, tile, stride) -> {
          for (int m = m0; m < m1; m++) System.arraycopy(tile, (m - m0) * stride, c, m * n + n0, n1 - n0);
        });
  }

  static String arg(String[] args, String name, String otherwise) {
    for (String a : args) if (a.startsWith(name + "=")) return a.substring(name.length() + 1);
    return otherwise;
  }
}
