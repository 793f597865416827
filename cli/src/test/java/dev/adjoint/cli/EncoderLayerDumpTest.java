package dev.adjoint.cli;

import static dev.adjoint.cli.CliRunner.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code adjoint dump} of the encoder-layer example: the graph is hash-consed, so each distinct
 * subexpression is printed once, and its DOT form is valid Graphviz.
 */
class EncoderLayerDumpTest {
  private static final String EXAMPLE = CliRunner.EXAMPLES.resolve("encoder_layer.adj").toString();

  /** {@code %n = op attributes %a, %b : type   # file:line}; the operands are the trailing %-list. */
  private static final Pattern NODE = Pattern.compile("^ {2}%(\\d+) = (.*) : (\\S.*?)(?: {3}# \\S+:\\d+)?$");

  private static final Pattern OPERANDS = Pattern.compile("^(.*?)((?: %\\d+(?:, %\\d+)*)?)$");

  /** One printed node: its number, op with attributes, operand numbers and type. */
  record Line(int number, String op, String operands, String type, String text) {}

  static List<Line> parse(String dump) {
    List<Line> nodes = new ArrayList<>();
    for (String line : dump.lines().toList()) {
      if (!line.startsWith("  %")) continue;
      Matcher m = NODE.matcher(line);
      if (!m.matches()) fail("unparsable node line: " + line);
      Matcher ops = OPERANDS.matcher(m.group(2));
      assertTrue(ops.matches(), line);
      nodes.add(new Line(Integer.parseInt(m.group(1)), ops.group(1), ops.group(2).trim(), m.group(3), line));
    }
    return nodes;
  }

  /** Pairs of lines with the same op, attributes and operands (the type follows from those). */
  static List<String> duplicates(List<Line> nodes) {
    Map<String, Line> seen = new HashMap<>();
    List<String> duplicates = new ArrayList<>();
    for (Line n : nodes) {
      Line before = seen.putIfAbsent(n.op() + " | " + n.operands(), n);
      if (before != null) duplicates.add(before.text() + "\n    and " + n.text());
    }
    return duplicates;
  }

  @Test
  void theCheckFindsARepeatedSubexpression() {
    List<Line> nodes = parse("""
        graph f(x: f32[B, 3]) -> f32[B, 3]
          %0 = input x : f32[B, 3]
          %1 = constant 2 : f32   # f.adj:2
          %2 = broadcast [B, 3] axes=[] %1 : f32[B, 3]   # f.adj:2
          %3 = mul %0, %2 : f32[B, 3]   # f.adj:2
          %4 = mul %2, %0 : f32[B, 3]   # f.adj:3
          %5 = mul %0, %2 : f32[B, 3]   # f.adj:3
          %6 = add %3, %5 : f32[B, 3]
          return %6
        """);
    assertEquals(7, nodes.size());
    assertEquals(new Line(2, "broadcast [B, 3] axes=[]", "%1", "f32[B, 3]",
        "  %2 = broadcast [B, 3] axes=[] %1 : f32[B, 3]   # f.adj:2"), nodes.get(2));
    assertEquals(new Line(1, "constant 2", "", "f32", "  %1 = constant 2 : f32   # f.adj:2"), nodes.get(1));
    assertEquals(new Line(6, "add", "%3, %5", "f32[B, 3]", "  %6 = add %3, %5 : f32[B, 3]"), nodes.get(6));
    assertEquals(List.of("  %3 = mul %0, %2 : f32[B, 3]   # f.adj:2\n    and   %5 = mul %0, %2 : f32[B, 3]   # f.adj:3"),
        duplicates(nodes));
  }

  @ParameterizedTest
  @ValueSource(strings = {"Encoder.forward", "Encoder.forward_causal"})
  void everyDistinctSubexpressionIsPrintedOnce(String entry) {
    var r = run("dump", EXAMPLE, "--stage", "ir", "--entry", entry).succeeds();
    List<Line> nodes = parse(r.out());
    assertTrue(nodes.size() > 50, "an encoder layer has more than 50 nodes:\n" + r.out());
    assertTrue(r.out().startsWith("graph " + entry + "(x: f32[B, T, 16]) -> f32[B, T, 16]\n"), r.out());

    for (int i = 0; i < nodes.size(); i++) {
      Line n = nodes.get(i);
      assertEquals(i, n.number(), "nodes are numbered in order: " + n.text());
      // Operands are printed before their users (topological order).
      for (String operand : n.operands().isEmpty() ? new String[0] : n.operands().split(", ")) {
        int k = Integer.parseInt(operand.substring(1));
        assertTrue(k < n.number(), "operand printed after its user: " + n.text());
      }
    }
    List<String> duplicates = duplicates(nodes);
    assertTrue(duplicates.isEmpty(), "the same subexpression is printed more than once:\n  "
        + String.join("\n  ", duplicates));

    // Every param of the layer appears, once, by its full name.
    for (String param : List.of("encoder.self_attn.wq", "encoder.self_attn.bo", "encoder.norm1.gamma",
        "encoder.ffn.inner.w", "encoder.ffn.outer.b", "encoder.norm2.beta")) {
      long count = nodes.stream().filter(n -> n.op().equals("param " + param)).count();
      assertEquals(1, count, param);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"Encoder.forward", "Encoder.forward_causal"})
  void dotIsAcceptedByGraphviz(String entry) {
    var r = run("dump", EXAMPLE, "--stage", "ir", "--entry", entry, "--format", "dot").succeeds();
    assertTrue(r.out().startsWith("digraph "), r.out());
    int nodes = parse(run("dump", EXAMPLE, "--stage", "ir", "--entry", entry).out()).size();
    // One DOT node per printed IR node.
    long dotNodes = r.out().lines().filter(l -> l.matches(" {2}n\\d+ \\[.*")).count();
    assertEquals(nodes, dotNodes);
    Graphviz.assertAccepts(r.out());
  }
}
