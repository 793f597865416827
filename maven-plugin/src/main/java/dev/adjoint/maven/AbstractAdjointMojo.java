package dev.adjoint.maven;

import java.io.File;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.maven.plugin.AbstractMojo;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.project.MavenProject;

/** What every goal shares: which {@code .adj} files to read, and how their errors fail the build. */
abstract class AbstractAdjointMojo extends AbstractMojo {
  /**
   * Ant-style patterns of the files to read, relative to the source directory. Default: every
   * {@code .adj} file, {@code **}{@code /*.adj}. Files that are only imported by others can be left out
   * with {@code excludes}; an import is read wherever it is.
   */
  @Parameter
  private Set<String> includes = new HashSet<>();

  /** Ant-style patterns of files not to read, relative to the source directory (for example {@code lib/**}). */
  @Parameter
  private Set<String> excludes = new HashSet<>();

  /** Skips the goal. */
  @Parameter(property = "adjoint.skip", defaultValue = "false")
  private boolean skip;

  @Parameter(defaultValue = "${project}", readonly = true, required = true)
  private MavenProject project;

  MavenProject project() {
    return project;
  }

  boolean skip() {
    return skip;
  }

  SourcePatterns patterns() {
    List<String> in = includes == null || includes.isEmpty() ? SourcePatterns.DEFAULT_INCLUDES : List.copyOf(includes);
    return new SourcePatterns(in, excludes == null ? List.of() : List.copyOf(excludes));
  }

  /** Logs every error as a Maven error and fails the build, with their first lines again in the summary. */
  void failOnErrors(Generation.Outcome outcome) throws MojoFailureException {
    if (!outcome.failed()) return;
    for (String error : outcome.errors()) getLog().error(error);
    StringBuilder summary = new StringBuilder();
    int count = outcome.errorCount();
    summary.append(count).append(count == 1 ? " error" : " errors").append(" in ").append(outcome.filesWithErrors())
        .append(outcome.filesWithErrors() == 1 ? " .adj file" : " .adj files").append(':');
    for (String error : outcome.errors()) summary.append('\n').append(error.lines().findFirst().orElse(error));
    throw new MojoFailureException(summary.toString());
  }

  /** A directory as the log shows it: below the project's folder when it is there, else in full. */
  static String describe(File directory, MavenProject project) {
    java.nio.file.Path base = project.getBasedir().toPath().toAbsolutePath().normalize();
    java.nio.file.Path dir = directory.toPath().toAbsolutePath().normalize();
    return dir.startsWith(base) ? base.relativize(dir).toString() : dir.toString();
  }
}
