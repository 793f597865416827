package dev.adjoint.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * BLEU against values worked out by hand and checked with sacreBLEU 2.6.0:
 * {@code BLEU(tokenize='none').corpus_score(hyps, [refs])} on the space-joined tokens (its defaults:
 * smooth_method='exp', effective_order=False).
 */
class MetricsTest {
  private static final Vocabulary WORDS = Vocabulary.of(Tokenizer.WHITESPACE,
      List.of("the", "cat", "sat", "on", "mat", "is", "a", "b", "c", "d", "e", "f", "g", "h", "x", "y", "z", "w",
          "v", "p", "q", "r", "s", "1", "2", "3", "4", "5", "6", "7", "8"));

  private static List<int[]> ids(String... sentences) {
    List<int[]> out = new ArrayList<>();
    for (String s : sentences) out.add(WORDS.encode(s));
    return out;
  }

  @Test
  void theClassicExampleByHand() {
    // hyp "the cat sat on the mat", ref "the cat is on the mat":
    // 1-grams 5/6, 2-grams 3/5 (the cat, on the, the mat), 3-grams 1/4 (on the mat),
    // 4-grams 0/3 → exp smoothing 1/(2·3); equal lengths so BP = 1;
    // BLEU = 100 · (5/6 · 3/5 · 1/4 · 1/6)^(1/4) = 100 · (1/48)^(1/4).
    Metrics.Bleu b = Metrics.bleu(ids("the cat sat on the mat"), ids("the cat is on the mat"));
    assertEquals(100 * Math.pow(1.0 / 48, 0.25), b.score(), 1e-12);
    assertEquals(37.99178428257963, b.score(), 1e-9);
    assertEquals(List.of(100 * 5 / 6.0, 60.0, 25.0, 100 / 6.0), b.precisions());
    assertEquals(1.0, b.brevityPenalty());
    assertEquals("83.3/60.0/25.0/16.7 (BP = 1.000 ratio = 1.000 hyp_len = 6 ref_len = 6)", b.describe());
  }

  @Test
  void brevityPenaltyOverTheCorpus() {
    // c = 9, r = 12: BP = exp(1 - 12/9); all n-grams match.
    Metrics.Bleu b = Metrics.bleu(ids("a b c d e", "x y z w"), ids("a b c d e f g", "x y z w v"));
    assertEquals(Math.exp(1 - 12.0 / 9), b.brevityPenalty(), 1e-15);
    assertEquals(71.65313105737896, b.score(), 1e-9);
    assertEquals(9, b.hypothesisLength());
    assertEquals(12, b.referenceLength());
  }

  @Test
  void expSmoothingDoublesForEachZeroOrderInTurn() {
    // 3-grams 0/6 → 100/(2·6); 4-grams 0/4 → 100/(4·4).
    Metrics.Bleu b = Metrics.bleu(ids("a b x c d y", "p q r s"), ids("a b c d e f", "p q s r"));
    assertEquals(List.of(80.0, 37.5, 100 / 12.0, 6.25), b.precisions());
    assertEquals(19.88176821917626, b.score(), 1e-9);
  }

  @Test
  void edgeCasesFollowSacreBleu() {
    assertEquals(100.0, Metrics.bleu(ids("1 2 3 4 5"), ids("1 2 3 4 5")).score(), 1e-9);
    assertEquals(0.0, Metrics.bleu(ids("1 2 3 4"), ids("5 6 7 8")).score());
    // No 4-grams at all in the hypotheses: 0, even though everything matches.
    Metrics.Bleu shortOnes = Metrics.bleu(ids("1 2 3", "4 5"), ids("1 2 3", "4 5"));
    assertEquals(0.0, shortOnes.score());
    assertEquals(List.of(100.0, 100.0, 100.0, 0.0), shortOnes.precisions());
    // Longer than the reference: no brevity penalty, lower precision.
    assertEquals(51.697315395717055, Metrics.bleu(ids("a b c d e f g h"), ids("a b c d e")).score(), 1e-9);
    assertEquals(0.0, Metrics.bleu(List.of(), List.of()).score());
    assertEquals(0.0, Metrics.bleu(List.of(new int[0]), ids("a b")).score());
    assertThrows(IllegalArgumentException.class, () -> Metrics.bleu(ids("a"), List.of()));
  }

  @Test
  void exactMatchComparesWholeSequences() {
    List<int[]> refs = ids("a b", "c", "d e f", "g");
    assertEquals(0.5, Metrics.exactMatch(ids("a b", "c d", "d e f", "h"), refs));
    assertEquals(1.0, Metrics.exactMatch(refs, refs));
    assertEquals(0.0, Metrics.exactMatch(List.of(), List.of()));
    assertThrows(IllegalArgumentException.class, () -> Metrics.exactMatch(ids("a"), refs));
  }

  @Test
  void stripCutsAtEosAndDropsPaddingAndBos() {
    assertArrayEquals(new int[] {5, 6}, Metrics.strip(new int[] {1, 5, 0, 6, 2, 7, 8}));
    assertArrayEquals(new int[] {}, Metrics.strip(new int[] {2, 5}));
    assertArrayEquals(new int[] {5}, Metrics.strip(new int[] {5}));
  }

  @Test
  void ratesAndDurations() {
    assertEquals(1500.0, Metrics.tokensPerSecond(3000, 2_000_000_000L));
    assertEquals(0.0, Metrics.tokensPerSecond(3000, 0));
    assertEquals("0:02:31", Metrics.formatDuration(151));
    assertEquals("1:00:00", Metrics.formatDuration(3599.6));
    assertEquals("27:46:40", Metrics.formatDuration(100_000));
    assertEquals("-:--:--", Metrics.formatDuration(Double.NaN));
    assertEquals(90.0, Metrics.etaSeconds(10, 100, 1.0));
    assertEquals(0.0, Metrics.etaSeconds(120, 100, 1.0));
    assertTrue(Double.isNaN(Metrics.etaSeconds(1, 100, Double.NaN)));
  }

  @Test
  void throughputIsOverASlidingWindow() {
    Throughput t = new Throughput(2);
    assertEquals(0.0, t.tokensPerSecond());
    assertTrue(Double.isNaN(t.secondsPerStep()));
    t.record(1000, 1_000_000_000L);
    t.record(3000, 1_000_000_000L);
    assertEquals(2000.0, t.tokensPerSecond());
    t.record(5000, 1_000_000_000L); // the first step leaves the window
    assertEquals(4000.0, t.tokensPerSecond());
    assertEquals(1.0, t.secondsPerStep());
    assertThrows(IllegalArgumentException.class, () -> new Throughput(0));
  }
}
