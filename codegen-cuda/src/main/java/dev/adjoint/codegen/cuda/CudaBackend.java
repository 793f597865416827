package dev.adjoint.codegen.cuda;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

import dev.adjoint.compiler.ir.Dim;
import dev.adjoint.compiler.kernel.Buffer;
import dev.adjoint.compiler.kernel.KernelProgram;
import dev.adjoint.compiler.memory.MemoryPlanner;
import dev.adjoint.runtime.DType;
import dev.adjoint.runtime.Tensor;
import dev.adjoint.runtime.cuda.CudaCompiler;
import dev.adjoint.runtime.cuda.CudaDriver;
import dev.adjoint.runtime.cuda.DeviceMemoryPool;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * Runs kernel programs on a GPU: generates the CUDA C ({@link CudaGenerator}), compiles it for the
 * device's architecture ({@link CudaCompiler}: NVRTC or nvcc, cached on disk), loads the module,
 * and per run copies the inputs in, launches every kernel on the driver's stream (zeroing the
 * buffers it adds into first), and copies the outputs back. Device memory comes from a pool, so
 * repeated runs at the same sizes allocate nothing.
 */
public final class CudaBackend {
  /** Threads per block of a grid-stride kernel and of a row. */
  static final int ELEMENT_THREADS = 256;
  static final int ROW_THREADS = 256;

  private static volatile CudaDriver sharedDriver;

  private CudaBackend() {}

  /** The machine's GPU, opened on first use; throws {@link dev.adjoint.runtime.cuda.CudaUnavailableException} without one. */
  public static CudaDriver driver() {
    CudaDriver d = sharedDriver;
    if (d == null) {
      synchronized (CudaBackend.class) {
        d = sharedDriver;
        if (d == null) sharedDriver = d = CudaDriver.open();
      }
    }
    return d;
  }

  /** {@code program} compiled and loaded on {@code driver}'s device. */
  public static Prepared compile(KernelProgram program, CudaDriver driver, CudaCompiler compiler) {
    Objects.requireNonNull(program, "program");
    CudaSource source = CudaGenerator.generate(program);
    CudaDriver.Module module = driver.loadModule(compiler.cubin(source.text(), driver.architecture()));
    List<MemorySegment> functions = new ArrayList<>();
    for (CudaKernel k : source.kernels()) functions.add(driver.function(module, k.function()));
    return new Prepared(source, driver, functions);
  }

  /** A program loaded on the device, ready to run many times. */
  public static final class Prepared {
    private final CudaSource source;
    private final CudaDriver driver;
    private final List<MemorySegment> functions;
    private final DeviceMemoryPool pool;

    Prepared(CudaSource source, CudaDriver driver, List<MemorySegment> functions) {
      this.source = source;
      this.driver = driver;
      this.functions = List.copyOf(functions);
      this.pool = DeviceMemoryPool.of(driver);
    }

    public CudaSource source() {
      return source;
    }

    /**
     * Runs the program and returns its outputs, in the program's order.
     *
     * @param inputs every argument and param by buffer name, of the buffer's dtype and shape
     * @param sizes every run-time size the program's buffers use
     */
    public synchronized List<Tensor> run(Map<String, Tensor> inputs, Map<String, Long> sizes, long seed, int step) {
      Map<Buffer, Long> device = upload(inputs, sizes);
      try {
        launchAll(device, sizes, seed, step);
        return download(device, sizes);
      } finally {
        for (long address : distinct(device)) pool.release(address);
      }
    }

    /**
     * GPU milliseconds of each of {@code iters} runs of the kernels alone (after {@code warmup}
     * untimed ones), on inputs copied to the device once: what a training loop that keeps its
     * tensors on the GPU pays per step.
     */
    public synchronized double[] timeKernels(Map<String, Tensor> inputs, Map<String, Long> sizes, long seed, int warmup,
        int iters) {
      Map<Buffer, Long> device = upload(inputs, sizes);
      try {
        for (int i = 0; i < warmup; i++) launchAll(device, sizes, seed, i);
        driver.synchronize();
        double[] ms = new double[iters];
        for (int i = 0; i < iters; i++) {
          int step = i;
          ms[i] = driver.time(() -> launchAll(device, sizes, seed, step));
        }
        return ms;
      } finally {
        for (long address : distinct(device)) pool.release(address);
      }
    }

    private Map<Buffer, Long> upload(Map<String, Tensor> inputs, Map<String, Long> sizes) {
      KernelProgram program = source.program();
      Map<Buffer, Long> device = new LinkedHashMap<>();
      boolean done = false;
      // Temporaries of one slot of the memory plan share one allocation (one element type and count).
      Map<Buffer, Integer> slotOf = MemoryPlanner.assign(program).slotOf();
      Map<Integer, Long> slotAddress = new HashMap<>();
      try {
        for (Buffer b : program.buffers()) {
          Integer slot = slotOf.get(b);
          if (slot != null && slotAddress.containsKey(slot)) {
            device.put(b, slotAddress.get(slot));
            continue;
          }
          long bytes = elements(b, sizes) * elementBytes(b.type().dtype());
          long address = pool.acquire(bytes);
          device.put(b, address);
          if (slot != null) slotAddress.put(slot, address);
        }
        for (Buffer b : inputBuffers(program)) {
          Tensor t = inputs.get(b.name());
          if (t == null) throw new IllegalArgumentException("no value for '" + b.name() + "' (" + b.type() + ")");
          int[] shape = b.type().shape().evaluate(sizes);
          if (t.dtype() != b.type().dtype() || !Arrays.equals(t.shapeArray(), shape)) {
            throw new IllegalArgumentException("'" + b.name() + "' must be " + b.type().dtype() + Arrays.toString(shape)
                + " (" + b.type() + "), got " + t);
          }
          try (Arena a = Arena.ofConfined()) {
            driver.copyToDevice(device.get(b), encode(t, a));
          }
        }
        done = true;
        return device;
      } finally {
        if (!done) for (long address : distinct(device)) pool.release(address);
      }
    }

    private void launchAll(Map<Buffer, Long> device, Map<String, Long> sizes, long seed, int step) {
      long maxBlocks = (long) driver.multiprocessors() * 32;
      for (int k = 0; k < source.kernels().size(); k++) {
        CudaKernel kernel = source.kernels().get(k);
        for (Buffer b : kernel.zeroed()) driver.zero(device.get(b), elements(b, sizes) * elementBytes(b.type().dtype()));
        CudaKernel.Launch launch = kernel.launch(sizes, ELEMENT_THREADS, ROW_THREADS, maxBlocks);
        List<CudaDriver.Argument> arguments = new ArrayList<>();
        for (CudaKernel.Param p : kernel.params()) {
          arguments.add(switch (p) {
            case CudaKernel.Param.BufferParam bp -> new CudaDriver.Argument.Pointer(device.get(bp.buffer()));
            case CudaKernel.Param.SizeParam sp -> new CudaDriver.Argument.Int(Math.toIntExact(sp.dim().evaluate(sizes)));
            case CudaKernel.Param.SeedParam sp -> new CudaDriver.Argument.Long(seed);
            case CudaKernel.Param.StepParam sp -> new CudaDriver.Argument.Int(step);
          });
        }
        if (launch.blocks() > 0) driver.launch(functions.get(k), launch.blocks(), launch.threads(), arguments);
      }
    }

    private List<Tensor> download(Map<Buffer, Long> device, Map<String, Long> sizes) {
      List<Tensor> out = new ArrayList<>();
      for (Buffer b : source.program().outputs()) {
        long bytes = elements(b, sizes) * elementBytes(b.type().dtype());
        try (Arena a = Arena.ofConfined()) {
          MemorySegment host = a.allocate(Math.max(1, bytes));
          driver.copyToHost(host.asSlice(0, bytes), device.get(b));
          out.add(decode(b.type().dtype(), b.type().shape().evaluate(sizes), host));
        }
      }
      return out;
    }
  }


  /** Each device allocation once, however many buffers share it. */
  private static Set<Long> distinct(Map<Buffer, Long> device) {
    return new LinkedHashSet<>(device.values());
  }

  private static List<Buffer> inputBuffers(KernelProgram program) {
    Set<Buffer> in = new LinkedHashSet<>(program.arguments());
    in.addAll(program.params());
    return List.copyOf(in);
  }

  /** The sizes given, and those the inputs' shapes fix. */
  public static Map<String, Long> bindSizes(KernelProgram program, Map<String, Tensor> inputs, Map<String, Long> sizes) {
    Map<String, Long> bound = new TreeMap<>(sizes);
    for (Buffer b : inputBuffers(program)) {
      Tensor t = inputs.get(b.name());
      if (t == null || t.rank() != b.type().rank()) continue;
      for (int axis = 0; axis < t.rank(); axis++) {
        Dim d = b.type().shape().dim(axis);
        if (d.symbols().size() == 1 && d.equals(Dim.symbol(d.symbols().get(0)))) {
          bound.putIfAbsent(d.symbols().get(0), (long) t.dim(axis));
        }
      }
    }
    return bound;
  }

  private static long elements(Buffer b, Map<String, Long> sizes) {
    return b.type().shape().elementCount().evaluate(sizes);
  }

  /** Bytes per element in device memory: bool one byte, bf16 and f16 their 16-bit patterns. */
  static int elementBytes(DType d) {
    return switch (d) {
      case F32, I32 -> 4;
      case F64 -> 8;
      case BF16, F16 -> 2;
      case BOOL -> 1;
    };
  }

  private static MemorySegment encode(Tensor t, Arena a) {
    int n = t.size();
    MemorySegment out = a.allocate(Math.max(1, (long) n * elementBytes(t.dtype())));
    switch (t.dtype()) {
      case F32 -> MemorySegment.copy(t.floatData(), 0, out, JAVA_FLOAT_UNALIGNED, 0, n);
      case F64 -> MemorySegment.copy(t.doubleData(), 0, out, JAVA_DOUBLE_UNALIGNED, 0, n);
      case I32 -> MemorySegment.copy(t.intData(), 0, out, JAVA_INT_UNALIGNED, 0, n);
      case BF16, F16 -> MemorySegment.copy(t.halfData(), 0, out, JAVA_SHORT_UNALIGNED, 0, n);
      case BOOL -> {
        boolean[] values = t.boolData();
        for (int i = 0; i < n; i++) out.set(JAVA_BYTE, i, (byte) (values[i] ? 1 : 0));
      }
    }
    return out.asSlice(0, (long) n * elementBytes(t.dtype()));
  }

  private static Tensor decode(DType d, int[] shape, MemorySegment host) {
    int n = 1;
    for (int s : shape) n *= s;
    return switch (d) {
      case F32 -> Tensor.ofFloats(shape, host.asSlice(0, 4L * n).toArray(JAVA_FLOAT_UNALIGNED));
      case F64 -> Tensor.ofDoubles(DType.F64, shape, host.asSlice(0, 8L * n).toArray(JAVA_DOUBLE_UNALIGNED));
      case I32 -> Tensor.ofInts(shape, host.asSlice(0, 4L * n).toArray(JAVA_INT_UNALIGNED));
      case BF16, F16 -> Tensor.ofHalfBits(d, shape, host.asSlice(0, 2L * n).toArray(JAVA_SHORT_UNALIGNED));
      case BOOL -> {
        boolean[] values = new boolean[n];
        for (int i = 0; i < n; i++) values[i] = host.get(JAVA_BYTE, i) != 0;
        yield Tensor.ofBooleans(shape, values);
      }
    };
  }
}
