package dev.adjoint.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.adjoint.runtime.Tensor;
import dev.adjoint.runtime.io.Npy;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/** Runs {@link Main#run} in process and captures what it prints; helpers for test files. */
final class CliRunner {
  /** The example programs, relative to the cli module (Maven's working directory for its tests). */
  static final Path EXAMPLES = Path.of("../examples/src/main/adjoint");

  private CliRunner() {}

  /** What one command did: its exit status and everything it printed. */
  record Result(int status, String out, String err) {
    /** Asserts exit 0 and nothing on stderr. */
    Result succeeds() {
      assertEquals(0, status, () -> "exit status; stderr:\n" + err);
      assertEquals("", err, "stderr");
      return this;
    }

    /** Asserts the exit status, nothing on stdout and no stack trace or internal error on stderr. */
    Result failsWith(int expected) {
      assertEquals(expected, status, () -> "exit status; stderr:\n" + err);
      assertEquals("", out, "stdout");
      assertNoStackTrace();
      return this;
    }

    void assertNoStackTrace() {
      assertFalse(err.contains("\tat ") || err.contains("Exception") || err.contains("internal error"),
          () -> "stderr has a stack trace or an internal error:\n" + err);
    }

    /** Asserts exit 1 with exactly {@code error: message} on stderr. */
    Result failsWithError(String message) {
      failsWith(1);
      assertEquals("error: " + message + System.lineSeparator(), err, "stderr");
      return this;
    }
  }

  static Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int status = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new Result(status, out.toString(), err.toString());
  }

  /** Writes {@code text} to {@code dir/name} and returns the path as a string. */
  static String program(Path dir, String name, String text) {
    try {
      Path p = dir.resolve(name);
      Files.writeString(p, text);
      return p.toString();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Writes {@code t} as {@code dir/name} (.npy) and returns the path as a string. */
  static String npy(Path dir, String name, Tensor t) {
    Path p = dir.resolve(name);
    Npy.write(p, t);
    return p.toString();
  }

  /** An f32 tensor of standard normal values from {@code seed}. */
  static Tensor normal(long seed, int... shape) {
    Random r = new Random(seed);
    int n = 1;
    for (int s : shape) n *= s;
    float[] v = new float[n];
    for (int i = 0; i < n; i++) v[i] = (float) r.nextGaussian();
    return Tensor.ofFloats(shape, v);
  }

  static byte[] bytes(Path p) {
    try {
      return Files.readAllBytes(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
