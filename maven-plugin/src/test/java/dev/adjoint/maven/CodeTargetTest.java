package dev.adjoint.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class CodeTargetTest {
  @Test
  void javaIsTheDefault() {
    assertEquals(EnumSet.of(CodeTarget.JAVA), CodeTarget.parse(null));
    assertEquals(EnumSet.of(CodeTarget.JAVA), CodeTarget.parse(List.of()));
  }

  @Test
  void namesAreReadWithoutRegardToCaseOrSpaces() {
    assertEquals(EnumSet.of(CodeTarget.JAVA, CodeTarget.CUDA), CodeTarget.parse(List.of(" Java", "CUDA ")));
  }

  @Test
  void anUnknownTargetIsNamed() {
    var e = assertThrows(IllegalArgumentException.class, () -> CodeTarget.parse(List.of("java", "cpp")));
    assertEquals("<targets> has 'cpp': a target is java or cuda", e.getMessage());
  }
}
