package dev.adjoint.compiler.frontend.parse;

import dev.adjoint.compiler.diag.Diagnostics;
import dev.adjoint.compiler.diag.SourceFile;
import dev.adjoint.compiler.diag.Span;
import dev.adjoint.grammar.AdjointLexer;
import dev.adjoint.grammar.AdjointParser;
import org.antlr.v4.runtime.BaseErrorListener;
import org.antlr.v4.runtime.LexerNoViableAltException;
import org.antlr.v4.runtime.Parser;
import org.antlr.v4.runtime.ParserRuleContext;
import org.antlr.v4.runtime.RecognitionException;
import org.antlr.v4.runtime.Recognizer;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.TokenStream;
import org.antlr.v4.runtime.misc.IntervalSet;

/**
 * The one error listener of both the lexer and the parser. Turns ANTLR's syntax errors into diagnostics in words: {@code unexpected 'x': expected an
 * expression}. ANTLR's own message ("mismatched input ... expecting {...}") is not used; the
 * offending token and the expected set are, both of which ANTLR hands over. Errors keep
 * ANTLR's default recovery, so one file reports all its errors.
 */
final class SyntaxErrorListener extends BaseErrorListener {
  private final SourceFile source;
  private final Diagnostics diagnostics;
  private final TokenStream tokens;
  private boolean ignoreErrorsAtEndOfFile;

  SyntaxErrorListener(SourceFile source, Diagnostics diagnostics, TokenStream tokens) {
    this.source = source;
    this.diagnostics = diagnostics;
    this.tokens = tokens;
  }

  /**
   * An unterminated comment swallowed the rest of the file; what is missing after it is the
   * comment's fault, already reported, not another error.
   */
  void ignoreErrorsAtEndOfFile() {
    ignoreErrorsAtEndOfFile = true;
  }

  @Override
  public void syntaxError(Recognizer<?, ?> recognizer, Object offendingSymbol, int line,
      int column, String antlrMessage, RecognitionException e) {
    if (e instanceof LexerNoViableAltException lexerError) {
      // Unreachable with Adjoint.g4, whose last rule takes any character, but this listener
      // serves the lexer too, and a character it cannot take is still the user's to see.
      int at = Math.min(lexerError.getStartIndex(), source.length() - 1);
      if (at < 0) return;
      diagnostics.error(new Span(source, at, Math.min(at + 1, source.length())),
          "unexpected character " + TokenChecks.quoteChar(source.slice(at, at + 1)));
      return;
    }
    if (!(offendingSymbol instanceof Token token) || !(recognizer instanceof Parser parser)) {
      return;
    }
    // Already reported by TokenChecks, in better words than "unexpected" could find.
    if (TokenChecks.isErrorToken(token)) return;
    boolean atEnd = token.getType() == Token.EOF;
    if (atEnd && ignoreErrorsAtEndOfFile) return;

    Token previous = previousToken(token);
    Token beforePrevious = previous == null ? null : previousToken(previous);
    if (previous != null && previous.getType() == AdjointLexer.DOT && beforePrevious != null
        && beforePrevious.getType() == AdjointLexer.INT
        && beforePrevious.getStopIndex() + 1 == previous.getStartIndex()) {
      // `1.` lexes as an integer and a '.', which then misses its member name.
      diagnostics.error(span(beforePrevious, previous),
          ExprBuilder.notANumber(beforePrevious.getText()));
      return;
    }

    IntervalSet expected = e != null && e.getExpectedTokens() != null
        ? e.getExpectedTokens() : parser.getExpectedTokens();
    // Inside types the parser's sets are the same tokens as for expressions; say what they
    // are there.
    ParserRuleContext rule = parser.getContext();
    // After an argument's ':' the parser is still deciding on 'donate': a type is what is missing.
    boolean typeStart = (rule instanceof AdjointParser.TypeContext
        || rule instanceof AdjointParser.ParameterContext && expected.contains(AdjointLexer.DONATE))
        && expected.contains(AdjointLexer.ID);
    boolean inSize = rule instanceof AdjointParser.DimContext
        || rule instanceof AdjointParser.DimExprContext;
    String what = typeStart ? "a type" : ExpectedTokens.describe(expected,
        parser.getVocabulary(), atEnd, inSize ? "a size" : "an expression");
    if (ExpectedTokens.isKeyword(token.getType()) && expected.contains(AdjointLexer.ID)
        && !expected.contains(AdjointLexer.INT)) {
      // `fn f(dim: int)`: where only a name fits, the user meant one and may not know the
      // word is reserved. (Where an expression fits, the keyword more likely begins the next
      // declaration after an unfinished one.)
      what += " ('" + token.getText() + "' is a keyword)";
    }
    diagnostics.error(atEnd ? endOfFile(previous) : span(token, token),
        "unexpected " + describe(token) + ": expected " + what);
  }

  private static String describe(Token token) {
    return switch (token.getType()) {
      case Token.EOF -> "end of file";
      case AdjointLexer.STRING -> "string " + token.getText();
      default -> "'" + token.getText() + "'";
    };
  }

  /**
   * Where an error at the end of the file is shown: just after the last token, where the
   * missing text would go. The end of the file itself may lie lines below it, after blank
   * lines and comments, where a caret would point at nothing.
   */
  private Span endOfFile(Token lastToken) {
    int at = lastToken == null ? 0 : lastToken.getStopIndex() + 1;
    return new Span(source, at, at);
  }

  /** The token before this one on the parser's channel, or null at the start. */
  private Token previousToken(Token token) {
    for (int i = token.getTokenIndex() - 1; i >= 0; i--) {
      Token t = tokens.get(i);
      if (t.getChannel() == Token.DEFAULT_CHANNEL) return t;
    }
    return null;
  }

  private Span span(Token first, Token last) {
    return new Span(source, first.getStartIndex(), last.getStopIndex() + 1);
  }
}
