package dev.adjoint.grammar;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.stream.Collectors;
import org.antlr.v4.runtime.CharStreams;
import org.antlr.v4.runtime.Token;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The lexer of Adjoint.g4 on its own: what each piece of text becomes. Hidden tokens
 * (whitespace, comments) are left out unless they are errors.
 */
class ParseTokensTest {

  private static String tokens(String text) {
    AdjointLexer lexer = new AdjointLexer(CharStreams.fromString(text));
    lexer.removeErrorListeners();
    List<? extends Token> all = lexer.getAllTokens();
    return all.stream()
        .filter(t -> t.getChannel() == Token.DEFAULT_CHANNEL
            || t.getType() == AdjointLexer.UNTERMINATED_BLOCK_COMMENT)
        .map(t -> AdjointLexer.VOCABULARY.getSymbolicName(t.getType()) + "(" + t.getText() + ")")
        .collect(Collectors.joining(" "));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
      3              | INT(3)
      2.5            | FLOAT(2.5)
      1e-9           | FLOAT(1e-9)
      2.5E+3         | FLOAT(2.5E+3)
      .5             | FLOAT(.5)
      inf            | INF(inf)
      # A number never ends in '.', so it leaves dots alone.
      1...           | INT(1) ELLIPSIS(...)
      1.             | INT(1) DOT(.)
      1.T            | INT(1) DOT(.) ID(T)
      x.T            | ID(x) DOT(.) ID(T)
      ...            | ELLIPSIS(...)
      # Keywords, and names that merely start like them.
      let letter     | LET(let) ID(letter)
      fn fnord       | FN(fn) ID(fnord)
      layer_norm     | ID(layer_norm)
      f32 bf16 _x1   | ID(f32) ID(bf16) ID(_x1)
      größe          | ID(größe)
      2x             | INT(2) ID(x)
      # Operators take the longest match.
      -> - >         | ARROW(->) MINUS(-) GT(>)
      <= < == = != ! | LE(<=) LT(<) EQ(==) ASSIGN(=) NE(!=) BANG(!)
      a // c\\n b    | ID(a) ID(b)
      a /* c */ b    | ID(a) ID(b)
      a /* c **/ b   | ID(a) ID(b)
      "p.adj"        | STRING("p.adj")
      # Errors are tokens too; the compiler reports them.
      "p.adj         | UNTERMINATED_STRING("p.adj)
      a /* c         | ID(a) UNTERMINATED_BLOCK_COMMENT(/* c)
      a /* c */ /* d | ID(a) UNTERMINATED_BLOCK_COMMENT(/* d)
      /*/            | UNTERMINATED_BLOCK_COMMENT(/*/)
      $              | ERROR_CHAR($)
      """)
  void lexes(String text, String expected) {
    assertEquals(expected, tokens(text.replace("\\n", "\n")));
  }
}
