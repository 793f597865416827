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

class ParallelTextTest {
  @TempDir Path dir;

  private Path tsv(String content) throws Exception {
    Path f = dir.resolve("data.tsv");
    Files.writeString(f, content);
    return f;
  }

  @Test
  void readsPairsAcceptingBomCrLfAndBlankLines() throws Exception {
    Path f = tsv("\uFEFFhello world\tbonjour le monde\r\n\nhi\tsalut\n");
    List<ParallelText.Pair> pairs = ParallelText.read(f);
    assertEquals(List.of(new ParallelText.Pair("hello world", "bonjour le monde", 1),
        new ParallelText.Pair("hi", "salut", 3)), pairs);
  }

  @Test
  void loadBuildsTheVocabularyAndEncodes() throws Exception {
    Path f = tsv("a b\tb c\nc\ta\n");
    ParallelText.Dataset d = ParallelText.load(f, Tokenizer.WHITESPACE, 10);
    assertEquals(List.of("<pad>", "<bos>", "<eos>", "a", "b", "c"), d.vocabulary().tokens());
    assertEquals(2, d.examples().size());
    assertArrayEquals(new int[] {3, 4}, d.examples().get(0).source());
    assertArrayEquals(new int[] {4, 5}, d.examples().get(0).target());
    assertEquals(0, d.skippedTooLong());
    ParallelText.Dataset chars = ParallelText.load(f, Tokenizer.CHARACTER, 10);
    assertEquals(List.of("<pad>", "<bos>", "<eos>", " ", "a", "b", "c"), chars.vocabulary().tokens());
  }

  @Test
  void pairsLongerThanMaxLenAreLeftOutAndCounted() throws Exception {
    Path f = tsv("a b c\tx\na\tx y\na\tx\n");
    ParallelText.Dataset d = ParallelText.load(f, Tokenizer.WHITESPACE, 2);
    assertEquals(1, d.skippedTooLong());
    assertEquals(2, d.examples().size());
    var none = assertThrows(DataException.class, () -> ParallelText.load(f, Tokenizer.WHITESPACE, 0));
    assertTrue(none.getMessage().contains("--max-len"), none.getMessage());
    Path longOnly = tsv("a b c\tx y z\n");
    var e = assertThrows(DataException.class, () -> ParallelText.load(longOnly, Tokenizer.WHITESPACE, 2));
    assertTrue(e.getMessage().contains("none of the 1 pairs fits --max-len 2"), e.getMessage());
  }

  @Test
  void badFilesNameTheFileAndLine() throws Exception {
    assertFails("", "the file is empty");
    assertFails("\n\n  \n", "only blank lines");
    assertFails("a\tb\nno tab here\n", "line 2: no tab");
    assertFails("a\tb\tc\n", "line 1: 3 tab-separated fields");
    assertFails("a\tb\n\tb\n", "line 2: empty source");
    assertFails("a\t\n", "line 1: empty target");
    Path f = dir.resolve("bin.tsv");
    Files.write(f, new byte[] {'a', '\t', (byte) 0xC3, '\n'});
    var e = assertThrows(DataException.class, () -> ParallelText.read(f));
    assertTrue(e.getMessage().contains("not valid UTF-8"), e.getMessage());
    var missing = assertThrows(DataException.class, () -> ParallelText.read(dir.resolve("nope.tsv")));
    assertTrue(missing.getMessage().contains("no such file"), missing.getMessage());
  }

  @Test
  void aSideWithNoTokensIsAnError() throws Exception {
    Path f = tsv("a\tb\n  \tb\n");
    var e = assertThrows(DataException.class, () -> ParallelText.load(f, Tokenizer.WHITESPACE, 10));
    assertTrue(e.getMessage().contains("line 2: the source has no tokens"), e.getMessage());
  }

  @Test
  void anExistingVocabularyNamesTheLineOfAnUnknownToken() throws Exception {
    Vocabulary v = Vocabulary.of(Tokenizer.WHITESPACE, List.of("a", "b"));
    Path f = tsv("a\tb\nb\tc\n");
    var e = assertThrows(DataException.class, () -> ParallelText.load(f, v, 10));
    assertTrue(e.getMessage().contains("line 2 (target): unknown token 'c'"), e.getMessage());
    Path ok = tsv("a b\tb\n");
    assertEquals(1, ParallelText.load(ok, v, 10).examples().size());
  }

  private void assertFails(String content, String expected) throws Exception {
    Path f = dir.resolve("bad.tsv");
    Files.write(f, content.getBytes(StandardCharsets.UTF_8));
    var e = assertThrows(DataException.class, () -> ParallelText.read(f));
    assertTrue(e.getMessage().startsWith("'" + f + "'"), e.getMessage());
    assertTrue(e.getMessage().contains(expected), e.getMessage());
  }
}
