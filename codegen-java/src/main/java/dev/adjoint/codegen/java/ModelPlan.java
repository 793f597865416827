package dev.adjoint.codegen.java;

import dev.adjoint.compiler.Compilation;
import dev.adjoint.compiler.RunOptions;
import dev.adjoint.compiler.ast.Decl;
import dev.adjoint.compiler.autodiff.GradientException;
import dev.adjoint.compiler.diag.Span;
import dev.adjoint.compiler.frontend.Frontend;
import dev.adjoint.compiler.frontend.ParamSpec;
import dev.adjoint.compiler.ir.Dim;
import dev.adjoint.compiler.ir.Graph;
import dev.adjoint.compiler.kernel.KernelProgram;
import dev.adjoint.compiler.pipeline.Artifacts;
import dev.adjoint.compiler.pipeline.Pipeline;
import dev.adjoint.compiler.pipeline.Stage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What one generated model class holds, gathered from the compiler: the model's entry points,
 * each with its graph (arguments, results), its kernel program and, where it has one, the kernel
 * program of its gradient; and the params of every entry, in order of first use.
 *
 * @param name the model's name ({@code Encoder}), or for a file's top-level functions the file's
 *     name without its extension
 * @param file the file name of the source ({@code encoder_layer.adj})
 * @param isModel whether this is a model (else the top-level functions of a file)
 */
record ModelPlan(String name, String file, boolean isModel, List<Entry> entries, List<ParamSpec> params) {
  /**
   * One entry point.
   *
   * @param entry its name as the CLI takes it ({@code Encoder.forward})
   * @param function the function's own name ({@code forward})
   * @param gradient the program computing the results and then the gradient of every floating
   *     argument and every param (results seeded with ones), for the model's objective (see
   *     {@link #trainingEntry}) and for every other entry with a scalar floating-point result
   */
  record Entry(String entry, String function, Span span, Graph graph, KernelProgram forward,
      Optional<KernelProgram> gradient) {}

  ModelPlan {
    entries = List.copyOf(entries);
    params = List.copyOf(params);
  }

  /**
   * One plan per model of the main file that takes no integer parameters, then one for the file's
   * top-level functions if it has any.
   *
   * @throws IllegalArgumentException if a param's shape depends on a run-time size (a generated
   *     class holds params of fixed shapes)
   */
  static List<ModelPlan> of(Compilation compilation, RunOptions options) {
    Objects.requireNonNull(compilation, "compilation");
    Objects.requireNonNull(options, "options");
    String path = compilation.program().source().path();
    String file = path.substring(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
    List<ModelPlan> plans = new ArrayList<>();
    List<Decl.Fn> functions = new ArrayList<>();
    for (Decl d : compilation.program().decls()) {
      if (d instanceof Decl.Model m && m.parameters().isEmpty()) {
        List<Decl.Fn> members = new ArrayList<>();
        for (Decl.ModelMember member : m.members()) if (member instanceof Decl.Fn f) members.add(f);
        if (!members.isEmpty()) plans.add(plan(compilation, options, m.name().text() + ".", m.name().text(), file, true, members));
      } else if (d instanceof Decl.Fn f) {
        functions.add(f);
      }
    }
    if (!functions.isEmpty()) {
      String base = file.endsWith(".adj") ? file.substring(0, file.length() - ".adj".length()) : file;
      plans.add(plan(compilation, options, "", base, file, false, functions));
    }
    return plans;
  }

  private static ModelPlan plan(Compilation compilation, RunOptions options, String prefix, String name, String file,
      boolean isModel, List<Decl.Fn> functions) {
    List<Entry> entries = new ArrayList<>();
    Map<String, ParamSpec> params = new LinkedHashMap<>();
    Map<String, Artifacts> graphs = new LinkedHashMap<>();
    for (Decl.Fn f : functions) graphs.put(f.name().text(), Pipeline.forward().elaborate(compilation, prefix + f.name().text(), options));
    List<String> differentiable = new ArrayList<>();
    graphs.forEach((function, program) -> {
      if (differentiable(program.elaborated())) differentiable.add(function);
    });
    String objective = objective(differentiable);
    for (Decl.Fn f : functions) {
      String entry = prefix + f.name().text();
      Artifacts program = graphs.get(f.name().text());
      Frontend.Entry built = program.entry().orElseThrow();
      for (ParamSpec p : built.params()) {
        for (Dim d : p.type().shape().dims()) {
          if (!d.isConstant()) {
            throw new IllegalArgumentException("param '" + p.name() + "' is " + p.type() + ": a generated model class "
                + "needs params of fixed shapes, but " + d + " is a run-time size");
          }
        }
        params.putIfAbsent(p.name(), p);
      }
      KernelProgram forward = program.through(Stage.SCHEDULE).kernels();
      Optional<KernelProgram> gradient = Optional.empty();
      Graph graph = built.graph();
      boolean scalar = graph.outputs().size() == 1 && graph.outputs().get(0).type().rank() == 0;
      if (differentiable.contains(f.name().text()) && (f.name().text().equals(objective) || scalar)) {
        try {
          gradient = Optional.of(Pipeline.gradient().kernels(graph));
        } catch (GradientException e) {
          gradient = Optional.empty();
        }
      }
      entries.add(new Entry(entry, f.name().text(), f.span(), built.graph(), forward, gradient));
    }
    return new ModelPlan(name, file, isModel, entries, List.copyOf(params.values()));
  }

  /** Whether an entry has a gradient: floating-point results, and params or floating-point arguments. */
  private static boolean differentiable(Graph graph) {
    return graph.outputs().stream().allMatch(o -> o.type().dtype().isFloating())
        && (!graph.params().isEmpty() || graph.arguments().stream().anyMatch(a -> a.type().dtype().isFloating()));
  }

  /**
   * The function whose gradient {@code valueAndGrad} computes, among those that have one:
   * {@code loss}, else {@code forward}, else the only one; null if none of these.
   */
  private static String objective(List<String> differentiable) {
    for (String preferred : List.of("loss", "forward")) if (differentiable.contains(preferred)) return preferred;
    return differentiable.size() == 1 ? differentiable.get(0) : null;
  }

  /** The entry whose gradient {@code valueAndGrad} computes (see {@link #objective}). */
  Optional<Entry> trainingEntry() {
    List<Entry> withGradient = entries.stream().filter(e -> e.gradient().isPresent()).toList();
    List<String> names = withGradient.stream().map(Entry::function).toList();
    String objective = objective(names);
    return withGradient.stream().filter(e -> e.function().equals(objective)).findFirst();
  }
}
