package dev.adjoint.compiler.fusion;

import static dev.adjoint.compiler.fusion.FusionFixtures.squareTemporaries;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.compiler.Compilation;
import dev.adjoint.compiler.RunOptions;
import dev.adjoint.compiler.ir.Dim;
import dev.adjoint.compiler.ir.Shape;
import dev.adjoint.compiler.ir.TensorType;
import dev.adjoint.compiler.ir.Unary;
import dev.adjoint.compiler.kernel.Buffer;
import dev.adjoint.compiler.kernel.KExpr;
import dev.adjoint.compiler.kernel.KStmt;
import dev.adjoint.compiler.kernel.Kernel;
import dev.adjoint.compiler.kernel.KernelKind;
import dev.adjoint.compiler.kernel.KernelProgram;
import dev.adjoint.compiler.memory.MemoryPlan;
import dev.adjoint.compiler.memory.MemoryPlanner;
import dev.adjoint.compiler.stats.ProgramStats;
import dev.adjoint.runtime.DType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * {@link MemoryPlanner}: intermediates share arena slots when their lifetimes do not overlap, an
 * elementwise kernel writes over an operand that dies in it, and peak memory is what the inputs,
 * params and results take plus the arena.
 */
class MemoryPlannerTest {
  private static final Map<String, Long> N32 = Map.of("N", 32L);

  // ---- liveness

  /** Four products in a row: each intermediate dies in the next kernel, so two slots serve three. */
  @Test
  void buffersAreReusedByLiveness() {
    KernelProgram p = FusionFixtures.forward("mlp", "Mlp.forward");
    assertEquals(List.of("contraction", "contraction", "contraction", "contraction"), FusionFixtures.kinds(p));
    assertEquals(3, p.temporaries().size());
    MemoryPlan plan = MemoryPlanner.plan(p, N32);
    assertEquals(2, plan.slotBytes().size(), "t0 and t2 share a slot: t0 is dead once k1 has read it");
    assertEquals(plan.slotOf().get(p.temporaries().get(0)), plan.slotOf().get(p.temporaries().get(2)));
    assertNotEquals(plan.slotOf().get(p.temporaries().get(0)), plan.slotOf().get(p.temporaries().get(1)));
    assertEquals(List.of(), plan.inPlace(), "contraction kernels read their operand at other elements than they write");
    assertLifetimesDisjoint(p, plan);
    assertEquals(2L * 32 * 64 * 4, plan.arenaBytes());
  }

  /** Every temporary gets a slot big enough; buffers sharing a slot are never live at once. */
  @Test
  void slotsAreBigEnoughAndNeverSharedByLiveBuffers() {
    for (KernelProgram p : List.of(FusionFixtures.vjp("mlp", "Mlp.forward", RunOptions.defaults()),
        FusionFixtures.gradient("layer_norm_projected", "NormThenLinear.loss"),
        FusionFixtures.vjp("attention", "self_attention", RunOptions.defaults()))) {
      Map<String, Long> sizes = Map.of("N", 32L, "B", 2L, "T", 16L);
      MemoryPlan plan = MemoryPlanner.plan(p, sizes);
      assertEquals(Set.copyOf(p.temporaries()), plan.slotOf().keySet(), p.name());
      for (Buffer b : p.temporaries()) {
        assertTrue(plan.slotBytes().get(plan.slotOf().get(b)) >= MemoryPlanner.bytes(b, sizes), b + " fits its slot");
      }
      assertLifetimesDisjoint(p, plan);
    }
  }

  /**
   * A slot holds buffers of one element type and one element count, so one array serves it at
   * every run-time size; and the assignment is the same whatever the sizes it is counted at.
   */
  @Test
  void slotsHoldOneElementTypeAndCountAtEverySize() {
    for (KernelProgram p : List.of(FusionFixtures.vjp("mlp", "Mlp.forward", RunOptions.defaults()),
        FusionFixtures.gradient("layer_norm_projected", "NormThenLinear.loss"),
        FusionFixtures.vjp("attention", "self_attention", RunOptions.defaults()))) {
      MemoryPlan small = MemoryPlanner.plan(p, Map.of("N", 2L, "B", 1L, "T", 3L));
      MemoryPlan large = MemoryPlanner.plan(p, Map.of("N", 300L, "B", 7L, "T", 64L));
      assertEquals(small.slotOf(), large.slotOf(), p.name());
      assertEquals(MemoryPlanner.assign(p).slotOf(), small.slotOf(), p.name());
      for (Buffer a : small.slotOf().keySet()) {
        for (Buffer b : small.slotOf().keySet()) {
          if (!small.slotOf().get(a).equals(small.slotOf().get(b))) continue;
          assertEquals(a.type().dtype(), b.type().dtype(), a + " and " + b);
          assertEquals(a.type().shape().elementCount(), b.type().shape().elementCount(), a + " and " + b);
        }
      }
    }
  }

  // ---- in place

  /** x → a = exp(x) → b = a * 2 → out = b + 1: b is written over a, which dies in b's kernel. */
  @Test
  void elementwiseKernelWritesOverAnOperandThatDiesThere() {
    Hand h = new Hand();
    KernelProgram p = h.chain(h.i(), false);
    MemoryPlan plan = MemoryPlanner.plan(p, N32);
    assertEquals(List.of(h.b), plan.inPlace());
    assertEquals(plan.slotOf().get(h.a), plan.slotOf().get(h.b));
    assertEquals(1, plan.slotBytes().size());
    assertEquals(32L * 4, plan.arenaBytes());
  }

  /** Reading a at another element than it writes (a reversal) would read what it has overwritten. */
  @Test
  void noInPlaceWhenTheOperandIsReadAtOtherElements() {
    Hand h = new Hand();
    KExpr reversed = KExpr.add(KExpr.size(Dim.symbol("N")), KExpr.add(KExpr.Const.index(-1),
        KExpr.mul(KExpr.Const.index(-1), h.i())));
    MemoryPlan plan = MemoryPlanner.plan(h.chain(reversed, false), N32);
    assertEquals(List.of(), plan.inPlace());
    assertEquals(2, plan.slotBytes().size());
  }

  /**
   * k1 stores b[i] and then reads a[i] for c[i]: b written over a would clobber a[i] before it is
   * read (found by GeneratedJavaProgramsTest: wrong gradients from generated Java, seeds 156 and
   * 237 at ragged sizes). c, which reads a[i] before it stores, may still take a's slot.
   */
  @Test
  void noInPlaceWhenTheOperandIsReadAfterTheStore() {
    Hand h = new Hand();
    Buffer c = new Buffer(4, "c", h.vector, Buffer.Role.TEMPORARY);
    Kernel k0 = new Kernel("k0_elementwise", KernelKind.ELEMENTWISE, List.of(h.x), List.of(h.a), List.of(
        new KStmt.Loop("i", KExpr.size(Dim.symbol("N")), true, List.of(new KStmt.Store(h.a, h.i(),
            new KExpr.Unary(Unary.Fn.EXP, new KExpr.Load(h.x, h.i())))))), List.of(), 1);
    Kernel k1 = new Kernel("k1_elementwise", KernelKind.ELEMENTWISE, List.of(h.x, h.a), List.of(h.b, c), List.of(
        new KStmt.Loop("i", KExpr.size(Dim.symbol("N")), true, List.of(
            new KStmt.Store(h.b, h.i(), new KExpr.Unary(Unary.Fn.EXP, new KExpr.Load(h.x, h.i()))),
            new KStmt.Store(c, h.i(), new KExpr.Binary(dev.adjoint.compiler.ir.Binary.Fn.MUL,
                new KExpr.Load(h.a, h.i()), new KExpr.Const(2, DType.F32)))))), List.of(), 1);
    Kernel k2 = new Kernel("k2_elementwise", KernelKind.ELEMENTWISE, List.of(h.b, c), List.of(h.out), List.of(
        new KStmt.Loop("i", KExpr.size(Dim.symbol("N")), true, List.of(new KStmt.Store(h.out, h.i(),
            new KExpr.Binary(dev.adjoint.compiler.ir.Binary.Fn.ADD, new KExpr.Load(h.b, h.i()),
                new KExpr.Load(c, h.i())))))), List.of(), 1);
    KernelProgram p = new KernelProgram("hand", List.of(h.x), List.of(), List.of(h.out), List.of(h.a, h.b, c),
        List.of(k0, k1, k2));
    MemoryPlan plan = MemoryPlanner.plan(p, N32);
    assertFalse(plan.inPlace().contains(h.b), "b is stored before a is read: " + plan.inPlace());
    assertNotEquals(plan.slotOf().get(h.a), plan.slotOf().get(h.b));
    assertEquals(List.of(c), plan.inPlace());
    assertLifetimesDisjoint(p, plan);
  }

  /** An operand a later kernel still reads is not written over. */
  @Test
  void noInPlaceWhenTheOperandLivesOn() {
    Hand h = new Hand();
    KernelProgram p = h.chain(h.i(), true);
    MemoryPlan plan = MemoryPlanner.plan(p, N32);
    assertEquals(List.of(), plan.inPlace());
    assertNotEquals(plan.slotOf().get(h.a), plan.slotOf().get(h.b));
    assertLifetimesDisjoint(p, plan);
  }

  /**
   * In a compiled backward: the gradient of each relu is computed in the epilogue of a product,
   * reading the stored pre-activation only at the element it writes, as the pre-activation's
   * last use — so it is written over it.
   */
  @Test
  void backwardEpiloguesWriteOverTheDyingPreActivation() {
    KernelProgram p = FusionFixtures.vjp("mlp", "Mlp.forward", RunOptions.defaults());
    MemoryPlan plan = MemoryPlanner.plan(p, N32);
    assertFalse(plan.inPlace().isEmpty(), "no in-place result in\n" + FusionFixtures.FusedText.of(p));
    for (Buffer b : plan.inPlace()) {
      Kernel writer = p.kernels().stream().filter(k -> k.writes().contains(b)).findFirst().orElseThrow();
      Buffer operand = writer.reads().stream()
          .filter(r -> r != b && plan.slotOf().containsKey(r) && plan.slotOf().get(r).equals(plan.slotOf().get(b)))
          .findFirst().orElseThrow(() -> new AssertionError(b + " shares a slot with no operand of " + writer.name()));
      assertEquals(operand.type(), b.type());
      int k = p.kernels().indexOf(writer);
      for (int later = k + 1; later < p.kernels().size(); later++) {
        assertFalse(p.kernels().get(later).reads().contains(operand), operand + " is read after " + writer.name());
      }
    }
    assertLifetimesDisjoint(p, plan);
    assertTrue(plan.slotBytes().size() < p.temporaries().size());
  }

  // ---- peak memory

  /** peak = inputs, params and results (io) + the arena (every slot), and stats report the same. */
  @Test
  void peakBytesAreIoPlusArena() {
    for (KernelProgram p : List.of(FusionFixtures.forward("mlp", "Mlp.forward"),
        FusionFixtures.vjp("mlp", "Mlp.forward", RunOptions.defaults()),
        FusionFixtures.gradient("cross_entropy", "loss"))) {
      Map<String, Long> sizes = Map.of("N", 32L, "B", 4L, "T", 8L);
      MemoryPlan plan = MemoryPlanner.plan(p, sizes);
      Set<Buffer> io = new LinkedHashSet<>(p.arguments());
      io.addAll(p.params());
      io.addAll(p.outputs());
      long ioBytes = 0;
      for (Buffer b : io) ioBytes += elements(b, sizes) * b.type().dtype().byteSize();
      assertEquals(ioBytes, plan.ioBytes(), p.name());
      assertEquals(plan.slotBytes().stream().mapToLong(Long::longValue).sum(), plan.arenaBytes(), p.name());
      assertEquals(plan.ioBytes() + plan.arenaBytes(), plan.peakBytes(), p.name());
      assertEquals(plan.peakBytes(), ProgramStats.fused(p, sizes).peakBytes(), p.name());
      long allTemporaries = 0;
      for (Buffer b : p.temporaries()) allTemporaries += MemoryPlanner.bytes(b, sizes);
      assertTrue(plan.arenaBytes() <= allTemporaries, p.name());
    }
  }

  /** Buffers live at once occupy different slots, so together they never exceed the arena. */
  @Test
  void peakLiveBytesNeverExceedTheArena() {
    KernelProgram p = FusionFixtures.vjp("mlp", "Mlp.forward", RunOptions.defaults());
    MemoryPlan plan = MemoryPlanner.plan(p, N32);
    assertTrue(plan.peakLiveBytes() <= plan.arenaBytes(), plan.peakLiveBytes() + " > " + plan.arenaBytes());
  }

  // ---- the encoder layer's training step

  /** At B = 8, T = 128 nothing T × T is ever stored, and the plan is sound. */
  @Test
  void encoderLayerTrainingStepStoresNoSquareIntermediate() throws IOException {
    Path file = Path.of("../examples/src/main/adjoint/encoder_layer_base.adj");
    Compilation c = Compilation.compileSource("encoder_layer_base.adj", Files.readString(file));
    KernelProgram p = c.kernels("EncoderBase.loss", RunOptions.defaults(), true);
    assertEquals(List.of(), squareTemporaries(p));
    Map<String, Long> sizes = Map.of("B", 8L, "T", 128L);
    MemoryPlan plan = MemoryPlanner.plan(p, sizes);
    assertLifetimesDisjoint(p, plan);
    long allTemporaries = 0;
    for (Buffer b : p.temporaries()) allTemporaries += MemoryPlanner.bytes(b, sizes);
    assertTrue(plan.arenaBytes() < allTemporaries, "slots are reused");
  }

  // ---- helpers

  /**
   * Two buffers in one slot: one is dead (read for the last time, or never read) by the kernel
   * that writes the other — the same kernel only when it writes in place.
   */
  static void assertLifetimesDisjoint(KernelProgram p, MemoryPlan plan) {
    Map<Buffer, int[]> life = new HashMap<>();
    List<Kernel> kernels = p.kernels();
    for (int k = 0; k < kernels.size(); k++) {
      for (Buffer b : kernels.get(k).writes()) life.computeIfAbsent(b, x -> new int[] {Integer.MAX_VALUE, -1});
      for (Buffer b : kernels.get(k).writes()) life.get(b)[0] = Math.min(life.get(b)[0], k);
    }
    for (int k = 0; k < kernels.size(); k++) for (Buffer b : kernels.get(k).reads()) if (life.containsKey(b)) life.get(b)[1] = k;
    for (int[] l : life.values()) l[1] = Math.max(l[1], l[0]);
    List<Buffer> temps = new ArrayList<>(plan.slotOf().keySet());
    for (Buffer a : temps) {
      for (Buffer b : temps) {
        if (a.id() >= b.id() || !plan.slotOf().get(a).equals(plan.slotOf().get(b))) continue;
        int[] la = life.get(a);
        int[] lb = life.get(b);
        Buffer first = la[0] <= lb[0] ? a : b;
        Buffer second = first == a ? b : a;
        int[] lf = life.get(first);
        int[] ls = life.get(second);
        boolean inPlace = plan.inPlace().contains(second) && lf[1] == ls[0];
        assertTrue(lf[1] < ls[0] || inPlace, () -> first + " (kernels " + lf[0] + ".." + lf[1] + ") and " + second
            + " (kernels " + ls[0] + ".." + ls[1] + ") share slot " + plan.slotOf().get(first) + "\n"
            + FusionFixtures.FusedText.of(p));
      }
    }
  }

  private static long elements(Buffer b, Map<String, Long> sizes) {
    long n = 1;
    for (Dim d : b.type().shape().dims()) n *= d.evaluate(sizes);
    return n;
  }

  /** A three-kernel elementwise program built by hand: x → a → b → out over [N]. */
  private static final class Hand {
    final TensorType vector = new TensorType(DType.F32, Shape.of(List.of(Dim.symbol("N"))));
    final Buffer x = new Buffer(0, "x", vector, Buffer.Role.ARGUMENT);
    final Buffer out = new Buffer(1, "out", vector, Buffer.Role.OUTPUT);
    final Buffer a = new Buffer(2, "a", vector, Buffer.Role.TEMPORARY);
    final Buffer b = new Buffer(3, "b", vector, Buffer.Role.TEMPORARY);

    KExpr i() {
      return new KExpr.Var("i", DType.I32);
    }

    /**
     * k0: a[i] = exp(x[i]); k1: b[i] = a[at] * 2; k2: out[i] = b[i] + 1 (+ a[i] when {@code aLivesOn}).
     */
    KernelProgram chain(KExpr at, boolean aLivesOn) {
      Kernel k0 = kernel("k0", List.of(x), a, new KExpr.Unary(Unary.Fn.EXP, new KExpr.Load(x, i())));
      Kernel k1 = kernel("k1", List.of(a), b, new KExpr.Binary(dev.adjoint.compiler.ir.Binary.Fn.MUL,
          new KExpr.Load(a, at), new KExpr.Const(2, DType.F32)));
      KExpr last = new KExpr.Binary(dev.adjoint.compiler.ir.Binary.Fn.ADD, new KExpr.Load(b, i()), new KExpr.Const(1, DType.F32));
      if (aLivesOn) last = new KExpr.Binary(dev.adjoint.compiler.ir.Binary.Fn.ADD, last, new KExpr.Load(a, i()));
      Kernel k2 = kernel("k2", aLivesOn ? List.of(b, a) : List.of(b), out, last);
      return new KernelProgram("hand", List.of(x), List.of(), List.of(out), List.of(a, b), List.of(k0, k1, k2));
    }

    private Kernel kernel(String name, List<Buffer> reads, Buffer write, KExpr value) {
      KStmt loop = new KStmt.Loop("i", KExpr.size(Dim.symbol("N")), true, List.of(new KStmt.Store(write, i(), value)));
      return new Kernel(name + "_elementwise", KernelKind.ELEMENTWISE, reads, List.of(write), List.of(loop), List.of(), 1);
    }
  }
}
