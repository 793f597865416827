package dev.adjoint.train;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Decodes the sources of some sentence pairs and scores the output against their targets: exact
 * match and corpus BLEU ({@link Metrics}). Greedy decoding runs {@value #GREEDY_BATCH} sources per
 * batch; beam search one source at a time with the paper's length penalty
 * ({@link Decoding#PAPER_LENGTH_PENALTY}).
 */
public final class HeldOutEvaluation {
  /** Sources decoded together by greedy search: enough to keep the threads busy, small enough for memory. */
  public static final int GREEDY_BATCH = 256;

  /**
   * What the model produced and how good it is.
   *
   * @param hypotheses the decoded ids (no BOS or EOS), one per pair, in order
   * @param exactMatch the fraction of hypotheses equal to their target
   * @param bleu corpus BLEU-4, 0–100
   */
  public record Result(List<int[]> hypotheses, double exactMatch, double bleu) {
    public Result {
      hypotheses = List.copyOf(hypotheses);
    }
  }

  private HeldOutEvaluation() {}

  /**
   * Decodes {@code sources} with at most {@code maxLen} output tokens each (EOS not counted),
   * greedily for {@code beamSize} 1, else by beam search; the ids have no BOS or EOS.
   *
   * @throws IllegalArgumentException if {@code maxLen} or {@code beamSize} is below 1
   * @throws DataException if a source is empty or holds a reserved id
   */
  public static List<int[]> decode(Decoding.Model model, List<int[]> sources, int maxLen, int beamSize) {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(sources, "sources");
    if (maxLen < 1) throw new IllegalArgumentException("maxLen must be at least 1, got " + maxLen);
    if (beamSize < 1) throw new IllegalArgumentException("the beam size must be at least 1, got " + beamSize);
    // One step more than the longest output, for the EOS that ends it.
    int steps = maxLen + 1;
    if (beamSize > 1) return Decoding.beam(model, sources, beamSize, steps, Decoding.PAPER_LENGTH_PENALTY);
    List<int[]> hypotheses = new ArrayList<>();
    for (int i = 0; i < sources.size(); i += GREEDY_BATCH) {
      hypotheses.addAll(Decoding.greedy(model, sources.subList(i, Math.min(sources.size(), i + GREEDY_BATCH)), steps));
    }
    return hypotheses;
  }

  /**
   * Decodes every pair's source with at most {@code maxLen} output tokens (EOS not counted),
   * greedily for {@code beamSize} 1, else by beam search.
   *
   * @throws IllegalArgumentException if {@code maxLen} or {@code beamSize} is below 1
   */
  public static Result run(Decoding.Model model, List<Example> pairs, int maxLen, int beamSize) {
    Objects.requireNonNull(pairs, "pairs");
    List<int[]> sources = new ArrayList<>();
    List<int[]> references = new ArrayList<>();
    for (Example e : pairs) {
      sources.add(e.source());
      references.add(e.target());
    }
    List<int[]> hypotheses = decode(model, sources, maxLen, beamSize);
    return new Result(hypotheses, Metrics.exactMatch(hypotheses, references),
        Metrics.bleu(hypotheses, references).score());
  }
}
