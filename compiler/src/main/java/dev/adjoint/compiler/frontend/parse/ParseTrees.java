package dev.adjoint.compiler.frontend.parse;

import org.antlr.v4.runtime.ParserRuleContext;
import org.antlr.v4.runtime.tree.ErrorNode;
import org.antlr.v4.runtime.tree.ParseTree;

/** Questions about parse trees that ANTLR's error recovery may have left incomplete. */
final class ParseTrees {
  private ParseTrees() {}

  /**
   * Whether error recovery touched this subtree: a token it conjured or skipped (an {@link
   * ErrorNode}) or a rule it abandoned (a recorded exception, whose children may be missing).
   * The builders only walk trees without errors, so they never meet a missing child; the
   * errors themselves were already reported by the listener.
   */
  static boolean hasErrors(ParseTree tree) {
    if (tree instanceof ErrorNode) return true;
    if (tree instanceof ParserRuleContext ctx) {
      if (ctx.exception != null) return true;
      for (int i = 0; i < ctx.getChildCount(); i++) {
        if (hasErrors(ctx.getChild(i))) return true;
      }
    }
    return false;
  }
}
