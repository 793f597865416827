package dev.adjoint.compiler.frontend;

import dev.adjoint.compiler.ast.Decl;
import dev.adjoint.compiler.ast.Expr;
import dev.adjoint.compiler.ast.Name;
import dev.adjoint.compiler.ast.Stmt;
import dev.adjoint.compiler.ast.TypeExpr;
import dev.adjoint.compiler.diag.Diagnostics;
import dev.adjoint.compiler.diag.Span;
import dev.adjoint.compiler.ir.Binary;
import dev.adjoint.compiler.ir.Dim;
import dev.adjoint.compiler.ir.Graph;
import dev.adjoint.compiler.ir.GraphBuilder;
import dev.adjoint.compiler.ir.Input;
import dev.adjoint.compiler.ir.Node;
import dev.adjoint.compiler.ir.Shape;
import dev.adjoint.compiler.ir.TensorType;
import dev.adjoint.compiler.ir.Unary;
import dev.adjoint.runtime.DType;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Type checks a program and builds its graph in one walk: every function call is inlined at the
 * types of its arguments (shape variables and {@code ...} bound by unification), so the shape
 * rules that check the program are the ones that build the graph.
 */
final class Elaborator {
  /** Inlining deeper than this is runaway mutual instantiation, not a real model. */
  private static final int MAX_CALL_DEPTH = 256;
  static final String ELLIPSIS = "...";

  final Declarations decls;
  final Diagnostics diagnostics;
  final Optional<DType> dtypeOverride;
  final boolean training;
  final GraphBuilder graph = new GraphBuilder();
  final TensorOps ops;
  final Intrinsics intrinsics;
  final IndexNotation indexNotation;
  private final Scope global;
  private final Scope preludeGlobal;
  private final Map<Decl.ConstDef, Value> constValues = new HashMap<>();
  private final Set<Decl.ConstDef> constsInProgress = new java.util.LinkedHashSet<>();
  private final Deque<Decl.Fn> callStack = new ArrayDeque<>();
  private final Deque<Span> callSites = new ArrayDeque<>();
  /** The function called at each of {@link #callSites}, as its caller named it. */
  private final Deque<String> callNames = new ArrayDeque<>();
  /** The models being instantiated, innermost first: a model among them that is met again contains itself. */
  private final Deque<Decl.Model> instantiating = new ArrayDeque<>();
  final Map<String, Node> paramNodes = new LinkedHashMap<>();
  final List<ParamSpec> paramSpecs = new ArrayList<>();
  /** The inlining path of the current call, for keying random streams per call site. */
  final Deque<String> sitePath = new ArrayDeque<>();

  Elaborator(Declarations decls, Diagnostics diagnostics, Optional<DType> dtypeOverride, boolean training) {
    this.decls = decls;
    this.diagnostics = diagnostics;
    this.dtypeOverride = dtypeOverride;
    this.training = training;
    this.ops = new TensorOps(graph, dtypeOverride.orElse(DType.F32));
    this.intrinsics = new Intrinsics(this);
    this.indexNotation = new IndexNotation(this);
    this.global = new Scope(decls.user, name -> constOf(decls.user, name));
    this.preludeGlobal = new Scope(decls.prelude, name -> constOf(decls.prelude, name));
    for (String dim : decls.dims.keySet()) global.define(dim, new Value.StaticInt(Dim.symbol(dim)));
  }

  // ---------------------------------------------------------------------------------------------
  // Whole-program checking and entry points

  /** Checks every user function and every model without integer parameters. */
  void checkAll() {
    for (Decl.ConstDef c : decls.consts.values()) {
      if (!decls.isPrelude(c.span().file())) guarded(c.span(), () -> constValue(c, global));
    }
    for (Decl.Fn fn : decls.functions.values()) {
      if (decls.isPrelude(fn.span().file())) continue;
      checkParameterNames(fn);
      int errors = diagnostics.errorCount();
      guarded(fn.span(), () -> callGeneric(fn, global, fn.name().text()));
      if (diagnostics.errorCount() == errors) checkDonation(fn, fn.name().text());
    }
    for (Decl.Model m : decls.models.values()) {
      if (decls.isPrelude(m.span().file())) continue;
      checkModelMembers(m);
      if (!m.parameters().isEmpty()) continue;
      guarded(m.span(), () -> {
        ModelInstance root = instantiate(m, "", List.of(), m.name().span());
        for (Decl.Fn fn : root.functions.values()) {
          int errors = diagnostics.errorCount();
          guarded(fn.span(), () -> callGeneric(fn, root.scope, m.name().text() + "." + fn.name().text()));
          if (diagnostics.errorCount() == errors) checkDonation(fn, m.name().text() + "." + fn.name().text());
        }
      });
    }
  }

  /** Donation is a property of an entry's graph: checked by building it, when the function is otherwise sound. */
  private void checkDonation(Decl.Fn fn, String entry) {
    if (fn.params().stream().noneMatch(Decl.Param::donated)) return;
    guarded(fn.span(), () -> entry(entry, Map.of(), fn.span()));
  }

  private void checkModelMembers(Decl.Model m) {
    Map<String, Name> seen = new HashMap<>();
    for (Name p : m.parameters()) seen.put(p.text(), p);
    for (Decl.ModelMember member : m.members()) {
      Name earlier = seen.putIfAbsent(member.name().text(), member.name());
      if (earlier != null) {
        diagnostics.error(member.name().span(), "'" + member.name().text() + "' is already declared at " + earlier.span());
      }
      if (member instanceof Decl.Fn fn) checkParameterNames(fn);
    }
  }

  private void checkParameterNames(Decl.Fn fn) {
    Set<String> seen = new HashSet<>();
    for (Decl.Param p : fn.params()) {
      if (!seen.add(p.name().text())) {
        diagnostics.error(p.name().span(), "parameter '" + p.name().text() + "' of '" + fn.name().text() + "' is declared twice");
      }
    }
  }

  /** The result of elaborating an entry point. */
  record Elaborated(Graph graph, List<ParamSpec> params) {}

  /**
   * Builds the graph of an entry: {@code name} for a top-level function, {@code Model.fn} for a
   * model's. {@code argumentTypes} fixes shape variables of the entry's signature from the actual
   * inputs; arguments it does not name keep symbolic sizes.
   */
  Elaborated entry(String name, Map<String, TensorType> argumentTypes, Span where) {
    Decl.Fn fn;
    Scope scope;
    String graphName = name;
    int dot = name.indexOf('.');
    if (dot >= 0) {
      String modelName = name.substring(0, dot);
      Decl.Model model = decls.models.get(modelName);
      if (model == null) throw new ElabError(where, "no model '" + modelName + "'" + Suggestions.hint(modelName, decls.models.keySet()));
      if (!model.parameters().isEmpty()) {
        throw new ElabError(where, "model '" + modelName + "' takes integer parameters; wrap it in a model that fixes them");
      }
      ModelInstance root = instantiate(model, "", List.of(), model.name().span());
      fn = root.functions.get(name.substring(dot + 1));
      if (fn == null) {
        throw new ElabError(where, "model '" + modelName + "' has no function '" + name.substring(dot + 1) + "'"
            + Suggestions.hint(name.substring(dot + 1), root.functions.keySet()));
      }
      scope = root.scope;
    } else {
      fn = decls.functions.get(name);
      if (fn == null) throw new ElabError(where, "no function '" + name + "'" + Suggestions.hint(name, decls.functions.keySet()));
      scope = global;
    }
    List<Node> arguments = new ArrayList<>();
    List<Value> args = new ArrayList<>();
    Signature sig = new Signature(this, fn, scope);
    for (Decl.Param p : fn.params()) {
      Value v = sig.entryArgument(p, Optional.ofNullable(argumentTypes.get(p.name().text())));
      args.add(v);
      if (v instanceof Value.Tensor t) arguments.add(t.node());
    }
    Value result = callWith(fn, scope, graphName, sig, args, fn.span());
    List<Node> outputs = new ArrayList<>();
    collectOutputs(result, outputs, fn.span());
    List<Node> params = new ArrayList<>(paramNodes.values());
    Graph graph = new Graph(graphName, arguments, params, outputs);
    List<String> donated = Donation.check(fn, graph);
    if (!donated.isEmpty()) graph = new Graph(graphName, arguments, params, outputs, donated);
    return new Elaborated(graph, List.copyOf(paramSpecs));
  }

  private void collectOutputs(Value v, List<Node> out, Span span) {
    switch (v) {
      case Value.TupleValue t -> {
        for (Value item : t.items()) collectOutputs(item, out, span);
      }
      case Value.Poison p -> throw new ElabError(span, "entry point has errors");
      default -> out.add(ops.scalar(v, ops.naturalType(v), span));
    }
  }

  /** Runs {@code body}, reporting an {@link ElabError} instead of letting it escape. */
  void guarded(Span fallback, Runnable body) {
    try {
      body.run();
    } catch (ElabError e) {
      report(e);
    }
  }

  /**
   * Reports an error. An error inside a prelude function is the caller's: it is reported at the
   * innermost call in user code, naming the function.
   */
  void report(ElabError e) {
    Span span = e.span;
    String message = e.getMessage();
    if (decls.isPrelude(span.file())) {
      var names = callNames.iterator();
      for (Span site : callSites) {
        String callee = names.next();
        if (!decls.isPrelude(site.file())) {
          span = site;
          message += " (inside '" + callee + "')";
          break;
        }
      }
    }
    diagnostics.error(span, message);
  }

  // ---------------------------------------------------------------------------------------------
  // Functions

  /** Checks a function on its own: its parameters take their declared types with rigid sizes. */
  private void callGeneric(Decl.Fn fn, Scope scope, String name) {
    Signature sig = new Signature(this, fn, scope);
    List<Value> args = new ArrayList<>();
    for (Decl.Param p : fn.params()) args.add(sig.entryArgument(p, Optional.empty()));
    callWith(fn, scope, name, sig, args, fn.span());
  }

  /** Calls a user or prelude function with evaluated arguments. */
  Value call(Decl.Fn fn, Scope definingScope, String displayName, CallArgs call) {
    if (call.anyPoison()) return Value.POISON;
    List<String> names = fn.params().stream().map(p -> p.name().text()).toList();
    int required = 0;
    while (required < fn.params().size() && fn.params().get(required).defaultValue().isEmpty()) required++;
    Map<String, Value> bound = call.bind(displayName, names, required);
    Map<String, Span> defaulted = new HashMap<>();
    for (int i = required; i < names.size(); i++) {
      if (!bound.containsKey(names.get(i))) {
        Decl.Param p = fn.params().get(i);
        if (p.defaultValue().isEmpty()) {
          throw new ElabError(call.span(), "missing argument '" + names.get(i) + "' in call to '" + displayName + "'");
        }
        bound.put(names.get(i), eval(p.defaultValue().get(), definingScope));
        Span at = p.defaultValue().get().span();
        if (!decls.isPrelude(at.file())) defaulted.put(names.get(i), at);
      }
    }
    Signature sig = new Signature(this, fn, definingScope);
    sig.bindFloat(names.stream().map(bound::get).toList());
    List<Value> args = new ArrayList<>();
    for (int i = 0; i < names.size(); i++) {
      // A default that does not fit its parameter is the signature's mistake: shown there.
      Span argSpan = defaulted.getOrDefault(names.get(i), call.spanOf(names.get(i), names));
      args.add(sig.unify(fn.params().get(i), bound.get(names.get(i)), argSpan, displayName));
    }
    sig.finishUnification(fn, args, displayName, call.span());
    return callWith(fn, definingScope, displayName, sig, args, call.span());
  }

  private Value callWith(Decl.Fn fn, Scope definingScope, String displayName, Signature sig, List<Value> args, Span site) {
    if (callStack.contains(fn)) {
      throw new ElabError(site, "recursive call to '" + displayName + "': functions cannot call themselves, "
          + "directly or through others");
    }
    if (callStack.size() >= MAX_CALL_DEPTH) {
      throw new ElabError(site, "calls nest deeper than " + MAX_CALL_DEPTH + " levels");
    }
    callStack.push(fn);
    callSites.push(site);
    callNames.push(displayName);
    sitePath.push(displayName + "@" + siteLabel(site));
    try {
      Scope body = new Scope(definingScope, null);
      sig.defineBindings(body);
      for (int i = 0; i < args.size(); i++) body.define(fn.params().get(i).name().text(), args.get(i));
      Value result = switch (fn.body()) {
        case Decl.ExprBody e -> evalGuarded(e.value(), body);
        case Decl.Block b -> block(b, body, displayName);
      };
      if (fn.returnType().isPresent() && !(result instanceof Value.Poison)) {
        result = sig.checkResult(fn.returnType().get(), result, displayName, body);
      }
      return result;
    } finally {
      callStack.pop();
      callSites.pop();
      callNames.pop();
      sitePath.pop();
    }
  }

  /** Runs {@code body}, reporting an {@link ElabError} and returning poison instead of letting it escape. */
  private Value guardedValue(java.util.function.Supplier<Value> body) {
    try {
      return body.get();
    } catch (ElabError e) {
      report(e);
      return Value.POISON;
    }
  }

  private Value evalGuarded(Expr e, Scope scope) {
    try {
      return eval(e, scope);
    } catch (ElabError err) {
      report(err);
      return Value.POISON;
    }
  }

  private Value block(Decl.Block block, Scope scope, String function) {
    Value result = null;
    for (Stmt s : block.statements()) {
      if (result != null) {
        diagnostics.error(s.span(), "statement after 'return' is never run");
        break;
      }
      switch (s) {
        case Stmt.Let let -> {
          Value v = evalGuarded(let.value(), scope);
          if (let.type().isPresent() && !(v instanceof Value.Poison)) {
            try {
              v = new Signature(this, null, scope).checkDeclared(let.type().get(), v, "'" + let.name().text() + "'", scope);
            } catch (ElabError e) {
              report(e);
              v = Value.POISON;
            }
          }
          defineLocal(scope, let.name(), v);
        }
        case Stmt.IndexLet let -> {
          Value v;
          try {
            v = indexNotation.define(let, scope);
          } catch (ElabError e) {
            report(e);
            v = Value.POISON;
          }
          defineLocal(scope, let.name(), v);
        }
        case Stmt.Return r -> result = evalGuarded(r.value(), scope);
      }
    }
    if (result == null) {
      // Shown at the closing brace, where the missing 'return' belongs.
      Span end = new Span(block.span().file(), Math.max(block.span().start(), block.span().end() - 1), block.span().end());
      throw new ElabError(end, "'" + function + "' ends without a 'return'");
    }
    return result;
  }

  private void defineLocal(Scope scope, Name name, Value v) {
    if (scope.definesHere(name.text())) {
      diagnostics.error(name.span(), "'" + name.text() + "' is already defined in this function");
    }
    scope.define(name.text(), v);
  }

  // ---------------------------------------------------------------------------------------------
  // Models

  ModelInstance instantiate(Decl.Model model, String path, List<Value> args, Span site) {
    if (args.size() != model.parameters().size()) {
      throw new ElabError(site, "model '" + model.name().text() + "' takes " + model.parameters().size()
          + " integer argument" + (model.parameters().size() == 1 ? "" : "s") + ", got " + args.size());
    }
    if (path.length() > 4096) throw new ElabError(site, "layers nest too deeply");
    instantiating.push(model);
    try {
      return instantiateMembers(model, path, args, site);
    } finally {
      instantiating.pop();
    }
  }

  private ModelInstance instantiateMembers(Decl.Model model, String path, List<Value> args, Span site) {
    Scope memberScope = new Scope(rootFor(model.span().file()), null);
    ModelInstance bound = new ModelInstance(path, model, memberScope);
    memberScope.attach(bound);
    for (int i = 0; i < args.size(); i++) {
      if (!(args.get(i) instanceof Value.StaticInt)) {
        throw new ElabError(site, "argument " + (i + 1) + " of model '" + model.name().text()
            + "' must be a compile-time integer, got " + Value.describe(args.get(i)));
      }
      memberScope.define(model.parameters().get(i).text(), args.get(i));
    }
    for (Decl.ModelMember m : model.members()) {
      switch (m) {
        // A member that fails is defined as poison, so its uses do not report it again as unknown.
        case Decl.ParamDecl p -> memberScope.define(p.name().text(), guardedValue(() -> param(bound, p)));
        case Decl.Layer l -> memberScope.define(l.name().text(), guardedValue(() -> layer(bound, l)));
        case Decl.Fn f -> {}
      }
    }
    return bound;
  }

  private Value param(ModelInstance owner, Decl.ParamDecl p) {
    String name = owner.path + p.name().text();
    TensorType type = new Signature(this, null, owner.scope).concreteType(p.type(), owner.scope, "param '" + p.name().text() + "'");
    if (!type.dtype().isFloating()) {
      throw new ElabError(p.type().span(), "param '" + p.name().text() + "' must have a floating element type, got " + type);
    }
    Node node = paramNodes.get(name);
    if (node == null) {
      node = graph.add(new Input(name, Input.Kind.PARAM, type));
      paramNodes.put(name, node);
      paramSpecs.add(Initializers.spec(this, name, type, p, owner.scope));
    }
    return new Value.Tensor(node);
  }

  private Value layer(ModelInstance owner, Decl.Layer l) {
    Decl.Model model = owner.scope.namespace.models().get(l.model().text());
    if (model == null) {
      throw new ElabError(l.model().span(), "unknown model '" + l.model().text() + "'"
          + Suggestions.hint(l.model().text(), owner.scope.namespace.models().keySet()));
    }
    if (instantiating.contains(model)) {
      List<String> chain = new ArrayList<>();
      for (var it = instantiating.descendingIterator(); it.hasNext(); ) chain.add(it.next().name().text());
      chain = chain.subList(chain.indexOf(model.name().text()), chain.size());
      throw new ElabError(l.model().span(), "model '" + model.name().text() + "' contains itself: "
          + String.join(" -> ", chain) + " -> " + model.name().text());
    }
    if (owner.path.split("\\.").length > 64) throw new ElabError(l.span(), "layers nest too deeply (is a model its own layer?)");
    List<Value> args = new ArrayList<>();
    for (Expr a : l.args()) {
      Value v = eval(a, owner.scope);
      if (!(v instanceof Value.StaticInt i) || dependsOnRunTimeSize(i.dim())) {
        throw new ElabError(a.span(), "argument " + (args.size() + 1) + " of model '" + model.name().text()
            + "' must be a compile-time integer, got " + Value.describe(v));
      }
      args.add(v);
    }
    String base = owner.path + l.name().text();
    if (l.count().isEmpty()) return new Value.LayerValue(instantiate(model, base + ".", args, l.span()));
    Value count = eval(l.count().get(), owner.scope);
    if (!(count instanceof Value.StaticInt n) || dependsOnRunTimeSize(n.dim())) {
      throw new ElabError(l.count().get().span(), "layer count must be a compile-time integer, got " + Value.describe(count));
    }
    long copies = n.dim().isConstant() ? n.dim().constant() : 1; // a symbolic count is checked with one copy
    if (copies < 1 || copies > 10_000) {
      throw new ElabError(l.count().get().span(), "layer count must be between 1 and 10000, got " + n.dim());
    }
    List<ModelInstance> instances = new ArrayList<>();
    for (int i = 0; i < copies; i++) instances.add(instantiate(model, base + "." + i + ".", args, l.span()));
    return new Value.StackValue(instances);
  }

  /** A size that involves a {@code dim}: known only when the program runs. */
  private boolean dependsOnRunTimeSize(Dim d) {
    return d.symbols().stream().anyMatch(decls.dims::containsKey);
  }

  // ---------------------------------------------------------------------------------------------
  // Names and constants

  Value lookup(Name name, Scope scope) {
    Optional<Value> local = scope.lookup(name.text());
    if (local.isPresent()) return local.get();
    Optional<DType> dtype = elementType(name.text());
    if (dtype.isPresent()) return new Value.TypeValue(dtype.get());
    if (scope.namespace.functions().containsKey(name.text()) || Intrinsics.NAMES.contains(name.text())) {
      throw new ElabError(name.span(), "function '" + name.text() + "' used as a value; call it: " + name.text() + "(...)");
    }
    Set<String> candidates = new HashSet<>(scope.visibleNames());
    throw new ElabError(name.span(), "unknown name '" + name.text() + "'" + Suggestions.hint(name.text(), candidates));
  }

  private Optional<Value> constOf(Declarations.Namespace namespace, String name) {
    Decl.ConstDef def = namespace.consts().get(name);
    if (def == null) return Optional.empty();
    return Optional.of(constValue(def, namespace.isPrelude() || decls.isPrelude(def.span().file()) ? preludeGlobal : global));
  }

  /** The scope top-level code of a file is elaborated in. */
  Scope rootFor(dev.adjoint.compiler.diag.SourceFile file) {
    return decls.isPrelude(file) ? preludeGlobal : global;
  }

  private Value constValue(Decl.ConstDef def, Scope root) {
    Value known = constValues.get(def);
    if (known != null) return known;
    String name = def.name().text();
    if (constsInProgress.contains(def)) {
      List<String> chain = new ArrayList<>();
      boolean inCycle = false;
      for (Decl.ConstDef c : constsInProgress) {
        inCycle |= c == def;
        if (inCycle) chain.add(c.name().text());
      }
      chain.add(name);
      throw new ElabError(def.name().span(), "const '" + name + "' depends on itself"
          + (chain.size() > 2 ? ": " + String.join(" -> ", chain) : ""));
    }
    constsInProgress.add(def);
    try {
      Value v = eval(def.value(), root);
      if (!(v instanceof Value.StaticInt || v instanceof Value.StaticFloat)) {
        throw new ElabError(def.value().span(), "const '" + name + "' must be a compile-time number, got " + Value.describe(v));
      }
      if (v instanceof Value.StaticInt i && !i.dim().isConstant()) {
        throw new ElabError(def.value().span(), "const '" + name + "' depends on run-time size " + i.dim()
            + "; consts are known at compile time");
      }
      constValues.put(def, v);
      return v;
    } finally {
      constsInProgress.remove(def);
    }
  }

  /** The element type a type name denotes, after {@code --dtype}. */
  Optional<DType> elementType(String name) {
    DType d = switch (name) {
      case "f32" -> DType.F32;
      case "f64" -> DType.F64;
      case "bf16" -> DType.BF16;
      case "f16" -> DType.F16;
      case "i32" -> DType.I32;
      case "bool" -> DType.BOOL;
      default -> null;
    };
    if (d == null) return Optional.empty();
    return Optional.of(d.isFloating() ? dtypeOverride.orElse(d) : d);
  }

  // ---------------------------------------------------------------------------------------------
  // Expressions

  Value eval(Expr e, Scope scope) {
    Span saved = graph.origin();
    // Nodes remember the user's source they came from: inside the prelude, the user's call.
    if (!decls.isPrelude(e.span().file()) || saved == null) graph.setOrigin(e.span());
    try {
      return evalInner(e, scope);
    } finally {
      graph.setOrigin(saved);
    }
  }

  private Value evalInner(Expr e, Scope scope) {
    return switch (e) {
      case Expr.IntLit i -> Value.StaticInt.of(i.value());
      case Expr.FloatLit f -> new Value.StaticFloat(f.value());
      case Expr.BoolLit b -> new Value.StaticBool(b.value());
      case Expr.Ref r -> indexNotation.active() ? indexNotation.ref(r, scope) : lookup(r.name(), scope);
      case Expr.Binary b -> binary(b, scope);
      case Expr.Unary u -> unary(u, scope);
      case Expr.Call c -> evalCall(c, scope);
      case Expr.Member m -> member(m, scope);
      case Expr.Index ix -> indexNotation.isIndexAccess(ix, scope) ? indexNotation.access(ix, scope) : Indexing.index(this, ix, scope);
      case Expr.Reduce r -> indexNotation.reduceExpr(r, scope);
      case Expr.ListLit l -> {
        List<Value> items = new ArrayList<>();
        for (Expr x : l.elements()) items.add(x instanceof Expr.Ellipsis ? new Value.Rest() : eval(x, scope));
        yield new Value.ListValue(items);
      }
      case Expr.Tuple t -> {
        List<Value> items = new ArrayList<>();
        for (Expr x : t.elements()) items.add(eval(x, scope));
        yield new Value.TupleValue(items);
      }
      case Expr.Ellipsis el -> throw new ElabError(el.span(), "'...' is only allowed in types and shape lists");
    };
  }

  private Value unary(Expr.Unary u, Scope scope) {
    Value x = eval(u.operand(), scope);
    if (x instanceof Value.Poison) return x;
    if (x instanceof Value.Indexed ix) {
      return indexNotation.map(List.of(ix), nodes -> new Value.Tensor(unaryNode(u, nodes.get(0), u.span())), u.span());
    }
    return switch (u.op()) {
      case NEG -> switch (x) {
        case Value.StaticInt i -> new Value.StaticInt(i.dim().negate());
        case Value.StaticFloat f -> new Value.StaticFloat(-f.value());
        case Value.Tensor t -> new Value.Tensor(unaryNode(u, t.node(), u.span()));
        default -> throw new ElabError(u.span(), "cannot negate " + Value.describe(x));
      };
      case NOT -> switch (x) {
        case Value.StaticBool b -> new Value.StaticBool(!b.value());
        case Value.Tensor t -> new Value.Tensor(unaryNode(u, t.node(), u.span()));
        default -> throw new ElabError(u.span(), "'!' needs a bool, got " + Value.describe(x));
      };
    };
  }

  private Node unaryNode(Expr.Unary u, Node x, Span span) {
    if (u.op() == Expr.UnaryOp.NOT && x.type().dtype() != DType.BOOL) {
      throw new ElabError(span, "'!' needs a bool, got " + x.type());
    }
    if (u.op() == Expr.UnaryOp.NEG && x.type().dtype() == DType.BOOL) {
      throw new ElabError(span, "cannot negate " + x.type());
    }
    return ops.unary(u.op() == Expr.UnaryOp.NEG ? Unary.Fn.NEG : Unary.Fn.NOT, x, u.op().symbol, span);
  }

  private Value binary(Expr.Binary b, Scope scope) {
    Value l = eval(b.left(), scope);
    Value r = eval(b.right(), scope);
    return binaryValues(b.op(), l, r, b.span());
  }

  Value binaryValues(Expr.BinaryOp op, Value l, Value r, Span span) {
    if (l instanceof Value.Poison || r instanceof Value.Poison) return Value.POISON;
    if (l instanceof Value.Indexed || r instanceof Value.Indexed) {
      return indexNotation.binary(op, l, r, span);
    }
    Optional<Value> folded = StaticArithmetic.fold(op, l, r, span);
    if (folded.isPresent()) return folded.get();
    if (op == Expr.BinaryOp.MATMUL) {
      return new Value.Tensor(ops.matmul(tensor(l, span), tensor(r, span), span));
    }
    Binary.Fn fn = switch (op) {
      case ADD -> Binary.Fn.ADD;
      case SUB -> Binary.Fn.SUB;
      case MUL -> Binary.Fn.MUL;
      case DIV -> Binary.Fn.DIV;
      case MOD -> Binary.Fn.MOD;
      case POW -> Binary.Fn.POW;
      case LT -> Binary.Fn.LT;
      case LE -> Binary.Fn.LE;
      case GT -> Binary.Fn.GT;
      case GE -> Binary.Fn.GE;
      case EQ -> Binary.Fn.EQ;
      case NE -> Binary.Fn.NE;
      case MATMUL -> throw new IllegalStateException();
    };
    requireOperand(l, op, span);
    requireOperand(r, op, span);
    return ops.binary(fn, l, r, op.symbol, span);
  }

  private static void requireOperand(Value v, Expr.BinaryOp op, Span span) {
    if (!(v instanceof Value.Tensor) && !TensorOps.isStatic(v)) {
      throw new ElabError(span, "'" + op.symbol + "' needs tensors or numbers, got " + Value.describe(v));
    }
  }

  /** A value that must be a tensor (statics become scalars of their natural type). */
  Node tensor(Value v, Span span) {
    if (v instanceof Value.Tensor t) return t.node();
    if (TensorOps.isStatic(v)) return ops.scalar(v, ops.naturalType(v), span);
    throw new ElabError(span, "expected a tensor, got " + Value.describe(v));
  }

  private Value member(Expr.Member m, Scope scope) {
    Value target = eval(m.target(), scope);
    if (target instanceof Value.Poison) return target;
    String name = m.member().text();
    if (target instanceof Value.LayerValue layer) {
      Optional<Value> v = layer.instance().scope.lookup(name);
      if (v.isPresent() && layer.instance().decl.members().stream().anyMatch(x -> x.name().text().equals(name))) {
        return v.get();
      }
      throw new ElabError(m.member().span(), "layer '" + layer.instance().path() + "' has no member '" + name + "'"
          + Suggestions.hint(name, layer.instance().decl.members().stream().map(x -> x.name().text()).toList()));
    }
    if (name.equals("T")) {
      if (target instanceof Value.Indexed) throw new ElabError(m.span(), "'.T' cannot be used in index notation");
      Node x = tensor(target, m.target().span());
      if (x.type().rank() < 2) throw new ElabError(m.span(), "'.T' needs at least two axes, got " + x.type());
      int r = x.type().rank();
      List<Integer> perm = new ArrayList<>();
      for (int i = 0; i < r; i++) perm.add(i);
      perm.set(r - 2, r - 1);
      perm.set(r - 1, r - 2);
      return new Value.Tensor(ops.transpose(x, perm, m.span()));
    }
    throw new ElabError(m.member().span(), Value.describe(target) + " has no member '" + name + "'");
  }

  // ---------------------------------------------------------------------------------------------
  // Calls

  private Value evalCall(Expr.Call c, Scope scope) {
    // Reads in the branches of where(...) may fall outside a tensor: the condition selects them away.
    boolean guard = indexNotation.active() && c.callee() instanceof Expr.Ref r && r.name().text().equals("where")
        && scope.lookup("where").isEmpty() && !scope.namespace.functions().containsKey("where");
    if (guard) indexNotation.enterWhere();
    try {
      return evalCallArguments(c, scope);
    } finally {
      if (guard) indexNotation.exitWhere();
    }
  }

  private Value evalCallArguments(Expr.Call c, Scope scope) {
    List<Value> positional = new ArrayList<>();
    List<Span> spans = new ArrayList<>();
    for (Expr a : c.args()) {
      positional.add(eval(a, scope));
      spans.add(a.span());
    }
    Map<String, Value> keywords = new LinkedHashMap<>();
    Map<String, Span> keywordSpans = new LinkedHashMap<>();
    for (Expr.KeywordArg k : c.keywords()) {
      keywords.put(k.name().text(), eval(k.value(), scope));
      keywordSpans.put(k.name().text(), k.span());
    }
    CallArgs args = new CallArgs(positional, spans, keywords, keywordSpans, c.span());
    if (args.anyPoison()) {
      // An argument already failed; a misspelt function name is still worth its own error.
      if (c.callee() instanceof Expr.Ref r && !isCallable(r.name().text(), scope)) throw unknownFunction(r.name(), scope);
      return Value.POISON;
    }
    return switch (c.callee()) {
      case Expr.Ref r -> callByName(r.name(), args, scope);
      case Expr.Member m -> {
        Value target = eval(m.target(), scope);
        if (target instanceof Value.Poison) yield target;
        if (!(target instanceof Value.LayerValue layer)) {
          throw new ElabError(m.span(), "only layers have functions to call; " + Value.describe(target) + " is not a layer");
        }
        yield callLayer(layer.instance(), m.member(), args);
      }
      default -> throw new ElabError(c.callee().span(), "this expression cannot be called");
    };
  }

  private Value callByName(Name name, CallArgs args, Scope scope) {
    String n = name.text();
    Optional<Value> local = scope.lookup(n);
    if (local.isPresent()) {
      return switch (local.get()) {
        case Value.LayerValue layer -> callLayer(layer.instance(), new Name("forward", name.span()), args);
        case Value.StackValue stack -> callStack(stack, args, name);
        case Value.Poison p -> p;
        default -> throw new ElabError(name.span(), "'" + n + "' is " + Value.describe(local.get()) + ", not a function");
      };
    }
    if (scope.model != null && scope.model.functions.containsKey(n)) {
      return call(scope.model.functions.get(n), scope.model.scope, n, args);
    }
    Decl.Fn fn = scope.namespace.functions().get(n);
    if (fn != null && !decls.isPrelude(fn.span().file())) return call(fn, global, n, args);
    if (Intrinsics.NAMES.contains(n)) return intrinsics.call(n, args, name.span());
    if (fn != null) return call(fn, preludeGlobal, n, args);
    if (scope.namespace.models().containsKey(n)) {
      throw new ElabError(name.span(), "'" + n + "' is a model; declare it as a layer (layer x: " + n + ") and call the layer");
    }
    throw unknownFunction(name, scope);
  }

  private boolean isCallable(String n, Scope scope) {
    return scope.lookup(n).isPresent() || (scope.model != null && scope.model.functions.containsKey(n))
        || scope.namespace.functions().containsKey(n) || Intrinsics.NAMES.contains(n)
        || scope.namespace.models().containsKey(n);
  }

  private ElabError unknownFunction(Name name, Scope scope) {
    Set<String> candidates = new HashSet<>(scope.namespace.functions().keySet());
    candidates.addAll(Intrinsics.NAMES);
    if (scope.model != null) candidates.addAll(scope.model.functions.keySet());
    return new ElabError(name.span(), "unknown function '" + name.text() + "'" + Suggestions.hint(name.text(), candidates));
  }

  private Value callLayer(ModelInstance instance, Name fnName, CallArgs args) {
    Decl.Fn fn = instance.functions.get(fnName.text());
    if (fn == null) {
      throw new ElabError(fnName.span(), "layer '" + instance.path() + "' (model " + instance.decl.name().text()
          + ") has no function '" + fnName.text() + "'" + Suggestions.hint(fnName.text(), instance.functions.keySet()));
    }
    return call(fn, instance.scope, instance.decl.name().text() + "." + fnName.text(), args);
  }

  private Value callStack(Value.StackValue stack, CallArgs args, Name name) {
    if (args.positional().isEmpty()) throw new ElabError(args.span(), "a layer stack needs at least one positional argument");
    CallArgs current = args;
    Value result = Value.POISON;
    for (ModelInstance instance : stack.instances()) {
      result = callLayer(instance, new Name("forward", name.span()), current);
      Value first = result instanceof Value.TupleValue t ? t.items().get(0) : result;
      current = current.withFirst(first);
    }
    return result;
  }

  /** A key for the random stream of the current call site, stable across runs and backends. */
  int siteKey(Span span) {
    StringBuilder key = new StringBuilder();
    for (var it = sitePath.descendingIterator(); it.hasNext(); ) key.append(it.next()).append('/');
    key.append(siteLabel(span));
    // FNV-1a: a fixed, documented hash (String.hashCode would do, but this is spelt out for CUDA).
    int h = 0x811C9DC5;
    for (byte b : key.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
      h ^= b & 0xFF;
      h *= 0x01000193;
    }
    return h;
  }

  /** File name (not path, which depends on how the compiler was invoked), line and column. */
  private static String siteLabel(Span span) {
    return java.nio.file.Path.of(span.file().path()).getFileName() + ":" + span.line() + ":" + span.column();
  }

  static String lower(DType d) {
    return d.name().toLowerCase(Locale.ROOT);
  }
}
