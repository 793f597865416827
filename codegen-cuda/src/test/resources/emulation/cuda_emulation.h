// CPU emulation of the CUDA built-ins that generated kernels use, for running them with g++ on a
// machine without a GPU. A block's threads are fibers (ucontext) on one OS thread, switched only
// at barriers: __syncthreads waits for every thread of the block, the warp shuffles for every
// lane of the warp, so a kernel that would deadlock or race on barriers is reported, not hidden.
// Blocks run one after another. Atomics need no locking: fibers never switch inside them.
#pragma once

#include <cmath>
#include <math.h>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <ucontext.h>
#include <vector>

struct uint3 {
  unsigned int x, y, z;
};
struct dim3 {
  unsigned int x, y, z;
  dim3(unsigned int x_ = 1, unsigned int y_ = 1, unsigned int z_ = 1) : x(x_), y(y_), z(z_) {}
};

namespace emu {

enum State { RUNNABLE, AT_BLOCK_BARRIER, AT_WARP_BARRIER, DONE };

struct Fiber {
  ucontext_t context;
  uint3 thread;
  unsigned int linear;
  State state;
};

struct Block {
  std::vector<Fiber> fibers;
  std::vector<char> stacks;
  std::vector<unsigned long long> exchange;  // one slot per thread for warp shuffles
  ucontext_t scheduler;
  Fiber* current = nullptr;
  uint3 block_index;
  dim3 block_dim, grid_dim;
  const std::function<void()>* body = nullptr;
};

inline Block& block() {
  static Block b;
  return b;
}

[[noreturn]] inline void fail(const char* message) {
  std::fprintf(stderr, "cuda emulation: %s\n", message);
  std::exit(3);
}

inline void yield_to_scheduler(State state) {
  Block& b = block();
  Fiber* self = b.current;
  self->state = state;
  swapcontext(&self->context, &b.scheduler);
}

inline void trampoline() {
  Block& b = block();
  (*b.body)();
  b.current->state = DONE;
  swapcontext(&b.current->context, &b.scheduler);
}

constexpr size_t kStack = 256 * 1024;

/** Runs every thread of one block to completion, releasing barriers when every thread waits at them. */
inline void run_block(const std::function<void()>& body) {
  Block& b = block();
  unsigned int n = b.block_dim.x * b.block_dim.y * b.block_dim.z;
  if (n % 32 != 0) fail("block size must be a multiple of 32");
  b.fibers.assign(n, Fiber());
  if (b.stacks.size() < n * kStack) b.stacks.resize(n * kStack);
  b.exchange.assign(n, 0);
  b.body = &body;
  for (unsigned int i = 0; i < n; ++i) {
    Fiber& f = b.fibers[i];
    f.linear = i;
    f.thread = {i % b.block_dim.x, (i / b.block_dim.x) % b.block_dim.y, i / (b.block_dim.x * b.block_dim.y)};
    f.state = RUNNABLE;
    getcontext(&f.context);
    f.context.uc_stack.ss_sp = &b.stacks[i * kStack];
    f.context.uc_stack.ss_size = kStack;
    f.context.uc_link = nullptr;
    makecontext(&f.context, trampoline, 0);
  }
  while (true) {
    bool ran = false;
    for (Fiber& f : b.fibers) {
      if (f.state != RUNNABLE) continue;
      b.current = &f;
      swapcontext(&b.scheduler, &f.context);
      ran = true;
    }
    unsigned int done = 0, at_block = 0;
    for (Fiber& f : b.fibers) {
      done += f.state == DONE;
      at_block += f.state == AT_BLOCK_BARRIER;
    }
    if (done == n) return;
    bool released = false;
    for (unsigned int w = 0; w < n / 32; ++w) {
      unsigned int waiting = 0;
      for (unsigned int l = 0; l < 32; ++l) waiting += b.fibers[w * 32 + l].state == AT_WARP_BARRIER;
      if (waiting == 32) {
        for (unsigned int l = 0; l < 32; ++l) b.fibers[w * 32 + l].state = RUNNABLE;
        released = true;
      } else if (waiting > 0) {
        for (unsigned int l = 0; l < 32; ++l) {
          State s = b.fibers[w * 32 + l].state;
          if (s == DONE || s == AT_BLOCK_BARRIER) fail("a warp shuffle that not every lane of the warp reaches");
        }
      }
    }
    if (at_block == n) {
      for (Fiber& f : b.fibers) f.state = RUNNABLE;
      released = true;
    } else if (at_block > 0 && at_block + done == n) {
      fail("__syncthreads that not every thread of the block reaches");
    }
    if (!ran && !released) fail("deadlock: every thread waits and no barrier can be released");
  }
}

/** A launch: every block of the grid in turn. */
inline void launch(dim3 grid, dim3 threads, const std::function<void()>& body) {
  Block& b = block();
  b.grid_dim = grid;
  b.block_dim = threads;
  for (unsigned int z = 0; z < grid.z; ++z)
    for (unsigned int y = 0; y < grid.y; ++y)
      for (unsigned int x = 0; x < grid.x; ++x) {
        b.block_index = {x, y, z};
        run_block(body);
      }
}

inline unsigned int lane() { return block().current->linear & 31u; }

template <class T>
T shuffle_xor(T value, int lane_mask) {
  static_assert(sizeof(T) <= 8, "shuffle of a value wider than 8 bytes");
  Block& b = block();
  unsigned int me = b.current->linear;
  unsigned long long slot = 0;
  std::memcpy(&slot, &value, sizeof(T));
  b.exchange[me] = slot;
  yield_to_scheduler(AT_WARP_BARRIER);  // every lane has published its value
  unsigned int partner = (me & ~31u) | ((me & 31u) ^ (unsigned int) (lane_mask & 31));
  T result;
  std::memcpy(&result, &b.exchange[partner], sizeof(T));
  yield_to_scheduler(AT_WARP_BARRIER);  // every lane has read before any overwrites its slot
  return result;
}

}  // namespace emu

#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
#define __restrict__ __restrict
#define __launch_bounds__(...)
// Shared memory: one copy for the block. Blocks run one after another on one OS thread.
#define __shared__ static

#define threadIdx (emu::block().current->thread)
#define blockIdx (emu::block().block_index)
#define blockDim (emu::block().block_dim)
#define gridDim (emu::block().grid_dim)
#define warpSize 32

inline void __syncthreads() { emu::yield_to_scheduler(emu::AT_BLOCK_BARRIER); }
inline void __syncwarp(unsigned int = 0xffffffffu) { emu::yield_to_scheduler(emu::AT_WARP_BARRIER); }

template <class T>
T __shfl_xor_sync(unsigned int mask, T value, int lane_mask, int width = 32) {
  if (mask != 0xffffffffu || width != 32) emu::fail("only full-warp shuffles are emulated");
  return emu::shuffle_xor(value, lane_mask);
}

inline float atomicAdd(float* address, float value) {
  float old = *address;
  *address = old + value;
  return old;
}
inline double atomicAdd(double* address, double value) {
  double old = *address;
  *address = old + value;
  return old;
}
inline int atomicAdd(int* address, int value) {
  int old = *address;
  *address = (int) ((unsigned int) old + (unsigned int) value);
  return old;
}
inline unsigned int atomicCAS(unsigned int* address, unsigned int compare, unsigned int value) {
  unsigned int old = *address;
  if (old == compare) *address = value;
  return old;
}

inline float __int_as_float(int v) { float f; std::memcpy(&f, &v, 4); return f; }
inline float __uint_as_float(unsigned int v) { float f; std::memcpy(&f, &v, 4); return f; }
inline unsigned int __float_as_uint(float v) { unsigned int u; std::memcpy(&u, &v, 4); return u; }
inline double __longlong_as_double(long long v) { double d; std::memcpy(&d, &v, 8); return d; }
inline unsigned int __umulhi(unsigned int a, unsigned int b) {
  return (unsigned int) (((unsigned long long) a * b) >> 32);
}
inline float rsqrtf(float x) { return 1.0f / std::sqrt(x); }
inline double rsqrt(double x) { return 1.0 / std::sqrt(x); }
