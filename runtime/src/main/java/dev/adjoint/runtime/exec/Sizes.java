package dev.adjoint.runtime.exec;

import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The run-time sizes of a program ({@code dim B, T} in its source) by name. Generated code reads
 * each size it uses once, at the start of a run, as an {@code int}.
 */
public final class Sizes {
  private final Map<String, Long> values;

  private Sizes(Map<String, Long> values) {
    this.values = values;
  }

  /**
   * The given sizes.
   *
   * @throws IllegalArgumentException if a size is negative
   */
  public static Sizes of(Map<String, Long> sizes) {
    Objects.requireNonNull(sizes, "sizes");
    Map<String, Long> copy = new TreeMap<>();
    sizes.forEach((name, value) -> {
      Objects.requireNonNull(name, "size name");
      Objects.requireNonNull(value, () -> "size " + name);
      if (value < 0) throw new IllegalArgumentException("size " + name + " is " + value + "; sizes cannot be negative");
      copy.put(name, value);
    });
    return new Sizes(copy);
  }

  /** No sizes, for programs whose shapes are all constant. */
  public static Sizes none() {
    return new Sizes(Map.of());
  }

  /**
   * The size {@code name} as an int.
   *
   * @throws IllegalArgumentException if it is not given, or does not fit in an int
   */
  public int get(String name) {
    Long v = values.get(name);
    if (v == null) {
      throw new IllegalArgumentException("size '" + name + "' is not given; given: " + values.keySet());
    }
    if (v > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("size '" + name + "' is " + v + ", more than " + Integer.MAX_VALUE
          + ", the largest a Java array can index");
    }
    return (int) (long) v;
  }

  /** Every size, by name. */
  public Map<String, Long> asMap() {
    return java.util.Collections.unmodifiableMap(values);
  }

  @Override
  public String toString() {
    return values.toString();
  }
}
