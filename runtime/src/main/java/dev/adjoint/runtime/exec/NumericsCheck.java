package dev.adjoint.runtime.exec;

/**
 * What code generated with numerics checks ({@code --check-numerics}) calls after each kernel, on
 * every floating-point buffer the kernel wrote: the first NaN or infinity stops the run with a
 * {@link NonFiniteValueException} naming the kernel, the {@code .adj} lines it was fused from, the
 * buffer and the element.
 */
public final class NumericsCheck {
  private NumericsCheck() {}

  /**
   * Checks an f32 (or bf16, f16) buffer.
   *
   * @param buffer the buffer's name in the program
   * @param kernel the kernel's name
   * @param origin the source lines of the kernel ({@code encoder_layer.adj:29; nn.adj:52}), or {@code ""}
   * @throws NonFiniteValueException at the first element that is NaN or infinite
   */
  public static void check(float[] values, String buffer, String kernel, String origin) {
    for (int i = 0; i < values.length; i++) {
      if (!Float.isFinite(values[i])) throw new NonFiniteValueException(kernel, origin, buffer, i, values[i]);
    }
  }

  /** As {@link #check(float[], String, String, String)}, for an f64 buffer. */
  public static void check(double[] values, String buffer, String kernel, String origin) {
    for (int i = 0; i < values.length; i++) {
      if (!Double.isFinite(values[i])) throw new NonFiniteValueException(kernel, origin, buffer, i, values[i]);
    }
  }
}
