package dev.adjoint.runtime.io;

import dev.adjoint.runtime.DType;
import dev.adjoint.runtime.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;

/**
 * Reads and writes NumPy {@code .npy} files (one array per file).
 *
 * <p><b>Reading</b> accepts format versions 1.0, 2.0 and 3.0 and the little-endian dtypes
 * {@code <f4 <f8 <f2 <i4 <i8 |b1}, read into f32, f64, f16, i32, i32 and bool; {@code <i8} values
 * must fit in i32. Fortran-order arrays are read correctly (transposed into C order). Big-endian
 * and other dtypes are refused. A bool byte other than 0 counts as true. Everything in the file is
 * checked before data is copied, and every problem is an {@link ArrayFileException} whose message
 * starts with the file name.
 *
 * <p><b>Writing</b> produces exactly what {@code numpy.save} (NumPy 1.24 and later) writes for the
 * same array: format 1.0 (2.0 if the header would not fit in 1.0's 65535 bytes), C order, the same
 * header text and padding, data starting at a multiple of 64 bytes. NumPy has no bfloat16, so a
 * bf16 tensor is written as {@code <f4} (exactly: every bf16 is a float) and reads back as f32.
 * Files are written to a temporary file and renamed, so an interrupted write leaves the old file or
 * none, never a partial one.
 */
public final class Npy {
  private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
  /** NumPy aligns the data start to this many bytes so it can be memory-mapped efficiently. */
  private static final int ALIGNMENT = 64;
  /** NumPy's GROWTH_AXIS_MAX_DIGITS: room left in the header so the first axis can grow in place. */
  private static final int GROWTH_AXIS_MAX_DIGITS = 21;

  private Npy() {}

  /**
   * Reads the array in {@code path}.
   *
   * @throws ArrayFileException if the file is not a supported .npy file
   * @throws UncheckedIOException if the file cannot be read
   */
  public static Tensor read(Path path) {
    Objects.requireNonNull(path, "path");
    return read(path.toString(), ArrayFiles.readAll(path));
  }

  /**
   * Reads the array in {@code bytes}, the content of a .npy file.
   *
   * @param sourceName names the bytes in error messages, e.g. the file name
   * @throws ArrayFileException if the bytes are not a supported .npy file
   */
  public static Tensor read(String sourceName, byte[] bytes) {
    Objects.requireNonNull(sourceName, "sourceName");
    Objects.requireNonNull(bytes, "bytes");
    int major = checkPreamble(sourceName, bytes);
    int lengthBytes = major == 1 ? 2 : 4;
    int preamble = MAGIC.length + 2 + lengthBytes;
    if (bytes.length < preamble) {
      throw new ArrayFileException(sourceName, "file is " + bytes.length + " bytes long, too short for the "
          + preamble + "-byte preamble of a version " + major + ".0 .npy file");
    }
    ByteBuffer little = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    long headerLength = major == 1
        ? Short.toUnsignedInt(little.getShort(8))
        : Integer.toUnsignedLong(little.getInt(8));
    if (headerLength > bytes.length - preamble) {
      throw new ArrayFileException(sourceName, "header length " + headerLength
          + " runs past the end of the file (only " + (bytes.length - preamble) + " bytes follow the "
          + preamble + "-byte preamble)");
    }
    int dataStart = preamble + (int) headerLength;
    NpyHeader header = NpyHeader.parse(sourceName, headerText(sourceName, bytes, preamble, dataStart, major));
    return readData(sourceName, bytes, dataStart, header);
  }

  /** Checks the magic string and version; returns the major version. */
  private static int checkPreamble(String source, byte[] bytes) {
    for (int i = 0; i < MAGIC.length; i++) {
      if (i >= bytes.length || bytes[i] != MAGIC[i]) {
        throw new ArrayFileException(source, "not a .npy file: it does not start with the magic string"
            + " \\x93NUMPY");
      }
    }
    if (bytes.length < MAGIC.length + 2) {
      throw new ArrayFileException(source, "file is " + bytes.length
          + " bytes long and ends before the format version");
    }
    int major = Byte.toUnsignedInt(bytes[6]);
    int minor = Byte.toUnsignedInt(bytes[7]);
    if (minor != 0 || major < 1 || major > 3) {
      throw new ArrayFileException(source, "unsupported .npy format version " + major + "." + minor
          + " (supported: 1.0, 2.0, 3.0)");
    }
    return major;
  }

  private static String headerText(String source, byte[] bytes, int start, int end, int major) {
    if (major < 3) {
      return new String(bytes, start, end - start, StandardCharsets.ISO_8859_1);
    }
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes, start, end - start))
          .toString();
    } catch (CharacterCodingException e) {
      throw new ArrayFileException(source, "header of a version 3.0 file is not valid UTF-8", e);
    }
  }

  private static Tensor readData(String source, byte[] bytes, int dataStart, NpyHeader header) {
    BigInteger count = header.elementCount();
    String shapeText = NpyHeader.formatShape(header.shape());
    if (count.compareTo(BigInteger.valueOf(Integer.MAX_VALUE)) > 0) {
      throw new ArrayFileException(source, "shape " + shapeText + " has " + count
          + " elements, more than the " + Integer.MAX_VALUE + " a tensor can hold");
    }
    // Checked against the bytes actually present before anything of that size is allocated.
    long needed = count.longValueExact() * header.type().byteSize();
    long present = bytes.length - dataStart;
    if (present != needed) {
      throw new ArrayFileException(source, "header says shape " + shapeText + " of " + header.descr()
          + " (" + needed + " bytes) but " + (present < needed ? "only " : "") + present
          + " bytes of data follow");
    }
    int[] shape = header.shape().stream().mapToInt(BigInteger::intValueExact).toArray();
    String what = "the " + header.descr() + " data";
    if (!header.fortranOrder()) {
      return ElementCodec.decode(bytes, dataStart, header.type(), shape, count.intValue(), source, what);
    }
    // Fortran order stores the array as C order would store its transpose.
    Tensor transposed = ElementCodec.decode(bytes, dataStart, header.type(), reversed(shape),
        count.intValue(), source, what);
    return FortranOrder.toCOrder(transposed);
  }

  private static int[] reversed(int[] shape) {
    int[] out = new int[shape.length];
    for (int i = 0; i < shape.length; i++) {
      out[i] = shape[shape.length - 1 - i];
    }
    return out;
  }

  /**
   * Writes {@code tensor} to {@code path} as {@code numpy.save} would; a bf16 tensor is written as
   * {@code <f4}. The file is replaced all at once (temporary file and rename).
   *
   * @throws UncheckedIOException if the file cannot be written
   */
  public static void write(Path path, Tensor tensor) {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(tensor, "tensor");
    ArrayFiles.writeAtomically(path, channel -> writeTo(channel, tensor));
  }

  /** The bytes {@link #write} would put in a file. */
  public static byte[] toBytes(Tensor tensor) {
    Objects.requireNonNull(tensor, "tensor");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      writeTo(Channels.newChannel(out), tensor);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a byte array stream does not fail
    }
    return out.toByteArray();
  }

  private static void writeTo(WritableByteChannel channel, Tensor tensor) throws IOException {
    StoredType type = tensor.dtype() == DType.BF16 ? StoredType.F32 : StoredType.exact(tensor.dtype());
    ByteBuffer preamble = ByteBuffer.wrap(preamble(descrOf(type), tensor.shapeArray()));
    while (preamble.hasRemaining()) {
      channel.write(preamble);
    }
    ElementCodec.encode(tensor, type, channel);
  }

  private static String descrOf(StoredType type) {
    return type.dtype().numpyDescr().orElseThrow();
  }

  /** Magic, version, header length and header, laid out exactly as NumPy's {@code _write_array_header}. */
  static byte[] preamble(String descr, int[] shape) {
    StringBuilder dict = new StringBuilder("{'descr': '").append(descr).append("', 'fortran_order': False, 'shape': ")
        .append(NpyHeader.formatShape(Arrays.stream(shape).boxed().toList())).append(", }");
    if (shape.length > 0) {
      dict.repeat(' ', Math.max(0, GROWTH_AXIS_MAX_DIGITS - Integer.toString(shape[0]).length()));
    }
    byte[] text = dict.toString().getBytes(StandardCharsets.ISO_8859_1);
    int major = 1;
    int lengthBytes = 2;
    int withNewline = text.length + 1;
    int padding = padding(MAGIC.length + 2 + lengthBytes + withNewline);
    if (withNewline + padding > 0xffff) {
      major = 2;
      lengthBytes = 4;
      padding = padding(MAGIC.length + 2 + lengthBytes + withNewline);
    }
    ByteBuffer out = ByteBuffer.allocate(MAGIC.length + 2 + lengthBytes + withNewline + padding)
        .order(ByteOrder.LITTLE_ENDIAN);
    out.put(MAGIC).put((byte) major).put((byte) 0);
    if (major == 1) {
      out.putShort((short) (withNewline + padding));
    } else {
      out.putInt(withNewline + padding);
    }
    out.put(text);
    for (int i = 0; i < padding; i++) {
      out.put((byte) ' ');
    }
    out.put((byte) '\n');
    return out.array();
  }

  // NumPy pads by 64 - (length % 64), that is 1 to 64 spaces, never 0; byte-identical output needs the same.
  private static int padding(int unpaddedLength) {
    return ALIGNMENT - unpaddedLength % ALIGNMENT;
  }
}
