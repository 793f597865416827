package dev.adjoint.runtime.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.adjoint.runtime.Tensor;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Reads the .safetensors files made from PyTorch tensors, and writes them back byte for byte. */
class SafetensorsReferenceFilesTest {
  static Stream<String> files() {
    return ReferenceFiles.section("safetensors").keySet().stream();
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> expected(String file) {
    return (Map<String, Object>) ReferenceFiles.section("safetensors").get(file);
  }

  @SuppressWarnings("unchecked")
  @ParameterizedTest
  @MethodSource("files")
  void readsTensorsAndMetadata(String file) {
    SafetensorsFile read = Safetensors.readFile(ReferenceFiles.path("safetensors/" + file));
    Map<String, Object> tensors = (Map<String, Object>) expected(file).get("tensors");
    // The writer lays data out in name order, so file order is name order here.
    assertEquals(List.copyOf(tensors.keySet()), List.copyOf(read.tensors().keySet()));
    tensors.forEach((name, entry) ->
        ReferenceFiles.assertMatches((Map<String, Object>) entry, read.tensors().get(name), file + ":" + name));
    assertEquals(expected(file).get("metadata"), read.metadata());
  }

  @ParameterizedTest
  @MethodSource("files")
  void writesTheSameBytes(String file) {
    if (!(Boolean) expected(file).get("byte_identical")) {
      return; // I64 is read into i32 and written back as I32
    }
    byte[] reference = ReferenceFiles.bytes("safetensors/" + file);
    SafetensorsFile read = Safetensors.readFile(file, reference);
    assertArrayEquals(reference, Safetensors.toBytes(read.tensors(), read.metadata()), file);
  }

  @Test
  void bf16BitsAreTorchs() {
    Tensor emb = Safetensors.read(ReferenceFiles.path("safetensors/model.safetensors")).get("emb");
    // torch.tensor([[1.15, -3.0e38], [1e-40, inf]]).to(torch.bfloat16); 1e-40 becomes 2^-133, the smallest positive bf16
    assertEquals("bf16[2, 2] [[1.15, -3E38], [9E-41, inf]]", emb.toString());
  }
}
