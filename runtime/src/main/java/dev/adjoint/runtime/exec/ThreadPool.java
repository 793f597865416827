package dev.adjoint.runtime.exec;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads that run parallel loops of generated kernels ({@code --threads N}). A loop is cut
 * into at most {@code N} contiguous ranges; the calling thread runs the first and {@code N - 1}
 * daemon workers the others. A pool of one thread runs everything inline and starts no thread.
 *
 * <p>A pool may be shared by several runs at once. A loop started from inside a loop body of the
 * same pool runs inline, so nesting cannot deadlock.
 */
public final class ThreadPool implements AutoCloseable {
  private static final ThreadPool INLINE = new ThreadPool(1);
  private static final AtomicInteger POOLS = new AtomicInteger();
  private static final java.util.Map<Integer, ThreadPool> SHARED = new java.util.concurrent.ConcurrentHashMap<>();

  private final int threads;
  private final ExecutorService workers;
  private final ThreadLocal<Boolean> insideBody = ThreadLocal.withInitial(() -> false);

  private ThreadPool(int threads) {
    this.threads = threads;
    if (threads == 1) {
      this.workers = null;
    } else {
      int pool = POOLS.incrementAndGet();
      AtomicInteger count = new AtomicInteger();
      ThreadFactory factory = r -> {
        Thread t = new Thread(r, "adjoint-kernels-" + pool + "-" + count.incrementAndGet());
        t.setDaemon(true);
        return t;
      };
      this.workers = Executors.newFixedThreadPool(threads - 1, factory);
    }
  }

  /** Runs every loop on the calling thread. */
  public static ThreadPool inline() {
    return INLINE;
  }

  /**
   * A pool of {@code threads} threads, the caller included; 1 gives {@link #inline()}.
   *
   * @throws IllegalArgumentException if {@code threads < 1}
   */
  public static ThreadPool of(int threads) {
    if (threads < 1) throw new IllegalArgumentException("threads must be at least 1, got " + threads);
    return threads == 1 ? INLINE : new ThreadPool(threads);
  }

  /**
   * A pool of {@code threads} threads shared by every caller that asks for that many, started on
   * first use and kept for the life of the JVM; 1 gives {@link #inline()}.
   *
   * @throws IllegalArgumentException if {@code threads < 1}
   */
  public static ThreadPool shared(int threads) {
    if (threads < 1) throw new IllegalArgumentException("threads must be at least 1, got " + threads);
    return threads == 1 ? INLINE : SHARED.computeIfAbsent(threads, ThreadPool::new);
  }

  /** The number of threads loops are split across, the caller included. */
  public int threads() {
    return threads;
  }

  /** See {@link RunContext#parallelFor}. */
  public void parallelFor(int count, RangeBody body) {
    if (count < 0) throw new IllegalArgumentException("negative iteration count " + count);
    int chunks = Math.min(count, threads);
    if (chunks <= 1 || insideBody.get()) {
      body.run(0, count);
      return;
    }
    List<Future<?>> pending = new ArrayList<>(chunks - 1);
    for (int c = 1; c < chunks; c++) {
      int start = bound(count, chunks, c);
      int end = bound(count, chunks, c + 1);
      pending.add(workers.submit(() -> runMarked(body, start, end)));
    }
    Throwable failure = null;
    try {
      runMarked(body, 0, bound(count, chunks, 1));
    } catch (RuntimeException | Error e) {
      failure = e;
    }
    // Wait for every range, also after a failure, so no worker still writes when this returns.
    for (Future<?> f : pending) {
      try {
        f.get();
      } catch (ExecutionException e) {
        if (failure == null) failure = e.getCause();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        if (failure == null) failure = new IllegalStateException("interrupted while waiting for kernel threads", e);
      }
    }
    if (failure instanceof RuntimeException r) throw r;
    if (failure instanceof Error e) throw e;
    if (failure != null) throw new IllegalStateException(failure);
  }

  private void runMarked(RangeBody body, int start, int end) {
    boolean outer = insideBody.get();
    insideBody.set(true);
    try {
      body.run(start, end);
    } finally {
      insideBody.set(outer);
    }
  }

  /** The first iteration of range {@code c} of {@code chunks} near-equal ranges. */
  private static int bound(int count, int chunks, int c) {
    return (int) ((long) count * c / chunks);
  }

  /** Stops the worker threads (they are daemons, so an unclosed pool does not keep the JVM alive). */
  @Override
  public void close() {
    if (workers != null) workers.shutdown();
  }

  @Override
  public String toString() {
    return "ThreadPool[" + threads + " threads]";
  }
}
