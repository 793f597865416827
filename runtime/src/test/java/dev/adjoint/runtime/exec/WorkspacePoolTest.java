package dev.adjoint.runtime.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.runtime.DType;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class WorkspacePoolTest {
  @Test
  void anArrayIsReusedWhileItsLengthStaysTheSameAndReplacedWhenItChanges() {
    Workspace w = new Workspace(3);
    float[] first = w.f32(0, 8);
    assertSame(first, w.f32(0, 8));
    float[] longer = w.f32(0, 12);
    assertEquals(12, longer.length);
    assertNotSame(first, longer);
    assertSame(longer, w.f32(0, 12));
    double[] doubles = w.f64(1, 5);
    assertSame(doubles, w.f64(1, 5));
    assertNotSame(doubles, w.f64(1, 4));
    int[] ints = w.i32(2, 3);
    assertSame(ints, w.i32(2, 3));
  }

  @Test
  void aSlotAskedForAnotherElementTypeGetsANewArray() {
    Workspace w = new Workspace(1);
    w.f32(0, 4);
    assertEquals(4, w.i32(0, 4).length);
    assertEquals(4, w.bool(0, 4).length);
    assertEquals(4, w.retainedBytes(), "only the last array is kept");
  }

  @Test
  void arrayPicksTheArrayTypeBuffersHoldForEachElementType() {
    Workspace w = new Workspace(6);
    assertInstanceOf(float[].class, w.array(0, DType.F32, 2));
    assertInstanceOf(float[].class, w.array(1, DType.BF16, 2));
    assertInstanceOf(float[].class, w.array(2, DType.F16, 2));
    assertInstanceOf(double[].class, w.array(3, DType.F64, 2));
    assertInstanceOf(int[].class, w.array(4, DType.I32, 2));
    assertInstanceOf(boolean[].class, w.array(5, DType.BOOL, 2));
    assertEquals(4 * 2 * 3 + 8 * 2 + 4 * 2 + 2, w.retainedBytes());
  }

  @Test
  void aSlotOutOfRangeIsNamed() {
    Workspace w = new Workspace(2);
    IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class, () -> w.f32(2, 1));
    assertEquals("workspace slot 2 is out of range; there are 2", e.getMessage());
    assertEquals("negative slot count -1", assertThrows(IllegalArgumentException.class, () -> new Workspace(-1))
        .getMessage());
  }

  @Test
  void poisonLeavesNoZeroAndNoFalseBehind() {
    Workspace w = new Workspace(4);
    float[] f = w.f32(0, 10);
    double[] d = w.f64(1, 10);
    int[] n = w.i32(2, 10);
    boolean[] b = w.bool(3, 10);
    w.poison();
    for (int i = 0; i < 10; i++) {
      assertTrue(f[i] != 0 || Float.isNaN(f[i]), "float " + i);
      assertTrue(!(Math.abs(f[i]) < 1e30f), "float " + i + " is " + f[i]);
      assertTrue(!(Math.abs(d[i]) < 1e30), "double " + i + " is " + d[i]);
      assertTrue(n[i] != 0, "int " + i);
    }
    assertTrue(b[0] && !b[1], "booleans alternate");
    assertSame(f, w.f32(0, 10), "poison keeps the arrays");
  }

  @Test
  void aRunOnOneThreadAfterAnotherGetsTheSameWorkspaceBack() {
    WorkspacePool pool = new WorkspacePool(2, 4);
    Workspace first = pool.take();
    float[] array = first.f32(1, 100);
    pool.give(first);
    assertEquals(1, pool.idleCount());
    assertEquals(400, pool.retainedBytes());
    Workspace second = pool.take();
    assertSame(first, second);
    assertSame(array, second.f32(1, 100));
    assertEquals(0, pool.idleCount());
  }

  @Test
  void runsUnderWayAtOnceGetWorkspacesOfTheirOwn() {
    WorkspacePool pool = new WorkspacePool(1, 4);
    Workspace a = pool.take();
    Workspace b = pool.take();
    assertNotSame(a, b);
    pool.give(a);
    pool.give(b);
    assertEquals(2, pool.idleCount());
  }

  @Test
  void thePoolKeepsNoMoreThanMaxIdle() {
    WorkspacePool pool = new WorkspacePool(1, 2);
    List<Workspace> taken = List.of(pool.take(), pool.take(), pool.take());
    taken.forEach(pool::give);
    assertEquals(2, pool.idleCount());
  }

  @Test
  void releaseDropsTheIdleWorkspacesAndThoseOfRunsUnderWay() {
    WorkspacePool pool = new WorkspacePool(1, 4);
    Workspace underWay = pool.take();
    Workspace done = pool.take();
    done.f32(0, 1000);
    pool.give(done);
    pool.release();
    assertEquals(0, pool.idleCount());
    assertEquals(0, pool.retainedBytes());
    pool.give(underWay);
    assertEquals(0, pool.idleCount(), "a workspace taken before release is not kept");
    Workspace fresh = pool.take();
    assertNotSame(done, fresh);
    pool.give(fresh);
    assertEquals(1, pool.idleCount(), "one taken after release is");
  }

  @Test
  void aWorkspaceOfAnotherProgramIsRefused() {
    WorkspacePool pool = new WorkspacePool(3);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> pool.give(new Workspace(2)));
    assertEquals("a workspace of 2 slots given to a pool of 3", e.getMessage());
    assertEquals("a pool keeps at least one workspace, not 0",
        assertThrows(IllegalArgumentException.class, () -> new WorkspacePool(1, 0)).getMessage());
    assertEquals("negative slot count -2",
        assertThrows(IllegalArgumentException.class, () -> new WorkspacePool(-2)).getMessage());
  }

  @Test
  void poisonIdleReachesOnlyIdleWorkspaces() {
    WorkspacePool pool = new WorkspacePool(1, 4);
    Workspace busy = pool.take();
    float[] busyArray = busy.f32(0, 3);
    Workspace idle = pool.take();
    float[] idleArray = idle.f32(0, 3);
    pool.give(idle);
    pool.poisonIdle();
    assertTrue(Float.isNaN(idleArray[0]));
    assertEquals(0f, busyArray[0]);
  }

  /** Threads that each hold a workspace while the others take theirs never share one. */
  @Test
  void concurrentRunsNeverShareAWorkspace() throws Exception {
    WorkspacePool pool = new WorkspacePool(1, 8);
    int threads = 6;
    ExecutorService executor = Executors.newFixedThreadPool(threads);
    try {
      for (int round = 0; round < 20; round++) {
        CountDownLatch allHold = new CountDownLatch(threads);
        Set<Workspace> held = Collections.newSetFromMap(Collections.synchronizedMap(new IdentityHashMap<>()));
        List<Future<Boolean>> results = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
          results.add(executor.submit(() -> {
            Workspace w = pool.take();
            boolean unique = held.add(w);
            allHold.countDown();
            allHold.await(10, TimeUnit.SECONDS);
            held.remove(w);
            pool.give(w);
            return unique;
          }));
        }
        for (Future<Boolean> r : results) assertTrue(r.get(10, TimeUnit.SECONDS), "a workspace was lent twice");
      }
      assertEquals(threads, pool.idleCount(), "as many kept as runs were under way at once");
    } finally {
      executor.shutdownNow();
    }
  }
}
