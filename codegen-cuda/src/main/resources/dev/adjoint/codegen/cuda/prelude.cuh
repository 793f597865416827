// ---- Adjoint CUDA prelude: the helpers generated kernels call. Self-contained (no #include), so
// NVRTC compiles it without a CUDA include path; the same text compiles under the CPU emulation header.

// bf16 and f16 values are stored as their 16-bit patterns and computed in float, rounded after
// every operation as the kernel interpreter rounds (round to nearest, ties to even).
typedef unsigned short adj_bf16_t;
typedef unsigned short adj_f16_t;

__device__ __forceinline__ float adj_inf_f() { return __int_as_float(0x7f800000); }
__device__ __forceinline__ float adj_nan_f() { return __int_as_float(0x7fc00000); }
__device__ __forceinline__ double adj_inf_d() { return __longlong_as_double(0x7ff0000000000000LL); }
__device__ __forceinline__ double adj_nan_d() { return __longlong_as_double(0x7ff8000000000000LL); }

__device__ __forceinline__ float adj_bf16(float v) {
  if (v != v) return v;
  unsigned int bits = __float_as_uint(v);
  return __uint_as_float((bits + 0x7fffu + ((bits >> 16) & 1u)) & 0xffff0000u);
}
__device__ __forceinline__ float adj_bf16_load(adj_bf16_t b) { return __uint_as_float(((unsigned int) b) << 16); }
__device__ __forceinline__ adj_bf16_t adj_bf16_store(float v) {
  if (v != v) return (adj_bf16_t) ((__float_as_uint(v) >> 16) | 0x0040u);
  return (adj_bf16_t) (__float_as_uint(adj_bf16(v)) >> 16);
}

__device__ __forceinline__ adj_f16_t adj_f16_store(float v) {
  unsigned int x = __float_as_uint(v);
  unsigned int sign = (x >> 16) & 0x8000u;
  unsigned int mag = x & 0x7fffffffu;
  if (mag >= 0x7f800000u) return (adj_f16_t) (sign | (mag > 0x7f800000u ? 0x7e00u : 0x7c00u));
  if (mag >= 0x477ff000u) return (adj_f16_t) (sign | 0x7c00u);  // 65520 and above round to infinity
  if (mag >= 0x38800000u) {                                       // a normal half: round at bit 13
    unsigned int r = mag + 0xfffu + ((mag >> 13) & 1u);
    return (adj_f16_t) (sign | ((r - 0x38000000u) >> 13));
  }
  // A subnormal half (or zero): the value in units of 2^-24, which scaling by 2^24 makes exact.
  return (adj_f16_t) (sign | (unsigned int) rintf(__uint_as_float(mag) * 16777216.0f));
}
__device__ __forceinline__ float adj_f16_load(adj_f16_t h) {
  unsigned int sign = ((unsigned int) h & 0x8000u) << 16;
  unsigned int e = ((unsigned int) h >> 10) & 0x1fu;
  unsigned int m = (unsigned int) h & 0x3ffu;
  if (e == 0) return __uint_as_float(sign | __float_as_uint((float) m * 5.9604644775390625e-8f));
  if (e == 31) return __uint_as_float(sign | 0x7f800000u | (m << 13));
  return __uint_as_float(sign | ((e + 112u) << 23) | (m << 13));
}
__device__ __forceinline__ float adj_f16(float v) { return adj_f16_load(adj_f16_store(v)); }

// Integer / and % of the kernel IR are floor operations (C's truncate toward zero).
__device__ __forceinline__ int adj_floordiv(int a, int b) {
  int q = a / b;
  return (q * b != a && ((a < 0) != (b < 0))) ? q - 1 : q;
}
__device__ __forceinline__ int adj_floormod(int a, int b) {
  int r = a % b;
  return (r != 0 && ((r < 0) != (b < 0))) ? r + b : r;
}
__device__ __forceinline__ double adj_floormod(double a, double b) { return a - floor(a / b) * b; }
__device__ __forceinline__ int adj_ipow(int base, int exponent) {
  int r = 1;
  for (int i = 0; i < exponent; ++i) r *= base;
  return r;
}

// max and min propagate NaN, as Java's Math.max and PyTorch do (fmaxf would drop it).
__device__ __forceinline__ float adj_max(float a, float b) { return (a != a || b != b) ? a + b : fmaxf(a, b); }
__device__ __forceinline__ float adj_min(float a, float b) { return (a != a || b != b) ? a + b : fminf(a, b); }
__device__ __forceinline__ double adj_max(double a, double b) { return (a != a || b != b) ? a + b : fmax(a, b); }
__device__ __forceinline__ double adj_min(double a, double b) { return (a != a || b != b) ? a + b : fmin(a, b); }
__device__ __forceinline__ int adj_max(int a, int b) { return a > b ? a : b; }
__device__ __forceinline__ int adj_min(int a, int b) { return a < b ? a : b; }

// sign: -1, 0 or 1; a zero keeps its sign and NaN stays NaN, as Math.signum.
__device__ __forceinline__ float adj_sign(float v) { return v > 0.0f ? 1.0f : v < 0.0f ? -1.0f : v; }
__device__ __forceinline__ double adj_sign(double v) { return v > 0.0 ? 1.0 : v < 0.0 ? -1.0 : v; }
__device__ __forceinline__ int adj_sign(int v) { return (v > 0) - (v < 0); }

// Philox-4x32-10 uniform in [0, 1) at (seed, step, site, index): bit for bit runtime's Philox4x32.uniform.
__device__ __forceinline__ float adj_uniform(unsigned long long seed, int step, unsigned int site,
    unsigned long long index) {
  unsigned int k0 = (unsigned int) seed, k1 = (unsigned int) (seed >> 32);
  unsigned long long quad = index >> 2;
  unsigned int c0 = (unsigned int) quad, c1 = (unsigned int) (quad >> 32), c2 = (unsigned int) step, c3 = site;
#pragma unroll
  for (int round = 0; round < 10; ++round) {
    if (round > 0) {
      k0 += 0x9E3779B9u;
      k1 += 0xBB67AE85u;
    }
    unsigned int hi0 = __umulhi(0xD2511F53u, c0), lo0 = 0xD2511F53u * c0;
    unsigned int hi1 = __umulhi(0xCD9E8D57u, c2), lo1 = 0xCD9E8D57u * c2;
    unsigned int n0 = hi1 ^ c1 ^ k0, n2 = hi0 ^ c3 ^ k1;
    c0 = n0;
    c1 = lo1;
    c2 = n2;
    c3 = lo0;
  }
  unsigned int lane = (unsigned int) (index & 3u);
  unsigned int w = lane == 0 ? c0 : lane == 1 ? c1 : lane == 2 ? c2 : c3;
  return (float) (w >> 8) * 5.9604644775390625e-8f;
}

// Atomic add on a 16-bit float: a compare-and-swap loop on the 32-bit word that holds it.
template <bool Bf16>
__device__ __forceinline__ void adj_atomic_add_half(unsigned short* address, float value) {
  unsigned int* word = (unsigned int*) ((unsigned long long) address & ~3ull);
  unsigned int shift = ((unsigned long long) address & 2ull) ? 16u : 0u;
  unsigned int old = *word, assumed;
  do {
    assumed = old;
    unsigned short bits = (unsigned short) (assumed >> shift);
    float sum = (Bf16 ? adj_bf16_load(bits) : adj_f16_load(bits)) + value;
    unsigned int next = Bf16 ? adj_bf16_store(sum) : adj_f16_store(sum);
    old = atomicCAS(word, assumed, (assumed & ~(0xffffu << shift)) | (next << shift));
  } while (old != assumed);
}

// Reductions across a block: R combines two values (as the kernel IR's op at the dtype rounds) and
// gives the identity. Every thread gets the total; blockDim.x must be a multiple of 32.
#define ADJ_REDUCER(NAME, T, IDENTITY, COMBINE) \
  struct NAME { \
    typedef T type; \
    static __device__ __forceinline__ T identity() { return IDENTITY; } \
    static __device__ __forceinline__ T apply(T a, T b) { return COMBINE; } \
  };
ADJ_REDUCER(AdjSumF32, float, 0.0f, a + b)
ADJ_REDUCER(AdjSumF64, double, 0.0, a + b)
ADJ_REDUCER(AdjSumI32, int, 0, a + b)
ADJ_REDUCER(AdjSumBf16, float, 0.0f, adj_bf16(a + b))
ADJ_REDUCER(AdjSumF16, float, 0.0f, adj_f16(a + b))
ADJ_REDUCER(AdjProdF32, float, 1.0f, a * b)
ADJ_REDUCER(AdjProdF64, double, 1.0, a * b)
ADJ_REDUCER(AdjProdI32, int, 1, a * b)
ADJ_REDUCER(AdjProdBf16, float, 1.0f, adj_bf16(a * b))
ADJ_REDUCER(AdjProdF16, float, 1.0f, adj_f16(a * b))
ADJ_REDUCER(AdjMaxF32, float, -adj_inf_f(), adj_max(a, b))
ADJ_REDUCER(AdjMaxF64, double, -adj_inf_d(), adj_max(a, b))
ADJ_REDUCER(AdjMaxI32, int, (int) 0x80000000u, adj_max(a, b))
ADJ_REDUCER(AdjMaxBf16, float, -adj_inf_f(), adj_max(a, b))
ADJ_REDUCER(AdjMaxF16, float, -adj_inf_f(), adj_max(a, b))
ADJ_REDUCER(AdjMinF32, float, adj_inf_f(), adj_min(a, b))
ADJ_REDUCER(AdjMinF64, double, adj_inf_d(), adj_min(a, b))
ADJ_REDUCER(AdjMinI32, int, 0x7fffffff, adj_min(a, b))
ADJ_REDUCER(AdjMinBf16, float, adj_inf_f(), adj_min(a, b))
ADJ_REDUCER(AdjMinF16, float, adj_inf_f(), adj_min(a, b))

template <class R>
__device__ __forceinline__ typename R::type adj_warp_reduce(typename R::type v) {
#pragma unroll
  for (int offset = 16; offset > 0; offset >>= 1) v = R::apply(v, __shfl_xor_sync(0xffffffffu, v, offset));
  return v;
}

template <class R>
__device__ __forceinline__ typename R::type adj_block_reduce(typename R::type v) {
  __shared__ typename R::type partials[32];
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, warps = blockDim.x >> 5;
  v = adj_warp_reduce<R>(v);
  __syncthreads();  // the partials of an earlier reduction have been read
  if (lane == 0) partials[warp] = v;
  __syncthreads();
  // Every warp folds the per-warp partials, so every thread holds the total without another barrier.
  return adj_warp_reduce<R>(lane < warps ? partials[lane] : R::identity());
}
// ---- end of prelude
