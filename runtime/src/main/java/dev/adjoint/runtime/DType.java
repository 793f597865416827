package dev.adjoint.runtime;

import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The element types of Adjoint tensors, with the names they go by in the language, in NumPy
 * {@code .npy} files and in {@code .safetensors} files.
 */
public enum DType {
  /** IEEE 754 binary32. */
  F32("f32", 4, true, "<f4", "F32"),
  /** IEEE 754 binary64. */
  F64("f64", 8, true, "<f8", "F64"),
  /** bfloat16: the top half of a binary32 (8 exponent bits, 7 fraction bits). NumPy has no such type. */
  BF16("bf16", 2, true, null, "BF16"),
  /** IEEE 754 binary16. */
  F16("f16", 2, true, "<f2", "F16"),
  /** Two's complement 32-bit integer. */
  I32("i32", 4, false, "<i4", "I32"),
  /** Boolean, stored as one byte (0 or 1) in files. */
  BOOL("bool", 1, false, "|b1", "BOOL");

  private final String languageName;
  private final int byteSize;
  private final boolean floating;
  private final String numpyDescr;
  private final String safetensorsName;

  DType(String languageName, int byteSize, boolean floating, String numpyDescr, String safetensorsName) {
    this.languageName = languageName;
    this.byteSize = byteSize;
    this.floating = floating;
    this.numpyDescr = numpyDescr;
    this.safetensorsName = safetensorsName;
  }

  /** Bytes per element in array files and in device buffers. */
  public int byteSize() {
    return byteSize;
  }

  /** Whether this is a floating-point type (f32, f64, bf16, f16). */
  public boolean isFloating() {
    return floating;
  }

  /** The name used in Adjoint source, e.g. {@code f32}; also what {@link #toString()} returns. */
  public String languageName() {
    return languageName;
  }

  /**
   * The little-endian NumPy type descriptor of exactly this type (e.g. {@code <f4}), or empty for
   * {@link #BF16}, which NumPy cannot represent.
   */
  public Optional<String> numpyDescr() {
    return Optional.ofNullable(numpyDescr);
  }

  /** The dtype name in a {@code .safetensors} header, e.g. {@code F32}. */
  public String safetensorsName() {
    return safetensorsName;
  }

  /**
   * The type with the given language name ({@code f32}, {@code f64}, {@code bf16}, {@code f16},
   * {@code i32}, {@code bool}).
   *
   * @throws IllegalArgumentException naming the accepted names when {@code name} is none of them
   */
  public static DType fromName(String name) {
    Objects.requireNonNull(name, "name");
    for (DType type : values()) {
      if (type.languageName.equals(name)) {
        return type;
      }
    }
    throw new IllegalArgumentException("unknown dtype '" + name + "'; expected one of " + names());
  }

  private static String names() {
    return Arrays.stream(values()).map(DType::languageName).collect(Collectors.joining(", "));
  }

  @Override
  public String toString() {
    return languageName;
  }
}
