package dev.adjoint.runtime.io;

import dev.adjoint.runtime.DType;
import dev.adjoint.runtime.FloatFormats;
import dev.adjoint.runtime.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.LongBuffer;
import java.nio.channels.WritableByteChannel;

/** Converts tensor elements to and from the little-endian bytes of array files. */
final class ElementCodec {
  /** Writes go out in chunks of this many bytes so a large tensor is never copied whole. */
  private static final int CHUNK_BYTES = 1 << 16;

  private ElementCodec() {}

  /**
   * Reads {@code count} elements of {@code type} from {@code bytes} at {@code offset} into a tensor
   * of {@code shape}. The caller has checked that the bytes are there, so the byte count fits in
   * an int as the byte array's length does.
   *
   * @param where how messages name the data, e.g. {@code 'x.npy'}'s source name
   * @param what how messages name the array within it, e.g. {@code "the <i8 data"}
   */
  static Tensor decode(byte[] bytes, int offset, StoredType type, int[] shape, int count, String where,
      String what) {
    ByteBuffer view = ByteBuffer.wrap(bytes, offset, count * type.byteSize()).slice().order(ByteOrder.LITTLE_ENDIAN);
    return switch (type) {
      case F32 -> {
        float[] values = new float[count];
        view.asFloatBuffer().get(values);
        yield Tensor.ofFloats(shape, values);
      }
      case F64 -> {
        double[] values = new double[count];
        view.asDoubleBuffer().get(values);
        yield Tensor.ofDoubles(DType.F64, shape, values);
      }
      case BF16, F16 -> {
        short[] bits = new short[count];
        view.asShortBuffer().get(bits);
        yield Tensor.ofHalfBits(type.dtype(), shape, bits);
      }
      case I32 -> {
        int[] values = new int[count];
        view.asIntBuffer().get(values);
        yield Tensor.ofInts(shape, values);
      }
      case I64 -> Tensor.ofInts(shape, narrowToInt(view.asLongBuffer(), count, where, what));
      case BOOL -> {
        boolean[] values = new boolean[count];
        for (int i = 0; i < count; i++) {
          values[i] = view.get(i) != 0;
        }
        yield Tensor.ofBooleans(shape, values);
      }
    };
  }

  private static int[] narrowToInt(LongBuffer longs, int count, String where, String what) {
    int[] values = new int[count];
    for (int i = 0; i < count; i++) {
      long value = longs.get(i);
      if (value != (int) value) {
        throw new ArrayFileException(where, "element " + i + " of " + what + " is " + value
            + ", which does not fit in i32 (64-bit integers are read as i32)");
      }
      values[i] = (int) value;
    }
    return values;
  }

  /**
   * Writes every element of {@code tensor} as {@code type}: the tensor's own encoding, or
   * {@link StoredType#F32} for a bf16 tensor (an exact widening).
   */
  static void encode(Tensor tensor, StoredType type, WritableByteChannel out) throws IOException {
    if (type != StoredType.exact(tensor.dtype()) && !(tensor.dtype() == DType.BF16 && type == StoredType.F32)) {
      throw new IllegalArgumentException("cannot store a " + tensor.dtype() + " tensor as " + type);
    }
    int perChunk = CHUNK_BYTES / type.byteSize();
    ByteBuffer chunk = ByteBuffer.allocate(CHUNK_BYTES).order(ByteOrder.LITTLE_ENDIAN);
    for (int start = 0; start < tensor.size(); start += perChunk) {
      int length = Math.min(perChunk, tensor.size() - start);
      chunk.clear();
      fill(chunk, tensor, type, start, length);
      chunk.limit(length * type.byteSize());
      chunk.position(0);
      while (chunk.hasRemaining()) {
        out.write(chunk);
      }
    }
  }

  // Bulk puts through typed views leave the byte buffer's position alone; encode sets the limit.
  private static void fill(ByteBuffer chunk, Tensor tensor, StoredType type, int start, int length) {
    switch (tensor.dtype()) {
      case F32 -> chunk.asFloatBuffer().put(tensor.floatData(), start, length);
      case F64 -> chunk.asDoubleBuffer().put(tensor.doubleData(), start, length);
      case I32 -> chunk.asIntBuffer().put(tensor.intData(), start, length);
      case F16 -> chunk.asShortBuffer().put(tensor.halfData(), start, length);
      case BF16 -> {
        short[] bits = tensor.halfData();
        if (type == StoredType.F32) {
          for (int i = 0; i < length; i++) {
            chunk.putFloat(4 * i, FloatFormats.bf16ToFloat(bits[start + i]));
          }
        } else {
          chunk.asShortBuffer().put(bits, start, length);
        }
      }
      case BOOL -> {
        boolean[] values = tensor.boolData();
        for (int i = 0; i < length; i++) {
          chunk.put(i, (byte) (values[start + i] ? 1 : 0));
        }
      }
    }
  }
}
