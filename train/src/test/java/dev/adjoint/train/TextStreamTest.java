package dev.adjoint.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.OptionalInt;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TextStreamTest {
  @Test
  void aCharacterSplitAcrossByteTokensIsHeldBackUntilWhole() {
    TextTokenizer bytes = TextTokenizer.learn("bpe", "x", OptionalInt.of(256)); // every token one byte
    TextStream s = new TextStream(bytes);
    byte[] emoji = "😀".getBytes(StandardCharsets.UTF_8);
    assertEquals("a", s.push('a'));
    assertEquals("", s.push(emoji[0] & 0xFF));
    assertEquals("", s.push(emoji[1] & 0xFF));
    assertEquals("", s.push(emoji[2] & 0xFF));
    assertEquals("😀", s.push(emoji[3] & 0xFF));
    byte[] e = "é".getBytes(StandardCharsets.UTF_8);
    assertEquals("", s.push(e[0] & 0xFF));
    // A stream that ends inside a character shows it as U+FFFD, as decode does.
    assertEquals("\uFFFD", s.finish());
    assertEquals("", s.finish());
    // A stray continuation byte is not held back: it can never complete.
    assertEquals("\uFFFD", s.push(0x80));
  }

  /** Streaming any ids, one at a time, prints exactly what decoding them all at once gives. */
  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10})
  void streamingGivesTheSameTextAsDecoding(long seed) {
    Random random = new Random(seed);
    BpeTokenizer t = BpeTrainer.learn(RandomText.of(random, 500 + random.nextInt(1000)), 256 + random.nextInt(100));
    for (int[] ids : List.of(t.encode(RandomText.of(random, 200)), randomIds(random, t.size()))) {
      TextStream s = new TextStream(t);
      StringBuilder out = new StringBuilder();
      for (int id : ids) out.append(s.push(id));
      out.append(s.finish());
      assertEquals(t.decode(ids), out.toString());
    }
    // Valid text streams without a single replacement character on the way.
    int[] ids = t.encode(RandomText.of(random, 300));
    TextStream s = new TextStream(t);
    for (int id : ids) assertFalse(s.push(id).contains("\uFFFD"));
  }

  private static int[] randomIds(Random random, int size) {
    int[] ids = new int[random.nextInt(100)];
    for (int i = 0; i < ids.length; i++) ids[i] = random.nextInt(size);
    return ids;
  }
}
