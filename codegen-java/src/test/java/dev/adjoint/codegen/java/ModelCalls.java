package dev.adjoint.codegen.java;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.adjoint.runtime.Tensor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/** Calls on generated model classes, which tests only know at run time, and the comparison of results. */
final class ModelCalls {
  private ModelCalls() {}

  /** Calls the public method {@code name} of {@code target} with {@code args}, rethrowing what it throws. */
  static Object call(Object target, String name, Object... args) {
    Method m = Arrays.stream(target.getClass().getMethods())
        .filter(x -> x.getName().equals(name) && x.getParameterCount() == args.length).findFirst()
        .orElseThrow(() -> new AssertionError("no method " + name + " of " + args.length + " parameters in "
            + target.getClass().getName()));
    try {
      return m.invoke(target, args);
    } catch (InvocationTargetException e) {
      if (e.getCause() instanceof RuntimeException r) throw r;
      throw new AssertionError(e.getCause());
    } catch (IllegalAccessException e) {
      throw new AssertionError(e);
    }
  }

  /** The gradients of a {@code valueAndGrad} result. */
  @SuppressWarnings("unchecked")
  static Map<String, Tensor> gradients(Object result) {
    return new LinkedHashMap<>((Map<String, Tensor>) call(result, "gradients"));
  }

  /** Equal within {@code tolerance} relative to the expected value (absolute below 1). */
  static void assertClose(String what, Tensor expected, Tensor actual, double tolerance) {
    assertEquals(expected.dtype(), actual.dtype(), what + ": element type");
    assertEquals(expected.shape(), actual.shape(), what + ": shape");
    for (int i = 0; i < expected.size(); i++) {
      double e = expected.getDouble(i);
      double a = actual.getDouble(i);
      boolean ok = Double.isNaN(e) ? Double.isNaN(a) : Double.isInfinite(e) ? e == a
          : Math.abs(a - e) <= tolerance * (1 + Math.abs(e));
      if (!ok) fail(what + ": element " + i + " is " + a + ", expected " + e + " (tolerance " + tolerance + ")");
    }
  }
}
