package dev.adjoint.codegen.java;

import com.palantir.javapoet.CodeBlock;
import dev.adjoint.compiler.ir.Dim;
import dev.adjoint.runtime.model.Arguments;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Sizes as Java expressions over the locals a generated method bound them to: constants as
 * literals, a symbol as its local, and arithmetic over symbols in {@code long}, checked where it
 * becomes an {@code int}, so that no size overflows unnoticed.
 */
final class SizeCode {
  private SizeCode() {}

  /** The symbol a size is by itself ({@code T}), or null for a constant or arithmetic ({@code 2*T}). */
  static String singleSymbol(Dim d) {
    List<String> symbols = d.symbols();
    return symbols.size() == 1 && d.equals(Dim.symbol(symbols.get(0))) ? symbols.get(0) : null;
  }

  /** A size as an int expression: a literal, a size's local, or checked arithmetic over them. */
  static CodeBlock intValue(Dim d, Map<String, String> sizes) {
    if (d.isConstant()) return CodeBlock.of("$L", d.constant());
    String symbol = singleSymbol(d);
    if (symbol != null) return CodeBlock.of("$N", sizes.get(symbol));
    return CodeBlock.of("$T.size($L, $L)", Arguments.class, JavaNames.literal(d.toString()), longValue(d, sizes));
  }

  /** A size as long arithmetic over the sizes' locals ({@code 2L * T - 1}), so that it cannot overflow. */
  static CodeBlock longValue(Dim d, Map<String, String> sizes) {
    if (d.isConstant()) return CodeBlock.of("$L", d.constant());
    String symbol = singleSymbol(d);
    if (symbol != null) return CodeBlock.of("$N", sizes.get(symbol));
    SizeTerms terms = SizeTerms.of(d);
    CodeBlock.Builder out = CodeBlock.builder();
    boolean first = true;
    for (SizeTerms.Term t : terms.terms()) {
      long c = t.coefficient();
      if (!first) out.add(c < 0 ? " - " : " + ");
      else if (c < 0) out.add("-");
      long magnitude = Math.abs(c);
      List<CodeBlock> factors = new ArrayList<>();
      if (magnitude != 1 || t.symbols().isEmpty()) factors.add(CodeBlock.of("$LL", magnitude));
      for (String s : t.symbols()) factors.add(CodeBlock.of("$N", sizes.get(s)));
      if (magnitude == 1 && !t.symbols().isEmpty()) factors.set(0, CodeBlock.of("(long) $L", factors.get(0)));
      out.add(CodeBlock.join(factors, " * "));
      first = false;
    }
    return out.build();
  }
}
