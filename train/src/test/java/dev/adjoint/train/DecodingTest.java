package dev.adjoint.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.runtime.DType;
import dev.adjoint.runtime.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class DecodingTest {
  /**
   * A model from a function of (source, prefix) to the next token's probabilities over V ids:
   * logits are their logarithms, at every position of tgt_in.
   */
  static Decoding.Model model(int vocab, java.util.function.BiFunction<int[], int[], double[]> next) {
    return (src, tgtIn) -> {
      int b = tgtIn.dim(0);
      int t = tgtIn.dim(1);
      int s = src.dim(1);
      double[] out = new double[b * t * vocab];
      for (int i = 0; i < b; i++) {
        int[] source = Arrays.stream(Arrays.copyOfRange(src.intData(), i * s, (i + 1) * s)).filter(x -> x != 0)
            .toArray();
        for (int j = 0; j < t; j++) {
          int[] prefix = Arrays.copyOfRange(tgtIn.intData(), i * t + 1, i * t + 1 + j);
          double[] p = next.apply(source, prefix);
          for (int v = 0; v < vocab; v++) out[(i * t + j) * vocab + v] = Math.log(p[v]);
        }
      }
      return Tensor.ofDoubles(DType.F32, new int[] {b, t, vocab}, out);
    };
  }

  /** Copies its source, then EOS. */
  static final Decoding.Model COPY = model(8, (src, prefix) -> {
    double[] p = new double[8];
    Arrays.fill(p, 0.01);
    p[prefix.length < src.length ? src[prefix.length] : Vocabulary.EOS] = 0.9;
    return p;
  });

  @Test
  void greedyAndBeamDecodeACopyModel() {
    List<int[]> sources = List.of(new int[] {3, 4, 5}, new int[] {7}, new int[] {6, 6, 6, 6});
    List<int[]> greedy = Decoding.greedy(COPY, sources, 10);
    List<int[]> beam = Decoding.beam(COPY, sources, 3, 10, Decoding.PAPER_LENGTH_PENALTY);
    for (int i = 0; i < sources.size(); i++) {
      assertArrayEquals(sources.get(i), greedy.get(i));
      assertArrayEquals(sources.get(i), beam.get(i));
    }
  }

  @Test
  void maxLenCutsOff() {
    assertArrayEquals(new int[] {3, 4}, Decoding.greedy(COPY, List.of(new int[] {3, 4, 5}), 2).get(0));
    assertArrayEquals(new int[] {3, 4}, Decoding.beam(COPY, List.of(new int[] {3, 4, 5}), 2, 2, 0).get(0));
  }

  /**
   * The greedy path (3 then a three-way tie, 0.5 · 0.3) loses to 4 then EOS (0.4 · 0.9): beam search
   * finds it.
   */
  static final Decoding.Model TRAP = model(6, (src, prefix) -> {
    double[] p = new double[6];
    Arrays.fill(p, 1e-6);
    if (prefix.length == 0) {
      p[3] = 0.5;
      p[4] = 0.4;
      p[Vocabulary.EOS] = 0.1;
    } else if (prefix[0] == 3 && prefix.length == 1) {
      p[3] = p[4] = p[5] = 0.3;
      p[Vocabulary.EOS] = 0.1;
    } else if (prefix[0] == 4) {
      p[Vocabulary.EOS] = 0.9;
      p[3] = p[4] = p[5] = 0.1 / 3;
    } else {
      p[Vocabulary.EOS] = 1;
    }
    p[0] = p[1] = 0.99; // padding and BOS are never chosen, however likely
    return p;
  });

  @Test
  void beamSearchBeatsGreedyWhereGreedyIsTrapped() {
    List<int[]> one = List.<int[]>of(new int[] {5});
    assertArrayEquals(new int[] {3, 3}, Decoding.greedy(TRAP, one, 5).get(0), "ties go to the lower id");
    assertArrayEquals(new int[] {4}, Decoding.beam(TRAP, one, 2, 5, 0).get(0));
    assertArrayEquals(new int[] {3, 3}, Decoding.beam(TRAP, one, 1, 5, 0).get(0), "beam 1 is greedy");
  }

  @Test
  void beamOfOneIsGreedyOnAnArbitraryModel() {
    Decoding.Model hashed = model(9, (src, prefix) -> {
      double[] p = new double[9];
      long h = Arrays.hashCode(src) * 31L + Arrays.hashCode(prefix);
      for (int v = 0; v < 9; v++) p[v] = 1 + Math.floorMod(h * (v + 7) * 2654435761L, 1000);
      p[Vocabulary.EOS] = prefix.length > 3 ? 5000 : 100;
      return p;
    });
    List<int[]> sources = new ArrayList<>();
    for (int i = 0; i < 20; i++) sources.add(new int[] {3 + i % 6, 3 + i % 5});
    List<int[]> greedy = Decoding.greedy(hashed, sources, 6);
    List<int[]> beam = Decoding.beam(hashed, sources, 1, 6, 0);
    for (int i = 0; i < sources.size(); i++) assertArrayEquals(greedy.get(i), beam.get(i), "source " + i);
  }

  @Test
  void translateWorksOnTextAndNamesUnknownTokens() {
    Vocabulary v = Vocabulary.of(Tokenizer.WHITESPACE, List.of("a", "b", "c", "d", "e"));
    assertEquals(List.of("a b c", "e"), Decoding.translate(COPY, v, List.of("a b c", "e"), 1, 10));
    assertEquals(List.of("a b c"), Decoding.translate(COPY, v, List.of("a b c"), 4, 10));
    var e = assertThrows(DataException.class, () -> Decoding.translate(COPY, v, List.of("a z"), 1, 10));
    assertTrue(e.getMessage().contains("unknown token 'z'"), e.getMessage());
  }

  @Test
  void badInputsAreClear() {
    assertThrows(DataException.class, () -> Decoding.greedy(COPY, List.of(new int[0]), 5));
    assertThrows(DataException.class, () -> Decoding.greedy(COPY, List.of(new int[] {1, 3}), 5));
    assertThrows(IllegalArgumentException.class, () -> Decoding.beam(COPY, List.of(new int[] {3}), 0, 5, 0));
    Decoding.Model wrong = (src, tgtIn) -> Tensor.zeros(DType.F32, new int[] {1, 1});
    var e = assertThrows(IllegalStateException.class, () -> Decoding.greedy(wrong, List.of(new int[] {3}), 5));
    assertTrue(e.getMessage().contains("expected [B, T, V]"), e.getMessage());
    assertEquals(List.of(), Decoding.greedy(COPY, List.of(), 5));
  }
}
