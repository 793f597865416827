package dev.adjoint.compiler.frontend;

import dev.adjoint.compiler.ast.Decl;
import dev.adjoint.compiler.diag.Span;
import dev.adjoint.compiler.ir.Graph;
import dev.adjoint.compiler.ir.Node;
import dev.adjoint.compiler.ir.UpdateSlice;
import java.util.ArrayList;
import java.util.List;

/**
 * The rule for {@code name: donate T} on an entry's argument (docs/language.md, "In-place state"):
 * the argument's buffer becomes the buffer of a result, so the argument may be used once, as the
 * target of an {@code update_slice}, whose chain of writes is returned. Any other read would see
 * the argument after it is overwritten; it is an error, not a silent copy.
 */
final class Donation {
  private Donation() {}

  /** The names of {@code fn}'s donated arguments, checked against {@code graph}. */
  static List<String> check(Decl.Fn fn, Graph graph) {
    List<String> donated = new ArrayList<>();
    List<Node> order = null;
    for (Decl.Param p : fn.params()) {
      if (!p.donated()) continue;
      String name = p.name().text();
      Node argument = graph.arguments().stream().filter(a -> Graph.paramName(a).equals(name)).findFirst().orElse(null);
      if (argument == null) {
        throw new ElabError(p.span(), "only a tensor argument can be donated; '" + name + "' is not one");
      }
      if (order == null) order = graph.topologicalOrder();
      List<Node> users = new ArrayList<>();
      for (Node n : order) {
        for (int i = 0; i < n.inputs().size(); i++) {
          if (n.input(i) != argument) continue;
          if (!(n.op() instanceof UpdateSlice) || i != 0) {
            throw new ElabError(at(n, p), "argument '" + name + "' is donated, so its buffer is overwritten by the"
                + " result; it cannot also be read here (read the updated tensor instead, or drop 'donate')");
          }
          users.add(n);
        }
      }
      if (users.size() > 1) {
        throw new ElabError(at(users.get(1), p), "argument '" + name + "' is donated and is written here a second time;"
            + " chain the writes instead: update_slice(update_slice(" + name + ", …), …)");
      }
      if (users.isEmpty() && !graph.outputs().contains(argument)) {
        throw new ElabError(p.span(), "argument '" + name + "' is donated but never written: return update_slice("
            + name + ", …) to write into its buffer");
      }
      if (!users.isEmpty() && !returned(users.get(0), order, graph)) {
        throw new ElabError(at(users.get(0), p), "argument '" + name + "' is donated, but this update of it is not"
            + " returned: return it (or a chain of update_slice over it) so the caller's buffer holds the result");
      }
      donated.add(name);
    }
    return donated;
  }

  /** Whether {@code n}, or an update_slice chain over it, is a result. */
  private static boolean returned(Node n, List<Node> order, Graph graph) {
    while (!graph.outputs().contains(n)) {
      Node next = null;
      for (Node m : order) if (m.op() instanceof UpdateSlice && m.input(0) == n) next = m;
      if (next == null) return false;
      n = next;
    }
    return true;
  }

  private static Span at(Node n, Decl.Param p) {
    return n.origin().filter(s -> s.file().equals(p.span().file())).orElse(p.span());
  }
}
