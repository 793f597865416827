package dev.adjoint.train;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Shuffled training batches, epoch after epoch. Epoch {@code e} visits the data in the order of a
 * permutation drawn from Philox stream {@code "shuffle/e"} under the seed and cuts it into
 * ⌊n / B⌋ batches of exactly B pairs (the few left over wait for a later epoch's order), so every
 * batch has the same B and the sequence of batches is a function of (data, B, seed) alone. The
 * position ({@link Position}: epoch and batch within it) is all a checkpoint needs to continue the
 * sequence exactly.
 */
public final class Batcher {
  /** Where the batcher is: the next batch is batch {@code batch} of epoch {@code epoch} (both from 0). */
  public record Position(int epoch, int batch) {
    public Position {
      if (epoch < 0 || batch < 0) throw new IllegalArgumentException("negative batch position " + epoch + "/" + batch);
    }
  }

  private final List<Example> data;
  private final int batchSize;
  private final long seed;
  private int epoch;
  private int batch;
  private int[] order;

  /**
   * @throws DataException if {@code batchSize} is larger than the data (or not positive)
   */
  public Batcher(List<Example> data, int batchSize, long seed) {
    this.data = List.copyOf(Objects.requireNonNull(data, "data"));
    if (batchSize < 1) throw new DataException("the batch size must be at least 1, got " + batchSize);
    if (batchSize > this.data.size()) {
      throw new DataException("the batch size " + batchSize + " is larger than the " + this.data.size()
          + " training example" + (this.data.size() == 1 ? "" : "s") + "; use --batch " + this.data.size()
          + " or less, or more data");
    }
    this.batchSize = batchSize;
    this.seed = seed;
  }

  public int batchSize() {
    return batchSize;
  }

  /** Batches per epoch: ⌊n / B⌋. */
  public int batchesPerEpoch() {
    return data.size() / batchSize;
  }

  public Position position() {
    return new Position(epoch, batch);
  }

  /** Continues from {@code position}, as saved in a checkpoint. */
  public void seek(Position position) {
    Objects.requireNonNull(position, "position");
    if (position.batch() >= batchesPerEpoch()) {
      throw new DataException("batch position " + position.batch() + " is past the " + batchesPerEpoch()
          + " batches of an epoch: the checkpoint was made with other data or another batch size");
    }
    if (position.epoch() != epoch) order = null;
    epoch = position.epoch();
    batch = position.batch();
  }

  /** The next batch, moving to the next epoch after the last one. */
  public Batch next() {
    if (order == null) order = new SeededStream(seed, "shuffle/" + epoch).permutation(data.size());
    List<Example> chosen = new ArrayList<>(batchSize);
    for (int i = 0; i < batchSize; i++) chosen.add(data.get(order[batch * batchSize + i]));
    if (++batch == batchesPerEpoch()) {
      batch = 0;
      epoch++;
      order = null;
    }
    return Batch.of(chosen);
  }

  /** {@code examples} in order, in batches of {@code batchSize} (the last may be smaller): for evaluation. */
  public static List<Batch> inOrder(List<Example> examples, int batchSize) {
    Objects.requireNonNull(examples, "examples");
    if (batchSize < 1) throw new IllegalArgumentException("batch size must be at least 1, got " + batchSize);
    List<Batch> out = new ArrayList<>();
    for (int i = 0; i < examples.size(); i += batchSize) {
      out.add(Batch.of(examples.subList(i, Math.min(examples.size(), i + batchSize))));
    }
    return out;
  }
}
