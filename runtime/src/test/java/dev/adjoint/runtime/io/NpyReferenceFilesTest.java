package dev.adjoint.runtime.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.adjoint.runtime.Tensor;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Reads the .npy files NumPy wrote, and writes them back byte for byte. */
class NpyReferenceFilesTest {
  private static final List<String> UNREADABLE = List.of("i64_too_big.npy", "f32_big_endian.npy");

  static Stream<String> readableFiles() {
    return ReferenceFiles.section("npy").keySet().stream().filter(name -> !UNREADABLE.contains(name));
  }

  static Stream<String> filesNumPySavedFromCOrderArrays() {
    return ReferenceFiles.section("npy").entrySet().stream()
        .filter(e -> (Boolean) ((Map<?, ?>) e.getValue()).get("byte_identical"))
        .map(Map.Entry::getKey);
  }

  @SuppressWarnings("unchecked")
  @ParameterizedTest
  @MethodSource("readableFiles")
  void readsWhatNumPyWrote(String name) {
    Tensor tensor = Npy.read(ReferenceFiles.path("npy/" + name));
    ReferenceFiles.assertMatches((Map<String, Object>) ReferenceFiles.section("npy").get(name), tensor, name);
  }

  @ParameterizedTest
  @MethodSource("filesNumPySavedFromCOrderArrays")
  void writesTheSameBytesAsNumPySave(String name) {
    byte[] numpy = ReferenceFiles.bytes("npy/" + name);
    assertArrayEquals(numpy, Npy.toBytes(Npy.read(name, numpy)), name);
  }

  @Test
  void everyDtypeIsCoveredByAByteIdenticalFile() {
    assertEquals(List.of("bool_4.npy", "f16_7.npy", "f32_2x3.npy", "f32_2x3x4.npy", "f32_empty_0x3.npy",
            "f32_long_1d.npy", "f32_scalar.npy", "f64_2x3.npy", "f64_scalar.npy", "i32_2x2.npy",
            "i32_empty_0.npy"),
        filesNumPySavedFromCOrderArrays().sorted().toList());
  }

  @Test
  void fortranOrderIsTransposedIntoCOrder() {
    Tensor tensor = Npy.read(ReferenceFiles.path("npy/i32_fortran_2x3x4.npy"));
    int[] expected = new int[24];
    for (int i = 0; i < 24; i++) {
      expected[i] = i;
    }
    assertArrayEquals(expected, tensor.intData());
    assertEquals(List.of(2, 3, 4), tensor.shape());
  }

  @Test
  void refusesBigEndianFiles() {
    ArrayFileException e = assertThrows(ArrayFileException.class,
        () -> Npy.read("f32_big_endian.npy", ReferenceFiles.bytes("npy/f32_big_endian.npy")));
    assertEquals("'f32_big_endian.npy': big-endian dtype '>f4' is not supported; save the array as"
        + " little-endian, e.g. with arr.astype('<f4')", e.getMessage());
  }

  @Test
  void refusesInt64ValuesThatDoNotFitInI32() {
    ArrayFileException e = assertThrows(ArrayFileException.class,
        () -> Npy.read("i64_too_big.npy", ReferenceFiles.bytes("npy/i64_too_big.npy")));
    assertEquals("'i64_too_big.npy': element 1 of the <i8 data is 4294967296, which does not fit in i32"
        + " (64-bit integers are read as i32)", e.getMessage());
  }

  @Test
  void errorsNameThePathTheyWereGiven() {
    ArrayFileException e = assertThrows(ArrayFileException.class,
        () -> Npy.read(ReferenceFiles.path("npy/i64_too_big.npy")));
    assertEquals(ReferenceFiles.path("npy/i64_too_big.npy").toString(), e.sourceName());
  }
}
