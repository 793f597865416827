package dev.adjoint.train;

import dev.adjoint.runtime.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One batch of sentence pairs as the training entry's three arguments (CLI.md), each i32:
 *
 * <ul>
 *   <li>{@code src [B, S]}: the source ids, padded with 0 ({@link Vocabulary#PAD}) to the batch's
 *       longest source S;
 *   <li>{@code tgt_in [B, T]}: BOS then the target ids, padded with 0; T is the longest target + 1;
 *   <li>{@code tgt_out [B, T]}: the target ids then EOS, with −1 ({@link #IGNORE}) at padding, so a
 *       loss that skips −1 labels skips exactly the padding.
 * </ul>
 *
 * @param src source ids
 * @param tgtIn decoder input ids
 * @param tgtOut labels
 * @param examples the pairs, in batch order
 */
public record Batch(Tensor src, Tensor tgtIn, Tensor tgtOut, List<Example> examples) {
  /** The label at padding positions of {@code tgt_out}. */
  public static final int IGNORE = -1;

  public Batch {
    Objects.requireNonNull(src, "src");
    Objects.requireNonNull(tgtIn, "tgtIn");
    Objects.requireNonNull(tgtOut, "tgtOut");
    examples = List.copyOf(examples);
  }

  /**
   * Pads {@code examples} into a batch.
   *
   * @throws IllegalArgumentException if the list is empty
   */
  public static Batch of(List<Example> examples) {
    Objects.requireNonNull(examples, "examples");
    if (examples.isEmpty()) throw new IllegalArgumentException("a batch needs at least one example");
    int b = examples.size();
    int s = 0;
    int t = 0;
    for (Example e : examples) {
      s = Math.max(s, e.sourceLength());
      t = Math.max(t, e.targetLength() + 1);
    }
    int[] src = new int[b * s];
    int[] in = new int[b * t];
    int[] out = new int[b * t];
    java.util.Arrays.fill(out, IGNORE);
    for (int i = 0; i < b; i++) {
      Example e = examples.get(i);
      for (int j = 0; j < e.sourceLength(); j++) src[i * s + j] = e.sourceAt(j);
      in[i * t] = Vocabulary.BOS;
      for (int j = 0; j < e.targetLength(); j++) {
        in[i * t + j + 1] = e.targetAt(j);
        out[i * t + j] = e.targetAt(j);
      }
      out[i * t + e.targetLength()] = Vocabulary.EOS;
    }
    return new Batch(Tensor.ofInts(new int[] {b, s}, src), Tensor.ofInts(new int[] {b, t}, in),
        Tensor.ofInts(new int[] {b, t}, out), examples);
  }

  /** The number of pairs, B. */
  public int size() {
    return src.dim(0);
  }

  /** Real (non-padding) source tokens. */
  public int sourceTokens() {
    return examples.stream().mapToInt(Example::sourceLength).sum();
  }

  /** Labels that count in the loss: target tokens plus one EOS per pair. */
  public int targetTokens() {
    return examples.stream().mapToInt(e -> e.targetLength() + 1).sum();
  }

  /** {@code bool [B, S]}: true at real source tokens, false at padding. */
  public Tensor sourceMask() {
    return mask(src, Vocabulary.PAD);
  }

  /** {@code bool [B, T]}: true where {@code tgt_out} holds a label, false at padding. */
  public Tensor targetMask() {
    return mask(tgtOut, IGNORE);
  }

  private static Tensor mask(Tensor ids, int padding) {
    int[] v = ids.intData();
    boolean[] m = new boolean[v.length];
    for (int i = 0; i < v.length; i++) m[i] = v[i] != padding;
    return Tensor.ofBooleans(ids.shapeArray(), m);
  }

  /** The reference targets, for metrics: each pair's target ids. */
  public List<int[]> targets() {
    List<int[]> out = new ArrayList<>();
    for (Example e : examples) out.add(e.target());
    return out;
  }

  /** The sources, one array per pair, unpadded. */
  public List<int[]> sources() {
    List<int[]> out = new ArrayList<>();
    for (Example e : examples) out.add(e.source());
    return out;
  }
}
