import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.io.PrintWriter;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/**
 * Runs the CUDA tests that need a GPU on a machine without Maven: the GPU equivalence test of
 * codegen-cuda (every case against the kernel interpreter) and the driver tests of runtime/cuda.
 * Exits 1 when a test fails, 2 when tests were skipped (no GPU found: the first reason is printed).
 */
public final class GpuTests {
  public static void main(String[] args) {
    LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
        .selectors(selectClass("dev.adjoint.codegen.cuda.CudaGpuTest"), selectClass("dev.adjoint.runtime.cuda.CudaDriverTest"),
            selectClass("dev.adjoint.runtime.cuda.CudaCompilerTest"))
        .build();
    Launcher launcher = LauncherFactory.create();
    SummaryGeneratingListener listener = new SummaryGeneratingListener();
    String[] firstSkip = {null};
    TestExecutionListener skips = new TestExecutionListener() {
      @Override
      public void executionFinished(TestIdentifier test, TestExecutionResult result) {
        if (result.getStatus() == TestExecutionResult.Status.ABORTED && firstSkip[0] == null) {
          firstSkip[0] = test.getDisplayName() + ": " + result.getThrowable().map(Throwable::getMessage).orElse("");
        }
      }
    };
    launcher.execute(request, listener, skips);
    TestExecutionSummary summary = listener.getSummary();
    PrintWriter out = new PrintWriter(System.out, true);
    summary.printFailuresTo(out, 20);
    summary.printTo(out);
    if (summary.getTotalFailureCount() > 0) System.exit(1);
    if (summary.getTestsAbortedCount() > 0) {
      out.println(summary.getTestsAbortedCount() + " tests skipped; the first: " + firstSkip[0]);
      System.exit(2);
    }
  }
}
