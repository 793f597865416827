package dev.adjoint.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class TargetTest {
  @Test
  void javaIsTheDefault() {
    assertEquals(EnumSet.of(Target.JAVA), Target.parse(null));
    assertEquals(EnumSet.of(Target.JAVA), Target.parse(List.of()));
  }

  @Test
  void namesAreReadWithoutRegardToCaseOrSpaces() {
    assertEquals(EnumSet.of(Target.JAVA, Target.CUDA), Target.parse(List.of(" Java", "CUDA ")));
  }

  @Test
  void anUnknownTargetIsNamed() {
    var e = assertThrows(IllegalArgumentException.class, () -> Target.parse(List.of("java", "cpp")));
    assertEquals("<targets> has 'cpp': a target is java or cuda", e.getMessage());
  }

  @Test
  void cudaIsRefusedWithAReasonWhileThereIsNoCudaGenerator() {
    assertNull(ModelSources.unsupported(EnumSet.of(Target.JAVA)));
    assertEquals("<targets> includes cuda, but this version of adjoint-maven-plugin has no CUDA generator yet "
        + "(the codegen-cuda module is empty); generate <target>java</target> only",
        ModelSources.unsupported(EnumSet.of(Target.JAVA, Target.CUDA)));
  }
}
