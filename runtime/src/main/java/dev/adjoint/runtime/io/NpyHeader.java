package dev.adjoint.runtime.io;

import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The dict at the start of a {@code .npy} file, checked: a supported little-endian dtype, the
 * storage order, and a shape of non-negative entries. Entries stay {@link BigInteger} here so the
 * reader can report an element count that does not fit instead of wrapping around.
 */
record NpyHeader(String descr, StoredType type, boolean fortranOrder, List<BigInteger> shape) {
  /** The descrs we read, in the order the error message lists them. */
  private static final Map<String, StoredType> SUPPORTED = Map.of(
      "<f4", StoredType.F32, "<f8", StoredType.F64, "<f2", StoredType.F16,
      "<i4", StoredType.I32, "<i8", StoredType.I64, "|b1", StoredType.BOOL);
  static final String SUPPORTED_LIST = "<f4, <f8, <f2, <i4, <i8, |b1";

  private static final Set<String> KEYS = Set.of("descr", "fortran_order", "shape");

  NpyHeader {
    shape = List.copyOf(shape);
  }

  /**
   * Checks the header text of {@code source}.
   *
   * @throws ArrayFileException saying what is wrong with it
   */
  static NpyHeader parse(String source, String text) {
    Map<String, Object> dict;
    try {
      dict = PythonLiteral.parseDict(text);
    } catch (LiteralSyntaxException e) {
      throw new ArrayFileException(source, "header is not a Python dict literal: " + e.reason()
          + " at character " + e.offset() + " of " + quote(text));
    }
    for (String key : KEYS.stream().sorted().toList()) {
      if (!dict.containsKey(key)) {
        throw new ArrayFileException(source, "header has no '" + key + "' key: " + quote(text));
      }
    }
    for (String key : dict.keySet()) {
      if (!KEYS.contains(key)) {
        throw new ArrayFileException(source, "header has an unexpected key '" + key
            + "' (a .npy header has exactly 'descr', 'fortran_order' and 'shape')");
      }
    }
    String descr = descr(source, dict.get("descr"));
    StoredType type = SUPPORTED.get(descr);
    if (type == null) {
      throw new ArrayFileException(source, unsupported(descr));
    }
    if (!(dict.get("fortran_order") instanceof Boolean fortranOrder)) {
      throw new ArrayFileException(source, "header 'fortran_order' is "
          + PythonLiteral.repr(dict.get("fortran_order")) + ", not True or False");
    }
    return new NpyHeader(descr, type, fortranOrder, shape(source, dict.get("shape")));
  }

  private static String descr(String source, Object value) {
    if (value instanceof String descr) {
      return descr;
    }
    throw new ArrayFileException(source, "header 'descr' is " + PythonLiteral.repr(value)
        + ", not a dtype string; structured arrays are not supported");
  }

  private static String unsupported(String descr) {
    if (descr.startsWith(">") && SUPPORTED.containsKey("<" + descr.substring(1))) {
      return "big-endian dtype '" + descr + "' is not supported; save the array as little-endian, e.g. with"
          + " arr.astype('<" + descr.substring(1) + "')";
    }
    return "unsupported dtype '" + descr + "' (supported: " + SUPPORTED_LIST + ")";
  }

  private static List<BigInteger> shape(String source, Object value) {
    if (value instanceof PythonLiteral.Tuple tuple
        && tuple.elements().stream().allMatch(BigInteger.class::isInstance)) {
      List<BigInteger> shape = tuple.elements().stream().map(BigInteger.class::cast).toList();
      if (shape.stream().anyMatch(dim -> dim.signum() < 0)) {
        throw new ArrayFileException(source, "shape " + formatShape(shape) + " has a negative entry");
      }
      if (shape.stream().anyMatch(dim -> dim.compareTo(BigInteger.valueOf(Integer.MAX_VALUE)) > 0)) {
        throw new ArrayFileException(source, "shape " + formatShape(shape) + " has an entry larger than "
            + Integer.MAX_VALUE);
      }
      return shape;
    }
    throw new ArrayFileException(source, "header 'shape' is " + PythonLiteral.repr(value)
        + ", not a tuple of integers");
  }

  /** The shape as Python prints a tuple: {@code (2, 3)}, {@code (3,)}, {@code ()}. */
  static String formatShape(List<?> shape) {
    if (shape.size() == 1) {
      return "(" + shape.get(0) + ",)";
    }
    return shape.stream().map(Object::toString).collect(Collectors.joining(", ", "(", ")"));
  }

  /** The element count, exact however large. */
  BigInteger elementCount() {
    return shape.stream().reduce(BigInteger.ONE, BigInteger::multiply);
  }

  // Headers can be long (v2.0 allows 4 GiB); a message quotes only the start.
  private static String quote(String header) {
    String trimmed = header.strip();
    return "\"" + (trimmed.length() > 200 ? trimmed.substring(0, 200) + "..." : trimmed) + "\"";
  }
}
