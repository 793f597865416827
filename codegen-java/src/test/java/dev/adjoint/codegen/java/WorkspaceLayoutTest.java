package dev.adjoint.codegen.java;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.codegen.java.GoldenPrograms.Lowered;
import dev.adjoint.compiler.kernel.Buffer;
import dev.adjoint.compiler.kernel.Kernel;
import dev.adjoint.compiler.memory.MemoryPlan;
import dev.adjoint.compiler.memory.MemoryPlanner;
import dev.adjoint.runtime.DType;
import dev.adjoint.runtime.exec.Workspace;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The memory plan is what generated code allocates: after a run, a program's workspace holds the
 * plan's arena (one array per slot, shared by the temporaries of the slot) and its results, and
 * the inputs it had to copy — not one array per buffer.
 */
class WorkspaceLayoutTest {
  /**
   * Every eighth of the programs whose Java arrays have the plan's element sizes (bf16 and f16 are
   * held in floats): the golden programs forward and backward, training and not; all of them take
   * long to compile, and the poison test runs them all on shared arrays.
   */
  static Stream<Lowered> programs() {
    var all = GeneratedEquivalenceTest.programs().filter(p -> p.program().buffers().stream()
        .noneMatch(b -> b.type().dtype() == DType.BF16 || b.type().dtype() == DType.F16)).toList();
    return java.util.stream.IntStream.range(0, all.size()).filter(i -> i % 8 == 0).mapToObj(all::get);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("programs")
  void aWorkspaceHoldsThePlansArenaAndTheResults(Lowered p) {
    JavaBackend.Prepared compiled = GeneratedEquivalenceTest.prepared(p);
    compiled.releaseWorkspaces();
    compiled.run(p.tensors(), p.sizes(), p.mode().seed(), p.mode().step(), 1);
    Workspace used = compiled.workspaces().take();
    Map<String, Long> sizes = p.sizes();
    MemoryPlan plan = MemoryPlanner.plan(p.program(), sizes);
    Set<Buffer> written = new HashSet<>();
    for (Kernel k : p.program().kernels()) written.addAll(k.writes());
    long own = 0;
    Set<Buffer> counted = new HashSet<>();
    for (Buffer b : p.program().outputs()) if (b.role() == Buffer.Role.OUTPUT && counted.add(b)) own += MemoryPlanner.bytes(b, sizes);
    for (Buffer b : p.program().arguments()) if (written.contains(b) && counted.add(b)) own += MemoryPlanner.bytes(b, sizes);
    for (Buffer b : p.program().params()) if (written.contains(b) && counted.add(b)) own += MemoryPlanner.bytes(b, sizes);
    assertEquals(plan.arenaBytes() + own, used.retainedBytes(), p.program().name());
    assertTrue(WorkspaceLayout.of(p.program()).arrays() <= p.program().buffers().size());
    compiled.workspaces().give(used);
  }
}
