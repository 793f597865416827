package dev.adjoint.runtime.io;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.adjoint.runtime.DType;
import dev.adjoint.runtime.Tensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The files written by {@code tools/reference/write_array_files.py} with NumPy and PyTorch, and
 * its manifest of what they hold.
 */
final class ReferenceFiles {
  private ReferenceFiles() {}

  static Path path(String relative) {
    try {
      return Path.of(ReferenceFiles.class.getResource("/arrays/" + relative).toURI());
    } catch (URISyntaxException | NullPointerException e) {
      throw new IllegalStateException("missing test resource arrays/" + relative
          + "; run tools/reference/write_array_files.py", e);
    }
  }

  static byte[] bytes(String relative) {
    try {
      return Files.readAllBytes(path(relative));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Map<String, Object> json(String relative) {
    try {
      @SuppressWarnings("unchecked")
      Map<String, Object> root = (Map<String, Object>) JsonParser.parse(
          new String(bytes(relative), StandardCharsets.UTF_8));
      return root;
    } catch (LiteralSyntaxException e) {
      throw new IllegalStateException("arrays/" + relative + " is not valid JSON: " + e.getMessage(), e);
    }
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> section(String name) {
    return (Map<String, Object>) json("manifest.json").get(name);
  }

  /** One value of the manifest as a double: numbers exactly, and "nan", "inf", "-inf", "-0". */
  static double number(Object value) {
    return switch (value) {
      case BigInteger n -> n.doubleValue();
      case BigDecimal n -> n.doubleValue();
      case Boolean b -> b ? 1 : 0;
      case String s -> switch (s) {
        case "nan" -> Double.NaN;
        case "inf" -> Double.POSITIVE_INFINITY;
        case "-inf" -> Double.NEGATIVE_INFINITY;
        case "-0" -> -0.0;
        default -> throw new IllegalArgumentException("unexpected value " + s);
      };
      default -> throw new IllegalArgumentException("unexpected value " + value);
    };
  }

  /** Asserts that {@code tensor} is what a manifest entry describes, element by element and bit for bit. */
  @SuppressWarnings("unchecked")
  static void assertMatches(Map<String, Object> expected, Tensor tensor, String name) {
    assertEquals(DType.fromName((String) expected.get("dtype")), tensor.dtype(), name + " dtype");
    List<Integer> shape = ((List<Object>) expected.get("shape")).stream()
        .map(n -> ((BigInteger) n).intValueExact()).toList();
    assertEquals(shape, tensor.shape(), name + " shape");
    List<Object> values = (List<Object>) expected.get("values");
    assertEquals(values.size(), tensor.size(), name + " size");
    for (int i = 0; i < values.size(); i++) {
      double want = number(values.get(i));
      double got = tensor.getDouble(i);
      assertEquals(Double.doubleToLongBits(want), Double.doubleToLongBits(got),
          name + " element " + i + ": expected " + want + " but was " + got);
    }
    if (expected.containsKey("bits")) {
      List<Object> bits = (List<Object>) expected.get("bits");
      for (int i = 0; i < bits.size(); i++) {
        assertEquals(((BigInteger) bits.get(i)).intValueExact(), tensor.halfData()[i] & 0xffff,
            name + " bits of element " + i);
      }
    }
  }
}
