package dev.adjoint.train;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Tokens per second and time per step over the last few steps (a sliding window, so the rate
 * follows the run rather than its slow first steps), for the progress bar and the metrics log.
 * Times are given, not read from a clock, so it is deterministic under test.
 */
public final class Throughput {
  private record Sample(long tokens, long nanos) {}

  private final int window;
  private final Deque<Sample> samples = new ArrayDeque<>();
  private long tokens;
  private long nanos;

  /** A meter over the last {@code window} steps. */
  public Throughput(int window) {
    if (window < 1) throw new IllegalArgumentException("window must be at least 1 step, got " + window);
    this.window = window;
  }

  /** Records one step that processed {@code stepTokens} tokens in {@code stepNanos} nanoseconds. */
  public void record(long stepTokens, long stepNanos) {
    if (stepTokens < 0 || stepNanos < 0) throw new IllegalArgumentException("negative tokens or time");
    samples.addLast(new Sample(stepTokens, stepNanos));
    tokens += stepTokens;
    nanos += stepNanos;
    if (samples.size() > window) {
      Sample old = samples.removeFirst();
      tokens -= old.tokens();
      nanos -= old.nanos();
    }
  }

  /** Tokens per second over the window; 0 before any time has passed. */
  public double tokensPerSecond() {
    return Metrics.tokensPerSecond(tokens, nanos);
  }

  /** Seconds per step over the window; NaN before the first step. */
  public double secondsPerStep() {
    return samples.isEmpty() ? Double.NaN : nanos / 1e9 / samples.size();
  }
}
