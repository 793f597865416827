package dev.adjoint.runtime.exec;

import java.util.Objects;

/**
 * What a run needs besides buffers and sizes: the key of the random streams (seed and training
 * step; each random site of the program adds its own id) and the threads that parallel loops are
 * split across.
 */
public final class RunContext {
  private final long seed;
  private final int step;
  private final ThreadPool pool;
  private final KernelTimes times;

  /**
   * @param pool the threads parallel loops run on; {@link ThreadPool#inline()} runs them on the
   *     calling thread
   */
  public RunContext(long seed, int step, ThreadPool pool) {
    this(seed, step, pool, null);
  }

  /**
   * A context whose runs record each kernel's time into {@code times}, when the program was
   * generated with timing; {@code times} may be null.
   */
  public RunContext(long seed, int step, ThreadPool pool, KernelTimes times) {
    this.seed = seed;
    this.step = step;
    this.pool = Objects.requireNonNull(pool, "pool");
    this.times = times;
  }

  /** A context that runs everything on the calling thread. */
  public static RunContext of(long seed, int step) {
    return new RunContext(seed, step, ThreadPool.inline());
  }

  public long seed() {
    return seed;
  }

  public int step() {
    return step;
  }

  public ThreadPool pool() {
    return pool;
  }

  /**
   * What code generated with timing calls after each kernel: records the time since
   * {@code since} for kernel {@code kernel}, when this context has {@link KernelTimes}, and
   * returns the current {@link System#nanoTime()}.
   */
  public long timed(int kernel, long since) {
    return times == null ? System.nanoTime() : times.record(kernel, since);
  }

  /**
   * Runs {@code body} over the iterations {@code [0, count)}, split into contiguous ranges across
   * the pool's threads, and returns when every range is done. Each iteration runs exactly once
   * and computes the same values on any thread, so results do not depend on the thread count.
   */
  public void parallelFor(int count, RangeBody body) {
    pool.parallelFor(count, body);
  }

  @Override
  public String toString() {
    return "RunContext[seed=" + seed + ", step=" + step + ", threads=" + pool.threads() + "]";
  }
}
