package dev.adjoint.compiler;

import dev.adjoint.runtime.DType;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * How to run an entry point: an element type forced on every float ({@code --dtype}), training
 * mode (dropout active), the seed of initialisers and random streams, sizes no input fixes, and
 * the memory budget: the most bytes one tensor may take ({@code --memory-budget}), checked for every
 * tensor of the program before anything is allocated.
 */
public record RunOptions(Optional<DType> dtype, boolean training, long seed, Map<String, Long> dims, long memoryBudget) {
  /** An eighth of the heap: the interpreters hold a tensor as doubles, and several copies at once. */
  public static final long DEFAULT_MEMORY_BUDGET = Math.max(1L << 20, Runtime.getRuntime().maxMemory() / 8);

  public RunOptions {
    Objects.requireNonNull(dtype, "dtype");
    dims = Map.copyOf(dims);
    if (dtype.isPresent() && !dtype.get().isFloating()) {
      throw new IllegalArgumentException("--dtype must be a floating type, got " + dtype.get());
    }
    if (memoryBudget <= 0) throw new IllegalArgumentException("the memory budget must be positive, got " + memoryBudget);
  }

  /** With the default memory budget. */
  public RunOptions(Optional<DType> dtype, boolean training, long seed, Map<String, Long> dims) {
    this(dtype, training, seed, dims, DEFAULT_MEMORY_BUDGET);
  }

  public static RunOptions defaults() {
    return new RunOptions(Optional.empty(), false, 0, Map.of());
  }

  public RunOptions withDtype(DType d) {
    return new RunOptions(Optional.of(d), training, seed, dims, memoryBudget);
  }

  public RunOptions withDims(Map<String, Long> d) {
    return new RunOptions(dtype, training, seed, d, memoryBudget);
  }

  public RunOptions withTraining(boolean t) {
    return new RunOptions(dtype, t, seed, dims, memoryBudget);
  }

  public RunOptions withSeed(long s) {
    return new RunOptions(dtype, training, s, dims, memoryBudget);
  }

  public RunOptions withMemoryBudget(long bytes) {
    return new RunOptions(dtype, training, seed, dims, bytes);
  }
}
