package dev.adjoint.runtime.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.adjoint.runtime.DType;
import dev.adjoint.runtime.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class NpyTest {
  @TempDir
  Path folder;

  private static final double[] VALUES = {1, -2.5, 0, 3, Double.NaN, Double.POSITIVE_INFINITY};

  private static Tensor sample(DType dtype, int[] shape) {
    int size = Arrays.stream(shape).reduce(1, (a, b) -> a * b);
    double[] values = new double[size];
    for (int i = 0; i < size; i++) {
      values[i] = switch (dtype) {
        case I32 -> i * 7 - 3;
        case BOOL -> i % 3 == 0 ? 1 : 0;
        default -> VALUES[i % VALUES.length] * (1 + i / 8.0);
      };
    }
    return Tensor.ofDoubles(dtype, shape, values);
  }

  @ParameterizedTest
  @EnumSource(DType.class)
  void everyDtypeRoundTripsThroughAFile(DType dtype) {
    for (int[] shape : List.of(new int[] {2, 3}, new int[0], new int[] {0}, new int[] {3, 0, 2}, new int[] {2, 3, 4})) {
      Tensor tensor = sample(dtype, shape);
      Path path = folder.resolve(dtype + "-" + shape.length + ".npy");
      Npy.write(path, tensor);
      Tensor back = Npy.read(path);
      // NumPy has no bfloat16: it is written as f32, exactly.
      assertEquals(dtype == DType.BF16 ? tensor.cast(DType.F32) : tensor, back, Arrays.toString(shape));
      assertEquals(0, dataStart(Npy.toBytes(tensor)) % 64, "data is 64-byte aligned");
    }
  }

  @Test
  void bf16IsWrittenAsF4() {
    Tensor bf16 = Tensor.ofDoubles(DType.BF16, new int[] {2}, new double[] {1.15, -3e38});
    byte[] bytes = Npy.toBytes(bf16);
    assertEquals(Npy.toBytes(bf16.cast(DType.F32)).length, bytes.length);
    assertArrayEquals(Npy.toBytes(bf16.cast(DType.F32)), bytes);
  }

  @Test
  void headersLongerThan65535BytesUseVersion2() {
    int[] shape = new int[25_000];
    Arrays.fill(shape, 1);
    Tensor tensor = Tensor.ofDoubles(DType.F32, shape, new double[] {4.5});
    byte[] bytes = Npy.toBytes(tensor);
    assertEquals(2, bytes[6]);
    assertEquals(0, dataStart(bytes) % 64);
    assertEquals(tensor, Npy.read("long.npy", bytes));
    assertEquals(1, Npy.toBytes(Tensor.scalar(DType.F32, 1))[6]);
  }

  @Test
  void readsVersion3AndPython2StyleHeaders() {
    byte[] data = floats(1, 2, 3);
    assertEquals(Tensor.ofFloats(new int[] {3}, new float[] {1, 2, 3}),
        Npy.read("x.npy", npy(3, "{\"descr\": \"<f4\", \"fortran_order\": False, \"shape\": (3L,)}\n", data)));
    assertEquals(Tensor.ofFloats(new int[] {1, 3}, new float[] {1, 2, 3}),
        Npy.read("x.npy", npy(2, "{'shape':(1,3),'fortran_order':False,'descr':'<f4'}", data)));
  }

  @Test
  void replacesAnExistingFileAndLeavesNoTemporaryFiles() throws Exception {
    Path path = folder.resolve("x.npy");
    Npy.write(path, Tensor.scalar(DType.F32, 1));
    Npy.write(path, Tensor.scalar(DType.I32, 2));
    assertEquals(Tensor.scalar(DType.I32, 2), Npy.read(path));
    try (var files = java.nio.file.Files.list(folder)) {
      assertEquals(List.of(path), files.toList());
    }
  }

  @Test
  void ioProblemsNameTheFile() {
    Path missing = folder.resolve("missing.npy");
    assertEquals("'" + missing + "': no such file",
        assertThrows(UncheckedIOException.class, () -> Npy.read(missing)).getMessage());
    Path noFolder = folder.resolve("absent/x.npy");
    assertEquals("'" + noFolder + "': cannot write the file: folder '" + noFolder.getParent() + "' does not exist",
        assertThrows(UncheckedIOException.class, () -> Npy.write(noFolder, Tensor.scalar(DType.F32, 1))).getMessage());
  }

  // ---- malformed files ----------------------------------------------------------------------

  private static final String F4_2X3 = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";

  private static void assertRefused(String expected, byte[] file) {
    ArrayFileException e = assertThrows(ArrayFileException.class, () -> Npy.read("x.npy", file));
    assertEquals(expected, e.getMessage());
  }

  private static void assertHeaderRefused(String expected, String header) {
    assertRefused(expected, npy(1, header, floats(1, 2, 3, 4, 5, 6)));
  }

  @Test
  void badMagic() {
    String expected = "'x.npy': not a .npy file: it does not start with the magic string \\x93NUMPY";
    assertRefused(expected, "PK\u0003\u0004 not numpy".getBytes(StandardCharsets.ISO_8859_1));
    assertRefused(expected, new byte[0]);
    assertRefused(expected, new byte[] {(byte) 0x93, 'N', 'U'});
  }

  @Test
  void truncatedPreamble() {
    byte[] magic = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    assertRefused("'x.npy': file is 6 bytes long and ends before the format version", magic);
    byte[] v2 = Arrays.copyOf(npy(2, F4_2X3, new byte[0]), 10);
    assertRefused("'x.npy': file is 10 bytes long, too short for the 12-byte preamble of a version 2.0 .npy file", v2);
  }

  @Test
  void unsupportedVersion() {
    byte[] file = npy(1, F4_2X3, floats(1, 2, 3, 4, 5, 6));
    file[6] = 4;
    assertRefused("'x.npy': unsupported .npy format version 4.0 (supported: 1.0, 2.0, 3.0)", file);
    file[6] = 1;
    file[7] = 1;
    assertRefused("'x.npy': unsupported .npy format version 1.1 (supported: 1.0, 2.0, 3.0)", file);
  }

  @Test
  void headerLengthPastTheEnd() {
    byte[] file = npy(1, F4_2X3, new byte[0]);
    ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).putShort(8, (short) 500);
    assertRefused("'x.npy': header length 500 runs past the end of the file (only " + (file.length - 10)
        + " bytes follow the 10-byte preamble)", file);
    byte[] v2 = npy(2, F4_2X3, new byte[0]);
    ByteBuffer.wrap(v2).order(ByteOrder.LITTLE_ENDIAN).putInt(8, -1);
    assertRefused("'x.npy': header length 4294967295 runs past the end of the file (only " + (v2.length - 12)
        + " bytes follow the 12-byte preamble)", v2);
  }

  @Test
  void headerNotADict() {
    assertHeaderRefused("'x.npy': header is not a Python dict literal: expected '{' but found '[' at character 0"
        + " of \"[1, 2]\"", "[1, 2]");
    assertHeaderRefused("'x.npy': header is not a Python dict literal: expected ':' after key 'descr' but found"
        + " ''' at character 9 of \"{'descr' '<f4'}\"", "{'descr' '<f4'}");
    assertHeaderRefused("'x.npy': header is not a Python dict literal: unterminated string at character 10 of"
        + " \"{'descr': '<f4\"", "{'descr': '<f4");
    assertHeaderRefused("'x.npy': header is not a Python dict literal: unexpected 'x' after the dict at"
        + " character 3 of \"{} x\"", "{} x");
    assertHeaderRefused("'x.npy': header is not a Python dict literal: duplicate key 'shape' at character 32 of \""
        + "{'shape': (6,), 'descr': '<f4', 'shape': (6,), 'fortran_order': False}\"",
        "{'shape': (6,), 'descr': '<f4', 'shape': (6,), 'fortran_order': False}");
    assertHeaderRefused("'x.npy': header is not a Python dict literal: unsupported number literal; only plain"
        + " integers are allowed at character 51 of \"{'descr': '<f4', 'fortran_order': False, 'shape': (6.0,)}\"",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (6.0,)}");
  }

  @Test
  void missingAndUnexpectedKeys() {
    assertHeaderRefused("'x.npy': header has no 'shape' key: \"{'descr': '<f4', 'fortran_order': False}\"",
        "{'descr': '<f4', 'fortran_order': False}");
    assertHeaderRefused("'x.npy': header has no 'descr' key: \"{}\"", "{}");
    assertHeaderRefused("'x.npy': header has an unexpected key 'strides' (a .npy header has exactly 'descr',"
        + " 'fortran_order' and 'shape')", "{'descr': '<f4', 'fortran_order': False, 'shape': (6,), 'strides': (4,)}");
  }

  @Test
  void unsupportedDtypes() {
    assertHeaderRefused("'x.npy': unsupported dtype '<u2' (supported: <f4, <f8, <f2, <i4, <i8, |b1)",
        "{'descr': '<u2', 'fortran_order': False, 'shape': (12,)}");
    assertHeaderRefused("'x.npy': big-endian dtype '>f8' is not supported; save the array as little-endian,"
        + " e.g. with arr.astype('<f8')", "{'descr': '>f8', 'fortran_order': False, 'shape': (3,)}");
    assertHeaderRefused("'x.npy': header 'descr' is [('a', '<f4'), ('b', '<i4')], not a dtype string;"
        + " structured arrays are not supported",
        "{'descr': [('a', '<f4'), ('b', '<i4')], 'fortran_order': False, 'shape': (3,)}");
  }

  @Test
  void badFieldTypes() {
    assertHeaderRefused("'x.npy': header 'fortran_order' is 0, not True or False",
        "{'descr': '<f4', 'fortran_order': 0, 'shape': (6,)}");
    assertHeaderRefused("'x.npy': header 'shape' is [2, 3], not a tuple of integers",
        "{'descr': '<f4', 'fortran_order': False, 'shape': [2, 3]}");
    assertHeaderRefused("'x.npy': header 'shape' is 6, not a tuple of integers",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (6)}");
    assertHeaderRefused("'x.npy': header 'shape' is (2, None), not a tuple of integers",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (2, None)}");
  }

  @Test
  void badShapes() {
    assertHeaderRefused("'x.npy': shape (2, -3) has a negative entry",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (2, -3)}");
    assertHeaderRefused("'x.npy': shape (100000, 100000) has 10000000000 elements, more than the 2147483647"
        + " a tensor can hold", "{'descr': '<f4', 'fortran_order': False, 'shape': (100000, 100000)}");
    assertHeaderRefused("'x.npy': shape (0, 3000000000) has an entry larger than 2147483647",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (0, 3000000000)}");
    assertHeaderRefused("'x.npy': shape (1, 99999999999999999999999999) has an entry larger than 2147483647",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 99999999999999999999999999)}");
  }

  @Test
  void dataOfTheWrongLength() {
    assertRefused("'x.npy': header says shape (2, 3) of <f4 (24 bytes) but only 20 bytes of data follow",
        npy(1, F4_2X3, floats(1, 2, 3, 4, 5)));
    assertRefused("'x.npy': header says shape (2, 3) of <f4 (24 bytes) but 28 bytes of data follow",
        npy(1, F4_2X3, floats(1, 2, 3, 4, 5, 6, 7)));
    // A huge declared shape is compared with the bytes present, not allocated.
    assertRefused("'x.npy': header says shape (2000000000,) of <f8 (16000000000 bytes) but only 8 bytes of data"
        + " follow", npy(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (2000000000,)}", new byte[8]));
    assertRefused("'x.npy': header says shape () of <i4 (4 bytes) but only 0 bytes of data follow",
        npy(1, "{'descr': '<i4', 'fortran_order': False, 'shape': ()}", new byte[0]));
  }

  @Test
  void headerOfVersion3MustBeUtf8() {
    byte[] header = "{'descr': '<f4', 'fortran_order': False, 'shape': (0,)} \u00ff".getBytes(StandardCharsets.ISO_8859_1);
    assertRefused("'x.npy': header of a version 3.0 file is not valid UTF-8", npy(3, header, new byte[0]));
  }

  // ---- helpers ------------------------------------------------------------------------------

  static byte[] floats(float... values) {
    ByteBuffer buffer = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
    for (float value : values) {
      buffer.putFloat(value);
    }
    return buffer.array();
  }

  /** A .npy file with the given header text, unpadded. */
  static byte[] npy(int major, String header, byte[] data) {
    return npy(major, header.getBytes(StandardCharsets.ISO_8859_1), data);
  }

  static byte[] npy(int major, byte[] header, byte[] data) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', (byte) major, 0});
    ByteBuffer length = ByteBuffer.allocate(major == 1 ? 2 : 4).order(ByteOrder.LITTLE_ENDIAN);
    if (major == 1) {
      length.putShort((short) header.length);
    } else {
      length.putInt(header.length);
    }
    out.writeBytes(length.array());
    out.writeBytes(header);
    out.writeBytes(data);
    return out.toByteArray();
  }

  private static int dataStart(byte[] npy) {
    ByteBuffer buffer = ByteBuffer.wrap(npy).order(ByteOrder.LITTLE_ENDIAN);
    return npy[6] == 1 ? 10 + Short.toUnsignedInt(buffer.getShort(8)) : 12 + buffer.getInt(8);
  }
}
