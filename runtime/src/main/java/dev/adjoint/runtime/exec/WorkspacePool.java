package dev.adjoint.runtime.exec;

import java.util.ArrayDeque;

/**
 * The {@link Workspace}s of one compiled program, lent one per run: a run takes one, writes its
 * arrays and gives it back, so runs on several threads at once each write their own arrays, and
 * a run on one thread after another writes the same arrays again.
 *
 * <p>Memory: the pool keeps the workspaces given back, each holding the arrays of one run, for
 * later runs: as many as runs were under way at once, up to {@link #maxIdle}. {@link #release}
 * lets them go (a run under way keeps its own, and drops it when it ends). A workspace whose run
 * fails is not given back, so that a kernel thread still writing into it cannot reach a later run.
 *
 * <p>Thread-safe.
 */
public final class WorkspacePool {
  private final int slots;
  private final int maxIdle;
  /** Most recently given back last: the next run takes the one whose arrays are likeliest in cache. */
  private final ArrayDeque<Workspace> idle = new ArrayDeque<>();
  private long generation;

  /** A pool for a program of {@code slots} buffer slots keeping up to one workspace per processor. */
  public WorkspacePool(int slots) {
    this(slots, Math.max(2, Runtime.getRuntime().availableProcessors()));
  }

  /**
   * A pool for a program of {@code slots} buffer slots keeping up to {@code maxIdle} workspaces.
   *
   * @throws IllegalArgumentException if {@code slots} is negative or {@code maxIdle} is below 1
   */
  public WorkspacePool(int slots, int maxIdle) {
    if (slots < 0) throw new IllegalArgumentException("negative slot count " + slots);
    if (maxIdle < 1) throw new IllegalArgumentException("a pool keeps at least one workspace, not " + maxIdle);
    this.slots = slots;
    this.maxIdle = maxIdle;
  }

  /** How many idle workspaces the pool keeps at most. */
  public int maxIdle() {
    return maxIdle;
  }

  /** A workspace for one run, the caller's alone until given back: a kept one, or a new empty one. */
  public synchronized Workspace take() {
    Workspace kept = idle.pollLast();
    return kept != null ? kept : new Workspace(slots, generation);
  }

  /**
   * Gives back a workspace taken from this pool, once its run has ended and no thread writes into
   * it any more; kept for a later run unless the pool was released since it was taken, or keeps
   * {@link #maxIdle} already.
   *
   * @throws IllegalArgumentException if the workspace is for a program of another slot count
   */
  public synchronized void give(Workspace workspace) {
    if (workspace.slots() != slots) {
      throw new IllegalArgumentException("a workspace of " + workspace.slots() + " slots given to a pool of " + slots);
    }
    if (workspace.generation == generation && idle.size() < maxIdle) idle.addLast(workspace);
  }

  /** Lets go of every idle workspace, and of those of the runs under way when they end. */
  public synchronized void release() {
    idle.clear();
    generation++;
  }

  /** How many workspaces the pool keeps now. */
  public synchronized int idleCount() {
    return idle.size();
  }

  /** The bytes of element storage the idle workspaces keep alive. */
  public synchronized long retainedBytes() {
    long bytes = 0;
    for (Workspace w : idle) bytes += w.retainedBytes();
    return bytes;
  }

  /** {@link Workspace#poison Poisons} every idle workspace: the next runs start from garbage. */
  public synchronized void poisonIdle() {
    for (Workspace w : idle) w.poison();
  }
}
