package dev.adjoint.codegen.java;

import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import dev.adjoint.compiler.kernel.KernelProgram;
import dev.adjoint.compiler.schedule.CacheBlocks;
import dev.adjoint.compiler.schedule.MicroTile;
import dev.adjoint.compiler.schedule.Routine;
import dev.adjoint.compiler.schedule.Schedule;
import dev.adjoint.compiler.schedule.Scheduler;
import dev.adjoint.compiler.target.CpuTarget;
import dev.adjoint.compiler.target.CpuTargets;
import dev.adjoint.runtime.exec.gemm.CpuFamily;
import dev.adjoint.runtime.exec.gemm.GemmPlan;
import dev.adjoint.runtime.exec.gemm.RegisterTile;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.lang.model.element.Modifier;

/**
 * The GEMM plans of one generated kernels class, as its {@code static final} {@link GemmPlan}
 * constants: the schedule of each product kernel for each of the class's {@link CpuTargets}, one
 * constant per distinct set of plans. A class for one target holds that target's plan:
 *
 * <pre>{@code
 * private static final GemmPlan GEMM_12X2V = GemmPlan.of(12, 2, 192, 144, 512);
 * }</pre>
 *
 * <p>A class for every family takes its family's plan when it loads, so that it runs the tile
 * that fits the registers of the machine it runs on, not of the one that generated it:
 *
 * <pre>{@code
 * private static final GemmPlan GEMM = switch (CpuFamily.current()) {
 *   case AVX512 -> GemmPlan.of(12, 2, 192, 144, 512);
 *   ...
 * };
 * }</pre>
 *
 * <p>The targets' schedules differ only in tiles and blocks, never in routine: the kernel's code
 * is the same under every plan.
 */
final class GemmPlanFields {
  /** One target's plan of a product: the {@link GemmPlan#of} arguments its schedule gives. */
  record Plan(int tileRows, int tileVectors, int depthBlock, int rowBlock, int columnBlock) {
    static Plan of(Schedule s) {
      MicroTile t = s.tile().orElseThrow();
      CacheBlocks b = s.blocks().orElseThrow();
      return new Plan(t.rows(), t.tile().vectors(), b.depth(), b.rows(), b.columns());
    }

    /** {@code GemmPlan.of(12, 2, 192, 144, 512)}. */
    CodeBlock code() {
      return CodeBlock.of("$T.of($L, $L, $L, $L, $L)", GemmPlan.class, tileRows, tileVectors, depthBlock, rowBlock,
          columnBlock);
    }

    /** {@code a 12x2V tile, KC 192, MC 144, NC 512}. */
    String describe() {
      return "a " + new RegisterTile(tileRows, tileVectors) + " tile, "
          + new CacheBlocks(depthBlock, rowBlock, columnBlock);
    }

    List<Integer> numbers() {
      return List.of(tileRows, tileVectors, depthBlock, rowBlock, columnBlock);
    }
  }

  private final CpuTargets targets;
  /** Each kernel's plans by family, in program order; null for a kernel that is not a GEMM. */
  private final List<Map<CpuFamily, Plan>> byKernel;
  /** Each distinct set of plans and its field, in order of first use. */
  private final Map<Map<CpuFamily, Plan>, String> fieldNames = new LinkedHashMap<>();

  private GemmPlanFields(CpuTargets targets, List<Map<CpuFamily, Plan>> byKernel) {
    this.targets = targets;
    this.byKernel = byKernel;
  }

  /**
   * The plans of {@code program}'s kernels (flattened or not: the schedule is the same) under
   * {@code targets}, their constants named in {@code names}.
   *
   * @throws IllegalStateException if two targets' schedules give a kernel different routines
   */
  static GemmPlanFields of(KernelProgram program, CpuTargets targets, JavaNames.Scope names) {
    Map<CpuFamily, List<Schedule>> schedules = new EnumMap<>(CpuFamily.class);
    targets.byFamily().forEach((family, target) -> schedules.put(family, Scheduler.schedule(program, target)));
    List<Map<CpuFamily, Plan>> byKernel = new ArrayList<>();
    for (int i = 0; i < program.kernels().size(); i++) {
      Map<CpuFamily, Plan> plans = new EnumMap<>(CpuFamily.class);
      Routine routine = null;
      for (var s : schedules.entrySet()) {
        Schedule schedule = s.getValue().get(i);
        if (routine != null && schedule.routine() != routine) {
          throw new IllegalStateException("kernel " + program.kernels().get(i).name() + " runs on " + routine + " for one"
              + " target and on " + schedule.routine() + " for " + s.getKey().label() + ": a class picks plans, not routines");
        }
        routine = schedule.routine();
        if (routine == Routine.GEMM) plans.put(s.getKey(), Plan.of(schedule));
      }
      byKernel.add(plans.isEmpty() ? null : plans);
    }
    GemmPlanFields fields = new GemmPlanFields(targets, byKernel);
    for (Map<CpuFamily, Plan> plans : byKernel) {
      if (plans == null || fields.fieldNames.containsKey(plans)) continue;
      fields.fieldNames.put(plans, names.claim(fields.preferredName(plans)));
    }
    return fields;
  }

  /** The constant holding kernel {@code kernel}'s plan, or null where it is not a GEMM. */
  String field(int kernel) {
    Map<CpuFamily, Plan> plans = byKernel.get(kernel);
    return plans == null ? null : fieldNames.get(plans);
  }

  /**
   * Kernel {@code kernel}'s plans as numbers (each family's ordinal and its plan's arguments), equal
   * for kernels whose constants are equal; null where it is not a GEMM.
   */
  List<Integer> numbers(int kernel) {
    Map<CpuFamily, Plan> plans = byKernel.get(kernel);
    if (plans == null) return null;
    List<Integer> out = new ArrayList<>();
    plans.forEach((family, plan) -> {
      out.add(family.ordinal());
      out.addAll(plan.numbers());
    });
    return List.copyOf(out);
  }

  /** The constants whose names are in {@code used}, in order of first use. */
  List<FieldSpec> fields(Set<String> used) {
    List<FieldSpec> out = new ArrayList<>();
    fieldNames.forEach((plans, name) -> {
      if (used.contains(name)) out.add(field(name, plans));
    });
    return out;
  }

  /** {@code GEMM_12X2V} for one tile on every target; {@code GEMM} where the targets' tiles differ. */
  private String preferredName(Map<CpuFamily, Plan> plans) {
    Set<List<Integer>> tiles = new HashSet<>();
    for (Plan p : plans.values()) tiles.add(List.of(p.tileRows(), p.tileVectors()));
    if (tiles.size() > 1) return "GEMM";
    Plan any = plans.values().iterator().next();
    return "GEMM_" + any.tileRows() + "X" + any.tileVectors() + "V";
  }

  private FieldSpec field(String name, Map<CpuFamily, Plan> plans) {
    FieldSpec.Builder field = FieldSpec.builder(GemmPlan.class, name, Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL);
    if (!targets.picksAtRunTime()) {
      CpuTarget target = targets.byFamily().values().iterator().next();
      Plan plan = plans.values().iterator().next();
      return field.addJavadoc("The schedule's GEMM for $L: $L.", target.name(), plan.describe())
          .initializer(plan.code())
          .build();
    }
    // Families whose schedules give the same plan share a case; a plan every family shares needs no switch.
    Map<Plan, List<CpuFamily>> families = new LinkedHashMap<>();
    plans.forEach((family, plan) -> families.computeIfAbsent(plan, p -> new ArrayList<>()).add(family));
    if (families.size() == 1) {
      Plan plan = families.keySet().iterator().next();
      return field.addJavadoc("The schedule's GEMM on every CPU family: $L.", plan.describe())
          .initializer(plan.code())
          .build();
    }
    CodeBlock.Builder pick = CodeBlock.builder().add("switch ($T.current()) {\n$>", CpuFamily.class);
    families.forEach((plan, of) -> {
      pick.add("// $L: $L\n", String.join(", ", of.stream().map(CpuFamily::label).toList()), plan.describe());
      pick.add("case $L -> $L;\n", String.join(", ", of.stream().map(CpuFamily::name).toList()), plan.code());
    });
    pick.add("$<}");
    return field.addJavadoc("The schedule's GEMM for each CPU family: the class takes the plan of the machine it runs\n"
            + "on ({@link $T#current()}) when it loads.", CpuFamily.class)
        .initializer(pick.build())
        .build();
  }
}
