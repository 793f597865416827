package dev.adjoint.compiler.fusion;

import dev.adjoint.compiler.ir.Binary;
import dev.adjoint.compiler.ir.Broadcast;
import dev.adjoint.compiler.ir.Cast;
import dev.adjoint.compiler.ir.Concat;
import dev.adjoint.compiler.ir.Constant;
import dev.adjoint.compiler.ir.DimSize;
import dev.adjoint.compiler.ir.DotGeneral;
import dev.adjoint.compiler.ir.DynamicSlice;
import dev.adjoint.compiler.ir.Gather;
import dev.adjoint.compiler.ir.UpdateSlice;
import dev.adjoint.compiler.ir.Input;
import dev.adjoint.compiler.ir.Iota;
import dev.adjoint.compiler.ir.Node;
import dev.adjoint.compiler.ir.Pad;
import dev.adjoint.compiler.ir.RandomUniform;
import dev.adjoint.compiler.ir.Reduce;
import dev.adjoint.compiler.ir.Reshape;
import dev.adjoint.compiler.ir.ScatterAdd;
import dev.adjoint.compiler.ir.Select;
import dev.adjoint.compiler.ir.Slice;
import dev.adjoint.compiler.ir.StopGradient;
import dev.adjoint.compiler.ir.Transpose;
import dev.adjoint.compiler.ir.Unary;

/** How a primitive behaves under fusion: what it costs to recompute, and what it needs. */
enum NodeKind {
  /** Bound by the caller: always a buffer. */
  INPUT,
  /** Known without reading memory (constants, index values, random numbers): recomputed freely. */
  GENERATOR,
  /** Moves elements without computing (reshape, transpose, broadcast, slice, pad, concat): index arithmetic. */
  VIEW,
  /** One output element from the same element of each input: inlined into consumers. */
  ELEMENTWISE,
  /** Folds axes away. */
  REDUCTION,
  /** A tensor contraction. */
  CONTRACTION,
  /** Sums rows into a table: needs a kernel of its own. */
  SCATTER;

  static NodeKind of(Node n) {
    return switch (n.op()) {
      case Input i -> INPUT;
      case Constant c -> GENERATOR;
      case DimSize d -> GENERATOR;
      case Iota i -> GENERATOR;
      case RandomUniform r -> GENERATOR;
      case Reshape r -> VIEW;
      case Transpose t -> VIEW;
      case Broadcast b -> VIEW;
      case Slice s -> VIEW;
      case Pad p -> VIEW;
      case Concat c -> VIEW;
      case StopGradient s -> VIEW;
      case Unary u -> ELEMENTWISE;
      case Binary b -> ELEMENTWISE;
      case Select s -> ELEMENTWISE;
      case Cast c -> ELEMENTWISE;
      case Gather g -> ELEMENTWISE;
      case DynamicSlice d -> ELEMENTWISE;
      case UpdateSlice u -> ELEMENTWISE;
      case Reduce r -> REDUCTION;
      case DotGeneral d -> CONTRACTION;
      case ScatterAdd s -> SCATTER;
    };
  }
}
