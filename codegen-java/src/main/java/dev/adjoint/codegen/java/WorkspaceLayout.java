package dev.adjoint.codegen.java;

import dev.adjoint.compiler.kernel.Buffer;
import dev.adjoint.compiler.kernel.KernelProgram;
import dev.adjoint.compiler.memory.MemoryPlanner;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Which workspace array holds each buffer of a program: the memory plan made real. Temporaries
 * whose lifetimes do not overlap share one array ({@link MemoryPlanner#assign}: same element type
 * and count, so one array serves them at every run-time size); results, and inputs copied because
 * a kernel writes them or their elements are widened, have arrays of their own. The other buffers
 * (inputs read in place) take an index too, unused, so that every buffer has one.
 */
final class WorkspaceLayout {
  private final Map<Buffer, Integer> arrayOf = new HashMap<>();
  private final int arrays;

  private WorkspaceLayout(KernelProgram program) {
    List<Buffer> slots = JavaGenerator.slots(program);
    MemoryPlanner.Assignment plan = MemoryPlanner.assign(program);
    int own = 0;
    for (Buffer b : slots) if (!plan.slotOf().containsKey(b)) arrayOf.put(b, own++);
    for (Buffer b : slots) if (plan.slotOf().containsKey(b)) arrayOf.put(b, own + plan.slotOf().get(b));
    this.arrays = own + plan.slots();
  }

  static WorkspaceLayout of(KernelProgram program) {
    return new WorkspaceLayout(Objects.requireNonNull(program, "program"));
  }

  /** The workspace array of {@code buffer}. */
  int arrayOf(Buffer buffer) {
    Integer i = arrayOf.get(buffer);
    if (i == null) throw new IllegalArgumentException("buffer " + buffer + " is not a buffer of the program");
    return i;
  }

  /** How many arrays a workspace of the program holds. */
  int arrays() {
    return arrays;
  }
}
