package dev.adjoint.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class PackageNamesTest {
  @Test
  void thePackageIsTheFolderBelowTheSourceDirectory() {
    assertEquals("com.example.nn", PackageNames.packageFor("com/example/nn/model.adj", Optional.empty()));
  }

  @Test
  void aConfiguredPackageWinsForEveryFile() {
    assertEquals("org.models", PackageNames.packageFor("com/example/model.adj", Optional.of(" org.models ")));
    assertEquals("org.models", PackageNames.packageFor("model.adj", Optional.of("org.models")));
  }

  @Test
  void aFileAtTheRootWithoutAConfiguredPackageIsAnError() {
    var e = assertThrows(IllegalArgumentException.class, () -> PackageNames.packageFor("model.adj", Optional.empty()));
    assertEquals("no package for the generated classes: put the file in a folder named after its package "
        + "(com/example/model.adj gives com.example), or set <packageName>", e.getMessage());
  }

  @Test
  void aFolderThatIsNoJavaIdentifierIsAnError() {
    var e = assertThrows(IllegalArgumentException.class,
        () -> PackageNames.packageFor("my-models/class/model.adj", Optional.empty()));
    assertEquals("the folder 'my-models/class' does not name a Java package (each folder must be a Java identifier, "
        + "not a keyword); rename it, or set <packageName>", e.getMessage());
  }

  @Test
  void aConfiguredPackageMustBeAJavaName() {
    var e = assertThrows(IllegalArgumentException.class,
        () -> PackageNames.packageFor("a/model.adj", Optional.of("com.example;evil")));
    assertEquals("<packageName>com.example;evil</packageName> is not a Java package name", e.getMessage());
  }
}
