package dev.adjoint.compiler.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Inputs of {@link DifferentialFuzzTest} on which the fused kernels once failed or disagreed with
 * the graph interpreter — a reduction hosted in a kernel whose loops did not cover it, a row
 * statistic of a reordered row contraction left unstored, loads outside a buffer — replayed as
 * regression tests (the inputs are in {@code FusionFindingsFuzzTestInputs/fusedKernelsAgreeWithTheGraph/}).
 */
class FusionFindingsFuzzTest {
  @FuzzTest
  void fusedKernelsAgreeWithTheGraph(FuzzedDataProvider data) {
    new DifferentialFuzzTest().interpreterAgreesWithFusedKernels(data);
  }
}
