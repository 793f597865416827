package dev.adjoint.maven;

import java.util.Objects;

/**
 * One file the plugin writes: where it goes below its output directory ({@code com/example/Model.java}),
 * its bytes, and whether it is a Java source or a CUDA resource.
 */
record GeneratedFile(Kind kind, String relativePath, byte[] content) {
  enum Kind {
    /** A Java source: goes below the generated-sources directory, which is a compile source root. */
    JAVA,
    /** CUDA C: goes below the generated-resources directory, which is a resource root. */
    CUDA
  }

  GeneratedFile {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(relativePath, "relativePath");
    Objects.requireNonNull(content, "content");
    if (relativePath.isEmpty() || relativePath.startsWith("/") || relativePath.contains("..")) {
      throw new IllegalArgumentException("not a relative output path: '" + relativePath + "'");
    }
  }
}
