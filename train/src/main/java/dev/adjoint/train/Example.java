package dev.adjoint.train;

import java.util.Arrays;
import java.util.Objects;

/**
 * One sentence pair as token ids, without BOS, EOS or padding (the {@link Batcher} adds those).
 * Arrays are copied in and out; two examples are equal when their ids are.
 */
public final class Example {
  private final int[] source;
  private final int[] target;

  /**
   * @throws IllegalArgumentException if either side is empty or holds a reserved id (0-2) or a
   *     negative one
   */
  public Example(int[] source, int[] target) {
    this.source = check(Objects.requireNonNull(source, "source").clone(), "source");
    this.target = check(Objects.requireNonNull(target, "target").clone(), "target");
  }

  private static int[] check(int[] ids, String side) {
    if (ids.length == 0) throw new IllegalArgumentException("an example's " + side + " cannot be empty");
    for (int id : ids) {
      if (id < Vocabulary.FIRST_TOKEN) {
        throw new IllegalArgumentException("an example's " + side + " holds id " + id
            + "; data ids start at " + Vocabulary.FIRST_TOKEN);
      }
    }
    return ids;
  }

  public int[] source() {
    return source.clone();
  }

  public int[] target() {
    return target.clone();
  }

  public int sourceLength() {
    return source.length;
  }

  public int targetLength() {
    return target.length;
  }

  int sourceAt(int i) {
    return source[i];
  }

  int targetAt(int i) {
    return target[i];
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Example e && Arrays.equals(e.source, source) && Arrays.equals(e.target, target);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(source) * 31 + Arrays.hashCode(target);
  }

  @Override
  public String toString() {
    return Arrays.toString(source) + " -> " + Arrays.toString(target);
  }
}
