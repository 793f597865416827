package dev.adjoint.train;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Evaluation metrics and the numbers the progress bar shows. Sequences are token ids without BOS,
 * EOS or padding ({@link #strip} makes them so from decoder output).
 *
 * <h2>BLEU</h2>
 * {@link #bleu} is corpus BLEU-4 as sacreBLEU's {@code corpus_bleu} computes it with its defaults
 * ({@code smooth_method='exp'}, no effective order, one reference), over the data's own tokens
 * (words for the whitespace tokenizer, characters for the character tokenizer) — sacreBLEU's
 * {@code tokenize='none'} on the space-joined tokens:
 * <ul>
 *   <li>for n = 1..4, matches are the hypotheses' n-grams clipped by their count in the reference,
 *       summed over the corpus, and totals the hypotheses' n-gram counts;
 *   <li>precision p_n = matches / totals; where matches are 0 the "exp" smoothing of mteval-v13a
 *       (Chen and Cherry's method 3) uses {@code 1 / (2^k · totals)}, k = 1, 2, … for each such n in
 *       turn;
 *   <li>BLEU = BP · exp(¼ Σ log p_n), with brevity penalty BP = exp(1 − r/c) when the corpus
 *       hypothesis length c is below the reference length r, else 1;
 *   <li>it is 0 when nothing at all matches, or when the hypotheses have no n-grams of some order
 *       (every hypothesis shorter than 4 tokens), as in sacreBLEU.
 * </ul>
 * Scores are on sacreBLEU's 0–100 scale; exact match is a fraction in [0, 1].
 */
public final class Metrics {
  /** BLEU's largest n-gram order. */
  public static final int MAX_ORDER = 4;

  /**
   * A corpus BLEU score and its parts.
   *
   * @param score BLEU, 0–100
   * @param precisions the (smoothed) n-gram precisions, 0–100, for n = 1..4
   * @param brevityPenalty BP
   * @param hypothesisLength c, the hypotheses' total length
   * @param referenceLength r, the references' total length
   */
  public record Bleu(double score, List<Double> precisions, double brevityPenalty, int hypothesisLength,
      int referenceLength) {
    public Bleu {
      precisions = List.copyOf(precisions);
    }

    /** sacreBLEU's summary: {@code 41.3/13.6/8.1/5.6 (BP = 1.000 ratio = 1.033 hyp_len = 6421 ref_len = 6218)}. */
    public String describe() {
      List<String> p = new ArrayList<>();
      for (double x : precisions) p.add(String.format(Locale.ROOT, "%.1f", x));
      return String.format(Locale.ROOT, "%s (BP = %.3f ratio = %.3f hyp_len = %d ref_len = %d)", String.join("/", p),
          brevityPenalty, referenceLength == 0 ? 0.0 : (double) hypothesisLength / referenceLength, hypothesisLength,
          referenceLength);
    }
  }

  private Metrics() {}

  /**
   * Decoder output made comparable: the ids up to the first EOS, with padding and BOS removed.
   */
  public static int[] strip(int[] ids) {
    int[] out = new int[ids.length];
    int n = 0;
    for (int id : ids) {
      if (id == Vocabulary.EOS) break;
      if (id != Vocabulary.PAD && id != Vocabulary.BOS) out[n++] = id;
    }
    return Arrays.copyOf(out, n);
  }

  /**
   * The fraction of hypotheses equal to their reference, token for token; 0 for no pairs.
   *
   * @throws IllegalArgumentException if the lists differ in length
   */
  public static double exactMatch(List<int[]> hypotheses, List<int[]> references) {
    checkPairs(hypotheses, references);
    if (hypotheses.isEmpty()) return 0;
    int same = 0;
    for (int i = 0; i < hypotheses.size(); i++) {
      if (Arrays.equals(hypotheses.get(i), references.get(i))) same++;
    }
    return (double) same / hypotheses.size();
  }

  /**
   * Corpus BLEU-4 of the hypotheses against one reference each (see the class documentation).
   *
   * @throws IllegalArgumentException if the lists differ in length
   */
  public static Bleu bleu(List<int[]> hypotheses, List<int[]> references) {
    checkPairs(hypotheses, references);
    long[] matches = new long[MAX_ORDER];
    long[] totals = new long[MAX_ORDER];
    long c = 0;
    long r = 0;
    for (int i = 0; i < hypotheses.size(); i++) {
      int[] hyp = hypotheses.get(i);
      int[] ref = references.get(i);
      c += hyp.length;
      r += ref.length;
      for (int n = 1; n <= MAX_ORDER; n++) {
        Map<String, Integer> refCounts = ngrams(ref, n);
        for (Map.Entry<String, Integer> e : ngrams(hyp, n).entrySet()) {
          totals[n - 1] += e.getValue();
          matches[n - 1] += Math.min(e.getValue(), refCounts.getOrDefault(e.getKey(), 0));
        }
      }
    }
    double bp = c < r ? (c > 0 ? Math.exp(1 - (double) r / c) : 0) : 1;
    double[] precisions = new double[MAX_ORDER];
    List<Double> reported = new ArrayList<>();
    boolean anyMatch = Arrays.stream(matches).anyMatch(m -> m > 0);
    double score = 0;
    if (anyMatch) {
      double smooth = 1;
      boolean complete = true;
      for (int n = 0; n < MAX_ORDER; n++) {
        if (totals[n] == 0) {
          complete = false;
          break;
        }
        if (matches[n] == 0) {
          smooth *= 2;
          precisions[n] = 100.0 / (smooth * totals[n]);
        } else {
          precisions[n] = 100.0 * matches[n] / totals[n];
        }
      }
      if (complete) {
        double logSum = 0;
        for (double p : precisions) logSum += Math.log(p);
        score = bp * Math.exp(logSum / MAX_ORDER);
      }
    }
    for (double p : precisions) reported.add(p);
    return new Bleu(score, reported, bp, Math.toIntExact(c), Math.toIntExact(r));
  }

  private static Map<String, Integer> ngrams(int[] tokens, int n) {
    Map<String, Integer> out = new HashMap<>();
    for (int i = 0; i + n <= tokens.length; i++) {
      StringBuilder key = new StringBuilder();
      for (int j = i; j < i + n; j++) key.append(tokens[j]).append(',');
      out.merge(key.toString(), 1, Integer::sum);
    }
    return out;
  }

  private static void checkPairs(List<int[]> hypotheses, List<int[]> references) {
    Objects.requireNonNull(hypotheses, "hypotheses");
    Objects.requireNonNull(references, "references");
    if (hypotheses.size() != references.size()) {
      throw new IllegalArgumentException(hypotheses.size() + " hypotheses for " + references.size() + " references");
    }
  }

  /** Tokens per second over {@code nanos} nanoseconds; 0 when no time has passed. */
  public static double tokensPerSecond(long tokens, long nanos) {
    return nanos <= 0 ? 0 : tokens * 1e9 / nanos;
  }

  /**
   * Seconds left for the steps after {@code step} of {@code totalSteps}, at {@code secondsPerStep};
   * NaN when the rate is not known yet.
   */
  public static double etaSeconds(int step, int totalSteps, double secondsPerStep) {
    if (!(secondsPerStep >= 0) || Double.isInfinite(secondsPerStep)) return Double.NaN;
    return Math.max(0, totalSteps - step) * secondsPerStep;
  }

  /** {@code H:MM:SS} (hours unbounded, seconds rounded); {@code -:--:--} for NaN or infinity. */
  public static String formatDuration(double seconds) {
    if (Double.isNaN(seconds) || Double.isInfinite(seconds)) return "-:--:--";
    long s = Math.round(Math.max(0, seconds));
    return String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60);
  }
}
