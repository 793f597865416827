package dev.adjoint.runtime.io;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The JSON header of a {@code .safetensors} file, checked against the size of the data that follows
 * it: every tensor has a supported dtype, a shape, and offsets that hold exactly its bytes; the
 * tensors tile the data with no overlap, gap or leftover.
 */
record SafetensorsHeader(List<Entry> entries, Map<String, String> metadata) {
  static final String METADATA_KEY = "__metadata__";

  /** One tensor's entry; offsets are relative to the start of the data. */
  record Entry(String name, StoredType type, int[] shape, int elementCount, long begin, long end) {}

  /** The dtypes we read, in the order the error message lists them. */
  private static final Map<String, StoredType> TYPES = supportedTypes();

  private static final Set<String> ENTRY_KEYS = Set.of("dtype", "shape", "data_offsets");

  private static Map<String, StoredType> supportedTypes() {
    Map<String, StoredType> types = new LinkedHashMap<>();
    types.put("F32", StoredType.F32);
    types.put("F64", StoredType.F64);
    types.put("BF16", StoredType.BF16);
    types.put("F16", StoredType.F16);
    types.put("I32", StoredType.I32);
    types.put("I64", StoredType.I64);
    types.put("BOOL", StoredType.BOOL);
    return Collections.unmodifiableMap(types);
  }

  /** The safetensors name of an encoding. */
  static String nameOf(StoredType type) {
    return TYPES.entrySet().stream().filter(e -> e.getValue() == type).findFirst().orElseThrow().getKey();
  }

  /**
   * Parses and checks the header of {@code source}.
   *
   * @param dataLength the number of bytes after the header
   * @throws ArrayFileException saying what is wrong
   */
  static SafetensorsHeader parse(String source, String json, long dataLength) {
    Object root;
    try {
      root = JsonParser.parse(json);
    } catch (JsonParser.DuplicateKeyException e) {
      if (e.depth() == 0) {
        throw new ArrayFileException(source, "duplicate tensor name '" + e.key() + "' in the header");
      }
      throw new ArrayFileException(source, "header is not valid JSON: " + e.getMessage());
    } catch (LiteralSyntaxException e) {
      throw new ArrayFileException(source, "header is not valid JSON: " + e.getMessage());
    }
    if (!(root instanceof Map<?, ?> members)) {
      throw new ArrayFileException(source, "header is not a JSON object");
    }
    List<Entry> entries = new ArrayList<>();
    Map<String, String> metadata = Map.of();
    for (Map.Entry<?, ?> member : members.entrySet()) {
      String name = (String) member.getKey();
      if (name.equals(METADATA_KEY)) {
        metadata = metadata(source, member.getValue());
      } else {
        entries.add(entry(source, name, member.getValue(), dataLength));
      }
    }
    List<Entry> byOffset = new ArrayList<>(entries);
    byOffset.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
    checkTiling(source, byOffset, dataLength);
    return new SafetensorsHeader(List.copyOf(byOffset), metadata);
  }

  private static Map<String, String> metadata(String source, Object value) {
    if (!(value instanceof Map<?, ?> map)) {
      throw new ArrayFileException(source, "__metadata__ is not a JSON object of strings");
    }
    Map<String, String> metadata = new LinkedHashMap<>();
    for (Map.Entry<?, ?> item : map.entrySet()) {
      if (!(item.getValue() instanceof String text)) {
        throw new ArrayFileException(source, "__metadata__ entry '" + item.getKey() + "' is "
            + JsonWriter.write(item.getValue()) + ", not a string");
      }
      metadata.put((String) item.getKey(), text);
    }
    return Collections.unmodifiableMap(metadata);
  }

  private static Entry entry(String source, String name, Object value, long dataLength) {
    String tensor = "tensor '" + name + "'";
    if (!(value instanceof Map<?, ?> fields)) {
      throw new ArrayFileException(source, tensor + " is not a JSON object");
    }
    for (String key : List.of("dtype", "shape", "data_offsets")) {
      if (!fields.containsKey(key)) {
        throw new ArrayFileException(source, tensor + " has no '" + key + "'");
      }
    }
    for (Object key : fields.keySet()) {
      if (!ENTRY_KEYS.contains(key)) {
        throw new ArrayFileException(source, tensor + " has an unexpected key '" + key
            + "' (expected 'dtype', 'shape' and 'data_offsets')");
      }
    }
    StoredType type = fields.get("dtype") instanceof String dtype ? TYPES.get(dtype) : null;
    if (type == null) {
      throw new ArrayFileException(source, tensor + " has unsupported dtype "
          + JsonWriter.write(fields.get("dtype")) + " (supported: "
          + String.join(", ", TYPES.keySet()) + ")");
    }
    List<BigInteger> shape = naturals(fields.get("shape"));
    if (shape == null) {
      throw new ArrayFileException(source, tensor + " has shape " + JsonWriter.write(fields.get("shape"))
          + ", not a list of non-negative integers");
    }
    String shapeText = shape.toString();
    BigInteger count = shape.stream().reduce(BigInteger.ONE, BigInteger::multiply);
    if (shape.stream().anyMatch(dim -> dim.compareTo(BigInteger.valueOf(Integer.MAX_VALUE)) > 0)) {
      throw new ArrayFileException(source, tensor + " has shape " + shapeText
          + " with a dimension larger than " + Integer.MAX_VALUE);
    }
    if (count.compareTo(BigInteger.valueOf(Integer.MAX_VALUE)) > 0) {
      throw new ArrayFileException(source, tensor + " has shape " + shapeText + " with " + count
          + " elements, more than the " + Integer.MAX_VALUE + " a tensor can hold");
    }
    List<BigInteger> offsets = naturals(fields.get("data_offsets"));
    if (offsets == null || offsets.size() != 2) {
      throw new ArrayFileException(source, tensor + " has data_offsets "
          + JsonWriter.write(fields.get("data_offsets")) + ", not [begin, end]");
    }
    BigInteger begin = offsets.get(0);
    BigInteger end = offsets.get(1);
    String offsetsText = "data_offsets [" + begin + ", " + end + "]";
    if (begin.compareTo(end) > 0) {
      throw new ArrayFileException(source, tensor + " has " + offsetsText + " that end before they begin");
    }
    if (end.compareTo(BigInteger.valueOf(dataLength)) > 0) {
      throw new ArrayFileException(source, tensor + " has " + offsetsText
          + " that run past the end of the data (" + dataLength + " bytes)");
    }
    long bytes = count.longValueExact() * type.byteSize();
    if (end.subtract(begin).longValueExact() != bytes) {
      throw new ArrayFileException(source, tensor + " has shape " + shapeText + " of " + nameOf(type) + " ("
          + bytes + " bytes) but " + offsetsText + " span " + end.subtract(begin) + " bytes");
    }
    int[] dims = shape.stream().mapToInt(BigInteger::intValueExact).toArray();
    return new Entry(name, type, dims, count.intValueExact(), begin.longValueExact(), end.longValueExact());
  }

  /** The list's integers if it is a list of non-negative integers (each at most int's maximum), else null. */
  private static List<BigInteger> naturals(Object value) {
    if (!(value instanceof List<?> list)) {
      return null;
    }
    List<BigInteger> out = new ArrayList<>();
    for (Object item : list) {
      if (!(item instanceof BigInteger n) || n.signum() < 0 || n.bitLength() > 63) {
        return null;
      }
      out.add(n);
    }
    return out;
  }

  private static void checkTiling(String source, List<Entry> byOffset, long dataLength) {
    long covered = 0;
    Entry previous = null;
    for (Entry entry : byOffset) {
      if (entry.begin() < covered) {
        throw new ArrayFileException(source, "tensors '" + previous.name() + "' (data_offsets ["
            + previous.begin() + ", " + previous.end() + "]) and '" + entry.name() + "' (data_offsets ["
            + entry.begin() + ", " + entry.end() + "]) overlap");
      }
      if (entry.begin() > covered) {
        throw gap(source, covered, entry.begin());
      }
      covered = entry.end();
      previous = entry;
    }
    if (covered < dataLength) {
      throw gap(source, covered, dataLength);
    }
  }

  private static ArrayFileException gap(String source, long from, long to) {
    return new ArrayFileException(source, "bytes [" + from + ", " + to + ") of the data belong to no tensor");
  }
}
