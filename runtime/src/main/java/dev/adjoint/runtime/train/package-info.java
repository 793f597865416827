/**
 * What training and evaluating a sequence-to-sequence model needs around the compiled programs:
 *
 * <ul>
 *   <li>data — {@link dev.adjoint.runtime.train.Vocabulary} and
 *       {@link dev.adjoint.runtime.train.Tokenizer}, the synthetic
 *       {@link dev.adjoint.runtime.train.BuiltinTasks}, {@link dev.adjoint.runtime.train.ParallelText}
 *       from TSV, the held-out {@link dev.adjoint.runtime.train.DataSplit}, and the
 *       {@link dev.adjoint.runtime.train.Batcher} that makes the entry's {@code src}, {@code tgt_in},
 *       {@code tgt_out} tensors ({@link dev.adjoint.runtime.train.Batch});
 *   <li>the update — {@link dev.adjoint.runtime.train.OptimizerSettings} (the scalars of the
 *       generated update kernels, named by {@link dev.adjoint.runtime.train.UpdateArguments}),
 *       {@link dev.adjoint.runtime.train.Schedule}s, {@link dev.adjoint.runtime.train.GradientClipping};
 *   <li>evaluation — {@link dev.adjoint.runtime.train.Decoding} (greedy and beam search) and
 *       {@link dev.adjoint.runtime.train.Metrics} (exact match, corpus BLEU);
 *   <li>output — {@link dev.adjoint.runtime.train.ProgressBar}, {@link dev.adjoint.runtime.train.MetricsLog}
 *       ({@code metrics.jsonl}), {@link dev.adjoint.runtime.train.Plots} ({@code loss.svg},
 *       {@code loss.png}) and {@link dev.adjoint.runtime.train.Checkpoints}.
 * </ul>
 *
 * <p>Bad input is a {@link dev.adjoint.runtime.train.DataException} or a
 * {@link dev.adjoint.runtime.train.CheckpointException} whose message is meant to be printed as
 * it is. Everything random is seeded and made from Philox words, so runs repeat exactly.
 */
package dev.adjoint.runtime.train;
