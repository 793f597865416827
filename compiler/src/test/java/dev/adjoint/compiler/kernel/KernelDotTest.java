package dev.adjoint.compiler.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.runtime.DType;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KernelDotTest {
  /** The softmax kernel after a kernel that fills its input, with a quote in the program name. */
  static KernelProgram program() {
    Kernel softmax = KernelPrinterTest.softmax();
    Buffer s = softmax.reads().get(0);
    Buffer mask = softmax.reads().get(1);
    Buffer p = softmax.writes().get(0);
    Buffer w = K.buffer(0, "w", DType.F32, Buffer.Role.PARAM, KernelPrinterTest.B);
    Buffer out = K.buffer(5, "out", DType.F32, Buffer.Role.OUTPUT, KernelPrinterTest.T);
    Kernel fill = K.kernel("k2_fill", KernelKind.ELEMENTWISE, List.of(w), List.of(s),
        K.pfor("i", K.size(s.type().shape().elementCount()),
            new KStmt.Store(s, K.i("i"), K.load(w, new KExpr.Binary(dev.adjoint.compiler.ir.Binary.Fn.MOD, K.i("i"),
                K.size(KernelPrinterTest.B))))));
    Kernel first = K.kernel("k4_first", KernelKind.ELEMENTWISE, List.of(p), List.of(out),
        K.pfor("i", K.size(KernelPrinterTest.T), new KStmt.Store(out, K.i("i"), K.load(p, K.i("i")))));
    return new KernelProgram("attention \"demo\"", List.of(mask), List.of(w), List.of(out), List.of(s, p),
        List.of(fill, softmax, first));
  }

  @Test
  void clustersPerKernelAndEdgesThroughBuffers() {
    // buffers first (arguments, params, temporaries, outputs), then a cluster per kernel, then
    // the edges buffer → kernel → buffer.
    assertEquals("""
        digraph "attention \\"demo\\"" {
          rankdir=TB;
          node [fontname="Helvetica", fontsize=10];
          b0 [shape=box, label="mask\\nf32[T, T]"];
          b1 [shape=box, style=filled, fillcolor=lightgrey, label="w\\nf32[B]"];
          b2 [shape=ellipse, label="s\\nf32[B, H, T, T]"];
          b3 [shape=ellipse, label="p\\nf32[B, H, T, T]"];
          b4 [shape=doubleoctagon, label="out\\nf32[T]"];
          subgraph cluster_0 {
            label="k2_fill [elementwise]";
            style=rounded;
            k0 [shape=note, fontname="Courier", label="s[i] = w[i % B]\\l"];
          }
          subgraph cluster_1 {
            label="k3_softmax [reduction]";
            style=rounded;
            k1 [shape=note, fontname="Courier", label="p[((i0 * H + i1) * T + i2) * T + j] = exp(s[((i0 * H + i1) * T + i2) * …\\l"];
          }
          subgraph cluster_2 {
            label="k4_first [elementwise]";
            style=rounded;
            k2 [shape=note, fontname="Courier", label="out[i] = p[i]\\l"];
          }
          b1 -> k0;
          k0 -> b2;
          b2 -> k1;
          b0 -> k1;
          k1 -> b3;
          b3 -> k2;
          k2 -> b4;
        }
        """, KernelDot.print(program()));
  }

  @Test
  void summariesAreShortened() {
    List<String> lines = KernelDot.summary(KernelPrinterTest.softmax());
    assertEquals(1, lines.size());
    assertEquals(72, lines.get(0).length());
    assertTrue(lines.get(0).startsWith("p[((i0 * H + i1) * T + i2) * T + j] = exp("), lines.get(0));
    assertTrue(lines.get(0).endsWith("…"), lines.get(0));

    Buffer y = K.buffer(0, "y", DType.F64, Buffer.Role.OUTPUT, K.d(10));
    KStmt[] stores = new KStmt[10];
    for (int k = 0; k < 10; k++) stores[k] = new KStmt.Accumulate(y, K.idx(k), K.f64(k));
    assertEquals(List.of("y[0] += 0.0", "y[1] += 1.0", "y[2] += 2.0", "y[3] += 3.0", "y[4] += 4.0", "y[5] += 5.0",
        "y[6] += 6.0", "… and 3 more"), KernelDot.summary(K.kernel("k0", KernelKind.ELEMENTWISE, List.of(), List.of(y), stores)));
    assertEquals(List.of("(no stores)"), KernelDot.summary(K.kernel("k1", KernelKind.ELEMENTWISE, List.of(), List.of())));
  }

  @Test
  void graphvizAcceptsIt(@TempDir Path dir) throws IOException, InterruptedException {
    Assumptions.assumeTrue(onPath("dot"), "graphviz 'dot' is not installed");
    Path in = dir.resolve("program.dot");
    Files.writeString(in, KernelDot.print(program()), StandardCharsets.UTF_8);
    Process dot = new ProcessBuilder("dot", "-Tsvg", in.toString()).redirectErrorStream(true).start();
    byte[] output = dot.getInputStream().readAllBytes();
    assertTrue(dot.waitFor(60, TimeUnit.SECONDS), "dot did not finish");
    String text = new String(output, StandardCharsets.UTF_8);
    assertEquals(0, dot.exitValue(), text);
    assertTrue(text.contains("<svg"), text);
    assertTrue(text.contains("k3_softmax [reduction]"), text);
    assertTrue(!text.contains("Warning") && !text.contains("Error"), text);
  }

  private static boolean onPath(String program) {
    String path = System.getenv("PATH");
    if (path == null) return false;
    for (String d : path.split(File.pathSeparator)) {
      if (Files.isExecutable(Path.of(d, program))) return true;
    }
    return false;
  }
}
