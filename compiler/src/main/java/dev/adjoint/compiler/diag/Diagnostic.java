package dev.adjoint.compiler.diag;

import java.util.Objects;

/** One message about a program, located at a span. */
public record Diagnostic(Severity severity, Span span, String message) {
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
    out.append('\n').append(text).append('\n');
    int column = span.column();
    for (int i = 1; i < column; i++) {
      // Keep tabs so the caret lines up with the text above it.
      out.append(i - 1 < text.length() && text.charAt(i - 1) == '\t' ? '\t' : ' ');
    }
    int endOnLine = span.end() > span.start() && file.line(span.end() - 1) == line
        ? file.column(span.end() - 1) : column;
    out.append('^');
    for (int i = column; i < endOnLine; i++) out.append('~');
    return out.toString();
  }

  @Override
  public String toString() {
    return render();
  }
}
