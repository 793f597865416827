/**
 * The training application around the compiled programs: what {@code adjoint train} and
 * {@code adjoint translate} run. Generated code never calls it; it lives outside the runtime, which
 * stays what generated code needs.
 *
 * <ul>
 *   <li>the loop — {@link dev.adjoint.train.Trainer} over a {@link dev.adjoint.train.TrainingStep}
 *       (the loss and its gradient compiled once through the compiler's pipeline to generated
 *       Java), {@link dev.adjoint.train.TrainingData}, and {@link dev.adjoint.train.TrainedModel}
 *       to decode with a saved run;
 *   <li>data — {@link dev.adjoint.train.Vocabulary} and {@link dev.adjoint.train.Tokenizer}, the
 *       synthetic {@link dev.adjoint.train.BuiltinTasks}, {@link dev.adjoint.train.ParallelText} from
 *       TSV, the held-out {@link dev.adjoint.train.DataSplit}, and the {@link dev.adjoint.train.Batcher}
 *       that makes the entry's {@code src}, {@code tgt_in}, {@code tgt_out} tensors
 *       ({@link dev.adjoint.train.Batch});
 *   <li>language-model data ({@code train --text}) — {@link dev.adjoint.train.TextCorpus} (UTF-8 or
 *       gzip text), the {@link dev.adjoint.train.TextTokenizer}s ({@link dev.adjoint.train.CharTokenizer},
 *       byte-level {@link dev.adjoint.train.BpeTokenizer} with its linked-pair trainer) saved as
 *       {@code tokenizer.json}, and {@link dev.adjoint.train.TextBatches}: contiguous blocks, a held-out
 *       tail, batch positions a function of seed and step; {@link dev.adjoint.train.TextStream} prints
 *       generated ids as text as they come;
 *   <li>the update — {@link dev.adjoint.train.OptimizerSettings} (the scalars of the update
 *       programs, named by {@link dev.adjoint.train.UpdateArguments}), the update programs themselves
 *       as graphs that compile to kernels like any program ({@link dev.adjoint.train.OptimizerGraphs}),
 *       {@link dev.adjoint.train.Schedule}s, {@link dev.adjoint.train.GradientClipping};
 *   <li>evaluation — {@link dev.adjoint.train.Decoding} (greedy and beam search) and
 *       {@link dev.adjoint.train.Metrics} (exact match, corpus BLEU);
 *   <li>output — {@link dev.adjoint.train.ProgressBar}, {@link dev.adjoint.train.MetricsLog}
 *       ({@code metrics.jsonl}), {@link dev.adjoint.train.Plots} ({@code loss.svg},
 *       {@code loss.png}) and {@link dev.adjoint.train.Checkpoints}.
 * </ul>
 *
 * <p>Bad input is a {@link dev.adjoint.train.DataException} or a
 * {@link dev.adjoint.train.CheckpointException} whose message is meant to be printed as it is.
 * Everything random is seeded and made from Philox words, so runs repeat exactly.
 */
package dev.adjoint.train;
