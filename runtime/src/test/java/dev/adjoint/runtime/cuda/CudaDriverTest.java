package dev.adjoint.runtime.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.Test;

/** Opening the driver: the messages when there is none, and what a GPU machine reports. */
class CudaDriverTest {
  @Test
  void aMissingDriverLibraryIsAClearError() {
    CudaUnavailableException e = assertThrows(CudaUnavailableException.class,
        () -> CudaDriver.open("libadjoint-no-such-driver.so.1"));
    assertEquals("no CUDA driver: libadjoint-no-such-driver.so.1 is not installed or not on the library path; the cuda "
        + "backend needs an NVIDIA GPU and its driver; use --backend java", e.getMessage());
  }

  @Test
  void withoutAGpuOpeningSaysWhatIsMissing() {
    CudaDriver driver = null;
    try {
      driver = CudaDriver.open();
    } catch (CudaUnavailableException e) {
      assertTrue(e.getMessage().startsWith("no CUDA driver: ") || e.getMessage().startsWith("no CUDA device: "),
          e.getMessage());
      assertTrue(e.getMessage().endsWith("use --backend java"), e.getMessage());
    }
    assumeTrue(driver == null, "this machine has a GPU; its device: " + (driver == null ? "" : driver.deviceName()));
  }

  @Test
  void onAGpuTheDeviceReportsItsArchitecture() {
    CudaDriver driver;
    try {
      driver = CudaDriver.open();
    } catch (CudaUnavailableException e) {
      assumeTrue(false, "no GPU here: " + e.getMessage());
      return;
    }
    assertTrue(driver.architecture().matches("sm_[0-9]{2,3}"), driver.architecture());
    assertTrue(driver.multiprocessors() > 0);
    long address = driver.allocate(1024);
    driver.zero(address, 1024);
    driver.synchronize();
    driver.free(address);
  }
}
