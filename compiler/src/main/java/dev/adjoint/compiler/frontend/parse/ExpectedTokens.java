package dev.adjoint.compiler.frontend.parse;

import static dev.adjoint.grammar.AdjointLexer.*;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.Vocabulary;
import org.antlr.v4.runtime.misc.IntervalSet;

/**
 * Says in words what the parser expected. ANTLR's expected sets run to thirty tokens inside an
 * expression; a person wants "an expression", "an operator" or "a statement", and the one
 * token that is missing when there is one.
 */
final class ExpectedTokens {
  private ExpectedTokens() {}

  private static final Set<Integer> EXPRESSION_START =
      Set.of(INT, FLOAT, INF, TRUE, FALSE, ID, LPAREN, LBRACKET, MINUS, BANG);
  /** What may follow a complete expression to continue it. */
  private static final Set<Integer> OPERATORS = Set.of(PLUS, MINUS, STAR, SLASH, PERCENT, AT,
      CARET, LT, LE, GT, GE, EQ, NE, LPAREN, LBRACKET, DOT);
  private static final Set<Integer> DECLARATION_START = Set.of(IMPORT, DIM, CONST, FN, MODEL);
  private static final Set<Integer> MEMBER_START = Set.of(PARAM, LAYER, FN);
  private static final Set<Integer> STATEMENT_START = Set.of(LET, RETURN);
  /** Innermost first is not knowable from a set; at most one of these is ever expected. */
  private static final List<Integer> CLOSERS = List.of(RBRACE, RPAREN, RBRACKET);

  /**
   * A phrase for {@code expected}, as in "expected ')'" or "expected an expression or ')'". At
   * the end of the file the one thing worth saying is which bracket is still open. {@code
   * anExpression} names what starts with a name, a number or '(' where the parser is.
   */
  static String describe(IntervalSet expected, Vocabulary vocabulary, boolean atEndOfFile,
      String anExpression) {
    Set<Integer> left = new LinkedHashSet<>(expected.toList());
    left.remove(Token.EPSILON);
    if (atEndOfFile) {
      for (int closer : CLOSERS) {
        if (left.contains(closer)) return vocabulary.getLiteralName(closer);
      }
    }
    // ';' is an optional separator and the end of the file is always possible between
    // declarations: neither is what the user meant to write when something else fits.
    if (left.size() > 1) left.remove(SEMI);
    if (left.size() > 1) left.remove(Token.EOF);
    // 'donate' is an optional marker before an argument's type: the type is what is missing.
    if (left.size() > 1) left.remove(DONATE);
    if (left.size() == 1) return token(left.iterator().next(), vocabulary);

    List<String> categories = new ArrayList<>();
    if (left.containsAll(Set.of(INT, ID, LPAREN))) {
      categories.add(anExpression);
      left.removeAll(EXPRESSION_START);
    }
    if (left.contains(PLUS) || left.contains(STAR)) {
      categories.add("an operator");
      left.removeAll(OPERATORS);
    }
    if (left.contains(LET) || left.contains(RETURN)) {
      categories.add("a statement ('let' or 'return')");
      left.removeAll(STATEMENT_START);
    }
    if (left.contains(PARAM) || left.contains(LAYER)) {
      categories.add("a model member ('param', 'layer' or 'fn')");
      left.removeAll(MEMBER_START);
    }
    if (left.contains(MODEL) || left.contains(DIM)) {
      categories.add("a declaration ('import', 'dim', 'const', 'fn' or 'model')");
      left.removeAll(DECLARATION_START);
    }
    List<String> phrases = new ArrayList<>(categories);
    for (int type : left) phrases.add(token(type, vocabulary));
    return join(phrases);
  }

  /** How a token is named in a message: its text in quotes, or what kind of token it is. */
  static String token(int type, Vocabulary vocabulary) {
    return switch (type) {
      case Token.EOF -> "end of file";
      case ID -> "a name";
      case INT -> "an integer";
      case FLOAT -> "a number";
      case STRING -> "a string";
      default -> vocabulary.getLiteralName(type);
    };
  }

  /** Whether a token is one of the words that cannot be names (see Adjoint.g4). */
  static boolean isKeyword(int type) {
    return type >= IMPORT && type <= DONATE;
  }

  private static String join(List<String> phrases) {
    if (phrases.size() == 1) return phrases.getFirst();
    return String.join(", ", phrases.subList(0, phrases.size() - 1)) + " or " + phrases.getLast();
  }
}
