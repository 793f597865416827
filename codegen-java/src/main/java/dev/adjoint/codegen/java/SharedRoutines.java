package dev.adjoint.codegen.java;

import dev.adjoint.compiler.schedule.RowSchedule;
import com.palantir.javapoet.ParameterSpec;
import dev.adjoint.compiler.kernel.Buffer;
import dev.adjoint.compiler.kernel.Kernel;
import dev.adjoint.compiler.kernel.KernelProgram;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Kernel methods printed once per generated class and called wherever the same computation
 * recurs: the layers of a Transformer share their shapes, so their products, norms and attention
 * are the same routines over other arrays; a model's forward, loss and gradient run the same
 * forward kernels. Two kernels are the same routine when they print the same method once their
 * buffers are named by position: the same statements over the same shapes, whatever the buffers
 * are called. A kernel's random draws name the kernel's stream, so kernels that draw differently
 * never match.
 *
 * <p>One instance serves one generated class (a model class and its nested kernel classes, or one
 * standalone class), filled as its kernels are printed in order.
 */
final class SharedRoutines {
  /** A printed kernel method: its class (the simple name of a nested or the top-level class) and name. */
  record Routine(String owner, String method, String kernel) {}

  private final Map<String, Integer> signatures = new HashMap<>();
  private final Map<String, Routine> byKey = new HashMap<>();

  private SharedRoutines(List<KernelProgram> programs) {
    for (KernelProgram p : programs) for (Kernel k : p.kernels()) signatures.merge(signature(k), 1, Integer::sum);
  }

  /** For the kernels of these programs, printed into one class. */
  static SharedRoutines of(List<KernelProgram> programs) {
    return new SharedRoutines(programs);
  }

  /** What printing a kernel found: the routine printed before for the same computation, or none. */
  record Lookup(String key, Routine routine, KernelEmitter.Emitted positional) {}

  /**
   * Looks {@code kernel} up. A kernel whose shape of reads, writes and statements no other kernel
   * of the class has is not printed a second time to compare it (the key is then null).
   */
  Lookup find(Kernel kernel, Map<String, String> sizeNames, List<Integer> gemmPlan, RowSchedule rows) {
    if (signatures.getOrDefault(signature(kernel), 0) < 2) return new Lookup(null, null, null);
    KernelEmitter.Emitted positional = positional(kernel, sizeNames, gemmPlan, rows);
    StringBuilder key = new StringBuilder();
    for (ParameterSpec p : positional.method().parameters()) key.append(p.type()).append(' ').append(p.name()).append(", ");
    key.append('\n').append(positional.method().code());
    String k = key.toString();
    return new Lookup(k, byKey.get(k), positional);
  }

  /** Records that {@code kernel}'s method is printed as {@code method} of class {@code owner}. */
  void printed(Lookup lookup, String owner, String method, Kernel kernel) {
    if (lookup.key() != null) byKey.putIfAbsent(lookup.key(), new Routine(owner, method, kernel.name()));
  }

  /**
   * The kernel printed with its buffers named by position ({@code buffer$0}, …: no size or local
   * name takes a {@code $}), its sizes by their symbols and its GEMM plan (null when it has none)
   * by its numbers, so equal text is equal computation.
   */
  private static KernelEmitter.Emitted positional(Kernel kernel, Map<String, String> sizeNames, List<Integer> gemmPlan,
      RowSchedule rows) {
    Map<Buffer, String> names = new LinkedHashMap<>();
    for (Buffer b : kernel.reads()) names.putIfAbsent(b, "buffer$" + names.size());
    for (Buffer b : kernel.writes()) names.putIfAbsent(b, "buffer$" + names.size());
    Set<String> reserved = new java.util.LinkedHashSet<>(names.values());
    reserved.addAll(sizeNames.values());
    reserved.addAll(List.of("buffers", "sizes", "context"));
    String plan = gemmPlan == null ? null : "plan$" + String.join("x", gemmPlan.stream().map(String::valueOf).toList());
    if (plan != null) reserved.add(plan);
    return KernelEmitter.emit(kernel, "kernel", names, sizeNames, reserved, plan, rows);
  }

  /** A cheap first test: kernels that differ here cannot print the same. */
  private static String signature(Kernel k) {
    StringBuilder s = new StringBuilder(k.kind().label()).append(k.body().size());
    for (Buffer b : k.reads()) s.append(" r").append(b.type());
    for (Buffer b : k.writes()) s.append(" w").append(b.type());
    return s.toString();
  }
}
