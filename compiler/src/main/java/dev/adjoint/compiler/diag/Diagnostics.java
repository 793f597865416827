package dev.adjoint.compiler.diag;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Collects the diagnostics of one compilation. Stages report here and carry on, so a user sees
 * every error of a file at once.
 */
public final class Diagnostics {
  /**
   * Errors kept per compilation. A file of garbage (a megabyte of '@') would otherwise yield a
   * million errors and as many copies of its longest line; the rest are counted, not kept.
   */
  public static final int MAX_ERRORS = 100;

  private final Set<Diagnostic> all = new LinkedHashSet<>();
  private int errors;
  private int dropped;

  public void error(Span span, String message) {
    add(Diagnostic.error(span, message));
  }

  public void add(Diagnostic diagnostic) {
    boolean error = diagnostic.severity() == Diagnostic.Severity.ERROR;
    if (all.contains(diagnostic)) return;
    if (error && errors >= MAX_ERRORS) {
      dropped++;
      return;
    }
    all.add(diagnostic);
    if (error) errors++;
  }

  public boolean hasErrors() {
    return errors > 0;
  }

  /** Every error reported, including those past {@link #MAX_ERRORS} that are not kept. */
  public int errorCount() {
    return errors + dropped;
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
    if (dropped > 0) {
      out.append("... and ").append(dropped).append(" more error").append(dropped == 1 ? "" : "s")
          .append(" (only the first ").append(MAX_ERRORS).append(" are shown)\n");
    }
    return out.toString();
  }
}
