package dev.adjoint.compiler.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.compiler.ir.Binary.Fn;
import dev.adjoint.compiler.kernel.Axis;
import dev.adjoint.compiler.kernel.KStmt;
import dev.adjoint.compiler.kernel.KernelKind;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the CUDA rules read of a kernel's structure, on kernels of the small encoder's training step. */
class GpuStructureTest {
  @Test
  void aProjectionIsATiledProductOverTheLastTwoAxesOfItsMap() {
    KernelFacts k = StepKernels.first(f -> f.kind() == KernelKind.CONTRACTION && f.gpu().product().isPresent());
    GpuStructure g = k.gpu();
    GpuStructure.TiledProduct p = g.product().orElseThrow();
    List<Axis> grid = g.grid();
    assertEquals(grid.get(grid.size() - 2), p.rows());
    assertEquals(grid.get(grid.size() - 1), p.columns());
    assertEquals(grid.subList(0, grid.size() - 2), p.batch());
    KStmt.Contraction c = g.body().stream().filter(s -> s instanceof KStmt.Contraction).map(s -> (KStmt.Contraction) s)
        .findFirst().orElseThrow();
    assertEquals(c.axes().get(0), p.depth());
    assertEquals(c.accumulator(), p.accumulator().var());
    assertFalse(g.cooperative(), k.name());
  }

  @Test
  void aNormsRowIsReductionsAndAMapRunByABlock() {
    KernelFacts k = StepKernels.first(f -> f.gpu().rows().stream().anyMatch(r -> r instanceof GpuStructure.Row.Shared)
        && f.gpu().rows().stream().anyMatch(r -> r instanceof GpuStructure.Row.Reduction));
    assertTrue(k.gpu().cooperative(), k.name());
    assertTrue(k.gpu().product().isEmpty());
    for (GpuStructure.Row r : k.gpu().rows()) {
      if (r instanceof GpuStructure.Row.Reduction red) {
        assertTrue(List.of(Fn.ADD, Fn.MUL, Fn.MAX, Fn.MIN).contains(red.combine()), red.toString());
      }
    }
  }

  @Test
  void anOnlineSoftmaxRowRunsOnAThread() {
    KernelFacts k = StepKernels.first(KernelFacts::runningMaximum);
    assertFalse(k.gpu().cooperative(), k.name());
    assertTrue(k.gpu().product().isEmpty(), k.name());
    assertTrue(k.gpu().rows().stream().anyMatch(r -> r instanceof GpuStructure.Row.Statement s
        && s.statement() instanceof KStmt.OnlineSoftmax), k.name());
  }
}
