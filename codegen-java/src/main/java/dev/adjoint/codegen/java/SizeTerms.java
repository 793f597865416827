package dev.adjoint.codegen.java;

import dev.adjoint.compiler.ir.Dim;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@link Dim} as the sum of its terms ({@code 2*T - 1} → {@code 2·T}, {@code -1}), so that it can be
 * printed as Java arithmetic over the run-time sizes.
 *
 * <p>{@code Dim} keeps its terms private; they are read back from its canonical text
 * ({@code B*T}, {@code T + 1}, {@code 2*T - 1}) and checked by evaluating both forms at a few points.
 */
record SizeTerms(List<Term> terms) {
  /** {@code coefficient · symbols[0] · symbols[1] · …}; no symbols for the constant term. */
  record Term(long coefficient, List<String> symbols) {}

  SizeTerms {
    terms = List.copyOf(terms);
  }

  static SizeTerms of(Dim dim) {
    String text = dim.toString();
    List<Term> terms = new ArrayList<>();
    if (!text.equals("0")) {
      int i = 0;
      long sign = 1;
      if (text.startsWith("-")) {
        sign = -1;
        i = 1;
      }
      while (true) {
        int plus = text.indexOf(" + ", i);
        int minus = text.indexOf(" - ", i);
        int end = plus < 0 ? minus : minus < 0 ? plus : Math.min(plus, minus);
        String term = text.substring(i, end < 0 ? text.length() : end);
        terms.add(term(term, sign, dim));
        if (end < 0) break;
        sign = end == minus ? -1 : 1;
        i = end + 3;
      }
    }
    SizeTerms parsed = new SizeTerms(terms);
    parsed.check(dim);
    return parsed;
  }

  private static Term term(String text, long sign, Dim dim) {
    String[] factors = text.split("\\*", -1);
    long coefficient = sign;
    List<String> symbols = new ArrayList<>();
    for (int k = 0; k < factors.length; k++) {
      String f = factors[k];
      if (k == 0 && !f.isEmpty() && f.chars().allMatch(Character::isDigit)) {
        try {
          coefficient = Math.multiplyExact(sign, Long.parseLong(f));
        } catch (NumberFormatException | ArithmeticException e) {
          throw unreadable(dim);
        }
      } else if (f.isEmpty()) {
        throw unreadable(dim);
      } else {
        symbols.add(f);
      }
    }
    return new Term(coefficient, symbols);
  }

  /** Evaluates both forms at a few points: a misread size would print wrong index arithmetic. */
  private void check(Dim dim) {
    List<String> symbols = dim.symbols();
    for (int point = 0; point < 3; point++) {
      Map<String, Long> sizes = new HashMap<>();
      for (int s = 0; s < symbols.size(); s++) sizes.put(symbols.get(s), 2L + point * 5L + s * 3L);
      long total = 0;
      for (Term t : terms) {
        long product = t.coefficient();
        for (String s : t.symbols()) {
          Long v = sizes.get(s);
          if (v == null) throw unreadable(dim);
          product *= v;
        }
        total += product;
      }
      if (total != dim.evaluate(sizes)) throw unreadable(dim);
    }
  }

  private static IllegalArgumentException unreadable(Dim dim) {
    return new IllegalArgumentException("cannot read the terms of size " + dim);
  }

  boolean isConstant() {
    return terms.stream().allMatch(t -> t.symbols().isEmpty());
  }

  /** Whether every coefficient is positive, so the size is never negative. */
  boolean nonNegative() {
    return terms.stream().allMatch(t -> t.coefficient() >= 0);
  }
}
