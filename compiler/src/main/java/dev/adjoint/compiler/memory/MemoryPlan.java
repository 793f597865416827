package dev.adjoint.compiler.memory;

import dev.adjoint.compiler.kernel.Buffer;
import java.util.List;
import java.util.Map;

/**
 * Where each intermediate buffer lives: a slot of an arena, shared by buffers whose lifetimes do
 * not overlap. {@code inPlace} lists buffers written over an operand that dies in the same kernel.
 * Byte counts are for the sizes the plan was made at.
 */
public record MemoryPlan(Map<Buffer, Integer> slotOf, List<Long> slotBytes, List<Buffer> inPlace,
    long ioBytes, long arenaBytes, long peakLiveBytes) {
  public MemoryPlan {
    slotOf = Map.copyOf(slotOf);
    slotBytes = List.copyOf(slotBytes);
    inPlace = List.copyOf(inPlace);
  }

  /** Arguments, params and results, plus the arena: what running the program needs at once. */
  public long peakBytes() {
    return ioBytes + arenaBytes;
  }
}
