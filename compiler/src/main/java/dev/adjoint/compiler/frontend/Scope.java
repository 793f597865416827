package dev.adjoint.compiler.frontend;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Names visible at a point: a chain of maps, innermost first. A function body's scope sits on the
 * scope where the function was defined (its model instance, or the file), never on its caller's.
 */
final class Scope {
  private final Map<String, Value> names = new HashMap<>();
  private final Scope parent;
  /** The model instance whose members are visible here, if any (set once, before use). */
  ModelInstance model;
  /** The top-level declarations this scope sees: the user's, or the prelude's alone. */
  final Declarations.Namespace namespace;
  /** Resolves top-level consts lazily at the root (they may refer to each other in any order). */
  private final java.util.function.Function<String, Optional<Value>> fallback;

  Scope(Scope parent, ModelInstance model) {
    this.parent = parent;
    this.model = model != null ? model : parent != null ? parent.model : null;
    this.namespace = parent.namespace;
    this.fallback = null;
  }

  /** A root scope over a namespace. */
  Scope(Declarations.Namespace namespace, java.util.function.Function<String, Optional<Value>> fallback) {
    this.parent = null;
    this.model = null;
    this.namespace = namespace;
    this.fallback = fallback;
  }

  /** Makes this the member scope of a model instance. */
  void attach(ModelInstance instance) {
    if (model != null) throw new IllegalStateException("scope already belongs to " + model.path());
    model = instance;
  }

  void define(String name, Value value) {
    names.put(name, value);
  }

  boolean definesHere(String name) {
    return names.containsKey(name);
  }

  Optional<Value> lookup(String name) {
    for (Scope s = this; s != null; s = s.parent) {
      Value v = s.names.get(name);
      if (v != null) return Optional.of(v);
      if (s.parent == null && s.fallback != null) return s.fallback.apply(name);
    }
    return Optional.empty();
  }

  Set<String> visibleNames() {
    Set<String> all = new TreeSet<>();
    for (Scope s = this; s != null; s = s.parent) all.addAll(s.names.keySet());
    all.addAll(namespace.consts().keySet());
    return all;
  }
}
