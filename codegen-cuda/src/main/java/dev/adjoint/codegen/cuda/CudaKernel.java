package dev.adjoint.codegen.cuda;

import dev.adjoint.compiler.ir.Dim;
import dev.adjoint.compiler.kernel.Buffer;
import dev.adjoint.compiler.kernel.Kernel;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One generated {@code __global__} function and what a launcher needs to call it: its parameters
 * in order, the buffers to zero before the launch, and its schedule (which gives the grid).
 */
public record CudaKernel(String function, Kernel kernel, CudaSchedule.Mapping mapping, List<Param> params,
    List<Buffer> zeroed, CudaSchedule schedule) {
  /** A parameter of the generated function. */
  public sealed interface Param {
    /** A device pointer to a buffer's elements; {@code written} when the kernel stores into it. */
    record BufferParam(Buffer buffer, boolean written) implements Param {}

    /** A run-time size as an {@code int}. */
    record SizeParam(Dim dim) implements Param {}

    /** The random streams' seed, an {@code unsigned long long}. */
    record SeedParam() implements Param {}

    /** The training step, an {@code int}. */
    record StepParam() implements Param {}
  }

  public CudaKernel {
    Objects.requireNonNull(function, "function");
    Objects.requireNonNull(kernel, "kernel");
    Objects.requireNonNull(mapping, "mapping");
    params = List.copyOf(params);
    zeroed = List.copyOf(zeroed);
    Objects.requireNonNull(schedule, "schedule");
  }

  /** Iterations of the flattened grid nest: threads' work items or, for a block schedule, rows. */
  public long iterations(Map<String, Long> sizes) {
    return schedule.iterations(sizes);
  }

  /**
   * The launch shape at the given sizes: a block per row (up to {@code maxBlocks}, the rest taken
   * by a grid-stride loop) with {@code rowThreads} threads, a block of the schedule's tile's threads
   * per tile of a tiled contraction, or enough blocks of
   * {@code elementThreads} threads for one work item each, up to {@code maxBlocks}.
   */
  public Launch launch(Map<String, Long> sizes, int elementThreads, int rowThreads, long maxBlocks) {
    long work = Math.max(1, iterations(sizes));
    if (mapping == CudaSchedule.Mapping.BLOCK_PER_ITERATION) {
      return new Launch(Math.min(work, maxBlocks), rowThreads);
    }
    if (mapping == CudaSchedule.Mapping.TILED_CONTRACTION) {
      return new Launch(Math.min(work, maxBlocks), schedule.tile().threads());
    }
    int threads = schedule.nest().isEmpty() ? 32 : elementThreads;
    return new Launch(Math.min((work + threads - 1) / threads, maxBlocks), threads);
  }

  /** {@code blocks} blocks of {@code threads} threads, one-dimensional. */
  public record Launch(long blocks, int threads) {}
}
