package dev.adjoint.compiler.ir;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A compiled entry point: its arguments and params (input nodes, in declaration order) and its
 * results. The nodes are those reachable from the results. {@code donated} names the arguments
 * declared {@code donate}: a result written over one of them may take its buffer.
 */
public record Graph(String name, List<Node> arguments, List<Node> params, List<Node> outputs, List<String> donated) {
  public Graph {
    Objects.requireNonNull(name, "name");
    arguments = List.copyOf(arguments);
    params = List.copyOf(params);
    outputs = List.copyOf(outputs);
    donated = List.copyOf(donated);
    for (Node n : arguments) requireInput(n, Input.Kind.ARGUMENT);
    for (Node n : params) requireInput(n, Input.Kind.PARAM);
    for (String d : donated) {
      if (arguments.stream().noneMatch(a -> paramName(a).equals(d))) {
        throw new IllegalArgumentException("donated '" + d + "' is not an argument of " + name);
      }
    }
  }

  /** A graph that donates no argument. */
  public Graph(String name, List<Node> arguments, List<Node> params, List<Node> outputs) {
    this(name, arguments, params, outputs, List.of());
  }

  private static void requireInput(Node n, Input.Kind kind) {
    if (!(n.op() instanceof Input in) || in.kind() != kind) {
      throw new IllegalArgumentException("not an " + kind.name().toLowerCase() + " node: " + n);
    }
  }

  /** Nodes reachable from the outputs (and every argument and param), inputs before users. */
  public List<Node> topologicalOrder() {
    List<Node> order = new ArrayList<>();
    Set<Node> done = new HashSet<>();
    List<Node> roots = new ArrayList<>(arguments);
    roots.addAll(params);
    roots.addAll(outputs);
    for (Node root : roots) visit(root, done, order);
    return order;
  }

  // Iterative post-order: graphs of deep models would overflow the stack recursively.
  private static void visit(Node root, Set<Node> done, List<Node> order) {
    if (done.contains(root)) return;
    Deque<Node> stack = new ArrayDeque<>();
    Deque<Integer> next = new ArrayDeque<>();
    stack.push(root);
    next.push(0);
    while (!stack.isEmpty()) {
      Node n = stack.peek();
      int i = next.pop();
      if (i < n.inputs().size()) {
        next.push(i + 1);
        Node in = n.input(i);
        if (!done.contains(in)) {
          stack.push(in);
          next.push(0);
        }
      } else {
        stack.pop();
        if (done.add(n)) order.add(n);
      }
    }
  }

  public static String paramName(Node n) {
    return ((Input) n.op()).name();
  }
}
