package dev.adjoint.maven;

import dev.adjoint.runtime.io.AtomicWrites;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What the last build generated, kept under {@code target/}: for each {@code .adj} file, the hash of
 * the settings it was generated with, the hash of every file it read (itself and its imports) and the
 * files it wrote. A source is up to date when all of that still holds, so an unchanged source is not
 * compiled again, and an edited import recompiles every file that imports it.
 *
 * <p>The file is text, one line per fact, so that a puzzled user can read it; an unreadable or
 * foreign one is treated as empty (everything is generated again), never as an error.
 */
final class BuildState {
  private static final String HEADER = "# adjoint-maven-plugin build state v1: delete this file to generate everything again";

  /** One generated output, below the Java or the CUDA output directory. */
  record Output(GeneratedFile.Kind kind, String relativePath) {
    Output {
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(relativePath, "relativePath");
    }
  }

  /** What one source was generated from and into. */
  record Entry(String settings, Map<Path, String> inputs, List<Output> outputs) {
    Entry {
      Objects.requireNonNull(settings, "settings");
      inputs = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(inputs));
      outputs = List.copyOf(outputs);
    }
  }

  private final Map<Path, Entry> entries;

  private BuildState(Map<Path, Entry> entries) {
    this.entries = entries;
  }

  static BuildState empty() {
    return new BuildState(new TreeMap<>());
  }

  Map<Path, Entry> entries() {
    return java.util.Collections.unmodifiableMap(entries);
  }

  Entry get(Path source) {
    return entries.get(source);
  }

  void put(Path source, Entry entry) {
    entries.put(source, entry);
  }

  void remove(Path source) {
    entries.remove(source);
  }

  /** The state in {@code file}, or an empty one when it is missing, unreadable or not in this format. */
  static BuildState load(Path file) {
    if (!Files.isRegularFile(file)) return empty();
    try {
      List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
      if (lines.isEmpty() || !lines.get(0).equals(HEADER)) return empty();
      Map<Path, Entry> out = new TreeMap<>();
      Path source = null;
      String settings = null;
      Map<Path, String> inputs = new LinkedHashMap<>();
      List<Output> outputs = new ArrayList<>();
      for (String line : lines.subList(1, lines.size())) {
        String[] f = line.split(" ", 3);
        switch (f[0]) {
          case "source" -> {
            if (source != null) out.put(source, new Entry(settings, inputs, outputs));
            source = Path.of(line.substring("source ".length()));
            settings = null;
            inputs = new LinkedHashMap<>();
            outputs = new ArrayList<>();
          }
          case "settings" -> settings = line.substring("settings ".length());
          case "input" -> inputs.put(Path.of(f[2]), f[1]);
          case "output" -> outputs.add(new Output(GeneratedFile.Kind.valueOf(f[1]), f[2]));
          default -> {
            return empty();
          }
        }
        if (settings == null && !f[0].equals("source") && !f[0].equals("settings")) return empty();
      }
      if (source != null) out.put(source, new Entry(settings, inputs, outputs));
      return new BuildState(out);
    } catch (IOException | RuntimeException e) {
      // ArrayIndexOutOfBounds, IllegalArgument, InvalidPath: a damaged file means "generate again".
      return empty();
    }
  }

  /** Writes the state atomically (a killed build leaves the old state or the new one). */
  void save(Path file) {
    StringBuilder out = new StringBuilder(HEADER).append('\n');
    for (Map.Entry<Path, Entry> e : entries.entrySet()) {
      out.append("source ").append(e.getKey()).append('\n');
      out.append("settings ").append(e.getValue().settings()).append('\n');
      e.getValue().inputs().forEach((path, hash) -> out.append("input ").append(hash).append(' ').append(path).append('\n'));
      for (Output o : e.getValue().outputs()) {
        out.append("output ").append(o.kind()).append(' ').append(o.relativePath()).append('\n');
      }
    }
    try {
      Files.createDirectories(file.getParent());
    } catch (IOException | InvalidPathException e) {
      throw new UncheckedIOException(new IOException("cannot create " + file.getParent() + ": " + e.getMessage(), e));
    }
    AtomicWrites.write(file, out.toString().getBytes(StandardCharsets.UTF_8));
  }
}
