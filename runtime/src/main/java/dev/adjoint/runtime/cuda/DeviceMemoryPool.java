package dev.adjoint.runtime.cuda;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.function.LongFunction;
import java.util.function.LongConsumer;

/**
 * Device memory reused across runs: allocations are rounded up to a size class (a power of two
 * from 256 bytes) and a released block goes back to its class's free list, so a training loop
 * that runs the same program every step allocates on the device only in its first step.
 * Not thread-safe: one pool per stream.
 */
public final class DeviceMemoryPool implements AutoCloseable {
  private static final long MIN_BLOCK = 256;

  private final LongFunction<Long> allocate;
  private final LongConsumer free;
  private final Map<Long, ArrayDeque<Long>> freeBlocks = new HashMap<>();
  private final Map<Long, Long> sizeOf = new HashMap<>();
  private long reservedBytes;

  /** A pool over {@code allocate} (bytes → device address) and {@code free} (address). */
  public DeviceMemoryPool(LongFunction<Long> allocate, LongConsumer free) {
    this.allocate = allocate;
    this.free = free;
  }

  public static DeviceMemoryPool of(CudaDriver driver) {
    return new DeviceMemoryPool(driver::allocate, driver::free);
  }

  /** The size class of a request: the next power of two, at least 256 bytes. */
  static long sizeClass(long bytes) {
    if (bytes < 0) throw new IllegalArgumentException("negative allocation: " + bytes);
    long size = MIN_BLOCK;
    while (size < bytes) size <<= 1;
    return size;
  }

  /** A device block of at least {@code bytes} bytes, from the free list when one is there. */
  public long acquire(long bytes) {
    long size = sizeClass(bytes);
    ArrayDeque<Long> list = freeBlocks.get(size);
    if (list != null && !list.isEmpty()) return list.pop();
    long address = allocate.apply(size);
    sizeOf.put(address, size);
    reservedBytes += size;
    return address;
  }

  /** Gives a block back for reuse. */
  public void release(long address) {
    Long size = sizeOf.get(address);
    if (size == null) throw new IllegalArgumentException("address 0x" + Long.toHexString(address) + " is not from this pool");
    freeBlocks.computeIfAbsent(size, s -> new ArrayDeque<>()).push(address);
  }

  /** Bytes held on the device, in use or free. */
  public long reservedBytes() {
    return reservedBytes;
  }

  /** Frees every block, in use or not. */
  @Override
  public void close() {
    for (long address : sizeOf.keySet()) free.accept(address);
    sizeOf.clear();
    freeBlocks.clear();
    reservedBytes = 0;
  }
}
