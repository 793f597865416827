/**
 * Printing kernel IR expressions in a C-family language: one printer
 * ({@link dev.adjoint.compiler.render.CExpressionPrinter}) walks a
 * {@link dev.adjoint.compiler.kernel.KExpr} with the shared operator table
 * ({@link dev.adjoint.compiler.kernel.CFamilyOps}: spellings and binding levels, minimal
 * parentheses), and a {@link dev.adjoint.compiler.render.CLanguage} supplies what differs between
 * Java and CUDA C: type names, literals, the one spelling table of functions per dtype, the
 * rounding to bf16 and f16. As tinygrad's {@code CStyleLanguage} and its {@code CUDARenderer}:
 * the languages override tokens, not the walk.
 */
package dev.adjoint.compiler.render;
