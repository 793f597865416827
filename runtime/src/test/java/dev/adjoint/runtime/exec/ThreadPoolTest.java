package dev.adjoint.runtime.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

class ThreadPoolTest {
  @Test
  void everyIterationRunsExactlyOnce() {
    try (ThreadPool pool = ThreadPool.of(4)) {
      for (int count : new int[] {0, 1, 3, 4, 5, 1000}) {
        AtomicIntegerArray seen = new AtomicIntegerArray(count);
        pool.parallelFor(count, (start, end) -> {
          for (int i = start; i < end; i++) seen.incrementAndGet(i);
        });
        for (int i = 0; i < count; i++) assertEquals(1, seen.get(i), "iteration " + i + " of " + count);
      }
    }
  }

  @Test
  void aFailureInAnyRangeReachesTheCaller() {
    try (ThreadPool pool = ThreadPool.of(3)) {
      IllegalStateException e = assertThrows(IllegalStateException.class, () -> pool.parallelFor(90, (start, end) -> {
        if (start > 0) throw new IllegalStateException("range " + start);
      }));
      assertEquals("range 30", e.getMessage());
    }
  }

  /** Loops from several threads at once on one pool: each runs every iteration once, whoever gets the workers. */
  @Test
  void concurrentCallersEachRunEveryIterationOnce() throws Exception {
    try (ThreadPool pool = ThreadPool.of(3)) {
      int callers = 4;
      int loops = 2000;
      AtomicIntegerArray seen = new AtomicIntegerArray(callers * 97);
      Thread[] threads = new Thread[callers];
      java.util.concurrent.atomic.AtomicReference<Throwable> failure = new java.util.concurrent.atomic.AtomicReference<>();
      for (int c = 0; c < callers; c++) {
        int caller = c;
        threads[c] = new Thread(() -> {
          try {
            for (int l = 0; l < loops; l++) {
              pool.parallelFor(97, (start, end) -> {
                for (int i = start; i < end; i++) seen.incrementAndGet(caller * 97 + i);
              });
            }
          } catch (Throwable t) {
            failure.set(t);
          }
        });
        threads[c].start();
      }
      for (Thread t : threads) t.join(60_000);
      assertEquals(null, failure.get());
      for (int i = 0; i < seen.length(); i++) assertEquals(loops, seen.get(i), "iteration " + i);
    }
  }

  @Test
  void aWorkersFailureAfterTheCallersOwnStillReachesTheCallerOnce() {
    try (ThreadPool pool = ThreadPool.of(2)) {
      for (int round = 0; round < 100; round++) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> pool.parallelFor(10, (start, end) -> {
              throw new IllegalArgumentException("range " + start);
            }));
        assertEquals("range 0", e.getMessage(), "the caller's own range is reported first");
        // The pool still works after a failure.
        AtomicIntegerArray seen = new AtomicIntegerArray(10);
        pool.parallelFor(10, (start, end) -> {
          for (int i = start; i < end; i++) seen.incrementAndGet(i);
        });
        for (int i = 0; i < 10; i++) assertEquals(1, seen.get(i));
      }
    }
  }

  @Test
  void aNestedLoopRunsInline() {
    try (ThreadPool pool = ThreadPool.of(2)) {
      AtomicIntegerArray seen = new AtomicIntegerArray(4 * 4);
      pool.parallelFor(4, (start, end) -> {
        for (int i = start; i < end; i++) {
          int row = i;
          pool.parallelFor(4, (s, e) -> {
            for (int j = s; j < e; j++) seen.incrementAndGet(row * 4 + j);
          });
        }
      });
      for (int i = 0; i < 16; i++) assertEquals(1, seen.get(i));
    }
  }

  @Test
  void oneThreadIsInline() {
    assertSame(ThreadPool.inline(), ThreadPool.of(1));
    Thread caller = Thread.currentThread();
    ThreadPool.inline().parallelFor(10, (start, end) -> {
      assertSame(caller, Thread.currentThread());
      assertEquals(0, start);
      assertEquals(10, end);
    });
    assertThrows(IllegalArgumentException.class, () -> ThreadPool.of(0));
  }

  @Test
  void kernelMathRoundsAsTheInterpreterDoes() {
    assertEquals(1.0f, KernelMath.bf16(1.00390625));
    assertEquals(1.0078125f, KernelMath.bf16(1.005859375));
    assertEquals(Float.POSITIVE_INFINITY, KernelMath.f16(70000.0));
    assertEquals(0.5, KernelMath.floorMod(-1.5, 2.0));
    assertEquals(-8, KernelMath.intPow(-2, 3));
    assertThrows(ArithmeticException.class, () -> KernelMath.intPow(2, -1));
  }
}
