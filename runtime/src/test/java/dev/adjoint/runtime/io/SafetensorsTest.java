package dev.adjoint.runtime.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.adjoint.runtime.DType;
import dev.adjoint.runtime.Tensor;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsTest {
  @TempDir
  Path folder;

  private static Map<String, Tensor> everyDtype() {
    Map<String, Tensor> tensors = new LinkedHashMap<>();
    tensors.put("w", Tensor.ofDoubles(DType.F32, new int[] {2, 3}, new double[] {1, 2, 3, 4, 5.5, Double.NaN}));
    tensors.put("f64", Tensor.ofDoubles(DType.F64, new int[] {2}, new double[] {0.1, -0.0}));
    tensors.put("bf16", Tensor.ofDoubles(DType.BF16, new int[] {3}, new double[] {1.15, -3e38, Double.NEGATIVE_INFINITY}));
    tensors.put("f16", Tensor.ofDoubles(DType.F16, new int[] {1, 2}, new double[] {0.1, 65504}));
    tensors.put("ids", Tensor.ofInts(new int[] {2, 2}, new int[] {0, -1, Integer.MAX_VALUE, Integer.MIN_VALUE}));
    tensors.put("mask", Tensor.ofBooleans(new int[] {3}, new boolean[] {true, false, true}));
    tensors.put("scalar", Tensor.scalar(DType.F32, 2.5));
    tensors.put("empty", Tensor.zeros(DType.F16, new int[] {0, 4}));
    return tensors;
  }

  @Test
  void everyDtypeRoundTripsWithMetadata() {
    Path path = folder.resolve("m.safetensors");
    Map<String, String> metadata = Map.of("format", "pt", "note", "caf\u00e9 \"quoted\"\n");
    Safetensors.write(path, everyDtype(), metadata);
    SafetensorsFile read = Safetensors.readFile(path);
    assertEquals(everyDtype(), read.tensors());
    assertEquals(metadata, read.metadata());
    // Data is laid out, and so read back, in name order.
    assertEquals(List.of("bf16", "empty", "f16", "f64", "ids", "mask", "scalar", "w"), List.copyOf(read.tensors().keySet()));
    assertEquals(List.of("format", "note"), List.copyOf(read.metadata().keySet()));
  }

  @Test
  void headerIsCompactJsonPaddedToEightBytes() {
    byte[] bytes = Safetensors.toBytes(Map.of("b", Tensor.scalar(DType.F32, 1), "a", Tensor.zeros(DType.I32, new int[] {2})),
        Map.of());
    long length = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
    assertEquals(0, length % 8);
    String header = new String(bytes, 8, (int) length, StandardCharsets.UTF_8);
    assertEquals("{\"a\":{\"dtype\":\"I32\",\"shape\":[2],\"data_offsets\":[0,8]},"
        + "\"b\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[8,12]}}     ", header);
    assertEquals(8 + length + 12, bytes.length);
  }

  @Test
  void writesWithoutMetadataAndReadsAsAMap() throws Exception {
    Path path = folder.resolve("plain.safetensors");
    Safetensors.write(path, Map.of("x", Tensor.scalar(DType.F64, 3)));
    assertEquals(Map.of("x", Tensor.scalar(DType.F64, 3)), Safetensors.read(path));
    assertEquals(Map.of(), Safetensors.readFile(path).metadata());
    assertEquals(Map.of("x", Tensor.scalar(DType.F64, 3)), Safetensors.read(path.toString(), Files.readAllBytes(path)));
    Safetensors.write(path, Map.of());
    assertEquals(Map.of(), Safetensors.read(path));
    try (var files = Files.list(folder)) {
      assertEquals(List.of(path), files.toList());
    }
  }

  @Test
  void refusesTheReservedName() {
    assertEquals("a tensor cannot be named __metadata__: the name is reserved for the metadata",
        assertThrows(IllegalArgumentException.class,
            () -> Safetensors.toBytes(Map.of("__metadata__", Tensor.scalar(DType.F32, 1)), Map.of())).getMessage());
  }

  // ---- malformed files ----------------------------------------------------------------------

  private static void assertRefused(String expected, byte[] file) {
    ArrayFileException e = assertThrows(ArrayFileException.class, () -> Safetensors.read("m.safetensors", file));
    assertEquals("'m.safetensors': " + expected, e.getMessage());
  }

  private static void assertHeaderRefused(String expected, String header, int dataBytes) {
    assertRefused(expected, file(header.getBytes(StandardCharsets.UTF_8), new byte[dataBytes]));
  }

  private static final String W = "\"w\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,24]}";

  @Test
  void truncatedFiles() {
    assertRefused("file is 5 bytes long, too short for the 8-byte header length", new byte[5]);
    byte[] file = file(("{" + W + "}").getBytes(StandardCharsets.UTF_8), new byte[24]);
    ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).putLong(0, 1000);
    assertRefused("header length 1000 runs past the end of the file (only " + (file.length - 8)
        + " bytes follow the 8-byte length)", file);
    ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).putLong(0, -1);
    assertRefused("header length 18446744073709551615 runs past the end of the file (only " + (file.length - 8)
        + " bytes follow the 8-byte length)", file);
  }

  @Test
  void headerThatIsNotAJsonObject() {
    assertHeaderRefused("header is not valid JSON: unexpected 'x'; expected a JSON value at character 0", "xyz", 0);
    assertHeaderRefused("header is not valid JSON: unexpected end of text; expected ',' or '}' at character 9",
        "{\"a\":true", 0);
    assertHeaderRefused("header is not valid JSON: unexpected ','; expected a JSON value at character 8", "{\"a\":[1,,2]}", 0);
    assertHeaderRefused("header is not valid JSON: unexpected '}' after the JSON value at character 2", "{}}", 0);
    assertHeaderRefused("header is not a JSON object", "[1, 2]", 0);
    assertRefused("header is not valid UTF-8", file(new byte[] {'{', (byte) 0xff, '}'}, new byte[0]));
  }

  @Test
  void badTensorEntries() {
    assertHeaderRefused("tensor 'w' is not a JSON object", "{\"w\":[1]}", 0);
    assertHeaderRefused("tensor 'w' has no 'dtype'", "{\"w\":{\"shape\":[],\"data_offsets\":[0,4]}}", 4);
    assertHeaderRefused("tensor 'w' has no 'data_offsets'", "{\"w\":{\"dtype\":\"F32\",\"shape\":[]}}", 4);
    assertHeaderRefused("tensor 'w' has an unexpected key 'strides' (expected 'dtype', 'shape' and 'data_offsets')",
        "{\"w\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[0,4],\"strides\":[]}}", 4);
    assertHeaderRefused("tensor 'w' has unsupported dtype \"U8\" (supported: F32, F64, BF16, F16, I32, I64, BOOL)",
        "{\"w\":{\"dtype\":\"U8\",\"shape\":[4],\"data_offsets\":[0,4]}}", 4);
    assertHeaderRefused("tensor 'w' has unsupported dtype 4 (supported: F32, F64, BF16, F16, I32, I64, BOOL)",
        "{\"w\":{\"dtype\":4,\"shape\":[4],\"data_offsets\":[0,4]}}", 4);
    assertHeaderRefused("tensor 'w' has shape [2,-3], not a list of non-negative integers",
        "{\"w\":{\"dtype\":\"F32\",\"shape\":[2,-3],\"data_offsets\":[0,4]}}", 4);
    assertHeaderRefused("tensor 'w' has shape [2.0], not a list of non-negative integers",
        "{\"w\":{\"dtype\":\"F32\",\"shape\":[2.0],\"data_offsets\":[0,8]}}", 8);
    assertHeaderRefused("tensor 'w' has shape [100000, 100000] with 10000000000 elements, more than the 2147483647"
        + " a tensor can hold", "{\"w\":{\"dtype\":\"F32\",\"shape\":[100000,100000],\"data_offsets\":[0,4]}}", 4);
    assertHeaderRefused("tensor 'w' has shape [0, 3000000000] with a dimension larger than 2147483647",
        "{\"w\":{\"dtype\":\"F32\",\"shape\":[0,3000000000],\"data_offsets\":[0,0]}}", 0);
    assertHeaderRefused("tensor 'w' has data_offsets [0], not [begin, end]",
        "{\"w\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[0]}}", 4);
    assertHeaderRefused("tensor 'w' has data_offsets null, not [begin, end]",
        "{\"w\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":null}}", 4);
  }

  @Test
  void offsetsThatDoNotHoldTheTensor() {
    assertHeaderRefused("tensor 'w' has data_offsets [24, 0] that end before they begin",
        "{\"w\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[24,0]}}", 24);
    assertHeaderRefused("tensor 'w' has data_offsets [0, 24] that run past the end of the data (20 bytes)",
        "{" + W + "}", 20);
    assertHeaderRefused("tensor 'w' has shape [2, 3] of F32 (24 bytes) but data_offsets [0, 20] span 20 bytes",
        "{\"w\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,20]}}", 20);
    assertHeaderRefused("tensors 'a' (data_offsets [0, 24]) and 'b' (data_offsets [16, 40]) overlap",
        "{\"b\":{\"dtype\":\"F64\",\"shape\":[3],\"data_offsets\":[16,40]},"
            + "\"a\":{\"dtype\":\"F32\",\"shape\":[6],\"data_offsets\":[0,24]}}", 40);
    assertHeaderRefused("bytes [24, 32) of the data belong to no tensor",
        "{\"a\":{\"dtype\":\"F32\",\"shape\":[6],\"data_offsets\":[0,24]},"
            + "\"b\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[32,40]}}", 40);
    assertHeaderRefused("bytes [0, 8) of the data belong to no tensor",
        "{\"a\":{\"dtype\":\"F32\",\"shape\":[6],\"data_offsets\":[8,32]}}", 32);
    assertHeaderRefused("bytes [24, 28) of the data belong to no tensor", "{" + W + "}", 28);
  }

  @Test
  void duplicateNamesAndBadMetadata() {
    assertHeaderRefused("duplicate tensor name 'w' in the header", "{" + W + "," + W + "}", 24);
    assertHeaderRefused("header is not valid JSON: duplicate key \"dtype\" at character 20",
        "{\"w\":{\"dtype\":\"F32\",\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[0,4]}}", 4);
    assertHeaderRefused("__metadata__ is not a JSON object of strings", "{\"__metadata__\":[]}", 0);
    assertHeaderRefused("__metadata__ entry 'epoch' is 3, not a string", "{\"__metadata__\":{\"epoch\":3}}", 0);
  }

  @Test
  void int64ValuesMustFitInI32() {
    String header = "{\"n\":{\"dtype\":\"I64\",\"shape\":[2],\"data_offsets\":[0,16]}}";
    byte[] data = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(-5).putLong(1L << 40).array();
    assertRefused("element 1 of tensor 'n' is 1099511627776, which does not fit in i32 (64-bit integers are read"
        + " as i32)", file(header.getBytes(StandardCharsets.UTF_8), data));
  }

  static byte[] file(byte[] header, byte[] data) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length).array());
    out.writeBytes(header);
    out.writeBytes(data);
    return out.toByteArray();
  }
}
