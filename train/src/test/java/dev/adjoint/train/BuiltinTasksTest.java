package dev.adjoint.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class BuiltinTasksTest {
  private static final Vocabulary V = BuiltinTasks.vocabulary();

  @Test
  void theVocabularyIsCliMdsSixteenIds() {
    assertEquals(16, V.size());
    assertEquals(BuiltinTasks.VOCABULARY_SIZE, V.size());
    for (int d = 0; d <= 9; d++) assertEquals(3 + d, V.id(Integer.toString(d)));
    assertEquals(13, V.id("+"));
    assertEquals(14, V.id("="));
    assertEquals(15, V.id("<unused>"));
    assertEquals(Tokenizer.CHARACTER, V.tokenizer());
  }

  @ParameterizedTest
  @EnumSource(BuiltinTasks.Task.class)
  void generationIsDeterministicBySeedAndFitsMaxLen(BuiltinTasks.Task task) {
    List<Example> a = BuiltinTasks.generate(task, 200, 8, 42);
    assertEquals(a, BuiltinTasks.generate(task, 200, 8, 42));
    assertNotEquals(a, BuiltinTasks.generate(task, 200, 8, 43));
    Set<Integer> lengths = new HashSet<>();
    for (Example e : a) {
      assertTrue(e.sourceLength() >= 1 && e.sourceLength() <= 8, e.toString());
      assertTrue(e.targetLength() >= 1 && e.targetLength() <= 8, e.toString());
      lengths.add(e.sourceLength());
      for (int id : e.target()) assertTrue(id >= 3 && id <= 14, e.toString());
    }
    assertTrue(lengths.size() > 2, "lengths vary: " + lengths);
  }

  @Test
  void copyReverseAndSortDoWhatTheySay() {
    for (Example e : BuiltinTasks.generate(BuiltinTasks.Task.COPY, 50, 6, 1)) {
      assertEquals(V.decode(e.source()), V.decode(e.target()));
      assertTrue(V.decode(e.source()).matches("[0-9]{1,6}"), e.toString());
    }
    for (Example e : BuiltinTasks.generate(BuiltinTasks.Task.REVERSE, 50, 6, 1)) {
      assertEquals(new StringBuilder(V.decode(e.source())).reverse().toString(), V.decode(e.target()));
    }
    for (Example e : BuiltinTasks.generate(BuiltinTasks.Task.SORT, 50, 6, 1)) {
      char[] c = V.decode(e.source()).toCharArray();
      Arrays.sort(c);
      assertEquals(new String(c), V.decode(e.target()));
    }
  }

  @Test
  void addWritesTheSumOfTwoNumbers() {
    for (Example e : BuiltinTasks.generate(BuiltinTasks.Task.ADD, 100, 10, 3)) {
      String src = V.decode(e.source());
      assertTrue(src.matches("(0|[1-9][0-9]{0,3})\\+(0|[1-9][0-9]{0,3})="), src);
      String[] parts = src.substring(0, src.length() - 1).split("\\+");
      BigInteger sum = new BigInteger(parts[0]).add(new BigInteger(parts[1]));
      assertEquals(sum.toString(), V.decode(e.target()), src);
      assertTrue(e.sourceLength() <= 10);
    }
    // The smallest max length: one-digit operands.
    for (Example e : BuiltinTasks.generate(BuiltinTasks.Task.ADD, 20, 4, 3)) {
      assertTrue(V.decode(e.source()).matches("[0-9]\\+[0-9]="), e.toString());
    }
  }

  @Test
  void badRequestsAreClear() {
    var e = assertThrows(DataException.class, () -> BuiltinTasks.generate(BuiltinTasks.Task.ADD, 5, 3, 0));
    assertTrue(e.getMessage().contains("at least 4"), e.getMessage());
    assertThrows(DataException.class, () -> BuiltinTasks.generate(BuiltinTasks.Task.COPY, 5, 0, 0));
    var name = assertThrows(DataException.class, () -> BuiltinTasks.Task.fromName("multiply"));
    assertTrue(name.getMessage().contains("copy, reverse, sort and add"), name.getMessage());
    assertEquals(BuiltinTasks.Task.REVERSE, BuiltinTasks.Task.fromName("Reverse"));
  }

  @Test
  void theSeededStreamIsUniformEnough() {
    SeededStream s = new SeededStream(7, "test");
    int[] counts = new int[10];
    for (int i = 0; i < 10_000; i++) counts[s.nextInt(10)]++;
    for (int c : counts) assertTrue(c > 900 && c < 1100, Arrays.toString(counts));
    int[] p = new SeededStream(7, "perm").permutation(50);
    int[] sorted = p.clone();
    Arrays.sort(sorted);
    for (int i = 0; i < 50; i++) assertEquals(i, sorted[i]);
    assertNotEquals(Arrays.toString(sorted), Arrays.toString(p));
  }
}
