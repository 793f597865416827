package dev.adjoint.compiler.diag;

import java.util.Objects;

/**
 * A range of code points [start, end) in a source file. Every syntax node carries one, so every
 * diagnostic can point at the text it is about.
 */
public record Span(SourceFile file, int start, int end) {
  public Span {
    Objects.requireNonNull(file, "file");
    if (start < 0 || end < start) {
      throw new IllegalArgumentException("bad span [" + start + ", " + end + ") in " + file.path());
    }
  }

  /** A span for code that has no source text of its own (built-ins, command-line arguments). */
  public static Span synthetic(String what) {
    return new Span(new SourceFile(what, ""), 0, 0);
  }

  public int line() {
    return file.line(start);
  }

  public int column() {
    return file.column(start);
  }

  /** The smallest span covering this one and {@code other} (same file). */
  public Span to(Span other) {
    return new Span(file, Math.min(start, other.start), Math.max(end, other.end));
  }

  public String text() {
    return file.slice(start, end);
  }

  @Override
  public String toString() {
    return file.path() + ":" + line() + ":" + column();
  }
}
