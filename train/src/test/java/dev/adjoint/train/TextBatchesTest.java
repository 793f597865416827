package dev.adjoint.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TextBatchesTest {
  private static int[] counting(int n) {
    int[] t = new int[n];
    for (int i = 0; i < n; i++) t[i] = i;
    return t;
  }

  @Test
  void rowsAreContiguousBlocksAndTargetsTheNextTokens() {
    TextBatches b = new TextBatches(counting(1000), 8, 0.1, 42);
    assertEquals(900, b.trainTokens());
    assertEquals(100, b.validationTokens());
    var batch = b.train(0, 4);
    assertArrayEquals(new int[] {4, 8}, batch.ids().shapeArray());
    int[] ids = batch.ids().intData();
    int[] targets = batch.targets().intData();
    for (int r = 0; r < 4; r++) {
      int s = batch.starts()[r];
      assertTrue(s >= 0 && s + 8 < 900, "row " + r + " starts at " + s + ": its targets must stay in the training part");
      for (int j = 0; j < 8; j++) {
        assertEquals(s + j, ids[r * 8 + j]);
        assertEquals(s + j + 1, targets[r * 8 + j]);
      }
    }
  }

  /** The batch at step k is a function of (seed, k) alone: the order steps are drawn in never matters. */
  @ParameterizedTest
  @ValueSource(longs = {0, 1, 7, 123456789L, -5})
  void theBatchAtAStepDependsOnlyOnTheSeedAndTheStep(long seed) {
    int[] tokens = counting(5000);
    TextBatches a = new TextBatches(tokens, 16, 0.1, seed);
    TextBatches resumed = new TextBatches(tokens.clone(), 16, 0.1, seed);
    int[][] forward = new int[50][];
    for (int k = 0; k < 50; k++) forward[k] = a.train(k, 6).ids().intData();
    for (int k = 49; k >= 0; k--) assertArrayEquals(forward[k], resumed.train(k, 6).ids().intData(), "step " + k);
    assertNotEquals(Arrays.toString(forward[0]), Arrays.toString(forward[1]));
    TextBatches other = new TextBatches(tokens, 16, 0.1, seed + 1);
    assertNotEquals(Arrays.toString(forward[3]), Arrays.toString(other.train(3, 6).ids().intData()));
  }

  @Test
  void startsAreThePhiloxStreamOfTheStep() {
    // Philox words, not java.util.Random: the same positions on every JDK and machine.
    TextBatches b = new TextBatches(counting(10_000), 32, 0.1, 0);
    int[] starts = b.train(0, 4).starts();
    SeededStream s = new SeededStream(0, "text/0");
    for (int start : starts) assertEquals(s.nextInt(9000 - 32), start);
  }

  @Test
  void validationReadsTheHeldOutTailInOrder() {
    TextBatches b = new TextBatches(counting(1000), 8, 0.1, 3);
    assertEquals(12, b.validationBlocks()); // (100 - 1) / 8
    var all = b.validation(5, Integer.MAX_VALUE);
    assertEquals(3, all.size());
    assertArrayEquals(new int[] {900, 908, 916, 924, 932}, all.get(0).starts());
    assertArrayEquals(new int[] {980, 988}, all.get(2).starts());
    assertArrayEquals(new int[] {989, 990, 991, 992, 993, 994, 995, 996},
        Arrays.copyOfRange(all.get(2).targets().intData(), 8, 16));
    assertEquals(2, b.validation(5, 2).size());
    assertEquals(List.of(), new TextBatches(counting(1000), 8, 0, 3).validation(5, 10));
  }

  @Test
  void tooShortPartsSayWhatToChange() {
    var train = assertThrows(DataException.class, () -> new TextBatches(counting(100), 128, 0.1, 0));
    assertEquals("the training part of the text has 90 tokens, too few for one block of --block 128 and its next-token"
        + " targets (129 tokens); use a smaller --block or a longer text", train.getMessage());
    var val = assertThrows(DataException.class, () -> new TextBatches(counting(1000), 64, 0.05, 0));
    assertEquals("the held-out tail (--val-fraction 0.05) has 50 tokens, too few for one block of --block 64 and its"
        + " targets (65); use a larger --val-fraction, a smaller --block, or --val-fraction 0", val.getMessage());
    var fraction = assertThrows(DataException.class, () -> new TextBatches(counting(1000), 8, 1.0, 0));
    assertEquals("--val-fraction must be at least 0 and below 1, got 1.0", fraction.getMessage());
    assertEquals("--block must be at least 1, got 0",
        assertThrows(DataException.class, () -> new TextBatches(counting(10), 0, 0.1, 0)).getMessage());
  }
}
