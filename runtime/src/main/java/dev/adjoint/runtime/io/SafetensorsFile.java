package dev.adjoint.runtime.io;

import dev.adjoint.runtime.Tensor;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The content of a {@code .safetensors} file: its tensors by name, in the order of their data in
 * the file, and the free-form string metadata of its {@code __metadata__} entry (empty if none).
 *
 * @param tensors the tensors, unmodifiable, in file order
 * @param metadata the metadata, unmodifiable, in header order
 */
public record SafetensorsFile(Map<String, Tensor> tensors, Map<String, String> metadata) {
  /** Copies both maps, keeping their iteration order, and refuses null keys or values. */
  public SafetensorsFile {
    tensors = orderedCopy(tensors, "tensors");
    metadata = orderedCopy(metadata, "metadata");
  }

  private static <V> Map<String, V> orderedCopy(Map<String, V> map, String what) {
    Objects.requireNonNull(map, what);
    Map<String, V> copy = new LinkedHashMap<>();
    map.forEach((key, value) -> copy.put(
        Objects.requireNonNull(key, () -> what + " has a null key"),
        Objects.requireNonNull(value, () -> what + " has a null value for '" + key + "'")));
    return Collections.unmodifiableMap(copy);
  }
}
