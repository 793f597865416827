package dev.adjoint.maven;

import java.io.File;
import org.apache.maven.model.Resource;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;

/**
 * Compiles the {@code .adj} models of {@code src/main/adjoint} into Java sources, and adds them to the
 * project's compile source root. Only models whose source, imports or settings changed since the last
 * build are compiled again. Every error of every model is reported as {@code file:line:col: error: ...}
 * and fails the build.
 */
@Mojo(name = "generate", defaultPhase = LifecyclePhase.GENERATE_SOURCES, threadSafe = true)
public final class GenerateMojo extends AbstractGenerateMojo {
  /** Where the models are: every {@code .adj} file below it that {@code includes} selects. */
  @Parameter(property = "adjoint.sourceDirectory", defaultValue = "${project.basedir}/src/main/adjoint")
  private File sourceDirectory;

  /** Where the Java sources go; the plugin adds it to the compile source root. */
  @Parameter(property = "adjoint.outputDirectory", defaultValue = "${project.build.directory}/generated-sources/adjoint")
  private File outputDirectory;

  /** Where the CUDA C goes when {@code targets} has {@code cuda}; the plugin adds it to the resources. */
  @Parameter(defaultValue = "${project.build.directory}/generated-resources/adjoint")
  private File cudaOutputDirectory;

  @Override
  File sourceDirectory() {
    return sourceDirectory;
  }

  @Override
  File outputDirectory() {
    return outputDirectory;
  }

  @Override
  File cudaOutputDirectory() {
    return cudaOutputDirectory;
  }

  @Override
  String goal() {
    return "generate";
  }

  @Override
  void addSourceRoot(String directory) {
    project().addCompileSourceRoot(directory);
  }

  @Override
  void addResource(Resource resource) {
    project().addResource(resource);
  }
}
