/**
 * The kernel IR: what each fused kernel computes, with the structure fusion found kept as
 * records — elementwise maps ({@link dev.adjoint.compiler.kernel.KStmt.ForAll}), reductions
 * ({@link dev.adjoint.compiler.kernel.KStmt.Reduce}), contractions with their operands' index
 * maps, prologue and epilogue ({@link dev.adjoint.compiler.kernel.KStmt.Contraction}), weighted
 * sums of rows ({@link dev.adjoint.compiler.kernel.KStmt.WeightedSum}) and the online softmax
 * ({@link dev.adjoint.compiler.kernel.KStmt.OnlineSoftmax}) — over loop-level statements and
 * expressions. {@link dev.adjoint.compiler.kernel.Flatten} lowers the records to loops that do
 * the same operations in the same order; {@link dev.adjoint.compiler.kernel.KernelInterpreter}
 * runs either form, {@link dev.adjoint.compiler.kernel.KernelPrinter} prints it, and
 * {@link dev.adjoint.compiler.kernel.KernelKind} names a kernel from its structure. See
 * {@code docs/fusion.md}.
 */
package dev.adjoint.compiler.kernel;
