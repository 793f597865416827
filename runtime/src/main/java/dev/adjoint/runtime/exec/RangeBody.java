package dev.adjoint.runtime.exec;

/** The body of a parallel loop over the iterations {@code [start, end)}. */
@FunctionalInterface
public interface RangeBody {
  void run(int start, int end);
}
