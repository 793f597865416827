package dev.adjoint.compiler.frontend.parse;

import dev.adjoint.grammar.AdjointLexer;
import org.antlr.v4.runtime.DefaultErrorStrategy;
import org.antlr.v4.runtime.Parser;
import org.antlr.v4.runtime.RecognitionException;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.misc.ParseCancellationException;

/**
 * ANTLR's default error recovery, with one change: it never skips a keyword that begins a
 * declaration, a model member or a statement as a stray token. Those keywords are where the
 * user's intent is clearest; after `fn a() = 1 +` on one line and `fn b() = ...` on the next,
 * the default strategy would drop `fn` and read `1 + b()`, then report the `=` after it.
 * Refusing lets recovery stop at the keyword, so the next declaration parses on its own.
 *
 * <p>After {@link #MAX_SYNTAX_ERRORS} errors it gives up: a megabyte of garbage would otherwise
 * keep recovery busy for a minute, for messages no one reads (only the first hundred are shown).
 */
final class RecoveryStrategy extends DefaultErrorStrategy {
  static final int MAX_SYNTAX_ERRORS = 1000;

  @Override
  public void reportError(Parser recognizer, RecognitionException e) {
    super.reportError(recognizer, e);
    giveUpAfterTooMany(recognizer);
  }

  @Override
  protected void reportUnwantedToken(Parser recognizer) {
    super.reportUnwantedToken(recognizer);
    giveUpAfterTooMany(recognizer);
  }

  @Override
  protected void reportMissingToken(Parser recognizer) {
    super.reportMissingToken(recognizer);
    giveUpAfterTooMany(recognizer);
  }

  private static void giveUpAfterTooMany(Parser recognizer) {
    if (recognizer.getNumberOfSyntaxErrors() >= MAX_SYNTAX_ERRORS) {
      throw new ParseCancellationException("more than " + MAX_SYNTAX_ERRORS + " syntax errors");
    }
  }

  @Override
  protected Token singleTokenDeletion(Parser recognizer) {
    if (beginsSomething(recognizer.getInputStream().LA(1))) return null;
    return super.singleTokenDeletion(recognizer);
  }

  private static boolean beginsSomething(int type) {
    return switch (type) {
      case AdjointLexer.IMPORT, AdjointLexer.DIM, AdjointLexer.CONST, AdjointLexer.FN,
          AdjointLexer.MODEL, AdjointLexer.PARAM, AdjointLexer.LAYER, AdjointLexer.LET,
          AdjointLexer.RETURN -> true;
      default -> false;
    };
  }
}
