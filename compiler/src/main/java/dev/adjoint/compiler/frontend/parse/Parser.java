package dev.adjoint.compiler.frontend.parse;

import dev.adjoint.compiler.ast.Expr;
import dev.adjoint.compiler.ast.Program;
import dev.adjoint.compiler.diag.Diagnostics;
import dev.adjoint.compiler.diag.SourceFile;
import dev.adjoint.compiler.diag.Span;
import dev.adjoint.grammar.AdjointLexer;
import dev.adjoint.grammar.AdjointParser;
import dev.adjoint.grammar.AdjointParser.ExpressionOnlyContext;
import java.util.List;
import org.antlr.v4.runtime.CharStreams;
import org.antlr.v4.runtime.CommonTokenStream;
import org.antlr.v4.runtime.misc.ParseCancellationException;

/**
 * The front door of the front end: source text in, AST out, every syntax error reported to
 * the caller's {@link Diagnostics}. It never throws for a bad program; callers check {@link
 * Diagnostics#hasErrors()}.
 */
public final class Parser {
  private Parser() {}

  /**
   * Parses a whole file. The program holds every declaration that parsed cleanly; one that
   * needed error recovery is left out, its errors reported.
   */
  public static Program parse(SourceFile source, Diagnostics diagnostics) {
    AdjointParser parser = newParser(source, diagnostics);
    AdjointParser.ProgramContext tree;
    try {
      tree = parser.program();
    } catch (ParseCancellationException e) {
      return new Program(source, List.of()); // too many errors to go on; they are reported
    }
    return new AstBuilder(new BuildContext(source, diagnostics)).program(tree);
  }

  /**
   * Parses a single expression, for tests and tools. On a syntax error it reports it and
   * returns an empty {@link Expr.Tuple} spanning the input: a value no source text can produce
   * (a tuple has at least two elements), so it is never mistaken for a parse.
   */
  public static Expr parseExpr(SourceFile source, Diagnostics diagnostics) {
    AdjointParser parser = newParser(source, diagnostics);
    ExpressionOnlyContext tree;
    try {
      tree = parser.expressionOnly();
    } catch (ParseCancellationException e) {
      return new Expr.Tuple(List.of(), new Span(source, 0, source.length()));
    }
    if (ParseTrees.hasErrors(tree)) {
      return new Expr.Tuple(List.of(), new Span(source, 0, source.length()));
    }
    return new AstBuilder(new BuildContext(source, diagnostics)).expr(tree.expr());
  }

  private static AdjointParser newParser(SourceFile source, Diagnostics diagnostics) {
    // fromString indexes by code point, as SourceFile and Span do.
    AdjointLexer lexer = new AdjointLexer(CharStreams.fromString(source.text(), source.path()));
    CommonTokenStream tokens = new CommonTokenStream(lexer);
    // The lexer runs ahead of the parser so that the token checks know, before the parser
    // complains, which errors the lexer has already explained.
    SyntaxErrorListener listener = new SyntaxErrorListener(source, diagnostics, tokens);
    lexer.removeErrorListeners();
    lexer.addErrorListener(listener);
    tokens.fill();
    if (TokenChecks.report(tokens.getTokens(), source, diagnostics).unterminatedComment()) {
      listener.ignoreErrorsAtEndOfFile();
    }

    AdjointParser parser = new AdjointParser(tokens);
    parser.setErrorHandler(new RecoveryStrategy());
    parser.removeErrorListeners();
    parser.addErrorListener(listener);
    return parser;
  }
}
