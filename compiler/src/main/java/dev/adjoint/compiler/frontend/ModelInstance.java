package dev.adjoint.compiler.frontend;

import dev.adjoint.compiler.ast.Decl;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One use of a model: its path ({@code ""} for the entry model, {@code "encoder.0."} for a layer
 * of a stack), its integer arguments, and its members as values — params are input nodes,
 * layers are other instances.
 */
final class ModelInstance {
  final String path;
  final Decl.Model decl;
  /** Integer arguments, params and layers by member name; functions are looked up in {@link #decl}. */
  final Scope scope;
  final Map<String, Decl.Fn> functions = new LinkedHashMap<>();

  ModelInstance(String path, Decl.Model decl, Scope scope) {
    this.path = path;
    this.decl = decl;
    this.scope = scope;
    for (Decl.ModelMember m : decl.members()) {
      if (m instanceof Decl.Fn f) functions.putIfAbsent(f.name().text(), f);
    }
  }

  /** {@code attn} for {@code "attn."}; the model's name at the root. */
  String path() {
    return path.isEmpty() ? decl.name().text() : path.substring(0, path.length() - 1);
  }
}
