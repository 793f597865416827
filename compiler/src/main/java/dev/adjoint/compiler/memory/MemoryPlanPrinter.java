package dev.adjoint.compiler.memory;

import dev.adjoint.compiler.kernel.Buffer;
import dev.adjoint.compiler.kernel.KernelProgram;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Prints a memory plan as stable text: the sizes it was made at, the byte counts, then one line
 * per arena slot with the buffers that share it, in program order.
 *
 * <pre>
 * memory Tiny.forward at B=2: arena 2 slots, 96 bytes; arguments, params and results 64 bytes; peak live 64 bytes
 *   slot 0 (64 bytes): t3, t5 (in place)
 *   slot 1 (32 bytes): t4
 * </pre>
 */
public final class MemoryPlanPrinter {
  private MemoryPlanPrinter() {}

  public static String print(KernelProgram program, MemoryPlan plan, Map<String, Long> sizes) {
    StringBuilder out = new StringBuilder();
    out.append("memory ").append(program.name()).append(at(sizes)).append(": arena ").append(plan.slotBytes().size())
        .append(plan.slotBytes().size() == 1 ? " slot, " : " slots, ").append(plan.arenaBytes())
        .append(" bytes; arguments, params and results ").append(plan.ioBytes()).append(" bytes; peak live ")
        .append(plan.peakLiveBytes()).append(" bytes\n");
    List<List<Buffer>> slots = new ArrayList<>();
    for (int s = 0; s < plan.slotBytes().size(); s++) slots.add(new ArrayList<>());
    for (Buffer b : program.buffers()) {
      Integer slot = plan.slotOf().get(b);
      if (slot != null) slots.get(slot).add(b);
    }
    for (int s = 0; s < slots.size(); s++) {
      StringJoiner buffers = new StringJoiner(", ");
      for (Buffer b : slots.get(s)) buffers.add(b.name() + (plan.inPlace().contains(b) ? " (in place)" : ""));
      out.append("  slot ").append(s).append(" (").append(plan.slotBytes().get(s)).append(" bytes): ").append(buffers)
          .append('\n');
    }
    return out.toString();
  }

  /** What the memory stage prints when the sizes leave a buffer's size open. */
  public static String unplanned(KernelProgram program, Map<String, Long> sizes) {
    TreeSet<String> open = new TreeSet<>();
    for (Buffer b : program.buffers()) {
      for (var d : b.type().shape().dims()) {
        for (String s : d.symbols()) if (!sizes.containsKey(s)) open.add(s);
      }
    }
    return "memory " + program.name() + at(sizes) + ": not planned; run-time sizes " + String.join(", ", open)
        + " are not fixed\n";
  }

  private static String at(Map<String, Long> sizes) {
    if (sizes.isEmpty()) return "";
    StringJoiner out = new StringJoiner(", ", " at ", "");
    new TreeMap<>(sizes).forEach((k, v) -> out.add(k + "=" + v));
    return out.toString();
  }
}
