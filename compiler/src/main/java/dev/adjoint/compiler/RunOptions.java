package dev.adjoint.compiler;

import dev.adjoint.runtime.DType;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * How to run an entry point: an element type forced on every float ({@code --dtype}), training
 * mode (dropout active), the seed of initialisers and random streams, and sizes no input fixes.
 */
public record RunOptions(Optional<DType> dtype, boolean training, long seed, Map<String, Long> dims) {
  public RunOptions {
    Objects.requireNonNull(dtype, "dtype");
    dims = Map.copyOf(dims);
    if (dtype.isPresent() && !dtype.get().isFloating()) {
      throw new IllegalArgumentException("--dtype must be a floating type, got " + dtype.get());
    }
  }

  public static RunOptions defaults() {
    return new RunOptions(Optional.empty(), false, 0, Map.of());
  }

  public RunOptions withDtype(DType d) {
    return new RunOptions(Optional.of(d), training, seed, dims);
  }

  public RunOptions withDims(Map<String, Long> d) {
    return new RunOptions(dtype, training, seed, d);
  }

  public RunOptions withTraining(boolean t) {
    return new RunOptions(dtype, t, seed, dims);
  }

  public RunOptions withSeed(long s) {
    return new RunOptions(dtype, training, s, dims);
  }
}
