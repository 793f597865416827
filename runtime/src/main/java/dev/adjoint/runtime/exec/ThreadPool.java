package dev.adjoint.runtime.exec;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The threads that run parallel loops of generated kernels ({@code --threads N}). A loop is cut
 * into at most {@code N} contiguous ranges; the calling thread runs the first and {@code N - 1}
 * daemon workers the others. A pool of one thread runs everything inline and starts no thread.
 *
 * <p>Each worker has a slot the caller posts its range to. A worker that has no range waits by
 * spinning for {@link #SPIN_NANOS} before it parks (where the pool has no more threads than the
 * machine has cores), and so does a caller waiting for a worker to finish: a training step starts dozens of loops of a millisecond or less, and handing a range to
 * a parked thread (an executor's queue and futures) took about 50 µs a loop (docs/perf.md).
 *
 * <p>A pool may be shared by several runs at once: a loop started while another caller's loop
 * holds the workers runs on its own thread, whole. A loop started from inside a loop body of the
 * same pool runs inline, so nesting cannot deadlock. Which thread runs a range never changes what
 * a generated kernel computes.
 */
public final class ThreadPool implements AutoCloseable {
  /** How long a waiting thread spins before it parks, where every thread of the pool has a core. */
  static final long SPIN_NANOS = 200_000;
  private static final ThreadPool INLINE = new ThreadPool(1);
  private static final AtomicInteger POOLS = new AtomicInteger();
  private static final java.util.Map<Integer, ThreadPool> SHARED = new java.util.concurrent.ConcurrentHashMap<>();

  private final int threads;
  /**
   * {@link #SPIN_NANOS}, or 0 when the pool has more threads than the machine has cores: a thread
   * spinning there would hold a core that a thread with work is waiting for.
   */
  private final long spinNanos;
  private final Worker[] workers;
  /** Held by the caller whose loop the workers run. */
  private final ReentrantLock dispatch = new ReentrantLock();
  private final ThreadLocal<Boolean> insideBody = ThreadLocal.withInitial(() -> false);

  private ThreadPool(int threads) {
    this.threads = threads;
    this.spinNanos = threads <= Runtime.getRuntime().availableProcessors() ? SPIN_NANOS : 0;
    this.workers = new Worker[threads - 1];
    int pool = threads == 1 ? 0 : POOLS.incrementAndGet();
    for (int i = 0; i < workers.length; i++) {
      workers[i] = new Worker(this);
      Thread t = new Thread(workers[i], "adjoint-kernels-" + pool + "-" + (i + 1));
      t.setDaemon(true);
      workers[i].thread = t;
      t.start();
    }
  }

  /**
   * One worker's slot: the caller writes the range, then publishes it by raising {@code posted};
   * the worker runs it, then raises {@code finished} to the same number and wakes the caller.
   */
  private static final class Worker implements Runnable {
    private final ThreadPool pool;
    Thread thread;
    private RangeBody body;
    private int start;
    private int end;
    private Throwable failure;
    private Thread caller;
    private volatile long posted;
    private volatile long finished;
    private volatile boolean closed;

    Worker(ThreadPool pool) {
      this.pool = pool;
    }

    /** Called by the caller holding the pool: hands over one range. */
    void post(RangeBody body, int start, int end, Thread caller) {
      this.body = body;
      this.start = start;
      this.end = end;
      this.failure = null;
      this.caller = caller;
      posted = posted + 1;
      LockSupport.unpark(thread);
    }

    /** Waits until the range posted last is done; returns its failure, or null. */
    Throwable await() {
      long target = posted;
      long spinUntil = System.nanoTime() + pool.spinNanos;
      while (finished != target) {
        if (System.nanoTime() < spinUntil) Thread.onSpinWait();
        else LockSupport.park(this);
      }
      return failure;
    }

    @Override
    public void run() {
      long done = 0;
      while (true) {
        long spinUntil = System.nanoTime() + pool.spinNanos;
        while (posted == done) {
          if (closed) return;
          if (System.nanoTime() < spinUntil) Thread.onSpinWait();
          else LockSupport.park(this);
        }
        done = posted;
        try {
          pool.runMarked(body, start, end);
        } catch (Throwable t) {
          failure = t;
        }
        body = null;
        Thread waiting = caller;
        finished = done;
        LockSupport.unpark(waiting);
      }
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
    if (chunks <= 1 || insideBody.get() || !dispatch.tryLock()) {
      runMarked(body, 0, count);
      return;
    }
    try {
      Thread caller = Thread.currentThread();
      for (int c = 1; c < chunks; c++) {
        workers[c - 1].post(body, bound(count, chunks, c), bound(count, chunks, c + 1), caller);
      }
      Throwable failure = null;
      try {
        runMarked(body, 0, bound(count, chunks, 1));
      } catch (RuntimeException | Error e) {
        failure = e;
      }
      // Wait for every range, also after a failure, so no worker still writes when this returns.
      for (int c = 1; c < chunks; c++) {
        Throwable t = workers[c - 1].await();
        if (failure == null) failure = t;
      }
      if (failure instanceof RuntimeException r) throw r;
      if (failure instanceof Error e) throw e;
      if (failure != null) throw new IllegalStateException(failure);
    } finally {
      dispatch.unlock();
    }
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
    for (Worker w : workers) {
      w.closed = true;
      LockSupport.unpark(w.thread);
    }
  }

  @Override
  public String toString() {
    return "ThreadPool[" + threads + " threads]";
  }
}
