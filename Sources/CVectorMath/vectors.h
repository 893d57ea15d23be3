/* Eight-lane double vectors (clang's vector extensions) and the vector kernels of pinn's own tanh and sin/cos.
   Every kernel that uses them is compiled for AVX-512, AVX2+FMA and plain x86-64 (target_clones) and chosen at run
   time; the compiler maps one eight-lane vector to one zmm, two ymm or four xmm registers. One implementation of
   each function serves the array wrappers (vectormath.c) and the fused Kronecker kernels (kronecker.c). */
#ifndef PINN_VECTORS_H
#define PINN_VECTORS_H
#include <stdint.h>
#include <string.h>

#define LANES 8
typedef double vd __attribute__((vector_size(64)));
typedef uint64_t vu __attribute__((vector_size(64)));
typedef int64_t vi __attribute__((vector_size(64)));

#define INLINE static inline __attribute__((always_inline))
#define FMA __builtin_elementwise_fma
/* ThreadSanitizer instruments the clones' ifunc resolvers, which the dynamic loader runs before the sanitizer's
   runtime is up (a crash in __tsan_func_entry at start): sanitizer builds use the baseline kernels only. */
#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define PINN_NO_CLONES 1
#endif
#endif
#ifdef PINN_NO_CLONES
#define CLONES
#else
#define CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#endif

/* Vectors never cross a function boundary by value: clang refuses that in target_clones functions whose
   baseline and AVX2 clones would pass eight-lane vectors differently. Helpers are macros or take pointers. */
#define splat(x) ((vd){0} + (x))
#define load(p) ({ vd v_; memcpy(&v_, (p), sizeof v_); v_; })
#define store(p, v) ({ vd v_ = (v); memcpy((p), &v_, sizeof v_); })
/* Kernels run their vector body on the full vectors and on a zero-padded copy of the last, partial one. */
/* mask ? a : b, lane by lane (mask lanes all ones or all zeros, as comparisons give). */
#define blend(mask, a, b) ((vd)(((vu)(a) & (vu)(mask)) | ((vu)(b) & ~(vu)(mask))))
/* The lanes' sum in a fixed order (pairwise), so results do not depend on the instruction set. */
#define sum_lanes(v) ({ vd v_ = (v); ((v_[0] + v_[4]) + (v_[2] + v_[6])) + ((v_[1] + v_[5]) + (v_[3] + v_[7])); })

/* fdlibm's kernels (__kernel_sin, __kernel_cos). */
#define S1 -1.66666666666666324348e-01
#define S2 8.33333333332248946124e-03
#define S3 -1.98412698298579493134e-04
#define S4 2.75573137070700676789e-06
#define S5 -2.50507602534068634195e-08
#define S6 1.58969099521155010221e-10
#define C1 4.16666666666666019037e-02
#define C2 -1.38888888888741095749e-03
#define C3 2.48015872894767294178e-05
#define C4 -2.75573143513906633035e-07
#define C5 2.08757232129817482790e-09
#define C6 -1.13596475577881948265e-11
#define PIO2_HI 1.57079632679489655800e+00 /* pi/2 rounded to double */
#define PIO2_LO 6.12323399573676603587e-17 /* pi/2 - PIO2_HI, rounded */
#define TWO_OVER_PI 6.36619772367581382433e-01
#define ROUNDING_MAGIC 6755399441055744.0 /* 1.5 * 2^52: adding it rounds to an integer in the low bits */
#define SINCOS_LARGE 1048576.0            /* 2^20: beyond, the two-part reduction loses digits */

/* sin and cos of t with one reduction: Cody-Waite by pi/2 in two parts with FMA, then the fdlibm minimax
   kernels on [-pi/4, pi/4]; within 2 ulp for |t| < SINCOS_LARGE except next to multiples of pi/2, where the
   absolute error stays below 1e-24 (callers recompute larger arguments with libm; beyond_reduction marks them). */
#define beyond_reduction(t) (~(vi)(__builtin_elementwise_abs(t) < SINCOS_LARGE))

INLINE void sincos_v(const vd *argument, vd *s, vd *c) {
    vd t = *argument;
    vd shifted = t * TWO_OVER_PI + ROUNDING_MAGIC;
    vu q = (vu)shifted;
    vd k = shifted - ROUNDING_MAGIC;
    /* t - k*PIO2_HI is exact (FMA forms k*PIO2_HI exactly and the difference, below 1 in magnitude and a multiple
       of ulp(t) and of 2^-52, fits in 53 bits); PIO2_LO carries pi/2 to 107 bits, enough for |k| < 2^20. */
    vd r = FMA(-k, splat(PIO2_HI), t);
    r = FMA(-k, splat(PIO2_LO), r);
    vd z = r * r;
    vd sr = FMA(r * z, S1 + z * (S2 + z * (S3 + z * (S4 + z * (S5 + z * S6)))), r);
    vd cr = FMA(z * z, C1 + z * (C2 + z * (C3 + z * (C4 + z * (C5 + z * C6)))), FMA(splat(-0.5), z, splat(1.0)));
    /* Quadrant q mod 4: odd quadrants swap sin and cos; sin is negated in quadrants 2, 3 and cos in 1, 2. Bits 0
       and 1 of q shifted to bits 62 and 63: bit 63 is sin's sign, and adding 1 << 62 carries into cos's. */
    vu swap = (vu)((vi)(q << 63) >> 63);
    vu high = q << 62;
    vu sb = (((vu)sr ^ (vu)cr) & swap) ^ (vu)sr;
    vu cb = (((vu)sr ^ (vu)cr) & swap) ^ (vu)cr;
    *s = (vd)(sb ^ (high & 0x8000000000000000ULL));
    *c = (vd)(cb ^ ((high + (1ULL << 62)) & 0x8000000000000000ULL));
}

/* tanh through expm1 of -2|x| (no cancellation for small |x|): expm1(y) = 2^k (expm1(r) + 1) - 1 with
   y = k ln2 + r, |r| <= ln2/2, and expm1(r) by its Taylor series to r^13 (truncation < 1e-16 relative);
   within 3 ulp. NaN stays NaN. */
#define LN2_HI 6.93147180369123816490e-01
#define LN2_LO 1.90821492927058770002e-10
#define ONE_OVER_LN2 1.44269504088896338700e+00

INLINE void tanh_v(const vd *argument, vd *result) {
    vd x = *argument;
    vd ax = __builtin_elementwise_abs(x);
    vd v = -2.0 * blend((vi)(ax > 20.0), splat(20.0), ax); /* tanh(20) = 1 - 8e-18: 1 in double precision */
    vd shifted = v * ONE_OVER_LN2 + ROUNDING_MAGIC;
    vd k = shifted - ROUNDING_MAGIC;
    vi ki = (vi)((vu)shifted & 0xFFFFF) - 0x80000; /* k in [-58, 0] */
    vd r = FMA(-k, splat(LN2_HI), v);
    r = FMA(-k, splat(LN2_LO), r);
    vd p = splat(1.0 / 6227020800.0);
    p = FMA(p, r, splat(1.0 / 479001600.0));
    p = FMA(p, r, splat(1.0 / 39916800.0));
    p = FMA(p, r, splat(1.0 / 3628800.0));
    p = FMA(p, r, splat(1.0 / 362880.0));
    p = FMA(p, r, splat(1.0 / 40320.0));
    p = FMA(p, r, splat(1.0 / 5040.0));
    p = FMA(p, r, splat(1.0 / 720.0));
    p = FMA(p, r, splat(1.0 / 120.0));
    p = FMA(p, r, splat(1.0 / 24.0));
    p = FMA(p, r, splat(1.0 / 6.0));
    p = FMA(p, r, splat(0.5));
    p = FMA(p * r, r, r);                          /* expm1(r) */
    vd scale = (vd)((vu)(ki + 1023) << 52);        /* 2^k */
    vd em1 = FMA(scale, p, scale - 1.0);           /* expm1(v) */
    vd t = -em1 / (2.0 + em1);
    *result = (vd)((vu)t | ((vu)x & 0x8000000000000000ULL));
}

#endif
