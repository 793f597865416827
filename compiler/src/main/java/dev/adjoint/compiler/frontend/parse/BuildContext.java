package dev.adjoint.compiler.frontend.parse;

import dev.adjoint.compiler.ast.Name;
import dev.adjoint.compiler.diag.Diagnostics;
import dev.adjoint.compiler.diag.SourceFile;
import dev.adjoint.compiler.diag.Span;
import org.antlr.v4.runtime.ParserRuleContext;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.tree.TerminalNode;

/**
 * What the two builders share: the file, where to report, and how tokens become spans and
 * names. ANTLR's CharStreams index by code point, as {@link SourceFile} does, so token offsets
 * are span offsets unchanged.
 */
final class BuildContext {
  private final SourceFile source;
  private final Diagnostics diagnostics;

  BuildContext(SourceFile source, Diagnostics diagnostics) {
    this.source = source;
    this.diagnostics = diagnostics;
  }

  SourceFile source() {
    return source;
  }

  void error(Span span, String message) {
    diagnostics.error(span, message);
  }

  Span span(Token token) {
    return new Span(source, token.getStartIndex(), token.getStopIndex() + 1);
  }

  Span span(TerminalNode node) {
    return span(node.getSymbol());
  }

  /** From the first token of the rule to the last; only called on error-free subtrees. */
  Span span(ParserRuleContext ctx) {
    return new Span(source, ctx.getStart().getStartIndex(), ctx.getStop().getStopIndex() + 1);
  }

  Span span(Token first, Token last) {
    return new Span(source, first.getStartIndex(), last.getStopIndex() + 1);
  }

  Name name(TerminalNode node) {
    return new Name(node.getText(), span(node));
  }
}
