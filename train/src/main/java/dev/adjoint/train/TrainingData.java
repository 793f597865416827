package dev.adjoint.train;

import java.nio.file.Path;
import java.util.List;

/**
 * The sentence pairs of {@code --task} or {@code --data}, their vocabulary and how many are held
 * out. {@code adjoint train} and {@code adjoint translate} build them the same way, so that the
 * held-out split a trained model is scored on is exactly the one it never trained on.
 *
 * @param examples every pair, in order
 * @param heldOutFraction the fraction {@link #split} holds out
 * @param vocabulary the ids of the pairs' tokens
 */
public record TrainingData(List<Example> examples, double heldOutFraction, Vocabulary vocabulary) {
  /** How many examples a built-in task is generated with, and how many of them are held out. */
  public static final int TASK_EXAMPLES = 20_000;
  public static final int TASK_HELD_OUT = 200;

  public TrainingData {
    examples = List.copyOf(examples);
  }

  /** Built-in task {@code name} at {@code maxLen}, generated from {@code seed}. */
  public static TrainingData task(String name, int maxLen, long seed) {
    BuiltinTasks.Task task = BuiltinTasks.Task.fromName(name);
    return new TrainingData(BuiltinTasks.generate(task, TASK_EXAMPLES, maxLen, seed),
        (double) TASK_HELD_OUT / TASK_EXAMPLES, BuiltinTasks.vocabulary());
  }

  /** Parallel text, with a character vocabulary built from all of it. */
  public static TrainingData text(Path file, int maxLen) {
    ParallelText.Dataset d = ParallelText.load(file, Tokenizer.CHARACTER, maxLen);
    return new TrainingData(d.examples(), DataSplit.HELD_OUT_FRACTION, d.vocabulary());
  }

  /** Parallel text, encoded with a trained model's vocabulary (a token it lacks is named with its line). */
  public static TrainingData text(Path file, Vocabulary vocabulary, int maxLen) {
    return new TrainingData(ParallelText.load(file, vocabulary, maxLen).examples(), DataSplit.HELD_OUT_FRACTION,
        vocabulary);
  }

  /** The training and held-out pairs for {@code seed}. */
  public DataSplit<Example> split(long seed) {
    return DataSplit.of(examples, heldOutFraction, seed);
  }
}
