package dev.adjoint.train;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.Objects;

/**
 * The one-line training progress display:
 * <pre>
 * step 120/1000 [=====&gt;    ] loss 1.234 lr 3.1e-04 1520 tok/s ETA 0:02:31
 * </pre>
 * On a terminal ({@code interactive}) each update redraws the line in place with a carriage
 * return, padding with spaces over a longer previous line; elsewhere (a log file, CI) it prints a
 * plain line every {@code plainEvery} steps and at the last step, so logs stay readable.
 * {@link #message} prints a line of its own (an evaluation result) without breaking the bar.
 */
public final class ProgressBar {
  /** Width of the bar between the brackets. */
  public static final int BAR_WIDTH = 20;

  private final PrintWriter out;
  private final int totalSteps;
  private final boolean interactive;
  private final int plainEvery;
  private int shown;
  private boolean onBarLine;

  /**
   * @param totalSteps the step the run ends at
   * @param interactive redraw in place (a terminal) rather than print lines
   * @param plainEvery in plain mode, print every this many steps
   */
  public ProgressBar(PrintWriter out, int totalSteps, boolean interactive, int plainEvery) {
    this.out = Objects.requireNonNull(out, "out");
    if (totalSteps < 1) throw new IllegalArgumentException("total steps must be at least 1, got " + totalSteps);
    if (plainEvery < 1) throw new IllegalArgumentException("plainEvery must be at least 1, got " + plainEvery);
    this.totalSteps = totalSteps;
    this.interactive = interactive;
    this.plainEvery = plainEvery;
  }

  /** Whether standard output is a terminal, where redrawing in place works. */
  public static boolean stdoutIsTerminal() {
    java.io.Console console = System.console();
    return console != null && console.isTerminal();
  }

  /** Shows the state after {@code step}. */
  public void update(int step, double loss, double lr, double tokensPerSecond, double etaSeconds) {
    String line = render(step, totalSteps, loss, lr, tokensPerSecond, etaSeconds);
    if (interactive) {
      int pad = Math.max(0, shown - line.length());
      out.print("\r" + line + " ".repeat(pad));
      shown = line.length();
      onBarLine = true;
    } else if (step % plainEvery == 0 || step >= totalSteps) {
      out.println(line);
    }
    out.flush();
  }

  /** Prints {@code text} on a line of its own; on a terminal the bar is redrawn by the next update. */
  public void message(String text) {
    if (onBarLine) {
      out.print("\r" + " ".repeat(shown) + "\r");
      onBarLine = false;
      shown = 0;
    }
    out.println(text);
    out.flush();
  }

  /** Ends the bar's line (on a terminal), so what follows starts on a new one. */
  public void finish() {
    if (onBarLine) {
      out.println();
      onBarLine = false;
      shown = 0;
    }
    out.flush();
  }

  /** The line for {@code step}: step, bar, loss (3 decimals), lr ({@code %.1e}), tok/s, ETA. */
  public static String render(int step, int totalSteps, double loss, double lr, double tokensPerSecond,
      double etaSeconds) {
    double fraction = Math.min(1, Math.max(0, (double) step / totalSteps));
    int filled = (int) Math.floor(fraction * BAR_WIDTH);
    StringBuilder bar = new StringBuilder();
    bar.append("=".repeat(filled));
    if (filled < BAR_WIDTH) bar.append('>');
    bar.append(" ".repeat(BAR_WIDTH - bar.length()));
    String tps = Double.isFinite(tokensPerSecond) ? String.format(Locale.ROOT, "%.0f", tokensPerSecond) : "-";
    return String.format(Locale.ROOT, "step %d/%d [%s] loss %.3f lr %.1e %s tok/s ETA %s", step, totalSteps, bar, loss,
        lr, tps, Metrics.formatDuration(etaSeconds));
  }
}
