package dev.adjoint.runtime.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The device memory pool over a fake allocator: size classes, reuse, release of everything. */
class DeviceMemoryPoolTest {
  private final List<Long> allocated = new ArrayList<>();
  private final List<Long> freed = new ArrayList<>();
  private long next = 0x1000;

  private DeviceMemoryPool pool() {
    return new DeviceMemoryPool(bytes -> {
      long address = next;
      next += bytes;
      allocated.add(bytes);
      return address;
    }, freed::add);
  }

  @Test
  void sizesRoundUpToPowersOfTwoFrom256Bytes() {
    assertEquals(256, DeviceMemoryPool.sizeClass(0));
    assertEquals(256, DeviceMemoryPool.sizeClass(256));
    assertEquals(512, DeviceMemoryPool.sizeClass(257));
    assertEquals(1L << 30, DeviceMemoryPool.sizeClass((1L << 30) - 5));
  }

  @Test
  void aReleasedBlockIsReusedForTheSameSizeClass() {
    DeviceMemoryPool pool = pool();
    long a = pool.acquire(1000);
    long b = pool.acquire(1000);
    assertNotEquals(a, b);
    pool.release(a);
    assertEquals(a, pool.acquire(900));
    assertEquals(List.of(1024L, 1024L), allocated);
    assertEquals(2048, pool.reservedBytes());
  }

  @Test
  void closeFreesEveryBlock() {
    DeviceMemoryPool pool = pool();
    long a = pool.acquire(10);
    pool.acquire(5000);
    pool.release(a);
    pool.close();
    assertEquals(2, freed.size());
    assertEquals(0, pool.reservedBytes());
  }

  @Test
  void releasingAForeignAddressIsAnError() {
    DeviceMemoryPool pool = pool();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> pool.release(0xdead));
    assertEquals("address 0xdead is not from this pool", e.getMessage());
  }
}
