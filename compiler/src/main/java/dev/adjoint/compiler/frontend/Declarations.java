package dev.adjoint.compiler.frontend;

import dev.adjoint.compiler.ast.Decl;
import dev.adjoint.compiler.ast.Name;
import dev.adjoint.compiler.ast.Program;
import dev.adjoint.compiler.diag.Diagnostics;
import dev.adjoint.compiler.diag.SourceFile;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The top-level names of a program: the user's files (the main file and its imports) over the
 * prelude, which any user declaration of the same name shadows.
 */
final class Declarations {
  final Map<String, Decl.Fn> functions = new LinkedHashMap<>();
  final Map<String, Decl.Model> models = new LinkedHashMap<>();
  final Map<String, Decl.ConstDef> consts = new LinkedHashMap<>();
  final Map<String, Name> dims = new LinkedHashMap<>();
  /** What prelude code sees: the prelude alone, whatever the user declares. */
  final Namespace prelude = new Namespace(new LinkedHashMap<>(), new LinkedHashMap<>(), new LinkedHashMap<>(), true);
  /** What user code sees: the user's declarations over the prelude's. */
  final Namespace user;
  final List<Program> userPrograms;
  final Set<SourceFile> preludeFiles;

  Declarations(List<Program> user, List<Program> prelude, Diagnostics diagnostics) {
    this.userPrograms = List.copyOf(user);
    this.preludeFiles = Set.copyOf(prelude.stream().map(Program::source).toList());
    Map<String, Name> declaredAt = new LinkedHashMap<>();
    for (Program p : user) collect(p, declaredAt, diagnostics, true);
    for (Program p : prelude) collect(p, declaredAt, diagnostics, false);
    for (Program p : prelude) {
      for (Decl d : p.decls()) {
        switch (d) {
          case Decl.Fn f -> this.prelude.functions().put(f.name().text(), f);
          case Decl.Model m -> this.prelude.models().put(m.name().text(), m);
          case Decl.Const c -> c.defs().forEach(def -> this.prelude.consts().put(def.name().text(), def));
          default -> {}
        }
      }
    }
    this.user = new Namespace(functions, models, consts, false);
  }

  /** Top-level functions, models and consts visible from one side of the prelude boundary. */
  record Namespace(Map<String, Decl.Fn> functions, Map<String, Decl.Model> models,
      Map<String, Decl.ConstDef> consts, boolean isPrelude) {}

  private void collect(Program program, Map<String, Name> declaredAt, Diagnostics diagnostics, boolean user) {
    for (Decl d : program.decls()) {
      switch (d) {
        case Decl.Fn f -> declare(f.name(), declaredAt, diagnostics, user, () -> functions.put(f.name().text(), f));
        case Decl.Model m -> declare(m.name(), declaredAt, diagnostics, user, () -> models.put(m.name().text(), m));
        case Decl.Const c -> {
          for (Decl.ConstDef def : c.defs()) {
            declare(def.name(), declaredAt, diagnostics, user, () -> consts.put(def.name().text(), def));
          }
        }
        case Decl.Dim dim -> {
          for (Name n : dim.names()) declare(n, declaredAt, diagnostics, user, () -> dims.put(n.text(), n));
        }
        case Decl.Import i -> {}
      }
    }
  }

  /** Declares a name unless the user declared it already; prelude names lose silently to users'. */
  private static void declare(Name name, Map<String, Name> declaredAt, Diagnostics diagnostics, boolean user,
      Runnable put) {
    Name earlier = declaredAt.get(name.text());
    if (earlier != null) {
      if (user) {
        diagnostics.error(name.span(), "'" + name.text() + "' is already declared at " + earlier.span());
      }
      return;
    }
    declaredAt.put(name.text(), name);
    put.run();
  }

  boolean isPrelude(SourceFile file) {
    return preludeFiles.contains(file);
  }

  Set<String> allNames() {
    Set<String> all = new TreeSet<>();
    all.addAll(functions.keySet());
    all.addAll(models.keySet());
    all.addAll(consts.keySet());
    all.addAll(dims.keySet());
    return all;
  }
}
