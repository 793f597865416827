package dev.adjoint.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.OptionalInt;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class CharTokenizerTest {
  @Test
  void theVocabularyIsTheTextsCharactersInCodePointOrder() {
    TextTokenizer t = TextTokenizer.learn("char", "hello, world😀\n", OptionalInt.empty());
    assertEquals("char", t.kind());
    assertEquals(11, t.size());
    // \n space , d e h l o r w 😀
    assertArrayEquals(new int[] {5, 4, 6, 6, 7, 0}, t.encode("hello\n"));
    assertArrayEquals(new int[] {10, 1}, t.encode("😀 "));
    assertEquals("hello\n", t.decode(new int[] {5, 4, 6, 6, 7, 0}));
    assertArrayEquals("😀".getBytes(java.nio.charset.StandardCharsets.UTF_8), t.bytes(10));
  }

  @Test
  void aPromptCharacterTheVocabularyLacksIsNamedWithItsPosition() {
    TextTokenizer t = TextTokenizer.learn("char", "abc abc", OptionalInt.empty());
    var e = assertThrows(DataException.class, () -> t.encode("a cab é"));
    assertEquals("the character 'é' (U+00E9) at position 7 is not in the char tokenizer's vocabulary (the 4"
        + " characters of the training text)", e.getMessage());
    // Positions count characters, not UTF-16 units; invisible characters are named by code.
    var tab = assertThrows(DataException.class, () -> t.encode("😀😀\t"));
    assertEquals("the character '😀' (U+1F600) at position 1 is not in the char tokenizer's vocabulary (the 4"
        + " characters of the training text)", tab.getMessage());
    var newline = assertThrows(DataException.class, () -> t.encode("ab\n"));
    assertEquals("the character '\\n' (U+000A) at position 3 is not in the char tokenizer's vocabulary (the 4"
        + " characters of the training text)", newline.getMessage());
    var nbsp = assertThrows(DataException.class, () -> t.encode("a\u00a0"));
    assertEquals("the character U+00A0 at position 2 is not in the char tokenizer's vocabulary (the 4"
        + " characters of the training text)", nbsp.getMessage());
  }

  @Test
  void aVocabularySizeBelowTheTextsCharactersIsRefused() {
    var e = assertThrows(DataException.class, () -> TextTokenizer.learn("char", "abcd", OptionalInt.of(3)));
    assertEquals("--vocab-size 3 is smaller than the 4 distinct characters of the training text; use --vocab-size 4"
        + " or more, or --tokenizer bpe", e.getMessage());
    assertEquals(4, TextTokenizer.learn("char", "abcd", OptionalInt.of(4)).size());
    assertEquals(4, TextTokenizer.learn("char", "abcd", OptionalInt.of(100)).size());
  }

  @Test
  void idsOutsideTheVocabularyAreNamedWhenDecoding() {
    TextTokenizer t = TextTokenizer.learn("char", "ab", OptionalInt.empty());
    var e = assertThrows(DataException.class, () -> t.decode(new int[] {0, 2}));
    assertEquals("id 2 is outside the char tokenizer's vocabulary (ids 0-1)", e.getMessage());
    assertThrows(DataException.class, () -> t.decode(new int[] {-1}));
  }

  /** Any text made of the training text's characters round-trips, and its ids are in range. */
  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16})
  void encodeThenDecodeGivesTheTextBack(long seed) {
    Random random = new Random(seed);
    String training = RandomText.of(random, 1 + random.nextInt(200));
    TextTokenizer t = TextTokenizer.learn("char", training, OptionalInt.empty());
    int[] alphabet = training.codePoints().distinct().toArray();
    StringBuilder sb = new StringBuilder();
    for (int i = random.nextInt(100); i > 0; i--) sb.appendCodePoint(alphabet[random.nextInt(alphabet.length)]);
    String text = sb.toString();
    int[] ids = t.encode(text);
    assertEquals(text.codePointCount(0, text.length()), ids.length);
    for (int id : ids) assertEquals(id, t.checkId(id));
    assertEquals(text, t.decode(ids));
    assertEquals(training, t.decode(t.encode(training)));
  }
}
