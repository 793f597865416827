package dev.adjoint.compiler.lower;

import dev.adjoint.compiler.kernel.KExpr;
import dev.adjoint.compiler.kernel.KStmt;
import dev.adjoint.compiler.ir.Node;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A statement list being built — a kernel's top level or a loop body — with the names it declares
 * and the values already computed in it, which every block nested inside may reuse.
 */
final class Block {
  /** A node's value at one index. */
  record Key(Node node, List<KExpr> index) {}

  final Block parent;
  final List<KStmt> statements = new ArrayList<>();
  final Set<String> declares = new HashSet<>();
  private final Map<Key, KExpr> values = new HashMap<>();

  Block(Block parent) {
    this.parent = parent;
  }

  KExpr lookup(Key key) {
    for (Block b = this; b != null; b = b.parent) {
      KExpr v = b.values.get(key);
      if (v != null) return v;
    }
    return null;
  }

  void remember(Key key, KExpr value) {
    values.put(key, value);
  }

  /** The innermost block, from this one outwards, that declares one of {@code names}; the root if none. */
  Block home(Set<String> names) {
    Block b = this;
    while (b.parent != null) {
      for (String n : names) if (b.declares.contains(n)) return b;
      b = b.parent;
    }
    return b;
  }
}
