package dev.adjoint.compiler.stats;

import dev.adjoint.compiler.ir.DotGeneral;
import dev.adjoint.compiler.ir.Graph;
import dev.adjoint.compiler.ir.Input;
import dev.adjoint.compiler.ir.Node;
import dev.adjoint.compiler.ir.Reduce;
import dev.adjoint.compiler.kernel.Buffer;
import dev.adjoint.compiler.kernel.Flatten;
import dev.adjoint.compiler.kernel.KExpr;
import dev.adjoint.compiler.kernel.KStmt;
import dev.adjoint.compiler.kernel.Kernel;
import dev.adjoint.compiler.kernel.KernelProgram;
import dev.adjoint.compiler.memory.MemoryPlan;
import dev.adjoint.compiler.memory.MemoryPlanner;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * What running a program costs, estimated at given sizes: kernels launched, floating-point
 * operations, bytes moved between memory and the processor, and peak memory. Computed for the
 * graph run one primitive at a time (as an eager framework would) and for the fused kernels, so
 * the two can be compared.
 */
public record ProgramStats(int kernels, long flops, long bytesMoved, long peakBytes, long largestBuffer) {

  /**
   * One kernel per computing primitive. Layout changes (reshape, transpose, broadcast, slice)
   * are taken as free views, as eager frameworks make them; every other primitive reads its
   * operands (their stored sources, through views) and writes its result.
   */
  public static ProgramStats unfused(Graph graph, Map<String, Long> sizes) {
    List<Node> order = graph.topologicalOrder();
    int kernels = 0;
    long flops = 0;
    long bytes = 0;
    long largest = 0;
    Map<Node, Integer> lastUse = new IdentityHashMap<>();
    for (int i = 0; i < order.size(); i++) for (Node in : order.get(i).inputs()) lastUse.put(source(in), i);
    long live = 0;
    long peak = 0;
    Map<Node, Long> allocated = new IdentityHashMap<>();
    for (Node n : order) {
      if (n.op() instanceof Input) {
        long b = bytes(n, sizes);
        live += b;
        allocated.put(n, b);
      }
    }
    for (int i = 0; i < order.size(); i++) {
      Node n = order.get(i);
      if (!computes(n)) continue;
      kernels++;
      long out = bytes(n, sizes);
      largest = Math.max(largest, out);
      bytes += out;
      for (Node in : n.inputs()) bytes += bytes(source(in), sizes);
      flops += flops(n, sizes);
      live += out;
      allocated.put(n, out);
      peak = Math.max(peak, live);
      for (Node in : n.inputs()) {
        Node s = source(in);
        if (lastUse.getOrDefault(s, -1) == i && allocated.containsKey(s) && !graph.outputs().contains(s)
            && !(s.op() instanceof Input)) {
          live -= allocated.remove(s);
        }
      }
    }
    return new ProgramStats(kernels, flops, bytes, peak, largest);
  }

  /** The fused program: its kernels, the buffers each reads and writes, and the memory plan. */
  public static ProgramStats fused(KernelProgram program, Map<String, Long> sizes) {
    long flops = 0;
    long bytes = 0;
    long largest = 0;
    for (Kernel k : program.kernels()) {
      for (Buffer b : k.reads()) bytes += MemoryPlanner.bytes(b, sizes);
      for (Buffer b : k.writes()) bytes += MemoryPlanner.bytes(b, sizes);
      for (KStmt s : Flatten.statements(k.body())) flops += flops(s, sizes);
    }
    for (Buffer b : program.temporaries()) largest = Math.max(largest, MemoryPlanner.bytes(b, sizes));
    for (Buffer b : program.outputs()) largest = Math.max(largest, MemoryPlanner.bytes(b, sizes));
    MemoryPlan plan = MemoryPlanner.plan(program, sizes);
    return new ProgramStats(program.kernels().size(), flops, bytes, plan.peakBytes(), largest);
  }

  private static boolean computes(Node n) {
    return switch (n.op()) {
      case Input i -> false;
      case dev.adjoint.compiler.ir.Constant c -> false;
      case dev.adjoint.compiler.ir.Reshape r -> false;
      case dev.adjoint.compiler.ir.Transpose t -> false;
      case dev.adjoint.compiler.ir.Broadcast b -> false;
      case dev.adjoint.compiler.ir.Slice s -> false;
      case dev.adjoint.compiler.ir.StopGradient s -> false;
      default -> true;
    };
  }

  private static Node source(Node n) {
    while (!computes(n) && !(n.op() instanceof Input) && !n.inputs().isEmpty()) n = n.input(0);
    return n;
  }

  private static long elements(Node n, Map<String, Long> sizes) {
    long e = 1;
    for (var d : n.type().shape().dims()) e = Math.multiplyExact(e, d.evaluate(sizes));
    return e;
  }

  private static long bytes(Node n, Map<String, Long> sizes) {
    return elements(n, sizes) * n.type().dtype().byteSize();
  }

  private static long flops(Node n, Map<String, Long> sizes) {
    return switch (n.op()) {
      case DotGeneral d -> {
        long k = 1;
        for (int a : d.lhsContract()) k *= n.input(0).type().shape().dim(a).evaluate(sizes);
        yield 2 * elements(n, sizes) * k;
      }
      case Reduce r -> elements(n.input(0), sizes);
      default -> n.type().dtype().isFloating() ? elements(n, sizes) : 0;
    };
  }

  /** Floating-point operations of a statement: each arithmetic operation on floats, times its trip count. */
  private static long flops(KStmt s, Map<String, Long> sizes) {
    return switch (s) {
      case KStmt.Loop l -> {
        long inner = 0;
        for (KStmt b : l.body()) inner += flops(b, sizes);
        yield inner * tripCount(l.extent(), sizes);
      }
      case KStmt.Let let -> ops(let.value());
      case KStmt.Declare d -> 0;
      case KStmt.Assign a -> ops(a.value());
      case KStmt.DeclareArray d -> 0;
      case KStmt.AssignElement a -> ops(a.value());
      case KStmt.Store st -> ops(st.value());
      case KStmt.Accumulate a -> ops(a.value()) + 1;
      case KStmt.Structured st -> {
        long n = 0;
        for (KStmt x : st.expand()) n += flops(x, sizes);
        yield n;
      }
    };
  }

  private static long tripCount(KExpr extent, Map<String, Long> sizes) {
    return switch (extent) {
      case KExpr.Const c -> (long) c.value();
      case KExpr.Size s -> s.dim().evaluate(sizes);
      default -> throw new IllegalStateException("loop extent is not a size: " + extent);
    };
  }

  private static long ops(KExpr e) {
    return switch (e) {
      case KExpr.Unary u -> (u.dtype().isFloating() ? 1 : 0) + ops(u.x());
      case KExpr.Binary b -> (b.a().dtype().isFloating() ? 1 : 0) + ops(b.a()) + ops(b.b());
      case KExpr.Select s -> ops(s.condition()) + ops(s.a()) + ops(s.b());
      case KExpr.Cast c -> ops(c.x());
      default -> 0;
    };
  }
}
