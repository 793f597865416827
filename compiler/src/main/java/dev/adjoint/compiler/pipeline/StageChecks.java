package dev.adjoint.compiler.pipeline;

import dev.adjoint.compiler.fusion.FusionPlan;
import dev.adjoint.compiler.fusion.Group;
import dev.adjoint.compiler.ir.Graph;
import dev.adjoint.compiler.ir.Node;
import dev.adjoint.compiler.ir.Verifier;
import dev.adjoint.compiler.kernel.Buffer;
import dev.adjoint.compiler.kernel.Kernel;
import dev.adjoint.compiler.kernel.KernelProgram;
import dev.adjoint.compiler.kernel.KernelVerifier;
import dev.adjoint.compiler.memory.MemoryPlan;
import dev.adjoint.compiler.memory.MemoryPlanner;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The verifier after each stage: graphs by {@link Verifier}; the fusion plan's graph, and each
 * stored node stored by one group; kernel programs by {@link KernelVerifier}; a memory plan's
 * slots big enough, and never shared by two buffers live at once.
 */
final class StageChecks {
  private StageChecks() {}

  /**
   * Checks the output of {@code stage} among {@code outputs} (those of every stage run so far).
   *
   * @throws IllegalStateException naming the stage and every problem found
   */
  @SuppressWarnings("unchecked")
  static void check(Stage stage, Map<Stage, Object> outputs, Pipeline pipeline) {
    Object output = outputs.get(stage);
    List<String> problems = switch (stage) {
      case ELABORATE, GRAD, SIMPLIFY -> Verifier.check((Graph) output);
      case FUSE -> fusion((FusionPlan) output);
      case LOWER, SCHEDULE -> KernelVerifier.check((KernelProgram) output);
      case PLAN_MEMORY -> ((Optional<MemoryPlan>) output)
          .map(p -> memory((KernelProgram) outputs.get(Stage.LOWER), p, pipeline.sizes())).orElse(List.of());
      case EMIT -> List.of();
    };
    if (!problems.isEmpty()) {
      throw new IllegalStateException("the verifier after the " + stage + " stage found:\n  " + String.join("\n  ", problems));
    }
  }

  private static List<String> fusion(FusionPlan plan) {
    List<String> problems = new ArrayList<>(Verifier.check(plan.graph()));
    Set<Node> inGraph = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
    inGraph.addAll(plan.graph().topologicalOrder());
    Map<Node, Integer> storedBy = new IdentityHashMap<>();
    for (int g = 0; g < plan.groups().size(); g++) {
      Group group = plan.groups().get(g);
      for (Node n : group.outputs()) if (!inGraph.contains(n)) problems.add("group " + g + " computes " + n + ", not in the graph");
      for (Node n : group.inlined()) if (!inGraph.contains(n)) problems.add("group " + g + " inlines " + n + ", not in the graph");
      for (Node n : group.stored()) {
        Integer other = storedBy.put(n, g);
        if (other != null) problems.add(n + " is stored by groups " + other + " and " + g);
      }
    }
    return problems;
  }

  /** Every temporary has a slot that holds it; two buffers of one slot are never live at once. */
  static List<String> memory(KernelProgram program, MemoryPlan plan, Map<String, Long> sizes) {
    List<String> problems = new ArrayList<>();
    Map<Buffer, Integer> firstWrite = new HashMap<>();
    Map<Buffer, Integer> lastUse = new HashMap<>();
    for (int k = 0; k < program.kernels().size(); k++) {
      Kernel kernel = program.kernels().get(k);
      for (Buffer b : kernel.writes()) firstWrite.putIfAbsent(b, k);
      for (Buffer b : kernel.writes()) lastUse.merge(b, k, Math::max);
      for (Buffer b : kernel.reads()) lastUse.merge(b, k, Math::max);
    }
    Map<Integer, List<Buffer>> bySlot = new HashMap<>();
    for (Buffer b : program.temporaries()) {
      if (!firstWrite.containsKey(b)) continue;
      Integer slot = plan.slotOf().get(b);
      if (slot == null) {
        problems.add("temporary " + b + " has no slot");
        continue;
      }
      long need = MemoryPlanner.bytes(b, sizes);
      if (plan.slotBytes().get(slot) < need) {
        problems.add("temporary " + b + " needs " + need + " bytes; its slot " + slot + " holds " + plan.slotBytes().get(slot));
      }
      bySlot.computeIfAbsent(slot, s -> new ArrayList<>()).add(b);
    }
    bySlot.forEach((slot, buffers) -> {
      for (Buffer a : buffers) {
        for (Buffer b : buffers) {
          if (a == b || firstWrite.get(a) > firstWrite.get(b)) continue;
          if (a.id() >= b.id() && firstWrite.get(a).equals(firstWrite.get(b))) continue;
          // b starts at or after a: it may start in a's last kernel only written over a in place.
          int aEnd = lastUse.get(a);
          int bStart = firstWrite.get(b);
          boolean overlap = bStart < aEnd || (bStart == aEnd && !plan.inPlace().contains(b));
          if (overlap) problems.add("slot " + slot + " holds " + a + " and " + b + " while both are live");
        }
      }
    });
    return problems;
  }
}
