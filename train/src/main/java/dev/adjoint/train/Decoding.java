package dev.adjoint.train;

import dev.adjoint.runtime.Tensor;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * Greedy and beam-search decoding over any model that maps {@code (src [B, S], tgt_in [B, T])} to
 * logits {@code [B, T, V]} — the entry {@code forward} of CLI.md, on whatever backend. The decoder
 * input starts as BOS and grows by one token a step (the model is run on the whole prefix each
 * time); a hypothesis ends at EOS or after {@code maxLen} tokens. Padding and BOS are never
 * chosen. Results are token ids without BOS or EOS; {@link Vocabulary#decode} makes text of them.
 * Ties go to the lower id, so decoding is deterministic.
 */
public final class Decoding {
  /** The model's forward pass: logits {@code [B, T, V]} (f32 or f64) for {@code src} and {@code tgt_in}. */
  @FunctionalInterface
  public interface Model {
    Tensor logits(Tensor src, Tensor tgtIn);
  }

  /** GNMT's length-penalty exponent, as the Transformer paper used with beam size 4. */
  public static final double PAPER_LENGTH_PENALTY = 0.6;

  private Decoding() {}

  /**
   * The most likely next token at each step, for all sources at once (one batch).
   *
   * @throws DataException if a source is empty or holds a reserved id
   */
  public static List<int[]> greedy(Model model, List<int[]> sources, int maxLen) {
    Objects.requireNonNull(model, "model");
    checkSources(sources, maxLen);
    int b = sources.size();
    if (b == 0) return List.of();
    Tensor src = padSources(sources);
    List<List<Integer>> out = new ArrayList<>();
    boolean[] done = new boolean[b];
    for (int i = 0; i < b; i++) out.add(new ArrayList<>());
    for (int t = 0; t < maxLen; t++) {
      Tensor logits = run(model, src, prefixes(out), b);
      boolean all = true;
      for (int i = 0; i < b; i++) {
        if (done[i]) continue;
        double[] row = lastRow(logits, i, t);
        int best = -1;
        for (int v = 0; v < row.length; v++) {
          if (!selectable(v)) continue;
          if (best < 0 || row[v] > row[best]) best = v;
        }
        if (best == Vocabulary.EOS) {
          done[i] = true;
        } else {
          out.get(i).add(best);
          all = false;
        }
      }
      if (all) break;
    }
    List<int[]> result = new ArrayList<>();
    for (List<Integer> o : out) result.add(o.stream().mapToInt(Integer::intValue).toArray());
    return result;
  }

  /**
   * Beam search, one source at a time (its beams are one batch): keeps the {@code beamSize} best
   * prefixes by total log-probability, sets a prefix aside when it ends in EOS, and stops when
   * {@code beamSize} hypotheses have ended or none can grow. The result is the ended hypothesis
   * with the best score {@code log p / ((5 + length) / 6)^alpha} (GNMT; {@code alpha = 0} is plain
   * log-probability), length counting EOS; hypotheses cut off at {@code maxLen} compete too.
   *
   * @throws DataException if a source is empty or holds a reserved id
   */
  public static List<int[]> beam(Model model, List<int[]> sources, int beamSize, int maxLen, double alpha) {
    Objects.requireNonNull(model, "model");
    checkSources(sources, maxLen);
    if (beamSize < 1) throw new IllegalArgumentException("beam size must be at least 1, got " + beamSize);
    List<int[]> result = new ArrayList<>();
    for (int[] source : sources) result.add(beamOne(model, source, beamSize, maxLen, alpha));
    return result;
  }

  private record Hypothesis(List<Integer> tokens, double logProb, boolean ended) {
    double score(double alpha) {
      int length = tokens.size() + (ended ? 1 : 0);
      return logProb / Math.pow((5.0 + length) / 6.0, alpha);
    }
  }

  private static int[] beamOne(Model model, int[] source, int beamSize, int maxLen, double alpha) {
    List<Hypothesis> alive = List.of(new Hypothesis(List.of(), 0, false));
    List<Hypothesis> ended = new ArrayList<>();
    for (int t = 0; t < maxLen && !alive.isEmpty() && ended.size() < beamSize; t++) {
      int k = alive.size();
      List<int[]> repeated = new ArrayList<>();
      List<List<Integer>> prefixes = new ArrayList<>();
      for (Hypothesis h : alive) {
        repeated.add(source);
        prefixes.add(h.tokens());
      }
      Tensor logits = run(model, padSources(repeated), prefixes(prefixes), k);
      List<Hypothesis> candidates = new ArrayList<>();
      for (int i = 0; i < k; i++) {
        double[] logp = logSoftmax(lastRow(logits, i, t));
        Hypothesis h = alive.get(i);
        for (int v = 0; v < logp.length; v++) {
          if (!selectable(v)) continue;
          List<Integer> tokens = h.tokens();
          if (v != Vocabulary.EOS) {
            tokens = new ArrayList<>(tokens);
            tokens.add(v);
          }
          candidates.add(new Hypothesis(tokens, h.logProb() + logp[v], v == Vocabulary.EOS));
        }
      }
      // Best first; among equals the earlier candidate (lower beam, lower id) wins: a stable sort.
      candidates.sort(Comparator.comparingDouble(Hypothesis::logProb).reversed());
      List<Hypothesis> next = new ArrayList<>();
      for (Hypothesis c : candidates) {
        if (next.size() + ended.size() >= beamSize) break;
        if (c.ended()) {
          ended.add(c);
        } else {
          next.add(c);
        }
      }
      alive = next;
    }
    List<Hypothesis> all = new ArrayList<>(ended);
    all.addAll(alive);
    Hypothesis best = null;
    for (Hypothesis h : all) {
      if (best == null || h.score(alpha) > best.score(alpha)) best = h;
    }
    return best.tokens().stream().mapToInt(Integer::intValue).toArray();
  }

  /**
   * Decodes text: encodes each source with the vocabulary (an unknown token is a
   * {@link DataException} naming it), decodes greedily ({@code beamSize} 1) or by beam search, and
   * joins the output tokens into text.
   */
  public static List<String> translate(Model model, Vocabulary vocabulary, List<String> texts, int beamSize,
      int maxLen) {
    List<int[]> sources = new ArrayList<>();
    for (String t : texts) sources.add(vocabulary.encode(t));
    List<int[]> ids = beamSize == 1 ? greedy(model, sources, maxLen)
        : beam(model, sources, beamSize, maxLen, PAPER_LENGTH_PENALTY);
    List<String> out = new ArrayList<>();
    for (int[] o : ids) out.add(vocabulary.decode(o));
    return out;
  }

  // ---- helpers ------------------------------------------------------------------------------

  private static boolean selectable(int id) {
    return id == Vocabulary.EOS || id >= Vocabulary.FIRST_TOKEN;
  }

  private static void checkSources(List<int[]> sources, int maxLen) {
    Objects.requireNonNull(sources, "sources");
    if (maxLen < 1) throw new IllegalArgumentException("maxLen must be at least 1, got " + maxLen);
    for (int i = 0; i < sources.size(); i++) {
      int[] s = sources.get(i);
      if (s.length == 0) throw new DataException("source " + (i + 1) + " is empty: nothing to decode");
      for (int id : s) {
        if (id < Vocabulary.FIRST_TOKEN) {
          throw new DataException("source " + (i + 1) + " holds id " + id + "; source ids start at "
              + Vocabulary.FIRST_TOKEN);
        }
      }
    }
  }

  private static Tensor padSources(List<int[]> sources) {
    int s = sources.stream().mapToInt(a -> a.length).max().orElse(0);
    int[] data = new int[sources.size() * s];
    for (int i = 0; i < sources.size(); i++) System.arraycopy(sources.get(i), 0, data, i * s, sources.get(i).length);
    return Tensor.ofInts(new int[] {sources.size(), s}, data);
  }

  /** {@code tgt_in}: BOS then each prefix; all prefixes are equally long while decoding, padding covers the rest. */
  private static Tensor prefixes(List<List<Integer>> prefixes) {
    int t = prefixes.stream().mapToInt(List::size).max().orElse(0) + 1;
    int[] data = new int[prefixes.size() * t];
    for (int i = 0; i < prefixes.size(); i++) {
      data[i * t] = Vocabulary.BOS;
      List<Integer> p = prefixes.get(i);
      for (int j = 0; j < p.size(); j++) data[i * t + j + 1] = p.get(j);
    }
    return Tensor.ofInts(new int[] {prefixes.size(), t}, data);
  }

  private static Tensor run(Model model, Tensor src, Tensor tgtIn, int b) {
    Tensor logits = model.logits(src, tgtIn);
    if (logits.rank() != 3 || logits.dim(0) != b || logits.dim(1) != tgtIn.dim(1)) {
      throw new IllegalStateException("the model's forward returned " + logits.shape() + " for tgt_in "
          + tgtIn.shape() + "; expected [B, T, V] = [" + b + ", " + tgtIn.dim(1) + ", V]");
    }
    return logits;
  }

  /** Row {@code i}'s logits at the last real position {@code t} of its prefix. */
  private static double[] lastRow(Tensor logits, int i, int t) {
    int tt = logits.dim(1);
    int v = logits.dim(2);
    double[] row = new double[v];
    int base = (i * tt + t) * v;
    for (int j = 0; j < v; j++) row[j] = logits.getDouble(base + j);
    return row;
  }

  private static double[] logSoftmax(double[] x) {
    double max = Double.NEGATIVE_INFINITY;
    for (double v : x) max = Math.max(max, v);
    double sum = 0;
    for (double v : x) sum += Math.exp(v - max);
    double log = max + Math.log(sum);
    double[] out = new double[x.length];
    for (int i = 0; i < x.length; i++) out[i] = x[i] - log;
    return out;
  }
}
