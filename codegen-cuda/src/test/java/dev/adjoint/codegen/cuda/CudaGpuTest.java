package dev.adjoint.codegen.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.adjoint.compiler.interp.DArray;
import dev.adjoint.compiler.kernel.Buffer;
import dev.adjoint.runtime.DType;
import dev.adjoint.runtime.Tensor;
import dev.adjoint.runtime.cuda.CudaCompiler;
import dev.adjoint.runtime.cuda.CudaDriver;
import dev.adjoint.runtime.cuda.CudaUnavailableException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The emulation test's cases on a real GPU: generated CUDA, compiled by NVRTC or nvcc, run by the
 * driver, against the kernel interpreter (f32 within 1e-5 relative, bf16 within 1e-2). Skipped,
 * with the reason, on a machine without the driver or a GPU.
 */
class CudaGpuTest {
  private static final Optional<CudaDriver> DRIVER = open();
  private static final String REASON = reason();

  private static Optional<CudaDriver> open() {
    try {
      return Optional.of(CudaBackend.driver());
    } catch (CudaUnavailableException e) {
      return Optional.empty();
    }
  }

  private static String reason() {
    try {
      CudaBackend.driver();
      return "";
    } catch (CudaUnavailableException e) {
      return e.getMessage();
    }
  }

  static Stream<CudaEmulationTest.Spec> cases() {
    return CudaEmulationTest.cases();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void cudaOnTheGpuComputesWhatTheInterpreterComputes(CudaEmulationTest.Spec spec) {
    assumeTrue(DRIVER.isPresent(), REASON);
    CudaCases.Case c = CudaCases.lower(spec.name(), spec.gradient(), spec.dtype(), spec.training());
    CudaCompiler compiler = CudaCompiler.create(Path.of("target", "cuda-cubins").toAbsolutePath());
    CudaBackend.Prepared prepared = CudaBackend.compile(c.program(), DRIVER.get(), compiler);
    Map<String, Tensor> inputs = new LinkedHashMap<>();
    List<Buffer> given = new ArrayList<>(c.program().arguments());
    given.addAll(c.program().params());
    for (Buffer b : given) {
      DArray v = c.values().get(b.name());
      inputs.put(b.name(), Tensor.ofDoubles(b.type().dtype(), v.shape(), v.toArray()));
    }
    List<Tensor> actual = prepared.run(inputs, c.sizes(), c.seed(), c.step());
    List<DArray> expected = c.interpret();
    assertEquals(expected.size(), actual.size(), "number of outputs");
    double tolerance = spec.dtype().equals(Optional.of(DType.BF16)) ? 1e-2 : 1e-5;
    for (int i = 0; i < expected.size(); i++) {
      Tensor t = actual.get(i);
      DArray a = DArray.of(t.dtype(), t.shapeArray(), t.toDoubles());
      int output = i;
      CudaEmulationTest.compare(expected.get(i), a, tolerance).ifPresent(p -> fail("output " + output + ": " + p));
    }
  }
}
