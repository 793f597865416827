package dev.adjoint.runtime.exec;

import dev.adjoint.runtime.DType;
import java.util.Arrays;
import java.util.Objects;

/**
 * The arrays one run of a compiled program writes (its temporaries, and results whose values are
 * copied out), kept so that the next run writes them again instead of allocating new ones: a
 * training step allocates and zeroes tens of megabytes otherwise, mostly as arrays large enough
 * for the collector to treat each as a humongous object. Slot by slot, an array is reused while a
 * run asks for the same element type and length, and replaced when it asks for another (the
 * run-time sizes changed).
 *
 * <p>A reused array holds whatever the previous run left in it. Generated kernels never read an
 * element they have not written in the same run (a buffer a kernel adds into is zeroed first), so
 * they compute the same bits either way; {@link #poison} lets a test check that.
 *
 * <p>Not thread-safe: one run uses a workspace at a time, which {@link WorkspacePool} arranges.
 */
public final class Workspace {
  private final Object[] arrays;
  /** The {@link WorkspacePool#release} count of the pool when this was made; older ones are not kept. */
  final long generation;

  /** An empty workspace for a program of {@code slots} buffer slots. */
  public Workspace(int slots) {
    this(slots, 0);
  }

  Workspace(int slots, long generation) {
    if (slots < 0) throw new IllegalArgumentException("negative slot count " + slots);
    this.arrays = new Object[slots];
    this.generation = generation;
  }

  /** The number of slots. */
  public int slots() {
    return arrays.length;
  }

  /** The {@code float[]} of {@code count} elements kept in {@code slot}, or a new one kept from now on. */
  public float[] f32(int slot, int count) {
    if (arrays[checkSlot(slot)] instanceof float[] a && a.length == count) return a;
    float[] a = new float[count];
    arrays[slot] = a;
    return a;
  }

  /** The {@code double[]} of {@code count} elements kept in {@code slot}, or a new one kept from now on. */
  public double[] f64(int slot, int count) {
    if (arrays[checkSlot(slot)] instanceof double[] a && a.length == count) return a;
    double[] a = new double[count];
    arrays[slot] = a;
    return a;
  }

  /** The {@code int[]} of {@code count} elements kept in {@code slot}, or a new one kept from now on. */
  public int[] i32(int slot, int count) {
    if (arrays[checkSlot(slot)] instanceof int[] a && a.length == count) return a;
    int[] a = new int[count];
    arrays[slot] = a;
    return a;
  }

  /** The {@code boolean[]} of {@code count} elements kept in {@code slot}, or a new one kept from now on. */
  public boolean[] bool(int slot, int count) {
    if (arrays[checkSlot(slot)] instanceof boolean[] a && a.length == count) return a;
    boolean[] a = new boolean[count];
    arrays[slot] = a;
    return a;
  }

  /**
   * The array of a buffer of {@code dtype} ({@code float[]} for f32, bf16 and f16, as
   * {@link Buffers} holds them) of {@code count} elements kept in {@code slot}, or a new one.
   */
  public Object array(int slot, DType dtype, int count) {
    Objects.requireNonNull(dtype, "dtype");
    return switch (dtype) {
      case F32, F16, BF16 -> f32(slot, count);
      case F64 -> f64(slot, count);
      case I32 -> i32(slot, count);
      case BOOL -> bool(slot, count);
    };
  }

  /** The bytes of element storage this workspace keeps alive (array headers not counted). */
  public long retainedBytes() {
    long bytes = 0;
    for (Object a : arrays) {
      bytes += switch (a) {
        case float[] f -> 4L * f.length;
        case double[] d -> 8L * d.length;
        case int[] i -> 4L * i.length;
        case boolean[] b -> b.length;
        case null, default -> 0L;
      };
    }
    return bytes;
  }

  /**
   * Overwrites every kept array with values no kernel may depend on: NaN, infinities and large
   * finite floats, and ints and booleans that are neither zero nor false throughout. A kernel that
   * read an element before writing it in the same run would then compute something else than on
   * fresh arrays, which is what tests of the reuse look for.
   */
  public void poison() {
    for (Object a : arrays) {
      switch (a) {
        case float[] f -> {
          for (int i = 0; i < f.length; i++) f[i] = (float) garbage(i);
        }
        case double[] d -> {
          for (int i = 0; i < d.length; i++) d[i] = garbage(i);
        }
        case int[] n -> Arrays.fill(n, 0x5EADBEEF);
        case boolean[] b -> {
          for (int i = 0; i < b.length; i++) b[i] = (i & 1) == 0;
        }
        case null, default -> {}
      }
    }
  }

  /** NaN, -inf, a large negative, +inf, a large positive, in turn. */
  private static double garbage(int i) {
    return switch (i % 5) {
      case 0 -> Double.NaN;
      case 1 -> Double.NEGATIVE_INFINITY;
      case 2 -> -3.0e37;
      case 3 -> Double.POSITIVE_INFINITY;
      default -> 1.5e37;
    };
  }

  private int checkSlot(int slot) {
    if (slot < 0 || slot >= arrays.length) {
      throw new IndexOutOfBoundsException("workspace slot " + slot + " is out of range; there are " + arrays.length);
    }
    return slot;
  }
}
