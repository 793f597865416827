package dev.adjoint.train;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Training data and a held-out part for evaluation. The held-out part is
 * {@code max(1, round(fraction · n))} items chosen by a seeded shuffle (Philox stream
 * {@code "split"}); the rest train, and both keep the data's order. So the split depends only on
 * the seed and the number of items, and always leaves at least one item on each side.
 *
 * @param train the items to train on
 * @param heldOut the items to evaluate on
 */
public record DataSplit<T>(List<T> train, List<T> heldOut) {
  /** The default held-out fraction: 5%. */
  public static final double HELD_OUT_FRACTION = 0.05;

  public DataSplit {
    train = List.copyOf(train);
    heldOut = List.copyOf(heldOut);
  }

  /** {@link #of(List, double, long)} with the default 5%. */
  public static <T> DataSplit<T> of(List<T> items, long seed) {
    return of(items, HELD_OUT_FRACTION, seed);
  }

  /**
   * Splits {@code items}, holding out {@code max(1, round(fraction · n))} of them.
   *
   * @throws DataException if there are fewer than 2 items
   * @throws IllegalArgumentException if {@code fraction} is not in (0, 1)
   */
  public static <T> DataSplit<T> of(List<T> items, double fraction, long seed) {
    Objects.requireNonNull(items, "items");
    if (!(fraction > 0 && fraction < 1)) {
      throw new IllegalArgumentException("the held-out fraction must be in (0, 1), got " + fraction);
    }
    int n = items.size();
    if (n < 2) {
      throw new DataException("need at least 2 examples to hold one out for evaluation, got " + n);
    }
    int count = Math.min(n - 1, Math.max(1, (int) Math.round(fraction * n)));
    int[] order = new SeededStream(seed, "split").permutation(n);
    boolean[] held = new boolean[n];
    for (int i = 0; i < count; i++) held[order[i]] = true;
    List<T> train = new ArrayList<>(n - count);
    List<T> heldOut = new ArrayList<>(count);
    for (int i = 0; i < n; i++) (held[i] ? heldOut : train).add(items.get(i));
    return new DataSplit<>(train, heldOut);
  }

  @Override
  public String toString() {
    return "DataSplit(train " + train.size() + ", held out " + heldOut.size() + ")";
  }
}
