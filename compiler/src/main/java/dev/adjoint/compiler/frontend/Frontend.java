package dev.adjoint.compiler.frontend;

import dev.adjoint.compiler.ast.Decl;
import dev.adjoint.compiler.ast.Program;
import dev.adjoint.compiler.diag.CompileException;
import dev.adjoint.compiler.diag.Diagnostics;
import dev.adjoint.compiler.diag.SourceFile;
import dev.adjoint.compiler.diag.Span;
import dev.adjoint.compiler.frontend.parse.Parser;
import dev.adjoint.compiler.ir.Graph;
import dev.adjoint.compiler.ir.TensorType;
import dev.adjoint.runtime.DType;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Loads a program (its file, its imports, the prelude), checks all of it, and elaborates entry
 * points into graphs. A program with errors never gets past {@link #load}.
 */
public final class Frontend {
  private static final List<String> PRELUDE = List.of("prelude.adj", "nn.adj");
  /**
   * The largest source file read. Programs are small; a larger file is refused at once instead of
   * keeping the parser busy for minutes (its tokens and parse tree take ~100 bytes per character).
   */
  public static final long MAX_SOURCE_BYTES = 8L << 20;
  private final Program main;
  private final Declarations decls;

  private Frontend(Program main, Declarations decls) {
    this.main = main;
    this.decls = decls;
  }

  /** The result of elaborating one entry point. */
  public record Entry(Graph graph, List<ParamSpec> params) {}

  public static Frontend load(Path file) {
    Diagnostics diagnostics = new Diagnostics();
    String text;
    try {
      text = readSource(file);
    } catch (IOException | java.io.UncheckedIOException e) {
      diagnostics.error(Span.synthetic(file.toString()), "cannot read file: " + reason(e));
      throw new CompileException(diagnostics);
    }
    return loadSource(file.toString(), text, diagnostics);
  }

  public static Frontend loadSource(String path, String text) {
    return loadSource(path, text, new Diagnostics());
  }

  private static Frontend loadSource(String path, String text, Diagnostics diagnostics) {
    if (text.length() > MAX_SOURCE_BYTES) {
      diagnostics.error(Span.synthetic(path), "the program is " + text.length() + " characters long; source files are limited to "
          + MAX_SOURCE_BYTES + " bytes (" + (MAX_SOURCE_BYTES >> 20) + " MiB)");
      throw new CompileException(diagnostics);
    }
    try {
      return check(path, text, diagnostics);
    } catch (StackOverflowError e) {
      // The parser and the checker recurse on the program's nesting; a bad program never gets a stack trace.
      diagnostics.error(new Span(new SourceFile(path, text), 0, 0),
          "the program nests too deeply to compile: split its deepest expression with 'let'");
      throw new CompileException(diagnostics);
    }
  }

  private static Frontend check(String path, String text, Diagnostics diagnostics) {
    ImportLoader loader = new ImportLoader(diagnostics);
    List<Program> user = loader.loadAll(path, text);
    if (diagnostics.hasErrors()) throw new CompileException(diagnostics);
    List<Program> prelude = new ArrayList<>();
    for (String name : PRELUDE) prelude.add(Parser.parse(preludeSource(name), diagnostics));
    Declarations decls = new Declarations(user, prelude, diagnostics);
    if (!diagnostics.hasErrors()) new Elaborator(decls, diagnostics, Optional.empty(), false).checkAll();
    if (diagnostics.hasErrors()) throw new CompileException(diagnostics);
    return new Frontend(user.get(0), decls);
  }

  static SourceFile preludeSource(String name) {
    try (InputStream in = Frontend.class.getResourceAsStream("/dev/adjoint/compiler/prelude/" + name)) {
      if (in == null) throw new IllegalStateException("prelude resource " + name + " is missing from the compiler jar");
      return new SourceFile("<prelude>/" + name, new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new IllegalStateException("cannot read prelude " + name, e);
    }
  }

  /** The text of a source file, refusing one over {@link #MAX_SOURCE_BYTES} before reading it. */
  static String readSource(Path file) throws IOException {
    if (Files.isRegularFile(file) && Files.size(file) > MAX_SOURCE_BYTES) {
      throw new TooLarge("it is " + Files.size(file) + " bytes long; source files are limited to "
          + MAX_SOURCE_BYTES + " bytes (" + (MAX_SOURCE_BYTES >> 20) + " MiB)");
    }
    return Files.readString(file, StandardCharsets.UTF_8);
  }

  /** A source file over {@link #MAX_SOURCE_BYTES}; its message is the reason as shown. */
  static final class TooLarge extends IOException {
    private static final long serialVersionUID = 1L;

    TooLarge(String message) {
      super(message);
    }
  }

  static String reason(Exception e) {
    if (e instanceof TooLarge) return e.getMessage();
    if (e instanceof java.nio.file.NoSuchFileException) return "no such file";
    if (e instanceof java.nio.file.AccessDeniedException) return "permission denied";
    if (e instanceof java.nio.charset.CharacterCodingException || e instanceof java.io.UncheckedIOException) {
      return "not valid UTF-8";
    }
    if (e instanceof java.nio.file.FileSystemException fs && fs.getReason() != null) return fs.getReason();
    if (e.getMessage() != null && !e.getMessage().isBlank()) return e.getMessage().toLowerCase(java.util.Locale.ROOT);
    return e.getClass().getSimpleName().replace("Exception", "").toLowerCase(java.util.Locale.ROOT);
  }

  public Program mainProgram() {
    return main;
  }

  /** The main program, then every program it imports, transitively. */
  public List<Program> userPrograms() {
    return decls.userPrograms;
  }

  /** Entry points of the main file: its top-level functions and its models' functions. */
  public List<String> entryPoints() {
    List<String> out = new ArrayList<>();
    for (Decl d : main.decls()) {
      switch (d) {
        case Decl.Fn f -> out.add(f.name().text());
        case Decl.Model m -> {
          if (!m.parameters().isEmpty()) continue;
          for (Decl.ModelMember member : m.members()) {
            if (member instanceof Decl.Fn f) out.add(m.name().text() + "." + f.name().text());
          }
        }
        default -> {}
      }
    }
    return out;
  }

  /** The only model's {@code forward}, else the only top-level function. */
  public String defaultEntry() {
    List<String> models = new ArrayList<>();
    List<String> functions = new ArrayList<>();
    for (Decl d : main.decls()) {
      if (d instanceof Decl.Model m && m.parameters().isEmpty()) models.add(m.name().text());
      if (d instanceof Decl.Fn f) functions.add(f.name().text());
    }
    if (models.size() == 1 && entryPoints().contains(models.get(0) + ".forward")) return models.get(0) + ".forward";
    if (models.isEmpty() && functions.size() == 1) return functions.get(0);
    throw new IllegalArgumentException("cannot choose an entry point: pass --entry with one of "
        + String.join(", ", entryPoints()));
  }

  public Entry entry(String name, Optional<DType> dtype, boolean training, Map<String, TensorType> argumentTypes) {
    Diagnostics diagnostics = new Diagnostics();
    Elaborator elab = new Elaborator(decls, diagnostics, dtype, training);
    Elaborator.Elaborated result = null;
    try {
      result = elab.entry(name, argumentTypes, Span.synthetic("--entry " + name));
    } catch (ElabError e) {
      if (e.span.file().length() == 0) throw new IllegalArgumentException(e.getMessage());
      elab.report(e);
    }
    if (diagnostics.hasErrors() || result == null) throw new CompileException(diagnostics);
    return new Entry(result.graph(), result.params());
  }

  /** " (did you mean 'x'?)" for a misspelt name, or "". */
  public static String suggest(String wrong, Collection<String> candidates) {
    return Suggestions.hint(wrong, candidates);
  }
}
