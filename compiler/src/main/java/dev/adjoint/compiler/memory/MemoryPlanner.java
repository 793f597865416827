package dev.adjoint.compiler.memory;

import dev.adjoint.compiler.kernel.Buffer;
import dev.adjoint.compiler.kernel.Flatten;
import dev.adjoint.compiler.kernel.KExpr;
import dev.adjoint.compiler.kernel.KStmt;
import dev.adjoint.compiler.kernel.Kernel;
import dev.adjoint.compiler.kernel.KernelProgram;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Assigns intermediates to arena slots by liveness: a buffer is live from the kernel that writes
 * it to the last kernel that reads it; a slot freed by a dead buffer is reused by the next buffer
 * of the same element type and element count (so the assignment holds at every run-time size, and
 * generated code can give buffers of one slot one array). An elementwise kernel may write its
 * result over an operand that dies there, when it reads that operand only at the element it writes.
 * The assignment depends on the program alone; bytes are counted at the sizes asked for.
 */
public final class MemoryPlanner {
  private MemoryPlanner() {}

  /** The plan of {@code program}, its bytes counted at {@code sizes}. */
  public static MemoryPlan plan(KernelProgram program, Map<String, Long> sizes) {
    Assignment a = assign(program);
    long io = 0;
    Set<Buffer> external = new LinkedHashSet<>();
    external.addAll(program.arguments());
    external.addAll(program.params());
    external.addAll(program.outputs());
    for (Buffer b : external) io += bytes(b, sizes);
    List<Long> slotBytes = new ArrayList<>();
    for (int s = 0; s < a.slots(); s++) slotBytes.add(0L);
    a.slotOf().forEach((b, s) -> slotBytes.set(s, Math.max(slotBytes.get(s), bytes(b, sizes))));
    long peakLive = 0;
    for (int k = 0; k < program.kernels().size(); k++) {
      Set<Integer> live = new java.util.TreeSet<>();
      for (var e : a.slotOf().entrySet()) {
        if (a.lifetimes().get(e.getKey()).covers(k)) live.add(e.getValue());
      }
      long bytes = 0;
      for (int s : live) bytes += slotBytes.get(s);
      peakLive = Math.max(peakLive, bytes);
    }
    long arena = slotBytes.stream().mapToLong(Long::longValue).sum();
    return new MemoryPlan(a.slotOf(), slotBytes, a.inPlace(), io, arena, peakLive);
  }

  /**
   * Which slot each temporary takes, which are written in place, and each temporary's lifetime
   * (the first and last kernel that touch it): what generated code needs, at no particular sizes.
   */
  public record Assignment(Map<Buffer, Integer> slotOf, int slots, List<Buffer> inPlace, Map<Buffer, Lifetime> lifetimes) {
    public Assignment {
      slotOf = Map.copyOf(slotOf);
      inPlace = List.copyOf(inPlace);
      lifetimes = Map.copyOf(lifetimes);
    }
  }

  /** The first and the last kernel (by index) that read or write a buffer. */
  public record Lifetime(int first, int last) {
    boolean covers(int kernel) {
      return first <= kernel && kernel <= last;
    }
  }

  /** The slots of {@code program}'s temporaries; see the class comment for the rules. */
  public static Assignment assign(KernelProgram program) {
    List<Kernel> kernels = program.kernels();
    Map<Buffer, int[]> lifetimes = new HashMap<>();
    for (int k = 0; k < kernels.size(); k++) {
      for (Buffer b : kernels.get(k).writes()) touch(lifetimes, b, k);
      for (Buffer b : kernels.get(k).reads()) touch(lifetimes, b, k);
    }
    Map<Buffer, Integer> lastRead = new HashMap<>();
    for (var e : lifetimes.entrySet()) lastRead.put(e.getKey(), e.getValue()[1]);

    Map<Buffer, Integer> slotOf = new HashMap<>();
    List<Buffer> slotKind = new ArrayList<>();
    List<Boolean> slotFree = new ArrayList<>();
    List<Buffer> inPlace = new ArrayList<>();
    for (int k = 0; k < kernels.size(); k++) {
      Kernel kernel = kernels.get(k);
      for (Buffer b : kernel.writes()) {
        if (b.role() != Buffer.Role.TEMPORARY || slotOf.containsKey(b)) continue;
        Integer slot = null;
        for (Buffer operand : kernel.reads()) {
          if (operand.role() == Buffer.Role.TEMPORARY && lastRead.get(operand) == k && slotOf.containsKey(operand)
              && elementwiseOver(kernel, operand, b) && !inPlaceTaken(slotOf, operand, kernel)) {
            slot = slotOf.get(operand);
            inPlace.add(b);
            break;
          }
        }
        if (slot == null) {
          for (int s = 0; s < slotKind.size() && slot == null; s++) {
            if (slotFree.get(s) && sameStorage(slotKind.get(s), b)) slot = s;
          }
        }
        if (slot == null) {
          slot = slotKind.size();
          slotKind.add(b);
          slotFree.add(false);
        }
        slotFree.set(slot, false);
        slotOf.put(b, slot);
      }
      // Buffers touched for the last time here die after this kernel.
      for (Buffer b : slotOf.keySet()) {
        if (lastRead.get(b) == k && !slotFree.get(slotOf.get(b)) && !sharedByLater(slotOf, b, lastRead, k)) {
          slotFree.set(slotOf.get(b), true);
        }
      }
    }
    Map<Buffer, Lifetime> temporaryLifetimes = new HashMap<>();
    for (Buffer b : slotOf.keySet()) temporaryLifetimes.put(b, new Lifetime(lifetimes.get(b)[0], lifetimes.get(b)[1]));
    return new Assignment(slotOf, slotKind.size(), inPlace, temporaryLifetimes);
  }

  private static void touch(Map<Buffer, int[]> lifetimes, Buffer b, int k) {
    int[] life = lifetimes.computeIfAbsent(b, x -> new int[] {k, k});
    life[0] = Math.min(life[0], k);
    life[1] = Math.max(life[1], k);
  }

  /** One array serves both at every size: the same element type and the same element count. */
  private static boolean sameStorage(Buffer a, Buffer b) {
    return a.type().dtype() == b.type().dtype()
        && a.type().shape().elementCount().equals(b.type().shape().elementCount());
  }

  /** Whether another buffer in the same slot is still needed after kernel {@code k}. */
  private static boolean sharedByLater(Map<Buffer, Integer> slotOf, Buffer b, Map<Buffer, Integer> lastRead, int k) {
    int slot = slotOf.get(b);
    for (var e : slotOf.entrySet()) {
      if (e.getKey() != b && e.getValue() == slot && lastRead.getOrDefault(e.getKey(), -1) > k) return true;
    }
    return false;
  }

  private static boolean inPlaceTaken(Map<Buffer, Integer> slotOf, Buffer operand, Kernel kernel) {
    int slot = slotOf.get(operand);
    for (Buffer w : kernel.writes()) if (slotOf.get(w) != null && slotOf.get(w) == slot) return true;
    return false;
  }

  /**
   * The kernel reads {@code operand} only at the index where it stores {@code result}, and only
   * before that store: a load after it (a later statement of the same iteration, as when one kernel
   * stores two results and reads the operand for the second after storing the first) would read the
   * result's value from the shared array. Also the test for a result written over a donated
   * argument ({@code operand == result}: the lowering's check).
   */
  public static boolean elementwiseOver(Kernel kernel, Buffer operand, Buffer result) {
    if (!operand.type().shape().equals(result.type().shape()) || operand.type().dtype() != result.type().dtype()) {
      return false;
    }
    List<KExpr> storeIndex = new ArrayList<>();
    List<KExpr> loadIndex = new ArrayList<>();
    List<KExpr> loadsAfterStore = new ArrayList<>();
    for (KStmt s : Flatten.statements(kernel.body())) scan(s, operand, result, storeIndex, loadIndex, loadsAfterStore);
    if (storeIndex.size() != 1 || loadIndex.isEmpty() || !loadsAfterStore.isEmpty()) return false;
    for (KExpr i : loadIndex) if (!i.equals(storeIndex.get(0))) return false;
    return true;
  }

  /** Loads of {@code operand} go to {@code loads} until a store to {@code result} is seen, then to {@code late}. */
  private static void scan(KStmt s, Buffer operand, Buffer result, List<KExpr> stores, List<KExpr> loads,
      List<KExpr> late) {
    List<KExpr> into = stores.isEmpty() ? loads : late;
    switch (s) {
      case KStmt.Loop l -> l.body().forEach(x -> scan(x, operand, result, stores, loads, late));
      case KStmt.Store st -> {
        loads(st.value(), operand, into);
        loads(st.index(), operand, into);
        if (st.buffer().equals(result)) stores.add(st.index());
      }
      case KStmt.Accumulate a -> {
        loads(a.value(), operand, into);
        if (a.buffer().equals(result)) stores.add(null);
      }
      case KStmt.Let let -> loads(let.value(), operand, into);
      case KStmt.Declare d -> loads(d.init(), operand, into);
      case KStmt.Assign a -> loads(a.value(), operand, into);
      case KStmt.DeclareArray d -> loads(d.init(), operand, into);
      case KStmt.AssignElement a -> {
        loads(a.value(), operand, into);
        loads(a.index(), operand, into);
      }
      case KStmt.Structured st -> st.expand().forEach(x -> scan(x, operand, result, stores, loads, late));
    }
  }

  private static void loads(KExpr e, Buffer operand, List<KExpr> out) {
    switch (e) {
      case KExpr.Load l -> {
        if (l.buffer().equals(operand)) out.add(l.index());
        loads(l.index(), operand, out);
      }
      case KExpr.Unary u -> loads(u.x(), operand, out);
      case KExpr.Binary b -> {
        loads(b.a(), operand, out);
        loads(b.b(), operand, out);
      }
      case KExpr.Select s -> {
        loads(s.condition(), operand, out);
        loads(s.a(), operand, out);
        loads(s.b(), operand, out);
      }
      case KExpr.Cast c -> loads(c.x(), operand, out);
      case KExpr.Element el -> loads(el.index(), operand, out);
      case KExpr.Random r -> loads(r.index(), operand, out);
      default -> {}
    }
  }

  public static long bytes(Buffer b, Map<String, Long> sizes) {
    long n = 1;
    for (var d : b.type().shape().dims()) n = Math.multiplyExact(n, d.evaluate(sizes));
    return n * b.type().dtype().byteSize();
  }
}
