package dev.adjoint.runtime.exec.gemm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.runtime.exec.RunContext;
import dev.adjoint.runtime.exec.ThreadPool;
import dev.adjoint.runtime.exec.VectorSupport;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The blocked product against the plain triple loop of the kernel interpreter ({@code acc = acc + a * b}
 * in float, k ascending), bit for bit, at sizes around every block edge, on one and three threads,
 * with every ownership, under every micro-kernel of the family and blocks of several sizes.
 */
class GemmF32Test {
  /** The blocks of the tests that do not vary them: the shape of the runtime's 8 × 2V plan before schedules. */
  private static final GemmPlan PLAN = GemmPlan.of(8, 2, 256, 96, 256);

  /** Every micro-kernel variant, with blocks as a schedule would give, and with small ones that split every product. */
  static Stream<GemmPlan> plans() {
    List<GemmPlan> out = new ArrayList<>();
    for (RegisterTile t : RegisterTile.FAMILY) {
      out.add(GemmPlan.of(t.rows(), t.vectors(), 256, t.rows() * 12, 256));
      out.add(GemmPlan.of(t.rows(), t.vectors(), 7, 2 * t.rows(), 1));
    }
    out.add(new GemmPlan(MicroKernels.choose(false, 8, 2), 4, 8, 256, 96, 256));
    out.add(new GemmPlan(MicroKernels.choose(false, 8, 2), 4, 8, 5, 8, 16));
    return out.stream();
  }
  /** A batched product C[b, m, n] = sum_k A[b, m, k] * B[b, k, n] with random operands. */
  private record Problem(int batches, int rows, int columns, int depth, float[] a, float[] b) {
    static Problem random(long seed, int batches, int rows, int columns, int depth) {
      Random random = new Random(seed);
      float[] a = new float[batches * rows * depth];
      float[] b = new float[batches * depth * columns];
      for (int i = 0; i < a.length; i++) a[i] = (float) random.nextGaussian();
      for (int i = 0; i < b.length; i++) b[i] = (float) random.nextGaussian();
      return new Problem(batches, rows, columns, depth, a, b);
    }

    /** The triple loop, each step rounded as {@code plan}'s micro-kernel rounds it. */
    float[] reference(GemmPlan plan) {
      float[] c = new float[batches * rows * columns];
      for (int q = 0; q < batches; q++) {
        for (int m = 0; m < rows; m++) {
          for (int n = 0; n < columns; n++) {
            float acc = 0.0f;
            for (int k = 0; k < depth; k++) {
              acc = step(plan.fusesMultiplyAdd(), acc, a[(q * rows + m) * depth + k], b[(q * depth + k) * columns + n]);
            }
            c[(q * rows + m) * columns + n] = acc;
          }
        }
      }
      return c;
    }

    float[] blocked(RunContext context, GemmPlan plan, Ownership ownership) {
      float[] c = new float[batches * rows * columns];
      GemmF32.multiply(context, plan, new GemmShape(batches, rows, columns, depth), ownership,
          (q, m0, m1, panel) -> {
            for (int m = m0; m < m1; m++) {
              int at = plan.leftStart(m - m0, depth);
              for (int k = 0; k < depth; k++) panel[at + k * plan.mr()] = a[(q * rows + m) * depth + k];
            }
          },
          (q, n0, n1, panel) -> {
            for (int n = n0; n < n1; n++) {
              int at = plan.rightStart(n, depth);
              for (int k = 0; k < depth; k++) panel[at + k * plan.nr()] = b[(q * depth + k) * columns + n];
            }
          },
          (q, m0, m1, n0, n1, tile, stride) -> {
            for (int m = m0; m < m1; m++) {
              for (int n = n0; n < n1; n++) c[(q * rows + m) * columns + n] = tile[(m - m0) * stride + (n - n0)];
            }
          });
      return c;
    }
  }

  /** Sizes at every block edge of {@code plan}, and random ones. */
  static List<int[]> shapes(GemmPlan plan) {
    int mr = plan.mr();
    int nr = plan.nr();
    List<int[]> out = new ArrayList<>(List.of(new int[] {1, 1, 1, 1}, new int[] {1, 3, 5, 7},
        new int[] {2, mr + 1, nr + 1, 3}, new int[] {1, plan.rowBlock() + 1, plan.columnBlock() + 3,
            plan.depthBlock() + 5}, new int[] {5, 7, 9, 0}, new int[] {7, 2 * mr, 2 * nr, 17},
        new int[] {1, 40, 300, 2 * plan.depthBlock()}));
    Random random = new Random(11);
    for (int i = 0; i < 4; i++) {
      out.add(new int[] {1 + random.nextInt(3), 1 + random.nextInt(100), 1 + random.nextInt(100), random.nextInt(300)});
    }
    return out;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("plans")
  void equalsTheReductionOrderLoopBitForBitOnAnyThreadsAndOwnership(GemmPlan plan) {
    try (ThreadPool three = ThreadPool.of(3)) {
      for (int[] s : shapes(plan)) {
        Problem p = Problem.random(31L * s[1] + s[2] + s[3], s[0], s[1], s[2], s[3]);
        float[] expected = p.reference(plan);
        String shape = s[0] + "x" + s[1] + "x" + s[2] + "x" + s[3] + " ";
        for (Ownership ownership : Ownership.values()) {
          assertArrayEquals(expected, p.blocked(RunContext.of(1, 0), plan, ownership), shape + ownership + " on one thread");
          assertArrayEquals(expected, p.blocked(new RunContext(1, 0, three), plan, ownership),
              shape + ownership + " on three threads");
        }
      }
    }
  }

  /** Every plan gives the bits of every other: the summation order does not depend on the tile or the blocks. */
  @Test
  void everyVectorPlanGivesTheSameBits() {
    Problem p = Problem.random(3, 2, 77, 131, 300);
    float[] first = null;
    for (GemmPlan plan : plans().filter(GemmPlan::fusesMultiplyAdd).toList()) {
      float[] c = p.blocked(RunContext.of(1, 0), plan, Ownership.ANY);
      if (first == null) first = c;
      else assertArrayEquals(first, c, plan.describe());
    }
  }

  @Test
  void plansRoundBlocksUpToWholeTilesAndNameUnknownTiles() {
    GemmPlan plan = GemmPlan.of(6, 2, 100, 50, 70);
    assertEquals(0, plan.rowBlock() % plan.mr());
    assertEquals(0, plan.columnBlock() % plan.nr());
    assertTrue(plan.rowBlock() >= 50 && plan.rowBlock() < 50 + plan.mr());
    assertEquals(100, plan.depthBlock());
    if (GemmF32.fusesMultiplyAdd()) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> GemmPlan.of(5, 2, 8, 8, 8));
      assertEquals("no 5x2V micro-kernel: the family has 4x3V, 6x2V, 8x2V, 8x3V, 12x2V, 14x2V", e.getMessage());
    }
  }

  @Test
  void columnOwnershipFinishesEveryColumnInRowOrderOnOneThread() {
    int rows = 2 * PLAN.rowBlock() + 3;
    int columns = 3 * PLAN.columnBlock();
    int[] nextRow = new int[columns];
    Thread[] owner = new Thread[columns];
    List<String> errors = java.util.Collections.synchronizedList(new ArrayList<>());
    try (ThreadPool three = ThreadPool.of(3)) {
      GemmF32.multiply(new RunContext(1, 0, three), PLAN, new GemmShape(1, rows, columns, 4), Ownership.COLUMNS,
          (q, m0, m1, panel) -> {}, (q, n0, n1, panel) -> {},
          (q, m0, m1, n0, n1, tile, stride) -> {
            for (int n = n0; n < n1; n++) {
              if (owner[n] == null) owner[n] = Thread.currentThread();
              if (owner[n] != Thread.currentThread()) errors.add("column " + n + " on two threads");
              if (nextRow[n] != m0) errors.add("column " + n + " got rows from " + m0 + ", expected " + nextRow[n]);
              nextRow[n] = m1;
            }
          });
    }
    assertEquals(List.of(), errors);
    for (int n = 0; n < columns; n++) assertEquals(rows, nextRow[n]);
  }

  /**
   * A right packer that throws ends the product with its exception on every thread count: threads
   * waiting for the column group it was packing stop instead of waiting for ever. (The timeout only
   * stops a hang from stalling the build.)
   */
  @Test
  void aRightPackerThatThrowsEndsTheProductInsteadOfHangingItsWaiters() {
    int rows = 4 * PLAN.rowBlock();
    int columns = 3 * PLAN.columnBlock();
    for (int threads = 1; threads <= 3; threads++) {
      int count = threads;
      org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofMinutes(1), () -> {
        try (ThreadPool pool = ThreadPool.of(count)) {
          RuntimeException e = org.junit.jupiter.api.Assertions.assertThrows(RuntimeException.class,
              () -> GemmF32.multiply(new RunContext(1, 0, pool), PLAN, new GemmShape(1, rows, columns, 8), Ownership.ANY,
                  (q, m0, m1, panel) -> {}, (q, n0, n1, panel) -> {
                    if (n0 == 0) {
                      // Slow, so that other threads reach this group and wait for it.
                      java.util.concurrent.locks.LockSupport.parkNanos(50_000_000L);
                      throw new IllegalArgumentException("the packer failed");
                    }
                  }, (q, m0, m1, n0, n1, tile, stride) -> {}));
          assertTrue(e.getMessage().equals("the packer failed")
              || e.getMessage().equals("packing columns 0 to " + 2 * PLAN.nr() + " failed on another thread"), e.getMessage());
        }
      });
    }
  }

  /** Row blocks shared by threads: whole micro-tiles, no larger than the workspace, and evenly split. */
  @ParameterizedTest(name = "{0} rows, {1} threads")
  @org.junit.jupiter.params.provider.CsvSource({"1, 2", "5, 2", "96, 2", "97, 2", "512, 2", "1024, 2", "1024, 3",
      "4096, 2", "4096, 16", "100000, 2", "7, 1", "1000, 1"})
  void balancedRowBlocksAreWholeTilesSplitEvenly(int rows, int threads) {
    int size = GemmF32.balancedRowBlock(PLAN, rows, threads);
    assertEquals(0, size % PLAN.mr(), "a multiple of MR: " + size);
    assertTrue(size <= PLAN.rowBlock() && size >= PLAN.mr(), String.valueOf(size));
    int blocks = Math.ceilDiv(rows, size);
    int plain = Math.ceilDiv(rows, PLAN.rowBlock());
    // The most rows one thread gets, taking blocks in turn, is no more than with blocks of ROW_BLOCK.
    int most = Math.min(rows, Math.ceilDiv(blocks, threads) * size);
    int mostPlain = Math.min(rows, Math.ceilDiv(plain, threads) * PLAN.rowBlock());
    assertTrue(most <= mostPlain, most + " rows on one thread, " + mostPlain + " with blocks of " + PLAN.rowBlock());
  }

  @ParameterizedTest(name = "{0} columns, {1} threads")
  @org.junit.jupiter.params.provider.CsvSource({"1, 2", "128, 2", "128, 16", "512, 2", "4096, 2", "33, 3"})
  void columnGroupsAreWholePanelsAndOccupyTheThreads(int columns, int threads) {
    int width = GemmF32.columnGroup(PLAN, columns, threads);
    assertEquals(0, width % PLAN.nr(), "whole panels: " + width);
    assertTrue(width <= PLAN.columnBlock(), String.valueOf(width));
    int groups = Math.ceilDiv(columns, width);
    int panels = Math.ceilDiv(columns, PLAN.nr());
    assertTrue(groups >= Math.min(threads, panels), groups + " groups for " + threads + " threads");
  }

  /** Runs across panel boundaries land where element-by-element packing puts them, and nothing else is touched. */
  @ParameterizedTest(name = "from {0} to {1}")
  @org.junit.jupiter.params.provider.CsvSource({"0,0", "0,5", "3,64", "30,70", "31,33", "0,96"})
  void packedRunsEqualElementByElementPacking(int from, int to) {
    int depth = 3;
    int k = 2;
    float[] source = new float[200];
    for (int i = 0; i < source.length; i++) source[i] = i + 1;
    GemmPlan plan = PLAN;
    int size = (to / plan.nr() + 1) * plan.nr() * depth + (to / plan.mr() + 1) * plan.mr() * depth;
    float[] right = new float[size];
    float[] expectedRight = new float[size];
    plan.packRightRun(right, depth, k, from, to, source, 7);
    for (int n = from; n < to; n++) expectedRight[plan.rightStart(n, depth) + k * plan.nr()] = source[7 + n - from];
    org.junit.jupiter.api.Assertions.assertArrayEquals(expectedRight, right);
    float[] left = new float[size];
    float[] expectedLeft = new float[size];
    plan.packLeftRun(left, depth, k, from, to, source, 11);
    for (int i = from; i < to; i++) expectedLeft[plan.leftStart(i, depth) + k * plan.mr()] = source[11 + i - from];
    org.junit.jupiter.api.Assertions.assertArrayEquals(expectedLeft, left);
  }

  @Test
  void rejectsNegativeSizesNamingThem() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new GemmShape(1, 2, -3, 4));
    assertEquals("negative size in product: batches=1, rows=2, columns=-3, depth=4", e.getMessage());
  }

  @Test
  void theVectorKernelRunsUnderTheTestsAndCanBeSwitchedOff() {
    // Surefire's argLine adds jdk.incubator.vector, as the launcher does.
    assertTrue(GemmF32.fusesMultiplyAdd());
    assertTrue(PLAN.kernel().describe().startsWith("vector 8x"), PLAN.describe());
    assertEquals("scalar 4x8", MicroKernels.choose(false, 6, 2).describe());
    assertTrue(MicroKernels.choose(true, 6, 2).describe().startsWith("vector 6x"));
    assertFalse(VectorSupport.enabled(true, "false"));
    assertFalse(VectorSupport.enabled(true, " FALSE "));
    assertFalse(VectorSupport.enabled(false, null));
    assertFalse(VectorSupport.enabled(false, "true"));
    assertTrue(VectorSupport.enabled(true, "true"));
    assertTrue(VectorSupport.enabled(true, null));
  }

  static Stream<MicroKernelF32> kernels() {
    return Stream.concat(Stream.of(MicroKernels.choose(false, 4, 8)),
        RegisterTile.FAMILY.stream().map(t -> MicroKernels.choose(true, t.rows(), t.vectors())));
  }

  @ParameterizedTest
  @MethodSource("kernels")
  void microKernelsAddProductsInReductionOrder(MicroKernelF32 kernel) {
    int mr = kernel.rows();
    int nr = kernel.columns();
    int depth = 37;
    int stride = nr + 5;
    Random random = new Random(5);
    float[] a = new float[3 + depth * mr];
    float[] b = new float[2 + depth * nr];
    for (int i = 0; i < a.length; i++) a[i] = (float) random.nextGaussian();
    for (int i = 0; i < b.length; i++) b[i] = (float) random.nextGaussian();
    float[] c = new float[7 + mr * stride];
    for (int i = 0; i < c.length; i++) c[i] = (float) random.nextGaussian();
    float[] expected = c.clone();
    for (int r = 0; r < mr; r++) {
      for (int j = 0; j < nr; j++) {
        float acc = expected[7 + r * stride + j];
        for (int p = 0; p < depth; p++) acc = step(kernel.fusesMultiplyAdd(), acc, a[3 + p * mr + r], b[2 + p * nr + j]);
        expected[7 + r * stride + j] = acc;
      }
    }
    kernel.multiply(depth, a, 3, b, 2, c, 7, stride, false);
    assertArrayEquals(expected, c);
  }

  @Test
  void theVectorKernelFusesAndTheScalarKernelRoundsTheProduct() {
    assertTrue(new VectorTile6x2().fusesMultiplyAdd());
    assertFalse(new ScalarMicroKernelF32().fusesMultiplyAdd());
    // The two roundings differ on these values, so the reference loops above tell them apart.
    // (1 + 2^-12)^2 - 1 is 2^-11 + 2^-24 exactly; rounding the product first loses the 2^-24.
    float a = 1.0f + 0x1p-12f;
    assertEquals(0x1p-11f + 0x1p-24f, step(true, -1.0f, a, a));
    assertEquals(0x1p-11f, step(false, -1.0f, a, a));
  }

  /** One reduction step: fused ({@code Math.fma}) or with the product rounded first. */
  static float step(boolean fused, float acc, float a, float b) {
    return fused ? Math.fma(a, b, acc) : acc + a * b;
  }
}
