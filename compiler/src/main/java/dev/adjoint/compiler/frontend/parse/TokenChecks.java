package dev.adjoint.compiler.frontend.parse;

import dev.adjoint.compiler.diag.Diagnostics;
import dev.adjoint.compiler.diag.SourceFile;
import dev.adjoint.compiler.diag.Span;
import dev.adjoint.grammar.AdjointLexer;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.antlr.v4.runtime.Token;

/**
 * Errors found in the token stream before parsing. The lexer never fails: what it cannot lex
 * becomes an error token (see the end of Adjoint.g4), reported here in words; the parser's
 * complaint about the same token is then dropped by {@link SyntaxErrorListener}.
 */
final class TokenChecks {
  private TokenChecks() {}

  /** What the scan found that the parser must know about. */
  record Result(boolean unterminatedComment) {}

  static Result report(List<Token> tokens, SourceFile source, Diagnostics diagnostics) {
    boolean unterminatedComment = false;
    // Each non-ASCII name is reported once, where it first appears, not at every use.
    Set<String> nonAscii = new HashSet<>();
    for (int i = 0; i < tokens.size(); i++) {
      Token t = tokens.get(i);
      Span span = new Span(source, t.getStartIndex(), t.getStopIndex() + 1);
      switch (t.getType()) {
        case AdjointLexer.ERROR_CHAR -> {
          // A run of them (`&&`, `€€`) is one mistake, reported once.
          int last = i;
          while (last + 1 < tokens.size() && tokens.get(last + 1).getType() == t.getType()
              && tokens.get(last + 1).getStartIndex() == tokens.get(last).getStopIndex() + 1) {
            last++;
          }
          Span run = new Span(source, t.getStartIndex(), tokens.get(last).getStopIndex() + 1);
          diagnostics.error(run, last == i ? "unexpected character " + quoteChar(t.getText())
              : "unexpected characters '" + run.text() + "'");
          i = last;
        }
        case AdjointLexer.UNTERMINATED_STRING -> diagnostics.error(span, "unterminated string");
        case AdjointLexer.UNTERMINATED_BLOCK_COMMENT -> {
          // The comment runs to the end of the file; point at its opening '/*' only.
          diagnostics.error(new Span(source, t.getStartIndex(), t.getStartIndex() + 2),
              "unterminated block comment");
          unterminatedComment = true;
        }
        // Generated code needs ASCII names; the lexer takes any letters so that the name
        // arrives whole and can be quoted here.
        case AdjointLexer.ID -> {
          if (!t.getText().chars().allMatch(c -> c < 128) && nonAscii.add(t.getText())) {
            diagnostics.error(span, "identifier '" + t.getText()
                + "' is not ASCII: names may use only ASCII letters, digits and '_'");
          }
        }
        default -> {}
      }
    }
    return new Result(unterminatedComment);
  }

  static boolean isErrorToken(Token t) {
    return switch (t.getType()) {
      case AdjointLexer.ERROR_CHAR, AdjointLexer.UNTERMINATED_STRING,
          AdjointLexer.UNTERMINATED_BLOCK_COMMENT -> true;
      default -> false;
    };
  }

  /** A printable character in quotes; anything a terminal would not show as its code point. */
  static String quoteChar(String text) {
    int c = text.codePointAt(0);
    if (Character.isISOControl(c) || !Character.isDefined(c) || Character.isWhitespace(c)
        || Character.getType(c) == Character.FORMAT) {
      return String.format("U+%04X", c);
    }
    return c == '\'' ? "\"'\"" : "'" + text + "'";
  }
}
