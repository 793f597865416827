package dev.adjoint.compiler.frontend.parse;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.adjoint.compiler.ast.AstPrinter;
import dev.adjoint.compiler.ast.Expr;
import dev.adjoint.compiler.ast.Program;
import dev.adjoint.compiler.diag.Diagnostics;
import dev.adjoint.compiler.diag.SourceFile;

/** Shorthands for the parser tests: parse, insist on no errors, print. */
final class ParseTesting {
  private ParseTesting() {}

  static final String FILE = "test.adj";

  /** Parses a whole file that must have no errors. */
  static Program program(String source) {
    Diagnostics diagnostics = new Diagnostics();
    Program program = Parser.parse(new SourceFile(FILE, source), diagnostics);
    assertEquals("", diagnostics.render(), "diagnostics of\n" + source);
    return program;
  }

  /** The AST dump of a file that must have no errors. */
  static String dump(String source) {
    return AstPrinter.print(program(source));
  }

  /** Parses one expression that must have no errors. */
  static Expr expr(String source) {
    Diagnostics diagnostics = new Diagnostics();
    Expr expr = Parser.parseExpr(new SourceFile(FILE, source), diagnostics);
    assertEquals("", diagnostics.render(), "diagnostics of\n" + source);
    return expr;
  }

  /** The one-line dump of an expression that must have no errors. */
  static String printExpr(String source) {
    return AstPrinter.print(expr(source));
  }

  /** Every diagnostic of a file, rendered as the user sees them. */
  static String errors(String source) {
    Diagnostics diagnostics = new Diagnostics();
    Parser.parse(new SourceFile(FILE, source), diagnostics);
    return diagnostics.render();
  }

  /** Every diagnostic of an expression, rendered as the user sees them. */
  static String exprErrors(String source) {
    Diagnostics diagnostics = new Diagnostics();
    Parser.parseExpr(new SourceFile(FILE, source), diagnostics);
    return diagnostics.render();
  }
}
