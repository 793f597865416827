package dev.adjoint.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class DTypeTest {
  @ParameterizedTest
  @EnumSource(DType.class)
  void languageNameRoundTrips(DType type) {
    assertEquals(type, DType.fromName(type.languageName()));
    assertEquals(type.languageName(), type.toString());
  }

  @Test
  void propertiesMatchTheFormats() {
    assertEquals(4, DType.F32.byteSize());
    assertEquals(8, DType.F64.byteSize());
    assertEquals(2, DType.BF16.byteSize());
    assertEquals(2, DType.F16.byteSize());
    assertEquals(4, DType.I32.byteSize());
    assertEquals(1, DType.BOOL.byteSize());
    assertTrue(DType.BF16.isFloating());
    assertFalse(DType.I32.isFloating());
    assertFalse(DType.BOOL.isFloating());
    assertEquals(Optional.of("<f2"), DType.F16.numpyDescr());
    assertEquals(Optional.of("|b1"), DType.BOOL.numpyDescr());
    assertEquals(Optional.empty(), DType.BF16.numpyDescr());
    assertEquals("BF16", DType.BF16.safetensorsName());
    assertEquals("BOOL", DType.BOOL.safetensorsName());
  }

  @Test
  void unknownNameListsTheKnownOnes() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DType.fromName("float32"));
    assertEquals("unknown dtype 'float32'; expected one of f32, f64, bf16, f16, i32, bool", e.getMessage());
  }
}
