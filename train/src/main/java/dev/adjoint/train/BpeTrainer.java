package dev.adjoint.train;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * Learns byte-level BPE merges from a text, as Hugging Face's and sentencepiece's trainers do
 * rather than by scanning the text once per merge: the text becomes its distinct GPT-2 pieces
 * with their counts; each piece is a linked list of symbols; every adjacent pair knows its total
 * count and the pieces it occurs in; a priority queue (with stale entries skipped when they come
 * out) yields the most frequent pair. A merge visits only the pieces that hold its pair and
 * updates the counts of the neighbouring pairs it changes.
 *
 * <p>Deterministic: the pair merged next is the one with the highest count; among equal counts,
 * the one with the smaller left id, then the smaller right id. Learning stops at the vocabulary
 * size asked for, or earlier when no pair occurs twice.
 */
final class BpeTrainer {
  /** A pair's count as it was when queued; stale when the count has changed since. */
  private record Queued(long count, int left, int right) {}

  /** A pair's current count and the pieces it may occur in (possibly with repeats and stale ones). */
  private static final class PairStat {
    long count;
    int[] words = new int[4];
    int nWords;

    void addWord(int w) {
      if (nWords > 0 && words[nWords - 1] == w) return;
      if (nWords == words.length) words = Arrays.copyOf(words, nWords * 2);
      words[nWords++] = w;
    }
  }

  private final Map<Long, PairStat> pairs = new HashMap<>();
  private final PriorityQueue<Queued> queue = new PriorityQueue<>((x, y) -> x.count != y.count
      ? Long.compare(y.count, x.count)
      : x.left != y.left ? Integer.compare(x.left, y.left) : Integer.compare(x.right, y.right));
  private final LinkedHashSet<Long> grown = new LinkedHashSet<>();
  private int[] sym;
  private int[] next;
  private int[] prev;
  private int[] start;
  private long[] wordCount;

  private BpeTrainer() {}

  /**
   * The tokenizer of {@code vocabSize} tokens (or fewer) learned from {@code text}.
   *
   * @throws DataException if {@code vocabSize} is under the 256 byte tokens
   */
  static BpeTokenizer learn(String text, int vocabSize) {
    if (vocabSize < BpeTokenizer.BYTES) {
      throw new DataException("--vocab-size " + vocabSize + " is smaller than the 256 byte tokens that byte-level BPE"
          + " starts from; use --vocab-size 256 or more (256 learns no merges)");
    }
    return new BpeTrainer().run(text, vocabSize);
  }

  private BpeTokenizer run(String text, int vocabSize) {
    Map<String, long[]> counts = new HashMap<>();
    for (String piece : ByteLevel.pieces(text)) counts.computeIfAbsent(piece, p -> new long[1])[0]++;
    // Pieces in code-point order, so the symbol arrays (and anything that could depend on them) never
    // depend on hashing.
    List<String> distinct = new ArrayList<>(counts.keySet());
    distinct.sort(null);
    int total = 0;
    List<byte[]> pieceBytes = new ArrayList<>(distinct.size());
    for (String p : distinct) {
      byte[] b = p.getBytes(StandardCharsets.UTF_8);
      pieceBytes.add(b);
      total += b.length;
    }
    sym = new int[total];
    next = new int[total];
    prev = new int[total];
    start = new int[distinct.size()];
    wordCount = new long[distinct.size()];
    int at = 0;
    for (int w = 0; w < distinct.size(); w++) {
      byte[] b = pieceBytes.get(w);
      start[w] = at;
      wordCount[w] = counts.get(distinct.get(w))[0];
      for (int i = 0; i < b.length; i++) {
        sym[at + i] = b[i] & 0xFF;
        prev[at + i] = i == 0 ? -1 : at + i - 1;
        next[at + i] = i == b.length - 1 ? -1 : at + i + 1;
        if (i > 0) add(sym[at + i - 1], sym[at + i], wordCount[w], w);
      }
      at += b.length;
    }
    pushGrown();

    List<byte[]> tokens = new ArrayList<>(vocabSize);
    Map<String, Integer> idOfBytes = new HashMap<>();
    for (int b = 0; b < BpeTokenizer.BYTES; b++) {
      tokens.add(new byte[] {(byte) b});
      idOfBytes.put(key(tokens.get(b)), b);
    }
    List<int[]> merges = new ArrayList<>();
    int[] seen = new int[distinct.size()];
    Arrays.fill(seen, -1);
    while (tokens.size() < vocabSize && !queue.isEmpty()) {
      Queued q = queue.poll();
      PairStat stat = pairs.get(BpeTokenizer.pair(q.left, q.right));
      long current = stat == null ? 0 : stat.count;
      if (current != q.count) {
        if (current > 0) queue.add(new Queued(current, q.left, q.right));
        continue;
      }
      if (current < 2) break;
      byte[] joined = BpeTokenizer.concat(tokens.get(q.left), tokens.get(q.right));
      Integer z = idOfBytes.get(key(joined));
      if (z == null) {
        z = tokens.size();
        tokens.add(joined);
        idOfBytes.put(key(joined), z);
      }
      int mergeIndex = merges.size();
      merges.add(new int[] {q.left, q.right, z});
      int[] words = Arrays.copyOf(stat.words, stat.nWords);
      for (int w : words) {
        if (seen[w] == mergeIndex) continue;
        seen[w] = mergeIndex;
        mergeIn(w, q.left, q.right, z);
      }
      pairs.remove(BpeTokenizer.pair(q.left, q.right));
      pushGrown();
    }
    return new BpeTokenizer(tokens, merges);
  }

  /** Replaces every left-to-right occurrence of {@code (a, b)} in piece {@code w} by {@code z}. */
  private void mergeIn(int w, int a, int b, int z) {
    long c = wordCount[w];
    int i = start[w];
    while (i != -1) {
      int j = next[i];
      if (j == -1) break;
      if (sym[i] != a || sym[j] != b) {
        i = j;
        continue;
      }
      int l = prev[i];
      int r = next[j];
      if (l != -1) {
        add(sym[l], a, -c, w);
        add(sym[l], z, c, w);
      }
      if (r != -1) {
        add(b, sym[r], -c, w);
        add(z, sym[r], c, w);
      }
      add(a, b, -c, w);
      sym[i] = z;
      next[i] = r;
      if (r != -1) prev[r] = i;
      i = r;
    }
  }

  private void add(int left, int right, long delta, int w) {
    long k = BpeTokenizer.pair(left, right);
    PairStat s = pairs.get(k);
    if (s == null) {
      if (delta <= 0) return;
      s = new PairStat();
      pairs.put(k, s);
    }
    s.count += delta;
    if (delta > 0) {
      s.addWord(w);
      grown.add(k);
    }
  }

  /** Queues every pair whose count grew since the last call, at its count now. */
  private void pushGrown() {
    for (long k : grown) {
      PairStat s = pairs.get(k);
      if (s != null && s.count > 0) queue.add(new Queued(s.count, (int) (k >>> 32), (int) k));
    }
    grown.clear();
  }

  private static String key(byte[] bytes) {
    return new String(bytes, StandardCharsets.ISO_8859_1);
  }
}
