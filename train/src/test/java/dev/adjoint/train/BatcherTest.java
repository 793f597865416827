package dev.adjoint.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.runtime.DType;
import dev.adjoint.runtime.Tensor;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BatcherTest {
  @Test
  void tensorsAreExactlyAsCliMdSays() {
    Batch b = Batch.of(List.of(new Example(new int[] {5, 6, 7}, new int[] {8, 9}),
        new Example(new int[] {4}, new int[] {10, 11, 12})));
    assertEquals(List.of(2, 3), b.src().shape());
    assertEquals(DType.I32, b.src().dtype());
    assertArrayEquals(new int[] {5, 6, 7, 4, 0, 0}, b.src().intData());
    // T = longest target + 1.
    assertEquals(List.of(2, 4), b.tgtIn().shape());
    assertArrayEquals(new int[] {1, 8, 9, 0, 1, 10, 11, 12}, b.tgtIn().intData());
    assertArrayEquals(new int[] {8, 9, 2, -1, 10, 11, 12, 2}, b.tgtOut().intData());
    assertEquals(4, b.sourceTokens());
    assertEquals(7, b.targetTokens());
    assertArrayEquals(new boolean[] {true, true, true, true, false, false}, b.sourceMask().boolData());
    assertArrayEquals(new boolean[] {true, true, true, false, true, true, true, true}, b.targetMask().boolData());
    assertEquals(2, b.size());
  }

  private static List<Example> data(int n) {
    List<Example> out = new ArrayList<>();
    for (int i = 0; i < n; i++) out.add(new Example(new int[] {3 + i % 10, 3 + i / 10}, new int[] {3 + i % 7}));
    return out;
  }

  @Test
  void everyEpochIsAShuffledPassOfFullBatches() {
    List<Example> data = data(23);
    Batcher batcher = new Batcher(data, 5, 11);
    assertEquals(4, batcher.batchesPerEpoch());
    Set<Example> seen = new HashSet<>();
    List<Example> firstEpoch = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      Batch b = batcher.next();
      assertEquals(5, b.size());
      firstEpoch.addAll(b.examples());
    }
    seen.addAll(firstEpoch);
    assertEquals(20, seen.size());
    assertNotEquals(data.subList(0, 20), firstEpoch, "shuffled");
    assertEquals(new Batcher.Position(1, 0), batcher.position());
    List<Example> second = new ArrayList<>(batcher.next().examples());
    assertNotEquals(firstEpoch.subList(0, 5), second, "a new order each epoch");
  }

  @Test
  void seekingToASavedPositionContinuesTheSameSequence() {
    List<Example> data = data(30);
    Batcher a = new Batcher(data, 4, 5);
    List<Tensor> straight = new ArrayList<>();
    Batcher.Position saved = null;
    for (int i = 0; i < 20; i++) {
      if (i == 9) saved = a.position();
      straight.add(a.next().src());
    }
    Batcher b = new Batcher(data, 4, 5);
    b.seek(saved);
    for (int i = 9; i < 20; i++) assertEquals(straight.get(i), b.next().src(), "batch " + i);
    assertEquals(new Batcher(data, 4, 5).next().src(), straight.get(0));
    assertNotEquals(new Batcher(data, 4, 6).next().src(), straight.get(0));
    var e = assertThrows(DataException.class, () -> b.seek(new Batcher.Position(0, 7)));
    assertTrue(e.getMessage().contains("another batch size"), e.getMessage());
  }

  @Test
  void aBatchLargerThanTheDataIsAClearError() {
    var e = assertThrows(DataException.class, () -> new Batcher(data(3), 4, 0));
    assertEquals("the batch size 4 is larger than the 3 training examples; use --batch 3 or less, or more data",
        e.getMessage());
    assertThrows(DataException.class, () -> new Batcher(data(3), 0, 0));
    assertEquals(1, new Batcher(data(3), 3, 0).batchesPerEpoch());
  }

  @Test
  void evaluationBatchesKeepOrderAndTheRemainder() {
    List<Example> data = data(7);
    List<Batch> batches = Batcher.inOrder(data, 3);
    assertEquals(3, batches.size());
    assertEquals(1, batches.get(2).size());
    List<Example> all = new ArrayList<>();
    batches.forEach(b -> all.addAll(b.examples()));
    assertEquals(data, all);
  }

  @Test
  void examplesRefuseReservedIdsAndEmptySides() {
    assertThrows(IllegalArgumentException.class, () -> new Example(new int[] {}, new int[] {3}));
    assertThrows(IllegalArgumentException.class, () -> new Example(new int[] {3}, new int[] {2}));
    assertThrows(IllegalArgumentException.class, () -> new Example(new int[] {0}, new int[] {3}));
  }
}
