package dev.adjoint.compiler.frontend;

import dev.adjoint.compiler.diag.Span;
import dev.adjoint.compiler.ir.TensorType;
import java.util.List;
import java.util.Objects;

/**
 * A trainable param of the compiled model: its full name ({@code encoder.0.self_attn.wq}), type
 * and initializer ({@code xavier_uniform}, with its constant arguments).
 */
public record ParamSpec(String name, TensorType type, String initializer, List<Double> arguments, Span span) {
  public ParamSpec {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(initializer, "initializer");
    arguments = List.copyOf(arguments);
  }
}
