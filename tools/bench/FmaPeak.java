import java.util.ArrayList;
import java.util.List;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The machine's f32 FMA peak as the JIT reaches it: twelve independent chains of fused
 * multiply-adds on the preferred vector species (enough to cover 4 cycles of latency on two
 * pipes), on each of THREADS threads at once; prints the best of ROUNDS in GFLOP/s.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector tools/bench/FmaPeak.java [THREADS=2] [ROUNDS=7]
 * java --add-modules jdk.incubator.vector -XX:UseAVX=2 tools/bench/FmaPeak.java     # 256-bit
 * </pre>
 */
public class FmaPeak {
  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  private static final long STEPS = 50_000_000L;

  public static void main(String[] args) throws Exception {
    int threads = args.length > 0 ? Integer.parseInt(args[0].replace("THREADS=", "")) : 2;
    int rounds = args.length > 1 ? Integer.parseInt(args[1].replace("ROUNDS=", "")) : 7;
    chains(STEPS / 10); // warm up: compile the loop
    double best = 0;
    for (int r = 0; r < rounds; r++) {
      List<Thread> ts = new ArrayList<>();
      long t0 = System.nanoTime();
      for (int t = 0; t < threads; t++) ts.add(Thread.ofPlatform().start(() -> sink += chains(STEPS)));
      for (Thread t : ts) t.join();
      double seconds = (System.nanoTime() - t0) / 1e9;
      double gflops = threads * STEPS * 12.0 * 2 * S.length() / seconds / 1e9;
      best = Math.max(best, gflops);
      System.out.printf("round %d: %.1f GFLOP/s%n", r, gflops);
    }
    System.out.printf("fma_peak_gflops=%.1f threads=%d species=%s%n", best, threads, S);
  }

  static volatile float sink;

  static float chains(long steps) {
    FloatVector x = FloatVector.broadcast(S, 0.999f);
    FloatVector y = FloatVector.broadcast(S, 1e-3f);
    FloatVector a0 = y, a1 = y, a2 = y, a3 = y, a4 = y, a5 = y, a6 = y, a7 = y, a8 = y, a9 = y, a10 = y, a11 = y;
    for (long i = 0; i < steps; i++) {
      a0 = a0.fma(x, y);
      a1 = a1.fma(x, y);
      a2 = a2.fma(x, y);
      a3 = a3.fma(x, y);
      a4 = a4.fma(x, y);
      a5 = a5.fma(x, y);
      a6 = a6.fma(x, y);
      a7 = a7.fma(x, y);
      a8 = a8.fma(x, y);
      a9 = a9.fma(x, y);
      a10 = a10.fma(x, y);
      a11 = a11.fma(x, y);
    }
    return a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).add(a8).add(a9).add(a10).add(a11)
        .reduceLanes(jdk.incubator.vector.VectorOperators.ADD);
  }
}
