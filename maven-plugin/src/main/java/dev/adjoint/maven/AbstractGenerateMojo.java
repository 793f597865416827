package dev.adjoint.maven;

import java.io.File;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.apache.maven.model.Resource;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.Parameter;

/** {@code generate} and {@code generate-test}: the same work, on main or on test sources. */
abstract class AbstractGenerateMojo extends AbstractAdjointMojo {
  /**
   * The Java package of the generated classes, for every model. When not set, a model's package is the
   * folder it is in below the source directory: {@code com/example/model.adj} gives {@code com.example}.
   */
  @Parameter(property = "adjoint.packageName")
  private String packageName;

  /**
   * What to generate: {@code java} (typed model classes, added to the compile source root) and/or
   * {@code cuda} (a CUDA C translation unit per entry point and per entry point with its gradient, added to
   * the resources in the model's package folder). Default: {@code java}.
   */
  @Parameter
  private List<String> targets;

  @Parameter(defaultValue = "${plugin.version}", readonly = true, required = true)
  private String pluginVersion;

  abstract File sourceDirectory();

  abstract File outputDirectory();

  abstract File cudaOutputDirectory();

  /** The goal's name, which keeps the build states of {@code generate} and {@code generate-test} apart. */
  abstract String goal();

  abstract void addSourceRoot(String directory);

  abstract void addResource(Resource resource);

  @Override
  public void execute() throws MojoExecutionException, MojoFailureException {
    if (skip()) {
      getLog().info("Adjoint: skipped (adjoint.skip)");
      return;
    }
    Set<CodeTarget> chosen;
    try {
      chosen = CodeTarget.parse(targets);
    } catch (IllegalArgumentException e) {
      throw new MojoExecutionException(e.getMessage());
    }

    Path sources = sourceDirectory().toPath().toAbsolutePath().normalize();
    Path javaOut = outputDirectory().toPath().toAbsolutePath().normalize();
    Path cudaOut = cudaOutputDirectory().toPath().toAbsolutePath().normalize();
    // One state per source and output directory, so two executions of a goal in one project do not
    // take each other's files for those of deleted sources.
    String key = ContentHash.ofText(sources + "\n" + javaOut + "\n" + cudaOut).substring(0, 12);
    Path stateFile = Path.of(project().getBuild().getDirectory(), "adjoint-state", goal() + "-" + key + ".state");

    Generation.Settings settings = new Generation.Settings(sources, patterns(), Optional.ofNullable(packageName),
        chosen, javaOut, cudaOut, stateFile, GeneratorStamp.of(pluginVersion));
    Generation.Outcome outcome;
    try {
      outcome = new Generation(getLog()).generate(settings);
    } catch (UncheckedIOException e) {
      throw new MojoExecutionException(e.getCause().getMessage(), e.getCause());
    }
    report(outcome, sources, javaOut);
    failOnErrors(outcome);

    if (chosen.contains(CodeTarget.JAVA)) addSourceRoot(javaOut.toString());
    if (chosen.contains(CodeTarget.CUDA)) {
      Resource resource = new Resource();
      resource.setDirectory(cudaOut.toString());
      addResource(resource);
    }
  }

  private void report(Generation.Outcome o, Path sources, Path javaOut) {
    String where = describe(sources.toFile(), project());
    if (o.sources() == 0) {
      getLog().info("Adjoint: no .adj files in " + where);
    } else if (o.compiled() == 0) {
      getLog().info("Adjoint: " + plural(o.sources(), ".adj file") + " in " + where + ", all up to date; nothing generated");
    } else {
      getLog().info("Adjoint: compiled " + o.compiled() + " of " + plural(o.sources(), ".adj file") + " in " + where
          + " (" + o.upToDate() + " up to date); " + plural(o.written(), "file") + " written to "
          + describe(javaOut.toFile(), project()) + (o.deleted() > 0 ? ", " + plural(o.deleted(), "file") + " deleted" : ""));
    }
  }

  static String plural(int n, String noun) {
    return n + " " + noun + (n == 1 ? "" : "s");
  }
}
