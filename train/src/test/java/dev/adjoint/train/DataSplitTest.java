package dev.adjoint.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class DataSplitTest {
  private static List<Integer> items(int n) {
    return IntStream.range(0, n).boxed().toList();
  }

  @Test
  void holdsOutFivePercentAtLeastOneAndKeepsOrder() {
    DataSplit<Integer> s = DataSplit.of(items(1000), 9);
    assertEquals(50, s.heldOut().size());
    assertEquals(950, s.train().size());
    assertEquals(1, DataSplit.of(items(10), 9).heldOut().size());
    assertEquals(1, DataSplit.of(items(2), 9).heldOut().size());
    assertEquals(1, DataSplit.of(items(2), 9).train().size());
    List<Integer> sorted = new ArrayList<>(s.heldOut());
    sorted.sort(null);
    assertEquals(sorted, s.heldOut());
    HashSet<Integer> all = new HashSet<>(s.train());
    all.addAll(s.heldOut());
    assertEquals(1000, all.size());
  }

  @Test
  void dependsOnTheSeedOnly() {
    assertEquals(DataSplit.of(items(100), 3), DataSplit.of(items(100), 3));
    assertNotEquals(DataSplit.of(items(100), 3).heldOut(), DataSplit.of(items(100), 4).heldOut());
    assertEquals(20, DataSplit.of(items(100), 0.2, 3).heldOut().size());
  }

  @Test
  void tooLittleDataIsAClearError() {
    var e = assertThrows(DataException.class, () -> DataSplit.of(items(1), 0));
    assertTrue(e.getMessage().contains("at least 2 examples"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> DataSplit.of(items(10), 1.0, 0));
  }
}
