package dev.adjoint.train;

import dev.adjoint.runtime.io.AtomicWrites;

import java.io.BufferedWriter;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalDouble;

/**
 * {@code metrics.jsonl}: one JSON object per logged step, written and flushed line by line so a
 * crash loses at most the line being written. Every line has {@code step}, {@code loss}, {@code lr}
 * and {@code tokens_per_s}; evaluation lines add {@code exact_match} (a fraction) and {@code bleu}
 * (0–100); any extra numbers follow. A non-finite number (a diverged loss) is written as
 * {@code null}, which reads back as NaN, so every line is valid JSON:
 * <pre>
 * {"step":100,"loss":1.234,"lr":3.1E-4,"tokens_per_s":1520.5}
 * {"step":200,"loss":0.91,"lr":6.2E-4,"tokens_per_s":1498.0,"exact_match":0.25,"bleu":41.7}
 * </pre>
 */
public final class MetricsLog implements Closeable {
  /**
   * One line of the log.
   *
   * @param exactMatch present on evaluation lines
   * @param bleu present on evaluation lines
   * @param extra further numbers, written after the others in this order
   */
  public record Entry(int step, double loss, double lr, double tokensPerSecond, OptionalDouble exactMatch,
      OptionalDouble bleu, Map<String, Double> extra) {
    public Entry {
      Objects.requireNonNull(exactMatch, "exactMatch");
      Objects.requireNonNull(bleu, "bleu");
      extra = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(extra));
      for (String k : extra.keySet()) {
        if (STANDARD_KEYS.contains(k)) throw new IllegalArgumentException("'" + k + "' is a standard key, not an extra");
      }
    }

    /** A training line. */
    public static Entry training(int step, double loss, double lr, double tokensPerSecond) {
      return new Entry(step, loss, lr, tokensPerSecond, OptionalDouble.empty(), OptionalDouble.empty(), Map.of());
    }

    /** An evaluation line: a training line with held-out exact match and BLEU. */
    public static Entry evaluation(int step, double loss, double lr, double tokensPerSecond, double exactMatch,
        double bleu) {
      return new Entry(step, loss, lr, tokensPerSecond, OptionalDouble.of(exactMatch), OptionalDouble.of(bleu),
          Map.of());
    }

    public boolean isEvaluation() {
      return exactMatch.isPresent();
    }

    public Entry withExtra(String key, double value) {
      Map<String, Double> more = new LinkedHashMap<>(extra);
      more.put(key, value);
      return new Entry(step, loss, lr, tokensPerSecond, exactMatch, bleu, more);
    }

    /** The JSON line, without the newline. */
    public String toJson() {
      StringBuilder out = new StringBuilder("{\"step\":").append(step);
      field(out, "loss", loss);
      field(out, "lr", lr);
      field(out, "tokens_per_s", tokensPerSecond);
      exactMatch.ifPresent(v -> field(out, "exact_match", v));
      bleu.ifPresent(v -> field(out, "bleu", v));
      extra.forEach((k, v) -> field(out, k, v));
      return out.append('}').toString();
    }

    private static void field(StringBuilder out, String key, double value) {
      out.append(',');
      FlatJson.appendString(out, key);
      out.append(':').append(Double.isFinite(value) ? Double.toString(value) : "null");
    }
  }

  private static final List<String> STANDARD_KEYS = List.of("step", "loss", "lr", "tokens_per_s", "exact_match", "bleu");

  private final Path file;
  private final BufferedWriter out;

  private MetricsLog(Path file, BufferedWriter out) {
    this.file = file;
    this.out = out;
  }

  /** A new, empty log at {@code file} (replacing any old one). */
  public static MetricsLog create(Path file) {
    return open(file, StandardOpenOption.TRUNCATE_EXISTING);
  }

  /**
   * The log of a run resumed at {@code step}: lines of later steps (logged after that checkpoint
   * by the interrupted run, and about to be logged again) and a last line cut short by a crash are
   * dropped — the file is rewritten all at once — and new lines are appended. A missing file
   * starts a new log.
   */
  public static MetricsLog resume(Path file, int step) {
    if (Files.exists(file)) {
      StringBuilder kept = new StringBuilder();
      for (String line : completeLines(file)) {
        if (line.isBlank()) continue;
        if (parseLine(file, line, 0).step() <= step) kept.append(line).append('\n');
      }
      AtomicWrites.write(file, kept.toString().getBytes(StandardCharsets.UTF_8));
    }
    return open(file, StandardOpenOption.APPEND);
  }

  private static MetricsLog open(Path file, StandardOpenOption mode) {
    try {
      return new MetricsLog(file, Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
          StandardOpenOption.WRITE, mode));
    } catch (IOException e) {
      throw new UncheckedIOException("'" + file + "': cannot write the metrics log: " + e, e);
    }
  }

  public Path file() {
    return file;
  }

  /** Appends {@code entry} as one line and flushes it. */
  public void log(Entry entry) {
    try {
      out.write(entry.toJson());
      out.write('\n');
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("'" + file + "': cannot write the metrics log: " + e, e);
    }
  }

  @Override
  public void close() {
    try {
      out.close();
    } catch (IOException e) {
      throw new UncheckedIOException("'" + file + "': cannot close the metrics log: " + e, e);
    }
  }

  /**
   * The entries of a log, in order. A last line without its newline (a write cut short) is
   * ignored; any other line that is not a metrics object is an error.
   *
   * @throws DataException naming the file and line of a bad line
   */
  public static List<Entry> read(Path file) {
    List<Entry> out = new ArrayList<>();
    List<String> lines = completeLines(file);
    for (int i = 0; i < lines.size(); i++) {
      if (!lines.get(i).isBlank()) out.add(parseLine(file, lines.get(i), i + 1));
    }
    return out;
  }

  private static List<String> completeLines(Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new DataException("'" + file + "': no such metrics log", e);
    } catch (IOException e) {
      throw new UncheckedIOException("'" + file + "': cannot read the metrics log: " + e, e);
    }
    int end = text.lastIndexOf('\n');
    if (end < 0) return List.of();
    return List.of(text.substring(0, end).split("\n", -1));
  }

  private static Entry parseLine(Path file, String line, int number) {
    String where = "'" + file + "'" + (number > 0 ? " line " + number : "") + ": ";
    Map<String, Object> fields;
    try {
      fields = FlatJson.parseObject(line);
    } catch (IllegalArgumentException e) {
      throw new DataException(where + e.getMessage(), e);
    }
    for (String key : List.of("step", "loss", "lr", "tokens_per_s")) {
      if (!fields.containsKey(key)) throw new DataException(where + "no \"" + key + "\"");
    }
    Map<String, Double> extra = new LinkedHashMap<>();
    for (Map.Entry<String, Object> f : fields.entrySet()) {
      if (!(f.getValue() instanceof Double) && f.getValue() != null) {
        throw new DataException(where + "\"" + f.getKey() + "\" is not a number");
      }
      if (!STANDARD_KEYS.contains(f.getKey())) extra.put(f.getKey(), number(fields, f.getKey()));
    }
    double step = number(fields, "step");
    if (step != Math.rint(step) || step < 0 || step > Integer.MAX_VALUE) {
      throw new DataException(where + "\"step\" is not a step number");
    }
    return new Entry((int) step, number(fields, "loss"), number(fields, "lr"), number(fields, "tokens_per_s"),
        optional(fields, "exact_match"), optional(fields, "bleu"), extra);
  }

  private static double number(Map<String, Object> fields, String key) {
    Object v = fields.get(key);
    return v == null ? Double.NaN : (Double) v;
  }

  private static OptionalDouble optional(Map<String, Object> fields, String key) {
    return fields.containsKey(key) ? OptionalDouble.of(number(fields, key)) : OptionalDouble.empty();
  }
}
