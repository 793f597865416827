package dev.adjoint.compiler.diag;

import java.util.Arrays;
import java.util.Objects;

/**
 * The text of one source file, indexed by code point so that columns count characters as a reader
 * sees them (an identifier in Greek is as wide as one in Latin).
 */
public final class SourceFile {
  private final String path;
  private final int[] codePoints;
  private final int[] lineStarts;

  public SourceFile(String path, String text) {
    this.path = Objects.requireNonNull(path, "path");
    this.codePoints = Objects.requireNonNull(text, "text").codePoints().toArray();
    int lines = 1;
    for (int c : codePoints) {
      if (c == '\n') lines++;
    }
    lineStarts = new int[lines];
    int line = 1;
    for (int i = 0; i < codePoints.length; i++) {
      if (codePoints[i] == '\n') lineStarts[line++] = i + 1;
    }
  }

  /** The path as the user wrote it; diagnostics print it unchanged. */
  public String path() {
    return path;
  }

  public String text() {
    return new String(codePoints, 0, codePoints.length);
  }

  /** Length in code points. */
  public int length() {
    return codePoints.length;
  }

  /** 1-based line of a code-point offset. */
  public int line(int offset) {
    int i = Arrays.binarySearch(lineStarts, Math.min(Math.max(offset, 0), codePoints.length));
    return (i >= 0 ? i : -i - 2) + 1;
  }

  /** 1-based column of a code-point offset. */
  public int column(int offset) {
    int clamped = Math.min(Math.max(offset, 0), codePoints.length);
    return clamped - lineStarts[line(clamped) - 1] + 1;
  }

  public int lineCount() {
    return lineStarts.length;
  }

  /** The text of a 1-based line, without its line terminator. */
  public String lineText(int line) {
    int start = lineStarts[line - 1];
    int end = line < lineStarts.length ? lineStarts[line] - 1 : codePoints.length;
    if (end > start && codePoints[end - 1] == '\r') end--;
    return new String(codePoints, start, Math.max(0, end - start));
  }

  /** The code points of [start, end) as a string. */
  public String slice(int start, int end) {
    return new String(codePoints, start, end - start);
  }

  @Override
  public String toString() {
    return path;
  }
}
