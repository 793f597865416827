package dev.adjoint.runtime.exec;

/**
 * Wall time per kernel, summed over the runs of a program generated with timing
 * ({@code adjoint bench --profile}): each kernel's call is timed from the end of the one before
 * it, on the thread that runs the program, so the parts add up to the whole run. Not thread-safe:
 * one run at a time records into it.
 */
public final class KernelTimes {
  private final long[] nanos;
  private final int[] calls;

  /** Times for kernels {@code 0} to {@code kernels - 1}, all zero. */
  public KernelTimes(int kernels) {
    if (kernels < 0) throw new IllegalArgumentException("negative kernel count " + kernels);
    nanos = new long[kernels];
    calls = new int[kernels];
  }

  /**
   * Adds the time from {@code since} (a {@link System#nanoTime()}) to now to kernel
   * {@code kernel}, and returns now: the start of the next kernel's time.
   */
  public long record(int kernel, long since) {
    long now = System.nanoTime();
    nanos[kernel] += now - since;
    calls[kernel]++;
    return now;
  }

  public int kernels() {
    return nanos.length;
  }

  /** Nanoseconds recorded for {@code kernel}, over every call. */
  public long nanos(int kernel) {
    return nanos[kernel];
  }

  /** How many calls of {@code kernel} were recorded. */
  public int calls(int kernel) {
    return calls[kernel];
  }

  /** Forgets every time recorded so far (after warm-up runs, say). */
  public void clear() {
    java.util.Arrays.fill(nanos, 0);
    java.util.Arrays.fill(calls, 0);
  }
}
