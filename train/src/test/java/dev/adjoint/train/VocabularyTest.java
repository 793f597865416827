package dev.adjoint.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VocabularyTest {
  @TempDir Path dir;

  @Test
  void reservedIdsComeFirstAndDataTokensFollowInCodePointOrder() {
    Vocabulary v = Vocabulary.fromSentences(Tokenizer.WHITESPACE,
        List.of(List.of("the", "cat"), List.of("a", "cat", "Zebra")));
    assertEquals(List.of("<pad>", "<bos>", "<eos>", "Zebra", "a", "cat", "the"), v.tokens());
    assertEquals(7, v.size());
    assertEquals(0, v.id("<pad>"));
    assertEquals(1, v.id("<bos>"));
    assertEquals(2, v.id("<eos>"));
    assertEquals(3, v.id("Zebra"));
    assertEquals("the", v.token(6));
  }

  @Test
  void encodeAndDecodeText() {
    Vocabulary v = Vocabulary.of(Tokenizer.WHITESPACE, List.of("a", "cat", "sat"));
    assertArrayEquals(new int[] {3, 4, 5}, v.encode(" a  cat sat"));
    assertEquals("a cat", v.decode(new int[] {3, 4, Vocabulary.EOS, 5}));
    assertEquals(List.of("a", "sat"), v.decodeTokens(new int[] {Vocabulary.BOS, 3, Vocabulary.PAD, 5}));
  }

  @Test
  void anUnknownTokenAtDecodeTimeIsNamed() {
    Vocabulary v = Vocabulary.of(Tokenizer.WHITESPACE, List.of("a", "cat"));
    var e = assertThrows(DataException.class, () -> v.encode("a dog"));
    assertTrue(e.getMessage().contains("unknown token 'dog'"), e.getMessage());
    assertTrue(e.getMessage().contains("token 2 of \"a dog\""), e.getMessage());
    // Reserved names are not data tokens even when the text spells them.
    assertThrows(DataException.class, () -> v.encode("<eos>"));
    var range = assertThrows(DataException.class, () -> v.decode(new int[] {3, 99}));
    assertTrue(range.getMessage().contains("id 99 is outside the vocabulary (ids 0-4)"), range.getMessage());
  }

  @Test
  void badTokenListsAreRefused() {
    assertThrows(DataException.class, () -> Vocabulary.of(Tokenizer.CHARACTER, List.of("a", "a")));
    assertThrows(DataException.class, () -> Vocabulary.of(Tokenizer.CHARACTER, List.of("")));
    var e = assertThrows(DataException.class, () -> Vocabulary.of(Tokenizer.WHITESPACE, List.of("<bos>")));
    assertTrue(e.getMessage().contains("reserved"), e.getMessage());
  }

  @Test
  void saveAndLoadRoundTripEvenAwkwardTokens() throws Exception {
    Vocabulary v = Vocabulary.of(Tokenizer.CHARACTER, List.of(" ", "\\", "\t", "\n", "é", "a\\sb", "😀"));
    Path file = dir.resolve("vocab.txt");
    v.save(file);
    String text = Files.readString(file);
    assertTrue(text.startsWith("adjoint-vocabulary 1\ntokenizer char\nsize 10\n<pad>\n<bos>\n<eos>\n\\s\n\\\\\n\\t\n\\n\n"),
        text);
    assertEquals(v, Vocabulary.load(file));
    assertEquals(BuiltinTasks.vocabulary(), Vocabulary.parse("x", BuiltinTasks.vocabulary().toText()
        .getBytes(StandardCharsets.UTF_8)));
    // No temporary file is left beside it.
    try (var files = Files.list(dir)) {
      assertEquals(List.of(file), files.toList());
    }
  }

  @Test
  void brokenFilesAreRefusedWithFileAndLine() throws Exception {
    String good = Vocabulary.of(Tokenizer.WHITESPACE, List.of("a", "b")).toText();
    assertLoadFails("", "is empty");
    assertLoadFails("hello\n", "not a vocabulary file");
    assertLoadFails(good.substring(0, good.length() - 1), "truncated");
    assertLoadFails(good.replace("size 5", "size 7"), "header says 7 tokens but the file lists 5");
    assertLoadFails(good.replace("<bos>", "<xx>"), "line 5: id 1 must be <bos>");
    assertLoadFails(good.replace("\na\n", "\na b\n"), "line 7: unescaped whitespace");
    assertLoadFails(good.replace("\na\n", "\na\\q\n"), "line 7: unknown escape");
    assertLoadFails(good.replace("\nb\n", "\na\n"), "appears twice");
    assertLoadFails(good.replace("tokenizer whitespace", "tokenizer bpe"), "line 2: unknown tokenizer");
    Path bytes = dir.resolve("latin1.txt");
    Files.write(bytes, new byte[] {(byte) 0xff, (byte) 0xfe});
    var e = assertThrows(DataException.class, () -> Vocabulary.load(bytes));
    assertTrue(e.getMessage().contains("not valid UTF-8"), e.getMessage());
    var missing = assertThrows(DataException.class, () -> Vocabulary.load(dir.resolve("none.txt")));
    assertTrue(missing.getMessage().contains("no such vocabulary file"), missing.getMessage());
  }

  private void assertLoadFails(String content, String expected) throws Exception {
    Path file = dir.resolve("v.txt");
    Files.writeString(file, content);
    var e = assertThrows(DataException.class, () -> Vocabulary.load(file));
    assertTrue(e.getMessage().startsWith("'" + file + "'"), e.getMessage());
    assertTrue(e.getMessage().contains(expected), e.getMessage());
  }
}
