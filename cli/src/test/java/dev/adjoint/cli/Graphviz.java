package dev.adjoint.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Feeds DOT text to Graphviz's {@code dot}, when it is on the PATH (apt: graphviz); else skips. */
final class Graphviz {
  private Graphviz() {}

  static boolean available() {
    String path = System.getenv("PATH");
    if (path == null) return false;
    for (String d : path.split(File.pathSeparator)) {
      if (!d.isEmpty() && Files.isExecutable(Path.of(d, "dot"))) return true;
    }
    return false;
  }

  /** Asserts {@code dot -Tsvg} reads {@code text} without complaint and draws an SVG. */
  static void assertAccepts(String text) {
    assumeTrue(available(), "Graphviz 'dot' is not on the PATH (install the graphviz package)");
    try {
      Process p = new ProcessBuilder("dot", "-Tsvg").start();
      CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(p, false));
      CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p, true));
      try (var in = p.getOutputStream()) {
        in.write(text.getBytes(StandardCharsets.UTF_8));
      }
      assertTrue(p.waitFor(60, TimeUnit.SECONDS), "dot did not finish in 60 s");
      assertEquals(0, p.exitValue(), () -> "dot -Tsvg failed:\n" + err.join());
      assertEquals("", err.join(), "dot's warnings");
      assertTrue(out.join().contains("<svg"), "dot wrote no SVG");
    } catch (IOException e) {
      throw new AssertionError("cannot run dot", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private static String read(Process p, boolean error) {
    try (var in = error ? p.getErrorStream() : p.getInputStream()) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(unreadable: " + e + ")";
    }
  }
}
