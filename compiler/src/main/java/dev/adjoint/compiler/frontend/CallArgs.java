package dev.adjoint.compiler.frontend;

import dev.adjoint.compiler.diag.Span;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The evaluated arguments of one call, with where each was written. */
record CallArgs(List<Value> positional, List<Span> positionalSpans, Map<String, Value> keywords,
    Map<String, Span> keywordSpans, Span span) {

  /**
   * Matches the arguments to parameter names: positional first, then keywords. Missing ones are
   * left absent; too many, unknown or doubled ones are errors naming the function.
   */
  Map<String, Value> bind(String function, List<String> params, int required) {
    if (positional.size() > params.size()) {
      throw new ElabError(positionalSpans.get(params.size()), "too many arguments to '" + function
          + "': expected " + (required == params.size() ? "" : "at most ") + params.size()
          + ", got " + positional.size());
    }
    Map<String, Value> bound = new LinkedHashMap<>();
    for (int i = 0; i < positional.size(); i++) bound.put(params.get(i), positional.get(i));
    for (var kw : keywords.entrySet()) {
      if (!params.contains(kw.getKey())) {
        String hint = Suggestions.hint(kw.getKey(), params);
        if (hint.isEmpty()) hint = params.isEmpty() ? "; it takes no arguments" : "; its parameters are " + String.join(", ", params);
        throw new ElabError(keywordSpans.get(kw.getKey()), "'" + function + "' has no parameter '" + kw.getKey() + "'" + hint);
      }
      if (bound.containsKey(kw.getKey())) {
        throw new ElabError(keywordSpans.get(kw.getKey()), "argument '" + kw.getKey() + "' of '" + function
            + "' is given twice");
      }
      bound.put(kw.getKey(), kw.getValue());
    }
    for (int i = 0; i < required; i++) {
      if (!bound.containsKey(params.get(i))) {
        throw new ElabError(span, "missing argument '" + params.get(i) + "' in call to '" + function + "'");
      }
    }
    return bound;
  }

  Span spanOf(String param, List<String> params) {
    if (keywordSpans.containsKey(param)) return keywordSpans.get(param);
    int i = params.indexOf(param);
    return i >= 0 && i < positionalSpans.size() ? positionalSpans.get(i) : span;
  }

  Optional<Value> first() {
    return positional.isEmpty() ? Optional.empty() : Optional.of(positional.get(0));
  }

  CallArgs withFirst(Value v) {
    List<Value> p = new ArrayList<>(positional);
    p.set(0, v);
    return new CallArgs(p, positionalSpans, keywords, keywordSpans, span);
  }

  boolean anyPoison() {
    return positional.stream().anyMatch(v -> v instanceof Value.Poison)
        || keywords.values().stream().anyMatch(v -> v instanceof Value.Poison);
  }
}
