package dev.adjoint.maven;

import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What the plugin generates from each model: Java sources, CUDA C, or both ({@code <targets>}). Not named
 * {@code Target}: Maven would take a class of that name, beside the mojos, as the type of each
 * {@code <target>} element of the list.
 */
enum CodeTarget {
  JAVA,
  CUDA;

  /** The {@code <targets>} parameter as a set; an empty or missing list means Java. */
  static Set<CodeTarget> parse(List<String> names) {
    Set<CodeTarget> out = EnumSet.noneOf(CodeTarget.class);
    if (names == null) return EnumSet.of(JAVA);
    for (String name : names) {
      String n = name == null ? "" : name.strip().toLowerCase(Locale.ROOT);
      switch (n) {
        case "java" -> out.add(JAVA);
        case "cuda" -> out.add(CUDA);
        default -> throw new IllegalArgumentException(
            "<targets> has '" + (name == null ? "" : name.strip()) + "': a target is java or cuda");
      }
    }
    return out.isEmpty() ? EnumSet.of(JAVA) : out;
  }

  String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
