package dev.adjoint.maven;

import dev.adjoint.compiler.Compilation;
import dev.adjoint.compiler.diag.CompileException;
import dev.adjoint.compiler.diag.Diagnostic;
import dev.adjoint.runtime.io.AtomicWrites;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.maven.plugin.logging.Log;

/**
 * One run of the plugin over a source directory, free of Maven's lifecycle so that it can be tested
 * on its own: scan, skip what is up to date, compile the rest, write what changed, delete what is no
 * longer generated, remember it all. Every error of every file is collected; none stops the others.
 * An instance holds no state between runs, so builds of several modules can run it at once.
 */
final class Generation {
  /** Where to read, what to write and where; {@code stateFile} is under {@code target/}. */
  record Settings(Path sourceDirectory, SourcePatterns patterns, Optional<String> packageName, Set<CodeTarget> targets,
      Path javaOutput, Path cudaOutput, Path stateFile, String generatorStamp) {
    Settings {
      Objects.requireNonNull(sourceDirectory, "sourceDirectory");
      Objects.requireNonNull(patterns, "patterns");
      Objects.requireNonNull(packageName, "packageName");
      targets = Set.copyOf(targets);
      Objects.requireNonNull(javaOutput, "javaOutput");
      Objects.requireNonNull(cudaOutput, "cudaOutput");
      Objects.requireNonNull(stateFile, "stateFile");
      Objects.requireNonNull(generatorStamp, "generatorStamp");
    }

    Path outputDirectory(GeneratedFile.Kind kind) {
      return kind == GeneratedFile.Kind.JAVA ? javaOutput : cudaOutput;
    }
  }

  /**
   * What a run did: the sources it found, compiled and skipped, the files it wrote (content that changed)
   * and deleted, and every error, each rendered as {@code file:line:col: error: message} with its source line.
   */
  record Outcome(int sources, int compiled, int upToDate, int written, int deleted, List<String> errors,
      int errorCount, int filesWithErrors) {
    Outcome {
      errors = List.copyOf(errors);
    }

    boolean failed() {
      return !errors.isEmpty();
    }
  }

  private final Log log;

  Generation(Log log) {
    this.log = Objects.requireNonNull(log, "log");
  }

  /** Type-checks every source, writes nothing. */
  Outcome check(Path sourceDirectory, SourcePatterns patterns) {
    List<Path> sources = SourceScanner.scan(sourceDirectory, patterns);
    Counts counts = new Counts();
    for (Path source : sources) {
      log.debug("Adjoint: checking " + source);
      try {
        Compilation.compile(source.toAbsolutePath());
      } catch (CompileException e) {
        counts.failFile(rendered(e), e.diagnostics().errorCount());
      }
    }
    return new Outcome(sources.size(), sources.size(), 0, 0, 0, counts.errors, counts.errorCount, counts.failedFiles);
  }

  /** Generates what is out of date; see the class comment. */
  Outcome generate(Settings settings) {
    List<Path> sources = SourceScanner.scan(settings.sourceDirectory(), settings.patterns()).stream()
        .map(p -> p.toAbsolutePath().normalize()).toList();
    BuildState state = BuildState.load(settings.stateFile());
    Counts counts = new Counts();

    // A source that is gone takes its generated files with it.
    for (Path old : List.copyOf(state.entries().keySet())) {
      if (!sources.contains(old)) {
        deleteOutputs(settings, state.get(old).outputs(), Set.of(), counts);
        state.remove(old);
      }
    }

    // Which source generates each output, to refuse two models writing the same class.
    Map<BuildState.Output, Path> claimed = new HashMap<>();
    List<Stale> stale = new ArrayList<>();
    for (Path source : sources) {
      String relative = SourceScanner.relative(settings.sourceDirectory().toAbsolutePath().normalize(), source);
      String packageName;
      try {
        packageName = PackageNames.packageFor(relative, settings.packageName());
      } catch (IllegalArgumentException e) {
        counts.fail(source + ": error: " + e.getMessage());
        continue;
      }
      // The package is kept readable in the state; the rest of what shapes the output is hashed.
      String settingsKey = packageName + " " + ContentHash.ofText(settings.generatorStamp() + "\ntargets "
          + settings.targets().stream().map(CodeTarget::label).sorted().collect(Collectors.joining(",")));
      BuildState.Entry entry = state.get(source);
      if (entry != null && upToDate(entry, settingsKey, settings)) {
        log.debug("Adjoint: up to date: " + source);
        for (BuildState.Output o : entry.outputs()) claimed.put(o, source);
        counts.upToDate++;
      } else {
        stale.add(new Stale(source, packageName, settingsKey));
      }
    }

    for (Stale next : stale) {
      Path source = next.source();
      String packageName = next.packageName();
      String key = next.settingsKey();
      BuildState.Entry previous = state.get(source);
      state.remove(source);
      List<BuildState.Output> previousOutputs = previous == null ? List.of() : previous.outputs();
      log.debug("Adjoint: compiling " + source);
      counts.compiled++;
      Compilation compilation;
      List<GeneratedFile> files;
      try {
        compilation = Compilation.compile(source);
        files = ModelSources.generate(compilation, packageName, settings.targets());
      } catch (CompileException e) {
        // A broken model leaves no classes behind that would compile against its last good version.
        deleteOutputs(settings, previousOutputs, claimed.keySet(), counts);
        counts.failFile(rendered(e), e.diagnostics().errorCount());
        continue;
      }
      List<BuildState.Output> outputs = new ArrayList<>();
      List<String> clashes = new ArrayList<>();
      for (GeneratedFile f : files) {
        BuildState.Output o = new BuildState.Output(f.kind(), f.relativePath());
        Path other = claimed.get(o);
        if (other != null) {
          clashes.add(source + ": error: generates " + f.relativePath() + ", which " + other
              + " generates too; give one of them another package or rename its model");
        }
        outputs.add(o);
      }
      if (!clashes.isEmpty()) {
        deleteOutputs(settings, previousOutputs, claimed.keySet(), counts);
        counts.failFile(clashes, clashes.size());
        continue;
      }
      for (GeneratedFile f : files) {
        claimed.put(new BuildState.Output(f.kind(), f.relativePath()), source);
        if (writeIfChanged(settings.outputDirectory(f.kind()).resolve(f.relativePath()), f.content())) counts.written++;
      }
      List<BuildState.Output> dropped = new ArrayList<>(previousOutputs);
      dropped.removeAll(outputs);
      deleteOutputs(settings, dropped, claimed.keySet(), counts);
      Map<Path, String> inputs = new LinkedHashMap<>();
      for (Path read : compilation.sourceFiles()) inputs.put(read, ContentHash.ofFile(read));
      state.put(source, new BuildState.Entry(key, inputs, outputs));
    }
    state.save(settings.stateFile());
    return new Outcome(sources.size(), counts.compiled, counts.upToDate, counts.written, counts.deleted, counts.errors,
        counts.errorCount, counts.failedFiles);
  }

  /** A source to compile, with the package of its classes and the settings it is compiled with. */
  private record Stale(Path source, String packageName, String settingsKey) {}

  private static boolean upToDate(BuildState.Entry entry, String settingsKey, Settings settings) {
    if (!entry.settings().equals(settingsKey)) return false;
    for (Map.Entry<Path, String> input : entry.inputs().entrySet()) {
      if (!ContentHash.ofFile(input.getKey()).equals(input.getValue())) return false;
    }
    for (BuildState.Output o : entry.outputs()) {
      if (!Files.isRegularFile(settings.outputDirectory(o.kind()).resolve(o.relativePath()))) return false;
    }
    return true;
  }

  /** Writes a file unless it already holds these bytes, so that unchanged classes keep their time stamps. */
  private static boolean writeIfChanged(Path file, byte[] content) {
    try {
      if (Files.isRegularFile(file) && java.util.Arrays.equals(Files.readAllBytes(file), content)) return false;
      Files.createDirectories(file.getParent());
    } catch (IOException e) {
      throw new UncheckedIOException(new IOException("cannot write " + file + ": " + e.getMessage(), e));
    }
    AtomicWrites.write(file, content);
    return true;
  }

  private void deleteOutputs(Settings settings, List<BuildState.Output> outputs, Set<BuildState.Output> keep,
      Counts counts) {
    for (BuildState.Output o : outputs) {
      if (keep.contains(o)) continue;
      Path file = settings.outputDirectory(o.kind()).resolve(o.relativePath());
      try {
        if (Files.deleteIfExists(file)) {
          log.debug("Adjoint: deleted " + file + ", which is no longer generated");
          counts.deleted++;
        }
      } catch (IOException e) {
        throw new UncheckedIOException(new IOException("cannot delete " + file + ": " + e.getMessage(), e));
      }
    }
  }

  /** Every diagnostic of a failed compilation, in source order, then how many were not kept. */
  static List<String> rendered(CompileException e) {
    List<String> out = new ArrayList<>();
    for (Diagnostic d : e.diagnostics().sorted()) out.add(d.render());
    int dropped = e.diagnostics().errorCount() - (int) e.diagnostics().sorted().stream()
        .filter(d -> d.severity() == Diagnostic.Severity.ERROR).count();
    if (dropped > 0) out.add("... and " + dropped + " more error" + (dropped == 1 ? "" : "s") + " in this file");
    return out;
  }

  private static final class Counts {
    int compiled;
    int upToDate;
    int written;
    int deleted;
    int failedFiles;
    int errorCount;
    final List<String> errors = new ArrayList<>();

    void fail(String error) {
      failFile(List.of(error), 1);
    }

    /** A file's errors as shown, and how many there were (more than shown past the compiler's limit). */
    void failFile(List<String> shown, int count) {
      errors.addAll(shown);
      errorCount += count;
      failedFiles++;
    }
  }
}
