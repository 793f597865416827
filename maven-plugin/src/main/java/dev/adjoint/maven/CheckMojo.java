package dev.adjoint.maven;

import java.io.File;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;

/**
 * Type-checks the {@code .adj} models of {@code src/main/adjoint} and {@code src/test/adjoint} and writes
 * nothing: every error, located as {@code file:line:col}, fails the build. For a quick
 * {@code mvn adjoint:check}, or bound to {@code validate}.
 */
@Mojo(name = "check", defaultPhase = LifecyclePhase.VALIDATE, threadSafe = true)
public final class CheckMojo extends AbstractAdjointMojo {
  /** The models to check. */
  @Parameter(property = "adjoint.sourceDirectory", defaultValue = "${project.basedir}/src/main/adjoint")
  private File sourceDirectory;

  /** The test models to check. */
  @Parameter(property = "adjoint.testSourceDirectory", defaultValue = "${project.basedir}/src/test/adjoint")
  private File testSourceDirectory;

  @Override
  public void execute() throws MojoFailureException {
    if (skip()) {
      getLog().info("Adjoint: skipped (adjoint.skip)");
      return;
    }
    Generation generation = new Generation(getLog());
    Generation.Outcome main = generation.check(sourceDirectory.toPath(), patterns());
    Generation.Outcome test = generation.check(testSourceDirectory.toPath(), patterns());
    java.util.List<String> errors = new java.util.ArrayList<>(main.errors());
    errors.addAll(test.errors());
    Generation.Outcome both = new Generation.Outcome(main.sources() + test.sources(), main.compiled() + test.compiled(),
        0, 0, 0, errors, main.errorCount() + test.errorCount(), main.filesWithErrors() + test.filesWithErrors());
    failOnErrors(both);
    getLog().info("Adjoint: " + AbstractGenerateMojo.plural(both.sources(), ".adj file") + " checked, no errors");
  }
}
