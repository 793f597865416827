package dev.adjoint.runtime;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * Renders a tensor as {@code f32[2, 3] [[1, 2, 3], [4, 5, 6]]}: NumPy's nesting on one line, with
 * each number in the shortest form that reads back to the same value in the tensor's own dtype.
 */
final class TensorFormatter {
  /** Above this many elements, as in NumPy, each long axis shows only its ends. */
  static final int SUMMARY_THRESHOLD = 1000;
  /** Entries shown at each end of a summarized axis. */
  static final int EDGE_ITEMS = 3;

  private TensorFormatter() {}

  static String format(Tensor tensor) {
    int[] shape = tensor.shapeArray();
    StringBuilder text = new StringBuilder(tensor.dtype().languageName()).append(Shapes.format(shape)).append(' ');
    int[] strides = new int[shape.length];
    int stride = 1;
    for (int axis = shape.length - 1; axis >= 0; axis--) {
      strides[axis] = stride;
      stride *= shape[axis];
    }
    appendAxis(text, tensor, shape, strides, 0, 0, tensor.size() > SUMMARY_THRESHOLD);
    return text.toString();
  }

  // Visits only the elements that are printed, so a huge tensor prints as fast as a small one.
  private static void appendAxis(StringBuilder text, Tensor tensor, int[] shape, int[] strides, int axis,
      int offset, boolean summarize) {
    if (axis == shape.length) {
      text.append(element(tensor, offset));
      return;
    }
    int length = shape[axis];
    text.append('[');
    boolean shortened = summarize && length > 2 * EDGE_ITEMS;
    for (int i = 0; i < length; i++) {
      if (shortened && i == EDGE_ITEMS) {
        text.append(", ...");
        i = length - EDGE_ITEMS - 1; // the loop's increment lands on the first trailing entry
        continue;
      }
      if (i > 0) {
        text.append(", ");
      }
      appendAxis(text, tensor, shape, strides, axis + 1, offset + i * strides[axis], summarize);
    }
    text.append(']');
  }

  /** One element, as the tensor's dtype would print it. */
  static String element(Tensor tensor, int index) {
    return switch (tensor.dtype()) {
      case F32 -> compact(Float.toString(tensor.floatData()[index]));
      case F64 -> compact(Double.toString(tensor.doubleData()[index]));
      case BF16, F16 -> halfText(tensor.dtype(), tensor.halfData()[index]);
      case I32 -> Integer.toString(tensor.intData()[index]);
      case BOOL -> Boolean.toString(tensor.boolData()[index]);
    };
  }

  /**
   * The fewest significant digits that convert back to the same 16-bit value: {@code 1.15} for the
   * bf16 nearest 1.15, where {@code Float.toString} would print its exact value 1.1484375.
   */
  private static String halfText(DType dtype, short bits) {
    float value = dtype == DType.BF16 ? FloatFormats.bf16ToFloat(bits) : FloatFormats.f16ToFloat(bits);
    if (value == 0 || !Float.isFinite(value)) {
      return compact(Float.toString(value));
    }
    BigDecimal exact = new BigDecimal(value);
    for (int digits = 1; digits <= 9; digits++) {
      double candidate = exact.round(new MathContext(digits, RoundingMode.HALF_EVEN)).doubleValue();
      short back = dtype == DType.BF16 ? FloatFormats.doubleToBf16(candidate) : FloatFormats.doubleToF16(candidate);
      if (back == bits) {
        return compact(Double.toString(candidate));
      }
    }
    return compact(Float.toString(value));
  }

  /** Java's number text made NumPy-like: {@code 1} not {@code 1.0}, {@code nan}, {@code inf}. */
  private static String compact(String javaText) {
    return switch (javaText) {
      case "NaN" -> "nan";
      case "Infinity" -> "inf";
      case "-Infinity" -> "-inf";
      default -> javaText.endsWith(".0")
          ? javaText.substring(0, javaText.length() - 2)
          : javaText.replace(".0E", "E");
    };
  }
}
