package dev.adjoint.runtime.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.adjoint.runtime.Tensor;
import java.util.Map;

/**
 * Hostile {@code .npy} and {@code .safetensors} files: whatever the bytes, a reader either returns
 * tensors that survive a write and a re-read unchanged, or throws an {@link ArrayFileException}
 * naming the file. Any other exception, a hang or an allocation the file's size does not justify is
 * a finding.
 *
 * <p>Under {@code mvn test} each method replays its corpus in
 * {@code src/test/resources/dev/adjoint/runtime/io/ArrayFileFuzzTestInputs/<method>/}; to fuzz for
 * real see docs/robustness.md.
 */
class ArrayFileFuzzTest {
  private static final String NAME = "fuzz.bin";

  @FuzzTest(maxDuration = "10m")
  void npy(byte[] bytes) {
    Tensor t;
    try {
      t = Npy.read(NAME, bytes);
    } catch (ArrayFileException e) {
      assertMessageNamesTheFile(e);
      return;
    }
    // A bounded allocation: what was read is no larger than the bytes it came from.
    assertTrue((long) t.size() * t.dtype().byteSize() <= bytes.length, "read more elements than the file holds");
    Tensor again = Npy.read(NAME, Npy.toBytes(t));
    assertEquals(t, again, "an array read from a file changed when written and read back");
  }

  @FuzzTest(maxDuration = "10m")
  void safetensors(byte[] bytes) {
    SafetensorsFile f;
    try {
      f = Safetensors.readFile(NAME, bytes);
    } catch (ArrayFileException e) {
      assertMessageNamesTheFile(e);
      return;
    }
    long total = 0;
    for (Tensor t : f.tensors().values()) total += (long) t.size() * t.dtype().byteSize();
    assertTrue(total <= bytes.length, "read more bytes of tensors than the file holds");
    if (f.tensors().containsKey(SafetensorsHeader.METADATA_KEY)) return;
    SafetensorsFile again = Safetensors.readFile(NAME, Safetensors.toBytes(f.tensors(), f.metadata()));
    assertEquals(Map.copyOf(f.tensors()), Map.copyOf(again.tensors()), "tensors changed when written and read back");
    assertEquals(Map.copyOf(f.metadata()), Map.copyOf(again.metadata()), "metadata changed when written and read back");
  }

  private static void assertMessageNamesTheFile(ArrayFileException e) {
    assertTrue(e.getMessage().startsWith("'" + NAME + "'"), () -> "message does not start with the file name: " + e.getMessage());
    assertTrue(!e.problem().isBlank(), "empty message");
  }
}
