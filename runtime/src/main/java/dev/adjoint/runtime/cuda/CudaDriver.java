package dev.adjoint.runtime.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.List;
import java.util.Objects;

/**
 * The CUDA driver API ({@code libcuda.so.1}) through {@code java.lang.foreign}: one device, its
 * primary context and one stream. Every call checks its result and throws a {@link CudaException}
 * naming the call and the error ({@code cuModuleLoadData: CUDA_ERROR_INVALID_IMAGE}).
 *
 * <p>{@link #open()} fails with a {@link CudaUnavailableException} whose message says what is
 * missing: the driver library, or a device.
 */
public final class CudaDriver {
  /** The driver library's name on Linux. */
  public static final String LIBRARY = "libcuda.so.1";

  private static final int CUDA_SUCCESS = 0;
  private static final int ATTRIBUTE_MULTIPROCESSOR_COUNT = 16;
  private static final int ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR = 75;
  private static final int ATTRIBUTE_COMPUTE_CAPABILITY_MINOR = 76;

  private final MethodHandle getErrorName;
  private final MethodHandle moduleLoadData;
  private final MethodHandle moduleGetFunction;
  private final MethodHandle launchKernel;
  private final MethodHandle memAlloc;
  private final MethodHandle memFree;
  private final MethodHandle memcpyHtoD;
  private final MethodHandle memcpyDtoH;
  private final MethodHandle memsetD8Async;
  private final MethodHandle streamSynchronize;
  private final MethodHandle eventCreate;
  private final MethodHandle eventRecord;
  private final MethodHandle eventSynchronize;
  private final MethodHandle eventElapsedTime;
  private final int device;
  private final String deviceName;
  private final int major;
  private final int minor;
  private final int multiprocessors;
  private final MemorySegment stream;

  private CudaDriver(SymbolLookup lib) {
    Linker linker = Linker.nativeLinker();
    getErrorName = bind(linker, lib, "cuGetErrorName", JAVA_INT, ADDRESS);
    MethodHandle init = bind(linker, lib, "cuInit", JAVA_INT);
    MethodHandle deviceGetCount = bind(linker, lib, "cuDeviceGetCount", ADDRESS);
    MethodHandle deviceGet = bind(linker, lib, "cuDeviceGet", ADDRESS, JAVA_INT);
    MethodHandle deviceGetAttribute = bind(linker, lib, "cuDeviceGetAttribute", ADDRESS, JAVA_INT, JAVA_INT);
    MethodHandle deviceGetName = bind(linker, lib, "cuDeviceGetName", ADDRESS, JAVA_INT, JAVA_INT);
    MethodHandle primaryCtxRetain = bind(linker, lib, "cuDevicePrimaryCtxRetain", ADDRESS, JAVA_INT);
    MethodHandle ctxSetCurrent = bind(linker, lib, "cuCtxSetCurrent", ADDRESS);
    MethodHandle streamCreate = bind(linker, lib, "cuStreamCreate", ADDRESS, JAVA_INT);
    moduleLoadData = bind(linker, lib, "cuModuleLoadData", ADDRESS, ADDRESS);
    moduleGetFunction = bind(linker, lib, "cuModuleGetFunction", ADDRESS, ADDRESS, ADDRESS);
    launchKernel = bind(linker, lib, "cuLaunchKernel", ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT,
        JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, ADDRESS);
    memAlloc = bind(linker, lib, "cuMemAlloc_v2", ADDRESS, JAVA_LONG);
    memFree = bind(linker, lib, "cuMemFree_v2", JAVA_LONG);
    memcpyHtoD = bind(linker, lib, "cuMemcpyHtoD_v2", JAVA_LONG, ADDRESS, JAVA_LONG);
    memcpyDtoH = bind(linker, lib, "cuMemcpyDtoH_v2", ADDRESS, JAVA_LONG, JAVA_LONG);
    memsetD8Async = bind(linker, lib, "cuMemsetD8Async", JAVA_LONG, JAVA_BYTE, JAVA_LONG, ADDRESS);
    streamSynchronize = bind(linker, lib, "cuStreamSynchronize", ADDRESS);
    eventCreate = bind(linker, lib, "cuEventCreate", ADDRESS, JAVA_INT);
    eventRecord = bind(linker, lib, "cuEventRecord", ADDRESS, ADDRESS);
    eventSynchronize = bind(linker, lib, "cuEventSynchronize", ADDRESS);
    eventElapsedTime = bind(linker, lib, "cuEventElapsedTime", ADDRESS, ADDRESS, ADDRESS);

    int initResult = (int) invoke(init, "cuInit", 0);
    if (initResult != CUDA_SUCCESS) {
      throw new CudaUnavailableException("no CUDA device: cuInit failed with " + errorName(initResult)
          + " (the driver is installed, but it finds no usable GPU); use --backend java");
    }
    try (Arena a = Arena.ofConfined()) {
      MemorySegment count = a.allocate(JAVA_INT);
      check(invoke(deviceGetCount, "cuDeviceGetCount", count), "cuDeviceGetCount");
      if (count.get(JAVA_INT, 0) == 0) {
        throw new CudaUnavailableException("no CUDA device: the driver reports 0 GPUs; use --backend java");
      }
      MemorySegment handle = a.allocate(JAVA_INT);
      check(invoke(deviceGet, "cuDeviceGet", handle, 0), "cuDeviceGet");
      device = handle.get(JAVA_INT, 0);
      major = attribute(deviceGetAttribute, ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, a);
      minor = attribute(deviceGetAttribute, ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, a);
      multiprocessors = attribute(deviceGetAttribute, ATTRIBUTE_MULTIPROCESSOR_COUNT, a);
      MemorySegment name = a.allocate(256);
      check(invoke(deviceGetName, "cuDeviceGetName", name, 256, device), "cuDeviceGetName");
      deviceName = name.getString(0);
      MemorySegment context = a.allocate(ADDRESS);
      check(invoke(primaryCtxRetain, "cuDevicePrimaryCtxRetain", context, device), "cuDevicePrimaryCtxRetain");
      check(invoke(ctxSetCurrent, "cuCtxSetCurrent", context.get(ADDRESS, 0)), "cuCtxSetCurrent");
      MemorySegment s = a.allocate(ADDRESS);
      check(invoke(streamCreate, "cuStreamCreate", s, 0), "cuStreamCreate");
      stream = s.get(ADDRESS, 0);
    }
  }

  /** Device 0 of the driver at {@link #LIBRARY}. */
  public static CudaDriver open() {
    return open(LIBRARY);
  }

  /**
   * Device 0 of the driver library {@code library}.
   *
   * @throws CudaUnavailableException when the library cannot be loaded or finds no GPU
   */
  public static CudaDriver open(String library) {
    Objects.requireNonNull(library, "library");
    SymbolLookup lib;
    try {
      lib = SymbolLookup.libraryLookup(library, Arena.global());
    } catch (IllegalArgumentException e) {
      throw new CudaUnavailableException("no CUDA driver: " + library + " is not installed or not on the library "
          + "path; the cuda backend needs an NVIDIA GPU and its driver; use --backend java");
    }
    return new CudaDriver(lib);
  }

  private static MethodHandle bind(Linker linker, SymbolLookup lib, String name, MemoryLayout... arguments) {
    MemorySegment symbol = lib.find(name).orElseThrow(() -> new CudaUnavailableException(
        "no CUDA driver: " + name + " is missing from the driver library (a driver older than CUDA 12?)"));
    return linker.downcallHandle(symbol, FunctionDescriptor.of(JAVA_INT, arguments));
  }

  private static Object invoke(MethodHandle handle, String call, Object... arguments) {
    try {
      return handle.invokeWithArguments(arguments);
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable t) {
      throw new CudaException(call + ": " + t);
    }
  }

  private int attribute(MethodHandle getAttribute, int which, Arena a) {
    MemorySegment value = a.allocate(JAVA_INT);
    check(invoke(getAttribute, "cuDeviceGetAttribute", value, which, device), "cuDeviceGetAttribute");
    return value.get(JAVA_INT, 0);
  }

  private void check(Object result, String call) {
    int code = (int) result;
    if (code != CUDA_SUCCESS) throw new CudaException(call + ": " + errorName(code));
  }

  /** {@code CUDA_ERROR_OUT_OF_MEMORY}, or {@code CUresult 2} when the driver does not know the code. */
  private String errorName(int code) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment name = a.allocate(ADDRESS);
      int r = (int) invoke(getErrorName, "cuGetErrorName", code, name);
      if (r != CUDA_SUCCESS || name.get(ADDRESS, 0).equals(MemorySegment.NULL)) return "CUresult " + code;
      return name.get(ADDRESS, 0).reinterpret(256).getString(0);
    }
  }

  public String deviceName() {
    return deviceName;
  }

  /** {@code sm_90} for an H100: the architecture kernels are compiled for. */
  public String architecture() {
    return "sm_" + major + minor;
  }

  public int multiprocessors() {
    return multiprocessors;
  }

  /** A loaded module's kernel entry points, by name. */
  public record Module(MemorySegment handle) {}

  public Module loadModule(byte[] cubin) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment image = a.allocate(cubin.length + 1L);
      MemorySegment.copy(cubin, 0, image, JAVA_BYTE, 0, cubin.length);
      MemorySegment module = a.allocate(ADDRESS);
      check(invoke(moduleLoadData, "cuModuleLoadData", module, image), "cuModuleLoadData");
      return new Module(module.get(ADDRESS, 0));
    }
  }

  public MemorySegment function(Module module, String name) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment function = a.allocate(ADDRESS);
      check(invoke(moduleGetFunction, "cuModuleGetFunction " + name, function, module.handle(), a.allocateFrom(name)),
          "cuModuleGetFunction " + name);
      return function.get(ADDRESS, 0);
    }
  }

  /** One kernel argument: a device pointer, an {@code int} or an {@code unsigned long long}. */
  public sealed interface Argument {
    record Pointer(long address) implements Argument {}

    record Int(int value) implements Argument {}

    record Long(long value) implements Argument {}
  }

  /** Launches {@code function} on the stream: {@code blocks} one-dimensional blocks of {@code threads}. */
  public void launch(MemorySegment function, long blocks, int threads, List<Argument> arguments) {
    if (blocks > Integer.MAX_VALUE) throw new IllegalArgumentException("too many blocks: " + blocks);
    try (Arena a = Arena.ofConfined()) {
      MemorySegment pointers = a.allocate(ADDRESS, Math.max(1, arguments.size()));
      for (int i = 0; i < arguments.size(); i++) {
        MemorySegment value = switch (arguments.get(i)) {
          case Argument.Pointer p -> a.allocateFrom(JAVA_LONG, p.address());
          case Argument.Int n -> a.allocateFrom(JAVA_INT, n.value());
          case Argument.Long n -> a.allocateFrom(JAVA_LONG, n.value());
        };
        pointers.setAtIndex(ADDRESS, i, value);
      }
      check(invoke(launchKernel, "cuLaunchKernel", function, (int) blocks, 1, 1, threads, 1, 1, 0, stream, pointers,
          MemorySegment.NULL), "cuLaunchKernel");
    }
  }

  public long allocate(long bytes) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment pointer = a.allocate(JAVA_LONG);
      check(invoke(memAlloc, "cuMemAlloc", pointer, Math.max(1, bytes)), "cuMemAlloc of " + bytes + " bytes");
      return pointer.get(JAVA_LONG, 0);
    }
  }

  public void free(long address) {
    check(invoke(memFree, "cuMemFree", address), "cuMemFree");
  }

  /** Copies {@code bytes} to the device (after the stream's work so far). */
  public void copyToDevice(long address, MemorySegment bytes) {
    synchronize();
    check(invoke(memcpyHtoD, "cuMemcpyHtoD", address, bytes, bytes.byteSize()), "cuMemcpyHtoD");
  }

  /** Copies the device's bytes into {@code bytes}, after the stream's work so far. */
  public void copyToHost(MemorySegment bytes, long address) {
    synchronize();
    check(invoke(memcpyDtoH, "cuMemcpyDtoH", bytes, address, bytes.byteSize()), "cuMemcpyDtoH");
  }

  public void zero(long address, long bytes) {
    check(invoke(memsetD8Async, "cuMemsetD8Async", address, (byte) 0, bytes, stream), "cuMemsetD8Async");
  }

  public void synchronize() {
    check(invoke(streamSynchronize, "cuStreamSynchronize", stream), "cuStreamSynchronize");
  }

  /** Milliseconds of GPU time {@code work} takes on the stream, measured with two events. */
  public float time(Runnable work) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment start = a.allocate(ADDRESS);
      MemorySegment end = a.allocate(ADDRESS);
      check(invoke(eventCreate, "cuEventCreate", start, 0), "cuEventCreate");
      check(invoke(eventCreate, "cuEventCreate", end, 0), "cuEventCreate");
      check(invoke(eventRecord, "cuEventRecord", start.get(ADDRESS, 0), stream), "cuEventRecord");
      work.run();
      check(invoke(eventRecord, "cuEventRecord", end.get(ADDRESS, 0), stream), "cuEventRecord");
      check(invoke(eventSynchronize, "cuEventSynchronize", end.get(ADDRESS, 0)), "cuEventSynchronize");
      MemorySegment ms = a.allocate(JAVA_FLOAT);
      check(invoke(eventElapsedTime, "cuEventElapsedTime", ms, start.get(ADDRESS, 0), end.get(ADDRESS, 0)),
          "cuEventElapsedTime");
      return ms.get(JAVA_FLOAT, 0);
    }
  }
}
