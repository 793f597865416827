package dev.adjoint.maven;

import java.io.File;
import org.apache.maven.model.Resource;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;

/**
 * As {@code generate}, for models used only by tests: compiles {@code src/test/adjoint} into test sources
 * and adds them to the project's test compile source root.
 */
@Mojo(name = "generate-test", defaultPhase = LifecyclePhase.GENERATE_TEST_SOURCES, threadSafe = true)
public final class GenerateTestMojo extends AbstractGenerateMojo {
  /** Where the test models are: every {@code .adj} file below it that {@code includes} selects. */
  @Parameter(property = "adjoint.testSourceDirectory", defaultValue = "${project.basedir}/src/test/adjoint")
  private File sourceDirectory;

  /** Where the Java test sources go; the plugin adds it to the test compile source root. */
  @Parameter(property = "adjoint.testOutputDirectory",
      defaultValue = "${project.build.directory}/generated-test-sources/adjoint")
  private File outputDirectory;

  /** Where the CUDA C of test models goes when {@code targets} has {@code cuda}; added to the test resources. */
  @Parameter(defaultValue = "${project.build.directory}/generated-test-resources/adjoint")
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
    return "generate-test";
  }

  @Override
  void addSourceRoot(String directory) {
    project().addTestCompileSourceRoot(directory);
  }

  @Override
  void addResource(Resource resource) {
    project().addTestResource(resource);
  }
}
