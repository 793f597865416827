package dev.adjoint.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** The committed corpus (data/kjv) reads, and both tokenizers learn from it and round-trip all of it. */
class KjvCorpusTest {
  private static final Path CORPUS = Path.of("..", "data", "kjv", "kjv.txt.gz");

  @Test
  void theCorpusIsTheWholeBibleOneVersePerLine() {
    String text = TextCorpus.read(CORPUS);
    assertEquals(4_137_850, text.length());
    assertEquals(31_102, text.lines().count());
    assertTrue(text.startsWith("In the beginning God created the heaven and the earth.\n"));
    assertTrue(text.endsWith("The grace of our Lord Jesus Christ be with you all. Amen.\n"));
    TextTokenizer chars = TextTokenizer.learn("char", text, OptionalInt.empty());
    assertEquals(63, chars.size());
    assertEquals(text, chars.decode(chars.encode(text)));
  }

  @Test
  void byteLevelBpeLearnsItsMergesInSeconds() {
    String text = TextCorpus.read(CORPUS);
    for (int vocab : new int[] {512, 1024}) {
      long t0 = System.nanoTime();
      BpeTokenizer bpe = BpeTrainer.learn(text, vocab);
      long t1 = System.nanoTime();
      int[] ids = bpe.encode(text);
      long t2 = System.nanoTime();
      System.out.printf("kjv bpe vocab %d: learned in %.2f s, encoded %d bytes to %d tokens in %.2f s%n", vocab,
          (t1 - t0) / 1e9, text.length(), ids.length, (t2 - t1) / 1e9);
      assertEquals(vocab, bpe.size());
      assertEquals(text, bpe.decode(ids));
      // English with ~1000 tokens: well under half a token per byte.
      assertTrue(ids.length < text.length() / 2, ids.length + " tokens");
      // A loose bound, for a shared 2-core machine: the linked-pair trainer takes a few seconds.
      assertTrue(t1 - t0 < 60e9, "learning took " + (t1 - t0) / 1e9 + " s");
    }
  }
}
