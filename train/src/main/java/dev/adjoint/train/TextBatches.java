package dev.adjoint.train;

import dev.adjoint.runtime.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The batches of language-model training on one stream of token ids, as nanoGPT draws them. The
 * last {@code round(valFraction · n)} tokens are held out for validation; training batches are
 * {@code B} blocks of {@code T} consecutive tokens at positions drawn uniformly from the rest, with
 * the targets the same blocks one token later.
 *
 * <p>Reproducible by construction: the positions of the batch at step {@code k} are the first
 * {@code B} numbers of the Philox stream {@code "text/k"} under the seed ({@link SeededStream}), so
 * they depend on the seed and the step alone: a resumed run draws exactly the batches it would have
 * drawn, with no sampler state to save. Validation reads the held-out tail in order, in
 * non-overlapping blocks, the same every time.
 */
public final class TextBatches {
  /**
   * One batch: {@code ids i32[B, T]} and {@code targets i32[B, T]} (each id's next token), the
   * arguments of {@code loss(ids, targets)}.
   *
   * @param starts the position in the token stream of each row's first id
   */
  public record TextBatch(Tensor ids, Tensor targets, int[] starts) {
    public TextBatch {
      Objects.requireNonNull(ids, "ids");
      Objects.requireNonNull(targets, "targets");
      starts = starts.clone();
    }

    @Override
    public int[] starts() {
      return starts.clone();
    }

    /** B. */
    public int size() {
      return ids.dim(0);
    }

    /** B · T: the tokens the loss is averaged over. */
    public int tokens() {
      return ids.dim(0) * ids.dim(1);
    }
  }

  private final int[] tokens;
  private final int block;
  private final int trainEnd;
  private final long seed;

  /**
   * @param tokens the whole text's ids
   * @param block {@code --block}: tokens per row, T
   * @param valFraction {@code --val-fraction}: the share of the tokens, from the end, held out; 0
   *     holds out none
   * @throws DataException if either part is too short for one block and its targets, saying what
   *     to change
   */
  public TextBatches(int[] tokens, int block, double valFraction, long seed) {
    Objects.requireNonNull(tokens, "tokens");
    if (block < 1) throw new DataException("--block must be at least 1, got " + block);
    if (!(valFraction >= 0 && valFraction < 1)) {
      throw new DataException("--val-fraction must be at least 0 and below 1, got " + valFraction);
    }
    this.tokens = tokens.clone();
    this.block = block;
    this.seed = seed;
    int held = (int) Math.round(valFraction * tokens.length);
    this.trainEnd = tokens.length - held;
    if (trainEnd < block + 1) {
      throw new DataException("the training part of the text has " + trainEnd + " tokens, too few for one block of --block "
          + block + " and its next-token targets (" + (block + 1) + " tokens); use a smaller --block or a longer text");
    }
    if (held > 0 && held < block + 1) {
      throw new DataException("the held-out tail (--val-fraction " + valFraction + ") has " + held
          + " tokens, too few for one block of --block " + block + " and its targets (" + (block + 1)
          + "); use a larger --val-fraction, a smaller --block, or --val-fraction 0");
    }
  }

  public int block() {
    return block;
  }

  /** Tokens that training batches are drawn from. */
  public int trainTokens() {
    return trainEnd;
  }

  /** Tokens held out for validation. */
  public int validationTokens() {
    return tokens.length - trainEnd;
  }

  /** The training batch of step {@code step} (from 0), {@code batchSize} rows. */
  public TextBatch train(long step, int batchSize) {
    if (step < 0) throw new IllegalArgumentException("step must be non-negative, got " + step);
    if (batchSize < 1) throw new DataException("--batch must be at least 1, got " + batchSize);
    SeededStream positions = new SeededStream(seed, "text/" + step);
    int[] starts = new int[batchSize];
    for (int i = 0; i < batchSize; i++) starts[i] = positions.nextInt(trainEnd - block);
    return batchAt(starts);
  }

  /** Validation blocks: how many whole blocks (with their targets) the held-out tail holds. */
  public int validationBlocks() {
    int held = tokens.length - trainEnd;
    return held == 0 ? 0 : (held - 1) / block;
  }

  /**
   * The held-out tail in order, as batches of {@code batchSize} rows (the last may have fewer),
   * at most {@code maxBatches} of them (the first ones); none when nothing is held out.
   */
  public List<TextBatch> validation(int batchSize, int maxBatches) {
    if (batchSize < 1) throw new DataException("--batch must be at least 1, got " + batchSize);
    int blocks = Math.min(validationBlocks(), (int) Math.min(Integer.MAX_VALUE, (long) maxBatches * batchSize));
    List<TextBatch> out = new ArrayList<>();
    for (int first = 0; first < blocks; first += batchSize) {
      int[] starts = new int[Math.min(batchSize, blocks - first)];
      for (int i = 0; i < starts.length; i++) starts[i] = trainEnd + (first + i) * block;
      out.add(batchAt(starts));
    }
    return out;
  }

  private TextBatch batchAt(int[] starts) {
    int b = starts.length;
    int[] ids = new int[b * block];
    int[] targets = new int[b * block];
    for (int i = 0; i < b; i++) {
      System.arraycopy(tokens, starts[i], ids, i * block, block);
      System.arraycopy(tokens, starts[i] + 1, targets, i * block, block);
    }
    int[] shape = {b, block};
    return new TextBatch(Tensor.ofInts(shape, ids), Tensor.ofInts(shape.clone(), targets), starts);
  }

  @Override
  public String toString() {
    return "TextBatches(block " + block + ", train " + trainEnd + " tokens, validation " + validationTokens()
        + " tokens)";
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TextBatches t && block == t.block && trainEnd == t.trainEnd && seed == t.seed
        && Arrays.equals(tokens, t.tokens);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(tokens) * 31 + block;
  }
}
