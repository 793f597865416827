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
import dev.adjoint.compiler.lower.Fusion;
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
   *     argument and every param (results seeded with ones), if the entry has a gradient
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
    for (Decl.Fn f : functions) {
      String entry = prefix + f.name().text();
      Frontend.Entry built = compilation.graph(entry, options, Map.of());
      for (ParamSpec p : built.params()) {
        for (Dim d : p.type().shape().dims()) {
          if (!d.isConstant()) {
            throw new IllegalArgumentException("param '" + p.name() + "' is " + p.type() + ": a generated model class "
                + "needs params of fixed shapes, but " + d + " is a run-time size");
          }
        }
        params.putIfAbsent(p.name(), p);
      }
      KernelProgram forward = Fusion.lower(built.graph());
      Optional<KernelProgram> gradient;
      boolean differentiable = built.graph().outputs().stream().allMatch(o -> o.type().dtype().isFloating())
          && (!built.graph().params().isEmpty()
              || built.graph().arguments().stream().anyMatch(a -> a.type().dtype().isFloating()));
      try {
        gradient = differentiable ? Optional.of(Fusion.lower(compilation.gradientGraph(entry, options, false)))
            : Optional.empty();
      } catch (GradientException e) {
        gradient = Optional.empty();
      }
      entries.add(new Entry(entry, f.name().text(), f.span(), built.graph(), forward, gradient));
    }
    return new ModelPlan(name, file, isModel, entries, List.copyOf(params.values()));
  }

  /**
   * The entry whose gradient {@code valueAndGrad} computes: {@code loss} if it has one, else
   * {@code forward}, else the only entry with a gradient.
   */
  Optional<Entry> trainingEntry() {
    List<Entry> withGradient = entries.stream().filter(e -> e.gradient().isPresent()).toList();
    for (String preferred : List.of("loss", "forward")) {
      for (Entry e : withGradient) if (e.function().equals(preferred)) return Optional.of(e);
    }
    return withGradient.size() == 1 ? Optional.of(withGradient.get(0)) : Optional.empty();
  }
}
