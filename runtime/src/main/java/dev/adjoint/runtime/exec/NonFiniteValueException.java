package dev.adjoint.runtime.exec;

/**
 * A kernel wrote a NaN or an infinity while numerics were checked. The message is one line:
 * {@code kernel k3_softmax (encoder_layer.adj:29; nn.adj:52) wrote NaN to t5 at element 17}.
 */
public final class NonFiniteValueException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String kernel;
  private final String origin;

  NonFiniteValueException(String kernel, String origin, String buffer, int element, double value) {
    super("kernel " + kernel + (origin.isEmpty() ? "" : " (" + origin + ")") + " wrote "
        + (Double.isNaN(value) ? "NaN" : value > 0 ? "+inf" : "-inf") + " to " + buffer + " at element " + element);
    this.kernel = kernel;
    this.origin = origin;
  }

  /** The kernel's name. */
  public String kernel() {
    return kernel;
  }

  /** The source lines the kernel was fused from, or {@code ""}. */
  public String origin() {
    return origin;
  }
}
