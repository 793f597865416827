package dev.adjoint.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BpeTokenizerTest {
  @Test
  void theWikipediaExampleMergesInCountThenIdOrder() {
    BpeTokenizer t = BpeTrainer.learn("aaabdaaabac", 1000);
    // aa (4 times) first; then ab and Za tie at 2 and the smaller left id (a = 97) wins; then ZY;
    // then no pair is seen twice, so learning stops short of the size asked for.
    assertEquals("a a", mergeText(t, 0));
    assertEquals("a b", mergeText(t, 1));
    assertEquals("aa ab", mergeText(t, 2));
    assertEquals(3, t.merges());
    assertEquals(259, t.size());
    assertArrayEquals(new int[] {258, 'd', 258, 'a', 'c'}, t.encode("aaabdaaabac"));
    assertEquals("aaabdaaabac", t.decode(t.encode("aaabdaaabac")));
  }

  @Test
  void mergesStayInsideGpt2Pieces() {
    // " the" is a piece: its space merges with the word, never with the word before.
    BpeTokenizer t = BpeTrainer.learn("the cat the cat the cat", 300);
    String[] tokens = Arrays.stream(t.encode("the cat the")).mapToObj(i -> ByteLevel.spell(t.bytes(i)))
        .toArray(String[]::new);
    assertArrayEquals(new String[] {"the", "Ġcat", "Ġthe"}, tokens);
    assertEquals(List.of("the", " cat", " the", "'s", " 42", "!!", "  ", " x", "\n"), ByteLevel.pieces("the cat the's 42!!   x\n"));
  }

  @Test
  void everyTextEncodesEvenCharactersNeverSeen() {
    BpeTokenizer t = BpeTrainer.learn("plain ascii text", 260);
    String text = "naïve 日本 😀 \u0000\t";
    int[] ids = t.encode(text);
    assertEquals(text.getBytes(StandardCharsets.UTF_8).length, ids.length);
    assertEquals(text, t.decode(ids));
    // A cut character decodes to U+FFFD rather than failing.
    assertEquals("\uFFFD", t.decode(new int[] {0xE6}));
  }

  @Test
  void aVocabularySizeBelowTheByteAlphabetIsRefused() {
    var e = assertThrows(DataException.class, () -> TextTokenizer.learn("bpe", "some text", OptionalInt.of(255)));
    assertEquals("--vocab-size 255 is smaller than the 256 byte tokens that byte-level BPE starts from; use"
        + " --vocab-size 256 or more (256 learns no merges)", e.getMessage());
    var missing = assertThrows(DataException.class, () -> TextTokenizer.learn("bpe", "x", OptionalInt.empty()));
    assertEquals("--tokenizer bpe needs --vocab-size N (256 byte tokens plus N-256 merges)", missing.getMessage());
    assertEquals(256, TextTokenizer.learn("bpe", "aaaa", OptionalInt.of(256)).size());
  }

  @Test
  void anEmptyTextOrAnUnknownKindIsRefused() {
    var e = assertThrows(DataException.class, () -> TextTokenizer.learn("bpe", "", OptionalInt.of(300)));
    assertEquals("the training text is empty: there is nothing to learn a tokenizer from", e.getMessage());
    assertThrows(DataException.class, () -> TextTokenizer.learn("char", "", OptionalInt.empty()));
    var kind = assertThrows(DataException.class, () -> TextTokenizer.learn("word", "x", OptionalInt.empty()));
    assertEquals("unknown tokenizer 'word'; expected char or bpe", kind.getMessage());
  }

  /** Any valid text round-trips through a tokenizer learned from another random text. */
  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20})
  void encodeThenDecodeGivesTheTextBack(long seed) {
    Random random = new Random(seed);
    BpeTokenizer t = BpeTrainer.learn(RandomText.of(random, 50 + random.nextInt(2000)), 256 + random.nextInt(200));
    for (int k = 0; k < 5; k++) {
      String text = RandomText.of(random, random.nextInt(300));
      int[] ids = t.encode(text);
      for (int id : ids) assertEquals(id, t.checkId(id));
      assertTrue(ids.length <= text.getBytes(StandardCharsets.UTF_8).length);
      assertEquals(text, t.decode(ids));
    }
  }

  /** The linked-pair trainer learns exactly the merges of the textbook algorithm that recounts every pair per merge. */
  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12})
  void learnsTheSameMergesAsRecountingEveryPair(long seed) {
    Random random = new Random(seed);
    String text = RandomText.of(random, 100 + random.nextInt(3000));
    int vocab = 256 + random.nextInt(150);
    BpeTokenizer fast = BpeTrainer.learn(text, vocab);
    List<String> slow = naiveMerges(text, vocab);
    List<String> got = new ArrayList<>();
    for (int k = 0; k < fast.merges(); k++) got.add(mergeText(fast, k));
    assertEquals(slow, got);
  }

  @Test
  void learningIsDeterministic() {
    String text = RandomText.of(new Random(7), 5000);
    assertEquals(BpeTrainer.learn(text, 400).toJson(), BpeTrainer.learn(text, 400).toJson());
  }

  /** The textbook algorithm: count every pair in every piece, merge the best everywhere, repeat. */
  private static List<String> naiveMerges(String text, int vocabSize) {
    Map<String, Integer> counts = new LinkedHashMap<>();
    for (String p : ByteLevel.pieces(text)) counts.merge(p, 1, Integer::sum);
    List<List<String>> words = new ArrayList<>();
    List<Integer> weights = new ArrayList<>();
    Map<String, Integer> ids = new HashMap<>();
    for (int b = 0; b < 256; b++) ids.put(ByteLevel.spell(new byte[] {(byte) b}), b);
    for (var e : counts.entrySet()) {
      List<String> w = new ArrayList<>();
      for (byte b : e.getKey().getBytes(StandardCharsets.UTF_8)) w.add(ByteLevel.spell(new byte[] {b}));
      words.add(w);
      weights.add(e.getValue());
    }
    List<String> merges = new ArrayList<>();
    while (ids.size() < vocabSize) {
      Map<List<Integer>, Integer> pairCounts = new HashMap<>();
      for (int w = 0; w < words.size(); w++) {
        List<String> s = words.get(w);
        for (int i = 0; i + 1 < s.size(); i++) {
          pairCounts.merge(List.of(ids.get(s.get(i)), ids.get(s.get(i + 1))), weights.get(w), Integer::sum);
        }
      }
      List<Integer> best = null;
      int bestCount = 0;
      for (var e : pairCounts.entrySet()) {
        List<Integer> p = e.getKey();
        int c = e.getValue();
        if (best == null || c > bestCount || c == bestCount && (p.get(0) < best.get(0)
            || p.get(0).equals(best.get(0)) && p.get(1) < best.get(1))) {
          best = p;
          bestCount = c;
        }
      }
      if (best == null || bestCount < 2) break;
      String left = null;
      String right = null;
      for (var e : ids.entrySet()) {
        if (e.getValue().equals(best.get(0))) left = e.getKey();
        if (e.getValue().equals(best.get(1))) right = e.getKey();
      }
      merges.add(left + " " + right);
      ids.putIfAbsent(left + right, ids.size());
      for (List<String> s : words) {
        for (int i = 0; i + 1 < s.size(); i++) {
          if (s.get(i).equals(left) && s.get(i + 1).equals(right)) {
            s.set(i, left + right);
            s.remove(i + 1);
          }
        }
      }
    }
    return merges;
  }

  private static String mergeText(BpeTokenizer t, int k) {
    return t.mergeText(k);
  }
}
