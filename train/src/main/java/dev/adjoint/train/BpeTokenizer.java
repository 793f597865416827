package dev.adjoint.train;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * GPT-2-style byte-level byte-pair encoding. Ids 0–255 are the bytes themselves, so every text
 * encodes (its UTF-8 bytes); each learned merge {@code (left, right)} names the token of their
 * concatenated bytes, a new id from 256 on (or, in the rare case that another order of merges
 * already made those bytes, that token's id, as Hugging Face's trainer does).
 *
 * <p>Encoding cuts the text into GPT-2's pieces ({@link ByteLevel#PIECES}) and, in each piece,
 * repeatedly merges every left-to-right occurrence of the adjacent pair learned earliest: the same
 * merges, in the same order, that {@link BpeTrainer} applied to the training text.
 */
public final class BpeTokenizer implements TextTokenizer {
  /** The byte tokens every byte-level vocabulary starts with. */
  public static final int BYTES = 256;
  private static final int CACHE_LIMIT = 100_000;

  private final byte[][] tokens;
  private final int[][] merges;
  private final Map<Long, Integer> rank = new HashMap<>();
  private final Map<String, int[]> cache = new HashMap<>();

  /**
   * @param tokens the bytes of each id; the first 256 are the single bytes 0–255
   * @param merges {@code {left, right, result}} in the order learned
   */
  BpeTokenizer(List<byte[]> tokens, List<int[]> merges) {
    this.tokens = tokens.toArray(new byte[0][]);
    this.merges = merges.toArray(new int[0][]);
    for (int b = 0; b < BYTES; b++) {
      if (this.tokens[b].length != 1 || (this.tokens[b][0] & 0xFF) != b) {
        throw new IllegalArgumentException("token " + b + " must be the single byte " + b);
      }
    }
    for (int k = 0; k < this.merges.length; k++) {
      int[] m = this.merges[k];
      for (int id : m) {
        if (id < 0 || id >= this.tokens.length) throw new IllegalArgumentException("merge " + k + " names id " + id);
      }
      byte[] joined = concat(this.tokens[m[0]], this.tokens[m[1]]);
      if (m[2] < BYTES || !Arrays.equals(joined, this.tokens[m[2]])) {
        throw new IllegalArgumentException("merge " + k + " does not make token " + m[2]);
      }
      if (rank.putIfAbsent(pair(m[0], m[1]), k) != null) {
        throw new IllegalArgumentException("merge " + k + " repeats an earlier merge");
      }
    }
  }

  static BpeTokenizer fromJson(Map<?, ?> vocab, List<?> mergeList) {
    List<String> spelled = TokenizerJson.tokensById(vocab);
    if (spelled.size() < BYTES) {
      throw new IllegalArgumentException("a byte-level vocab has at least 256 tokens, this one " + spelled.size());
    }
    List<byte[]> tokens = new ArrayList<>(spelled.size());
    Map<String, Integer> ids = new HashMap<>();
    for (int id = 0; id < spelled.size(); id++) {
      tokens.add(ByteLevel.unspell(spelled.get(id)));
      ids.put(spelled.get(id), id);
    }
    List<int[]> merges = new ArrayList<>();
    for (String[] m : TokenizerJson.mergePairs(mergeList)) {
      Integer left = ids.get(m[0]);
      Integer right = ids.get(m[1]);
      Integer result = ids.get(m[0] + m[1]);
      if (left == null || right == null || result == null) {
        throw new IllegalArgumentException("merge \"" + m[0] + " " + m[1] + "\" names a token the vocab lacks");
      }
      merges.add(new int[] {left, right, result});
    }
    return new BpeTokenizer(tokens, merges);
  }

  @Override
  public String kind() {
    return "bpe";
  }

  @Override
  public int size() {
    return tokens.length;
  }

  /** The number of merges learned. */
  public int merges() {
    return merges.length;
  }

  /** Merge {@code k} as {@code tokenizer.json} lists it: the two tokens in GPT-2's byte spelling, a space between. */
  String mergeText(int k) {
    return ByteLevel.spell(tokens[merges[k][0]]) + " " + ByteLevel.spell(tokens[merges[k][1]]);
  }

  /** Every text encodes: its UTF-8 bytes, merged (an unpaired surrogate is UTF-8's {@code ?}). */
  @Override
  public int[] encode(String text) {
    int[] out = new int[16];
    int n = 0;
    for (String piece : ByteLevel.pieces(text)) {
      int[] ids = cache.get(piece);
      if (ids == null) {
        ids = mergePiece(piece.getBytes(StandardCharsets.UTF_8));
        if (cache.size() >= CACHE_LIMIT) cache.clear();
        cache.put(piece, ids);
      }
      if (n + ids.length > out.length) out = Arrays.copyOf(out, Math.max(out.length * 2, n + ids.length));
      System.arraycopy(ids, 0, out, n, ids.length);
      n += ids.length;
    }
    return Arrays.copyOf(out, n);
  }

  private int[] mergePiece(byte[] bytes) {
    int[] ids = new int[bytes.length];
    for (int i = 0; i < bytes.length; i++) ids[i] = bytes[i] & 0xFF;
    int n = ids.length;
    while (n > 1) {
      int best = Integer.MAX_VALUE;
      for (int i = 0; i + 1 < n; i++) {
        Integer r = rank.get(pair(ids[i], ids[i + 1]));
        if (r != null && r < best) best = r;
      }
      if (best == Integer.MAX_VALUE) break;
      int[] m = merges[best];
      int j = 0;
      for (int i = 0; i < n; ) {
        if (i + 1 < n && ids[i] == m[0] && ids[i + 1] == m[1]) {
          ids[j++] = m[2];
          i += 2;
        } else {
          ids[j++] = ids[i++];
        }
      }
      n = j;
    }
    return Arrays.copyOf(ids, n);
  }

  @Override
  public byte[] bytes(int id) {
    return tokens[checkId(id)].clone();
  }

  @Override
  public String toJson() {
    List<String> vocab = new ArrayList<>(tokens.length);
    for (byte[] t : tokens) vocab.add(ByteLevel.spell(t));
    List<String> mergeText = new ArrayList<>(merges.length);
    for (int[] m : merges) mergeText.add(vocab.get(m[0]) + " " + vocab.get(m[1]));
    return TokenizerJson.write(true, vocab, mergeText);
  }

  static long pair(int left, int right) {
    return ((long) left << 32) | (right & 0xFFFF_FFFFL);
  }

  static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof BpeTokenizer t && Arrays.deepEquals(tokens, t.tokens) && Arrays.deepEquals(merges, t.merges);
  }

  @Override
  public int hashCode() {
    return Arrays.deepHashCode(merges);
  }

  @Override
  public String toString() {
    return "BpeTokenizer(" + size() + " tokens, " + merges.length + " merges)";
  }
}
