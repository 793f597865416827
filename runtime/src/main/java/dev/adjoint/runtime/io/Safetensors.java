package dev.adjoint.runtime.io;

import dev.adjoint.runtime.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Reads and writes {@code .safetensors} files: an 8-byte little-endian header length, a JSON header
 * mapping each tensor name to its {@code dtype}, {@code shape} and {@code data_offsets} (plus an
 * optional {@code __metadata__} object of strings), then the tensors' little-endian bytes.
 *
 * <p><b>Reading</b> supports the dtypes F32, F64, BF16, F16, I32, BOOL and I64; I64 is read into i32
 * and every value must fit. Everything is checked before data is copied: the header length against
 * the file, the JSON, every entry, and that the tensors cover the data exactly (no overlap, gap or
 * leftover bytes), as the reference Rust implementation requires. Every problem is an
 * {@link ArrayFileException} whose message starts with the file name.
 *
 * <p><b>Writing</b> lays the tensors out in order of their names (by Unicode code point), with the
 * metadata first in the header (keys sorted the same way, left out when empty), compact JSON as the
 * Rust implementation writes it, and the header padded with spaces to a multiple of 8 bytes so the
 * data is aligned. The file is written to a temporary file and renamed, so an interrupted write
 * leaves the old file or none, never a partial one.
 */
public final class Safetensors {
  private static final int LENGTH_BYTES = 8;
  private static final int HEADER_ALIGNMENT = 8;
  /** Sorting by code point is the order of the names' UTF-8 bytes, which is how Rust sorts strings. */
  private static final Comparator<String> CODE_POINT_ORDER = (a, b) -> {
    int i = 0;
    int j = 0;
    while (i < a.length() && j < b.length()) {
      int x = a.codePointAt(i);
      int y = b.codePointAt(j);
      if (x != y) {
        return Integer.compare(x, y);
      }
      i += Character.charCount(x);
      j += Character.charCount(y);
    }
    return Integer.compare(a.length() - i, b.length() - j);
  };

  private Safetensors() {}

  /**
   * The tensors in {@code path}, by name, in the order of their data in the file.
   *
   * @throws ArrayFileException if the file is not a valid safetensors file of supported dtypes
   * @throws UncheckedIOException if the file cannot be read
   */
  public static Map<String, Tensor> read(Path path) {
    return readFile(path).tensors();
  }

  /**
   * The tensors in {@code bytes}, the content of a safetensors file, as {@link #read(Path)}.
   *
   * @param sourceName names the bytes in error messages, e.g. the file name
   */
  public static Map<String, Tensor> read(String sourceName, byte[] bytes) {
    return readFile(sourceName, bytes).tensors();
  }

  /** The tensors and the metadata in {@code path}; see {@link #read(Path)}. */
  public static SafetensorsFile readFile(Path path) {
    Objects.requireNonNull(path, "path");
    return readFile(path.toString(), ArrayFiles.readAll(path));
  }

  /** The tensors and the metadata in {@code bytes}; see {@link #read(String, byte[])}. */
  public static SafetensorsFile readFile(String sourceName, byte[] bytes) {
    Objects.requireNonNull(sourceName, "sourceName");
    Objects.requireNonNull(bytes, "bytes");
    if (bytes.length < LENGTH_BYTES) {
      throw new ArrayFileException(sourceName, "file is " + bytes.length
          + " bytes long, too short for the 8-byte header length");
    }
    long headerLength = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
    long available = bytes.length - LENGTH_BYTES;
    // An unsigned length of 2^63 or more reads as negative and is past the end just the same.
    if (headerLength < 0 || headerLength > available) {
      throw new ArrayFileException(sourceName, "header length " + Long.toUnsignedString(headerLength)
          + " runs past the end of the file (only " + available + " bytes follow the 8-byte length)");
    }
    int dataStart = LENGTH_BYTES + (int) headerLength;
    String json = headerText(sourceName, bytes, dataStart);
    SafetensorsHeader header = SafetensorsHeader.parse(sourceName, json, bytes.length - dataStart);
    Map<String, Tensor> tensors = new LinkedHashMap<>();
    for (SafetensorsHeader.Entry entry : header.entries()) {
      tensors.put(entry.name(), ElementCodec.decode(bytes, dataStart + (int) entry.begin(), entry.type(),
          entry.shape(), entry.elementCount(), sourceName, "tensor '" + entry.name() + "'"));
    }
    return new SafetensorsFile(tensors, header.metadata());
  }

  private static String headerText(String source, byte[] bytes, int end) {
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes, LENGTH_BYTES, end - LENGTH_BYTES))
          .toString();
    } catch (CharacterCodingException e) {
      throw new ArrayFileException(source, "header is not valid UTF-8", e);
    }
  }

  /**
   * Writes {@code tensors} to {@code path} with no metadata.
   *
   * @throws IllegalArgumentException if a name is {@code __metadata__}
   * @throws UncheckedIOException if the file cannot be written
   */
  public static void write(Path path, Map<String, Tensor> tensors) {
    write(path, tensors, Map.of());
  }

  /**
   * Writes {@code tensors} and {@code metadata} (stored as the header's {@code __metadata__}) to
   * {@code path}, replacing it all at once.
   *
   * @throws IllegalArgumentException if a name is {@code __metadata__}
   * @throws UncheckedIOException if the file cannot be written
   */
  public static void write(Path path, Map<String, Tensor> tensors, Map<String, String> metadata) {
    Objects.requireNonNull(path, "path");
    Layout layout = Layout.of(tensors, metadata);
    ArrayFiles.writeAtomically(path, channel -> layout.writeTo(channel));
  }

  /** The bytes {@link #write(Path, Map, Map)} would put in a file. */
  public static byte[] toBytes(Map<String, Tensor> tensors, Map<String, String> metadata) {
    Layout layout = Layout.of(tensors, metadata);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      layout.writeTo(Channels.newChannel(out));
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a byte array stream does not fail
    }
    return out.toByteArray();
  }

  /** The header bytes and the tensors in data order, worked out before anything is written. */
  private record Layout(byte[] header, List<Tensor> tensors) {
    static Layout of(Map<String, Tensor> tensors, Map<String, String> metadata) {
      Objects.requireNonNull(tensors, "tensors");
      Objects.requireNonNull(metadata, "metadata");
      SafetensorsFile checked = new SafetensorsFile(tensors, metadata); // refuses null keys and values
      if (checked.tensors().containsKey(SafetensorsHeader.METADATA_KEY)) {
        throw new IllegalArgumentException("a tensor cannot be named " + SafetensorsHeader.METADATA_KEY
            + ": the name is reserved for the metadata");
      }
      Map<String, Object> json = new LinkedHashMap<>();
      if (!metadata.isEmpty()) {
        Map<String, Object> sortedMetadata = new LinkedHashMap<>();
        checked.metadata().keySet().stream().sorted(CODE_POINT_ORDER)
            .forEach(key -> sortedMetadata.put(key, checked.metadata().get(key)));
        json.put(SafetensorsHeader.METADATA_KEY, sortedMetadata);
      }
      List<Tensor> ordered = new ArrayList<>();
      long offset = 0;
      for (String name : checked.tensors().keySet().stream().sorted(CODE_POINT_ORDER).toList()) {
        Tensor tensor = checked.tensors().get(name);
        long end = offset + (long) tensor.size() * tensor.dtype().byteSize();
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("dtype", tensor.dtype().safetensorsName());
        entry.put("shape", tensor.shape());
        entry.put("data_offsets", List.of(offset, end));
        json.put(name, entry);
        ordered.add(tensor);
        offset = end;
      }
      byte[] text = JsonWriter.write(json).getBytes(StandardCharsets.UTF_8);
      int padding = (HEADER_ALIGNMENT - text.length % HEADER_ALIGNMENT) % HEADER_ALIGNMENT;
      ByteBuffer header = ByteBuffer.allocate(LENGTH_BYTES + text.length + padding).order(ByteOrder.LITTLE_ENDIAN);
      header.putLong(text.length + padding).put(text);
      while (header.hasRemaining()) {
        header.put((byte) ' ');
      }
      return new Layout(header.array(), List.copyOf(ordered));
    }

    void writeTo(WritableByteChannel channel) throws IOException {
      ByteBuffer buffer = ByteBuffer.wrap(header);
      while (buffer.hasRemaining()) {
        channel.write(buffer);
      }
      for (Tensor tensor : tensors) {
        ElementCodec.encode(tensor, StoredType.exact(tensor.dtype()), channel);
      }
    }
  }
}
