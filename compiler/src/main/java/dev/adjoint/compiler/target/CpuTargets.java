package dev.adjoint.compiler.target;

import dev.adjoint.runtime.exec.gemm.CpuFamily;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;

/**
 * The CPU targets one generated Java class is scheduled for, by the {@link CpuFamily} whose plans
 * each one gives: a single target, whose plans the class holds as constants (it runs where it was
 * generated, or where its caller chose), or the preset of every family, of which the class takes
 * the plans of the machine it runs on when it loads (it may run anywhere: the Maven plugin's and
 * {@code adjoint compile}'s classes).
 *
 * @param byFamily the targets, in the order of {@link CpuFamily} (not empty)
 */
public record CpuTargets(Map<CpuFamily, CpuTarget> byFamily) {
  public CpuTargets {
    Objects.requireNonNull(byFamily, "byFamily");
    if (byFamily.isEmpty()) throw new IllegalArgumentException("no CPU target");
    byFamily = Collections.unmodifiableMap(new EnumMap<>(byFamily));
  }

  /** Just {@code target}: the class holds its plans. */
  public static CpuTargets of(CpuTarget target) {
    return new CpuTargets(Map.of(target.family(), target));
  }

  /** The preset of every family ({@link CpuTarget#preset}): the class picks its family's plans when it loads. */
  public static CpuTargets everyFamily() {
    Map<CpuFamily, CpuTarget> targets = new EnumMap<>(CpuFamily.class);
    for (CpuFamily f : CpuFamily.values()) targets.put(f, CpuTarget.preset(f));
    return new CpuTargets(targets);
  }

  /** Whether the class picks among several targets' plans at run time (else it holds the one target's). */
  public boolean picksAtRunTime() {
    return byFamily.size() > 1;
  }
}
