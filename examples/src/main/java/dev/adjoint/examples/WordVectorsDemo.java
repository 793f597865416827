package dev.adjoint.examples;

import dev.adjoint.examples.models.WordVectors;
import dev.adjoint.runtime.Tensor;
import java.io.PrintStream;

/**
 * The worked example of {@code word_vectors.adj}, run through the class the Maven plugin generated
 * from it: no compiler at run time, only {@code adjoint-runtime}. Prints the two sequences after
 * self-attention; in each, row 1 is the moved apple.
 *
 * <pre>
 * java -cp examples/target/classes:runtime/target/classes dev.adjoint.examples.WordVectorsDemo
 * </pre>
 */
public final class WordVectorsDemo {
  private WordVectorsDemo() {}

  public static void main(String[] args) {
    print(System.out);
  }

  static void print(PrintStream out) {
    WordVectors words = new WordVectors();
    out.println("[orange, apple] -> " + rows(words.orangeApple()));
    out.println("[phone, apple]  -> " + rows(words.phoneApple()));
  }

  private static String rows(Tensor t) {
    float[] v = t.floatData();
    return String.format(java.util.Locale.ROOT, "(%.4f, %.4f) (%.4f, %.4f)", v[0], v[1], v[2], v[3]);
  }
}
