package dev.adjoint.compiler.fusion;

import static dev.adjoint.compiler.fusion.FusionFixtures.compile;
import static dev.adjoint.compiler.fusion.FusionFixtures.squareTemporaries;
import static dev.adjoint.compiler.fusion.FusionFixtures.structure;
import static dev.adjoint.compiler.fusion.FusionFixtures.vjp;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.compiler.Compilation;
import dev.adjoint.compiler.RunOptions;
import dev.adjoint.compiler.kernel.Kernel;
import dev.adjoint.compiler.kernel.KernelPrinter;
import dev.adjoint.compiler.kernel.KernelProgram;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Fusion is found, not named: causal attention written in index notation
 * ({@code let s[b, h, i, j] = sum[d](q[b, h, i, d] * k[b, h, j, d]) / sqrt(Dh)}, a causal mask,
 * softmax, {@code let o[b, h, i, e] = sum[j](p[b, h, i, j] * v[b, h, j, e])}) lowers to the same
 * kernels as the prelude's {@code attention(q, k, v, causal_mask(T))}: the same count, kinds and
 * written buffers, and the same kernel IR once the program's name and the source lines in the
 * comments (which differ by construction) are set aside.
 */
class AttentionStructureTest {
  private static final String FORMS = "attention_forms";

  @Test
  void forwardIsTheSameKernelProgram() {
    Compilation c = compile(FORMS);
    KernelProgram index = c.kernels("by_index", RunOptions.defaults(), false);
    KernelProgram prelude = c.kernels("by_prelude", RunOptions.defaults(), false);
    assertEquals(List.of("attention -> out f32[B, 2, T, 8]"), structure(prelude));
    assertEquals(structure(prelude), structure(index));
    assertEquals(normalised(prelude), normalised(index));
  }

  /** The example program itself (its result is named differently) gives the same kernels too. */
  @Test
  void theIndexNotationExampleIsThePreludesAttention() throws IOException {
    Path example = Path.of("../examples/src/main/adjoint/index_attention.adj");
    Compilation c = Compilation.compileSource("index_attention.adj", Files.readString(example));
    KernelProgram index = c.kernels("index_attention", RunOptions.defaults(), false);
    KernelProgram prelude = compile(FORMS).kernels("by_prelude", RunOptions.defaults(), false);
    assertEquals(structure(prelude), structure(index));
    assertEquals(normalised(prelude), normalised(index));
    KernelProgram indexGrad = vjp(c, "index_attention", RunOptions.defaults());
    KernelProgram preludeGrad = vjp(compile(FORMS), "by_prelude", RunOptions.defaults());
    assertEquals(normalised(preludeGrad), normalised(indexGrad));
  }

  /** Forward and backward with the output's gradient as data (the attention layer inside a model). */
  @Test
  void forwardAndBackwardIsTheSameKernelProgram() {
    Compilation c = compile(FORMS);
    KernelProgram index = vjp(c, "by_index", RunOptions.defaults());
    KernelProgram prelude = vjp(c, "by_prelude", RunOptions.defaults());
    assertEquals(List.of(
        "attention -> tmp f32[B, 2, T], tmp f32[B, 2, T], out f32[B, 2, T, 8]",
        "attention -> tmp f32[B, 2, T], out f32[B, 2, T, 8]",
        "attention -> out f32[B, 2, T, 8]",
        "attention -> out f32[B, 2, T, 8]"), structure(prelude));
    assertEquals(structure(prelude), structure(index));
    assertEquals(normalised(prelude), normalised(index));
    assertEquals(List.of(), squareTemporaries(index));
  }

  /**
   * Forward and backward as {@link Compilation#kernels} builds them, the output seeded with ones:
   * the two forms give the same kernels, and neither stores a T×T buffer.
   */
  @Test
  void forwardAndBackwardSeededWithOnesHaveTheSameStructure() {
    Compilation c = compile(FORMS);
    KernelProgram index = c.kernels("by_index", RunOptions.defaults(), true);
    KernelProgram prelude = c.kernels("by_prelude", RunOptions.defaults(), true);
    assertEquals(structure(prelude), structure(index));
    assertEquals(List.of(), squareTemporaries(index));
    assertEquals(List.of(), squareTemporaries(prelude));
  }

  // ---- normalising printed programs

  private static final Pattern LOCAL = Pattern.compile("\\b(v|acc|r|max|sum)(\\d+)\\b");

  /**
   * The printed program without what must differ between two spellings of one computation: the
   * program's name, the comments after {@code #} (source lines, a contraction's index maps), and
   * the numbering of locals (renumbered in order of first appearance, per kernel). Buffer names are
   * kept: they are positional.
   */
  static String normalised(KernelProgram program) {
    StringBuilder out = new StringBuilder();
    String text = KernelPrinter.print(program);
    List<String> lines = text.lines().toList();
    Map<String, String> renamed = new HashMap<>();
    int[] next = {0};
    for (int n = 1; n < lines.size(); n++) {
      String line = lines.get(n);
      if (line.startsWith("kernel ")) {
        renamed.clear();
        next[0] = 0;
      }
      line = line.replaceAll(" {3}# .*$", "");
      Matcher m = LOCAL.matcher(line);
      StringBuilder b = new StringBuilder();
      while (m.find()) {
        String name = renamed.computeIfAbsent(m.group(), x -> m.group(1) + "_" + next[0]++);
        m.appendReplacement(b, Matcher.quoteReplacement(name));
      }
      m.appendTail(b);
      out.append(b).append('\n');
    }
    return out.toString();
  }

  @Test
  void normalisingKeepsStructureAndDropsNamesAndOrigins() {
    KernelProgram p = compile(FORMS).kernels("by_prelude", RunOptions.defaults(), false);
    String text = normalised(p);
    assertTrue(text.startsWith("  arguments q : f32[B, 2, T, 8]"), text);
    assertTrue(text.contains("kernel k0_attention [attention]\n"), text);
    assertTrue(!text.contains("#") && !text.contains("by_prelude"), text);
    List<String> kinds = new ArrayList<>();
    for (Kernel k : p.kernels()) kinds.add(k.kind().label());
    assertEquals(List.of("attention"), kinds);
  }
}
