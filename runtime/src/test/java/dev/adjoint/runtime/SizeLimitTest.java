package dev.adjoint.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.adjoint.runtime.model.Arguments;
import org.junit.jupiter.api.Test;

/** The limit of one tensor and its message, as every caller (CLI, backends, generated classes) reports it. */
class SizeLimitTest {
  @Test
  void countsUpToTheLimit() {
    assertEquals(6, SizeLimit.elements("t", 2, 3));
    assertEquals(1, SizeLimit.elements("scalar"));
    assertEquals(0, SizeLimit.elements("empty", 0, 1L << 40));
    assertEquals(Integer.MAX_VALUE, SizeLimit.elements("t", Integer.MAX_VALUE, 1));
  }

  @Test
  void pastTheLimitNamesTheTensorItsShapeItsCountAndTheLimit() {
    var e = assertThrows(IllegalArgumentException.class,
        () -> SizeLimit.elements("input 'q' f32[B, H, T, 64]", 64, 16, 100_000, 64));
    assertEquals("input 'q' f32[B, H, T, 64] would be [64, 16, 100000, 64], 6553600000 elements: more than 2147483647, "
        + "the most one tensor can hold", e.getMessage());
  }

  @Test
  void countsPastALongAreExact() {
    var e = assertThrows(IllegalArgumentException.class,
        () -> SizeLimit.elements("t", Long.MAX_VALUE, Long.MAX_VALUE));
    assertEquals("t would be [9223372036854775807, 9223372036854775807], 85070591730234615847396907784232501249 "
        + "elements: more than 2147483647, the most one tensor can hold", e.getMessage());
  }

  @Test
  void negativeSizesAreRefused() {
    var e = assertThrows(IllegalArgumentException.class, () -> SizeLimit.elements("t", 3, -1));
    assertEquals("t would be [3, -1]: a negative size", e.getMessage());
  }

  /** Generated model classes size their buffers through Arguments.elements. */
  @Test
  void generatedClassesBuffersUseTheSameMessage() {
    assertEquals(12, Arguments.elements("out", 3, 4));
    var e = assertThrows(IllegalArgumentException.class, () -> Arguments.elements("t0", 50_000, 50_000));
    assertEquals("buffer 't0' would be [50000, 50000], 2500000000 elements: more than 2147483647, the most one tensor "
        + "can hold", e.getMessage());
  }
}
