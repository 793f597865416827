package dev.adjoint.train;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The built-in synthetic sequence-to-sequence tasks of {@code adjoint train --task}, over digit
 * strings, generated deterministically from a seed:
 *
 * <ul>
 *   <li>{@code copy}: a string of 1..maxLen random digits → the same string;
 *   <li>{@code reverse}: → the digits in reverse order;
 *   <li>{@code sort}: → the digits in ascending order;
 *   <li>{@code add}: {@code "a+b="} → the digits of a + b, where a and b have 1..⌊(maxLen − 2)/2⌋
 *       digits each (no leading zeros), so the source is at most maxLen long and so is the sum.
 * </ul>
 *
 * <p>All use the fixed 16-id {@link #vocabulary()} of CLI.md: 0–2 reserved, 3–12 the digits 0–9,
 * 13 {@code +}, 14 {@code =}, 15 unused ({@code <unused>}), with the character tokenizer. Example
 * {@code i} of a task is drawn from Philox stream {@code "task/NAME"} under the seed, so the same
 * seed gives the same examples everywhere.
 */
public final class BuiltinTasks {
  /** A built-in task, by its CLI name. */
  public enum Task {
    COPY,
    REVERSE,
    SORT,
    ADD;

    public String cliName() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** The smallest {@code maxLen} the task can be generated at. */
    public int minimumMaxLen() {
      return this == ADD ? 4 : 1;
    }

    /**
     * The task named {@code name}.
     *
     * @throws DataException naming the tasks if there is none of that name
     */
    public static Task fromName(String name) {
      Objects.requireNonNull(name, "name");
      for (Task t : values()) {
        if (t.cliName().equals(name.toLowerCase(Locale.ROOT))) return t;
      }
      throw new DataException("unknown task '" + name + "'; the built-in tasks are copy, reverse, sort and add");
    }
  }

  /** Id of the digit 0; digit d is {@code DIGIT_0 + d}. */
  public static final int DIGIT_0 = 3;
  public static final int PLUS = 13;
  public static final int EQUALS = 14;
  public static final int UNUSED = 15;
  /** The vocabulary size of every built-in task. */
  public static final int VOCABULARY_SIZE = 16;
  public static final String UNUSED_TOKEN = "<unused>";

  private static final Vocabulary VOCABULARY = Vocabulary.of(Tokenizer.CHARACTER,
      List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "+", "=", UNUSED_TOKEN));

  private BuiltinTasks() {}

  /** The tasks' shared 16-id vocabulary (character tokenizer). */
  public static Vocabulary vocabulary() {
    return VOCABULARY;
  }

  /**
   * {@code count} examples of {@code task}, every sequence at most {@code maxLen} tokens long.
   *
   * @throws DataException if {@code maxLen} is too small for the task or {@code count} negative
   */
  public static List<Example> generate(Task task, int count, int maxLen, long seed) {
    Objects.requireNonNull(task, "task");
    if (count < 0) throw new DataException("cannot generate " + count + " examples");
    if (maxLen < task.minimumMaxLen()) {
      throw new DataException("the " + task.cliName() + " task needs --max-len of at least " + task.minimumMaxLen()
          + (task == Task.ADD ? " (\"a+b=\" with one-digit a and b)" : "") + ", got " + maxLen);
    }
    SeededStream random = new SeededStream(seed, "task/" + task.cliName());
    List<Example> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++) out.add(example(task, maxLen, random));
    return out;
  }

  private static Example example(Task task, int maxLen, SeededStream random) {
    if (task == Task.ADD) {
      int digits = (maxLen - 2) / 2;
      BigInteger a = number(random.nextInt(1, digits), random);
      BigInteger b = number(random.nextInt(1, digits), random);
      int[] source = VOCABULARY.encode(a + "+" + b + "=");
      return new Example(source, VOCABULARY.encode(a.add(b).toString()));
    }
    int length = random.nextInt(1, maxLen);
    int[] source = new int[length];
    for (int i = 0; i < length; i++) source[i] = DIGIT_0 + random.nextInt(10);
    int[] target = source.clone();
    switch (task) {
      case COPY -> {}
      case REVERSE -> {
        for (int i = 0; i < length; i++) target[i] = source[length - 1 - i];
      }
      case SORT -> Arrays.sort(target);
      case ADD -> throw new AssertionError();
    }
    return new Example(source, target);
  }

  /** A number of exactly {@code digits} digits (the first not 0 unless it is the only one). */
  private static BigInteger number(int digits, SeededStream random) {
    StringBuilder s = new StringBuilder();
    s.append(digits == 1 ? random.nextInt(10) : random.nextInt(1, 9));
    for (int i = 1; i < digits; i++) s.append(random.nextInt(10));
    return new BigInteger(s.toString());
  }
}
