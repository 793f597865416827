package dev.adjoint.runtime.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class KernelTimesTest {
  @Test
  void recordsFromTheGivenStartAndReturnsNow() {
    KernelTimes times = new KernelTimes(2);
    long start = System.nanoTime() - 5_000_000L;
    long now = times.record(1, start);
    assertTrue(times.nanos(1) >= 5_000_000L, String.valueOf(times.nanos(1)));
    assertEquals(now - start, times.nanos(1));
    assertEquals(1, times.calls(1));
    assertEquals(0, times.calls(0));
    assertEquals(0, times.nanos(0));
    times.clear();
    assertEquals(0, times.nanos(1));
    assertEquals(0, times.calls(1));
  }

  @Test
  void aContextWithoutTimesOnlyReadsTheClock() {
    long before = System.nanoTime();
    assertTrue(RunContext.of(0, 0).timed(3, 0) >= before);
  }

  @Test
  void negativeCountsAreRefused() {
    assertEquals("negative kernel count -1",
        assertThrows(IllegalArgumentException.class, () -> new KernelTimes(-1)).getMessage());
  }
}
