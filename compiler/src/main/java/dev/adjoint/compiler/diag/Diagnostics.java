package dev.adjoint.compiler.diag;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Collects the diagnostics of one compilation. Stages report here and carry on, so a user sees
 * every error of a file at once.
 */
public final class Diagnostics {
  private final List<Diagnostic> all = new ArrayList<>();

  public void error(Span span, String message) {
    add(Diagnostic.error(span, message));
  }

  public void add(Diagnostic diagnostic) {
    if (!all.contains(diagnostic)) all.add(diagnostic);
  }

  public boolean hasErrors() {
    return all.stream().anyMatch(d -> d.severity() == Diagnostic.Severity.ERROR);
  }

  public int errorCount() {
    return (int) all.stream().filter(d -> d.severity() == Diagnostic.Severity.ERROR).count();
  }

  /** In source order: by file, then position; stable for messages at the same place. */
  public List<Diagnostic> sorted() {
    List<Diagnostic> copy = new ArrayList<>(all);
    copy.sort(Comparator.comparing((Diagnostic d) -> d.span().file().path())
        .thenComparingInt(d -> d.span().start()));
    return List.copyOf(copy);
  }

  /** Every diagnostic rendered, separated by newlines, in source order. */
  public String render() {
    StringBuilder out = new StringBuilder();
    for (Diagnostic d : sorted()) out.append(d.render()).append('\n');
    return out.toString();
  }
}
