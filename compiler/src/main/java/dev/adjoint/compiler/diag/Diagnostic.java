package dev.adjoint.compiler.diag;

import java.util.Objects;

/** One message about a program, located at a span. */
public record Diagnostic(Severity severity, Span span, String message) {
  /** The most characters of a source line shown under a message. */
  static final int MAX_SHOWN = 160;

  public enum Severity {
    ERROR,
    WARNING,
    NOTE;

    String label() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  public Diagnostic {
    Objects.requireNonNull(severity, "severity");
    Objects.requireNonNull(span, "span");
    Objects.requireNonNull(message, "message");
  }

  public static Diagnostic error(Span span, String message) {
    return new Diagnostic(Severity.ERROR, span, message);
  }

  /**
   * Renders as {@code file:line:col: error: message}, then the source line and a caret under the
   * span (LANGUAGE.md §7).
   */
  public String render() {
    StringBuilder out = new StringBuilder();
    out.append(span).append(": ").append(severity.label()).append(": ").append(message);
    SourceFile file = span.file();
    if (file.length() == 0 && file.lineCount() == 1) return out.toString();
    int line = span.line();
    String text = file.lineText(line);
    int column = span.column();
    int endOnLine = span.end() > span.start() && file.line(span.end() - 1) == line
        ? file.column(span.end() - 1) : column;
    if (text.length() > MAX_SHOWN) {
      // A very long line is shown as a window around the span, so one message stays readable.
      int from = Math.max(0, Math.min(column - 1 - MAX_SHOWN / 2, text.length() - MAX_SHOWN));
      String prefix = from > 0 ? "..." : "";
      int to = Math.min(text.length(), from + MAX_SHOWN);
      text = prefix + text.substring(from, to) + (to < text.length() ? "..." : "");
      column = column - from + prefix.length();
      endOnLine = Math.min(endOnLine - from + prefix.length(), text.length());
    }
    out.append('\n').append(text).append('\n');
    for (int i = 1; i < column; i++) {
      // Keep tabs so the caret lines up with the text above it.
      out.append(i - 1 < text.length() && text.charAt(i - 1) == '\t' ? '\t' : ' ');
    }
    out.append('^');
    for (int i = column; i < endOnLine; i++) out.append('~');
    return out.toString();
  }

  @Override
  public String toString() {
    return render();
  }
}
