package dev.adjoint.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SchedulesTest {
  @Test
  void noamIsThePapersFormula() {
    Schedule s = Schedules.noam(512, 4000);
    for (int step : new int[] {1, 10, 3999, 4000, 4001, 100_000}) {
      double expected = Math.pow(512, -0.5) * Math.min(Math.pow(step, -0.5), step * Math.pow(4000, -1.5));
      assertEquals(expected, s.lr(step), 1e-18, "step " + step);
    }
    // Linear rise, peak at the end of warm-up (≈ 7e-4 for the base model), then 1/√step.
    assertEquals(2 * s.lr(1), s.lr(2), 1e-15);
    assertEquals(6.987712429686844e-4, s.lr(4000), 1e-15);
    assertTrue(s.lr(4000) > s.lr(3999) && s.lr(4000) > s.lr(4001));
    assertEquals(s.lr(16000) * 2, s.lr(4000), 1e-15);
    assertEquals(3 * s.lr(100), Schedules.of("noam", 3, 4000, 0, 512).lr(100), 1e-15);
  }

  @Test
  void constantWarmsUpThenHolds() {
    Schedule s = Schedules.constant(0.01, 4);
    assertEquals(0.0025, s.lr(1), 1e-15);
    assertEquals(0.0075, s.lr(3), 1e-15);
    assertEquals(0.01, s.lr(4));
    assertEquals(0.01, s.lr(1_000_000));
    assertEquals(0.5, Schedules.constant(0.5, 0).lr(1));
  }

  @Test
  void cosineWarmsUpThenFollowsHalfACosineToZero() {
    Schedule s = Schedules.cosine(1.0, 10, 110);
    assertEquals(0.1, s.lr(1), 1e-15);
    assertEquals(1.0, s.lr(10), 1e-15);
    assertEquals(0.5, s.lr(60), 1e-15);
    assertEquals(0.5 * (1 + Math.cos(Math.PI * 0.25)), s.lr(35), 1e-15);
    assertEquals(0.0, s.lr(110), 1e-15);
    assertEquals(0.0, s.lr(500), 1e-15);
  }

  @Test
  void linearWarmsUpThenFallsToZero() {
    Schedule s = Schedules.linear(2.0, 5, 25);
    assertEquals(0.4, s.lr(1), 1e-15);
    assertEquals(2.0, s.lr(5), 1e-15);
    assertEquals(1.0, s.lr(15), 1e-15);
    assertEquals(0.1, s.lr(24), 1e-15);
    assertEquals(0.0, s.lr(25), 1e-15);
    assertEquals(0.0, s.lr(26), 1e-15);
    assertEquals(2.0 * 9 / 10, Schedules.linear(2.0, 0, 10).lr(1), 1e-15);
  }

  @Test
  void namesAndBadValues() {
    assertEquals("cosine", Schedules.of("Cosine", 1, 0, 10, 0).cliName());
    assertEquals("linear", Schedules.of("linear", 1, 0, 10, 0).cliName());
    assertEquals("constant", Schedules.of("constant", 1, 0, 10, 0).cliName());
    var e = assertThrows(IllegalArgumentException.class, () -> Schedules.of("step", 1, 0, 10, 0));
    assertTrue(e.getMessage().contains("noam, constant, cosine or linear"), e.getMessage());
    var step0 = assertThrows(IllegalArgumentException.class, () -> Schedules.constant(1, 0).lr(0));
    assertTrue(step0.getMessage().contains("steps count from 1"), step0.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Schedules.noam(512, 0));
    assertThrows(IllegalArgumentException.class, () -> Schedules.cosine(1, 20, 10));
    assertThrows(IllegalArgumentException.class, () -> Schedules.constant(-1, 0));
  }
}
