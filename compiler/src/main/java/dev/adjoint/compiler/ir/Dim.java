package dev.adjoint.compiler.ir;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The size of one axis: an integer polynomial over the run-time sizes declared with {@code dim}
 * (and shape variables of generic functions). Kept in a canonical form — a sorted map from
 * monomial to coefficient — so that equal sizes are equal objects: {@code B*T*H*Dh} and
 * {@code B*T*64} compare equal once {@code H*Dh} is folded to 64.
 */
public final class Dim implements Comparable<Dim> {
  /** Monomial (symbols joined by '*', sorted; "" for the constant term) to coefficient. */
  private final TreeMap<String, Long> terms;

  private Dim(TreeMap<String, Long> terms) {
    terms.values().removeIf(c -> c == 0L);
    this.terms = terms;
  }

  public static Dim of(long value) {
    TreeMap<String, Long> t = new TreeMap<>();
    t.put("", value);
    return new Dim(t);
  }

  public static Dim symbol(String name) {
    if (name.isEmpty() || name.contains("*")) {
      throw new IllegalArgumentException("bad dim symbol '" + name + "'");
    }
    TreeMap<String, Long> t = new TreeMap<>();
    t.put(name, 1L);
    return new Dim(t);
  }

  public boolean isConstant() {
    return terms.isEmpty() || (terms.size() == 1 && terms.containsKey(""));
  }

  /** The value of a constant dim; throws if it depends on a symbol. */
  public long constant() {
    if (!isConstant()) throw new IllegalStateException("dim " + this + " is not a constant");
    return terms.getOrDefault("", 0L);
  }

  /** The symbols this size depends on. */
  public List<String> symbols() {
    List<String> out = new ArrayList<>();
    for (String m : terms.keySet()) {
      if (m.isEmpty()) continue;
      for (String s : m.split("\\*")) if (!out.contains(s)) out.add(s);
    }
    Collections.sort(out);
    return out;
  }

  public Dim plus(Dim other) {
    TreeMap<String, Long> t = new TreeMap<>(terms);
    other.terms.forEach((m, c) -> t.merge(m, c, Math::addExact));
    return new Dim(t);
  }

  public Dim negate() {
    TreeMap<String, Long> t = new TreeMap<>();
    terms.forEach((m, c) -> t.put(m, Math.negateExact(c)));
    return new Dim(t);
  }

  public Dim minus(Dim other) {
    return plus(other.negate());
  }

  public Dim times(Dim other) {
    TreeMap<String, Long> t = new TreeMap<>();
    for (var a : terms.entrySet()) {
      for (var b : other.terms.entrySet()) {
        t.merge(multiply(a.getKey(), b.getKey()), Math.multiplyExact(a.getValue(), b.getValue()),
            Math::addExact);
      }
    }
    return new Dim(t);
  }

  /**
   * Exact division, or null when the quotient is not a polynomial with integer coefficients
   * (division by a constant that does not divide every coefficient, or by a polynomial that is
   * not a single monomial factor of every term).
   */
  public Dim dividedBy(Dim divisor) {
    if (divisor.terms.size() != 1) return divisor.equals(this) ? of(1) : null;
    var only = divisor.terms.firstEntry();
    List<String> factor = factors(only.getKey());
    long d = only.getValue();
    TreeMap<String, Long> t = new TreeMap<>();
    for (var e : terms.entrySet()) {
      if (e.getValue() % d != 0) return null;
      List<String> rest = new ArrayList<>(factors(e.getKey()));
      for (String f : factor) {
        if (!rest.remove(f)) return null;
      }
      t.put(String.join("*", rest), e.getValue() / d);
    }
    return new Dim(t);
  }

  /** Evaluates with the given sizes; throws if a symbol is unbound. */
  public long evaluate(Map<String, Long> sizes) {
    long total = 0;
    for (var e : terms.entrySet()) {
      long product = e.getValue();
      for (String s : factors(e.getKey())) {
        Long v = sizes.get(s);
        if (v == null) throw new IllegalArgumentException("size '" + s + "' is not bound");
        product = Math.multiplyExact(product, v);
      }
      total = Math.addExact(total, product);
    }
    return total;
  }

  /** Replaces symbols by other dims (used to instantiate shape variables). */
  public Dim substitute(Map<String, Dim> bindings) {
    Dim total = of(0);
    for (var e : terms.entrySet()) {
      Dim product = of(e.getValue());
      for (String s : factors(e.getKey())) {
        product = product.times(bindings.getOrDefault(s, symbol(s)));
      }
      total = total.plus(product);
    }
    return total;
  }

  private static List<String> factors(String monomial) {
    return monomial.isEmpty() ? List.of() : List.of(monomial.split("\\*"));
  }

  private static String multiply(String a, String b) {
    List<String> all = new ArrayList<>(factors(a));
    all.addAll(factors(b));
    Collections.sort(all);
    return String.join("*", all);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Dim d && terms.equals(d.terms);
  }

  @Override
  public int hashCode() {
    return terms.hashCode();
  }

  @Override
  public int compareTo(Dim o) {
    return toString().compareTo(o.toString());
  }

  /** {@code 64}, {@code T}, {@code B*T}, {@code T + 1}, {@code 2*T - 1}. */
  @Override
  public String toString() {
    if (terms.isEmpty()) return "0";
    StringBuilder out = new StringBuilder();
    // Symbolic terms first, the constant last: "T - 1" reads better than "-1 + T".
    List<Map.Entry<String, Long>> ordered = new ArrayList<>();
    terms.entrySet().stream().filter(e -> !e.getKey().isEmpty()).forEach(ordered::add);
    if (terms.containsKey("")) ordered.add(Map.entry("", terms.get("")));
    for (var e : ordered) {
      long c = e.getValue();
      String m = e.getKey();
      if (out.length() > 0) out.append(c < 0 ? " - " : " + ");
      else if (c < 0) out.append('-');
      long abs = Math.abs(c);
      if (m.isEmpty()) out.append(abs);
      else if (abs == 1) out.append(m);
      else out.append(abs).append('*').append(m);
    }
    return out.toString();
  }
}
