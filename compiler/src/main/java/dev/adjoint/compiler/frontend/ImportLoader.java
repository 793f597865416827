package dev.adjoint.compiler.frontend;

import dev.adjoint.compiler.ast.Decl;
import dev.adjoint.compiler.ast.Program;
import dev.adjoint.compiler.diag.Diagnostics;
import dev.adjoint.compiler.diag.SourceFile;
import dev.adjoint.compiler.frontend.parse.Parser;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Parses a file and, transitively, the files it imports (paths relative to the importer); rejects cycles. */
final class ImportLoader {
  private static final int MAX_FILES = 1000;
  private final Diagnostics diagnostics;
  private final Map<Path, Program> loaded = new LinkedHashMap<>();
  private final Deque<Path> inProgress = new ArrayDeque<>();

  ImportLoader(Diagnostics diagnostics) {
    this.diagnostics = diagnostics;
  }

  /** The main program first, then every imported one. */
  List<Program> loadAll(String path, String text) {
    load(Path.of(path).toAbsolutePath().normalize(), new SourceFile(path, text));
    return new ArrayList<>(loaded.values());
  }

  private void load(Path key, SourceFile source) {
    inProgress.push(key);
    Program program = Parser.parse(source, diagnostics);
    loaded.put(key, program);
    for (Decl d : program.decls()) {
      if (!(d instanceof Decl.Import imp)) continue;
      Path target;
      try {
        target = key.resolveSibling(imp.path()).normalize();
      } catch (java.nio.file.InvalidPathException e) {
        diagnostics.error(imp.pathSpan(), "cannot import '" + imp.path() + "': not a valid path (" + e.getReason() + ")");
        continue;
      }
      if (inProgress.contains(target)) {
        List<String> cycle = new ArrayList<>();
        for (var it = inProgress.descendingIterator(); it.hasNext(); ) cycle.add(it.next().getFileName().toString());
        cycle.add(target.getFileName().toString());
        diagnostics.error(imp.pathSpan(), "import cycle: " + String.join(" -> ", cycle.subList(cycle.indexOf(target.getFileName().toString()), cycle.size())));
        continue;
      }
      if (loaded.containsKey(target)) continue;
      if (loaded.size() >= MAX_FILES) {
        diagnostics.error(imp.pathSpan(), "too many imported files (more than " + MAX_FILES + ")");
        continue;
      }
      String text;
      try {
        text = Frontend.readSource(target);
      } catch (IOException | java.io.UncheckedIOException e) {
        diagnostics.error(imp.pathSpan(), "cannot import '" + imp.path() + "': " + Frontend.reason(e));
        continue;
      }
      String shown;
      try {
        shown = Path.of(source.path()).resolveSibling(imp.path()).normalize().toString();
      } catch (java.nio.file.InvalidPathException e) {
        shown = target.toString();
      }
      load(target, new SourceFile(shown, text));
    }
    inProgress.pop();
  }
}
