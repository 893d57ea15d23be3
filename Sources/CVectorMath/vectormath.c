/* Array wrappers over SLEEF's vector functions. sleef.h declares those only when the matching instruction set is
   enabled at compile time, so the prototypes are repeated here with target attributes, and the choice between
   AVX-512, AVX2 and scalar code is made once at run time: the binary stays portable. */
#include "vectormath.h"
#include "vectors.h"
#include <immintrin.h>
#include <math.h>
#include <string.h>
#include <stdint.h>

#define AVX512 __attribute__((target("avx512f")))
#define AVX2 __attribute__((target("avx2,fma")))


AVX512 __m512d Sleef_expd8_u10avx512f(__m512d);
AVX512 __m512d Sleef_log1pd8_u10avx512f(__m512d);
AVX2 __m256d Sleef_expd4_u10avx2(__m256d);
AVX2 __m256d Sleef_log1pd4_u10avx2(__m256d);

static int dispatch_level = -1;

int pinn_vector_width_bits(void) {
    if (dispatch_level < 0) {
        __builtin_cpu_init();
        if (__builtin_cpu_supports("avx512f")) dispatch_level = 512;
        else if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) dispatch_level = 256;
        else dispatch_level = 0;
    }
    return dispatch_level;
}

/* One unary function: full vectors, then the tail through a zero-padded vector (never reads past n). */
#define UNARY(NAME, SLEEF8, SLEEF4, SCALAR)                                                        \
    AVX512 static void NAME##_512(const double *x, double *y, size_t n) {                          \
        size_t i = 0;                                                                              \
        for (; i + 8 <= n; i += 8) _mm512_storeu_pd(y + i, SLEEF8(_mm512_loadu_pd(x + i)));        \
        if (i < n) {                                                                               \
            double buf[8] = {0};                                                                   \
            memcpy(buf, x + i, (n - i) * sizeof(double));                                          \
            _mm512_storeu_pd(buf, SLEEF8(_mm512_loadu_pd(buf)));                                   \
            memcpy(y + i, buf, (n - i) * sizeof(double));                                          \
        }                                                                                          \
    }                                                                                              \
    AVX2 static void NAME##_256(const double *x, double *y, size_t n) {                            \
        size_t i = 0;                                                                              \
        for (; i + 4 <= n; i += 4) _mm256_storeu_pd(y + i, SLEEF4(_mm256_loadu_pd(x + i)));        \
        if (i < n) {                                                                               \
            double buf[4] = {0};                                                                   \
            memcpy(buf, x + i, (n - i) * sizeof(double));                                          \
            _mm256_storeu_pd(buf, SLEEF4(_mm256_loadu_pd(buf)));                                   \
            memcpy(y + i, buf, (n - i) * sizeof(double));                                          \
        }                                                                                          \
    }                                                                                              \
    void NAME(const double *x, double *y, size_t n) {                                              \
        switch (pinn_vector_width_bits()) {                                                        \
        case 512: NAME##_512(x, y, n); return;                                                     \
        case 256: NAME##_256(x, y, n); return;                                                     \
        default: for (size_t i = 0; i < n; i++) y[i] = SCALAR(x[i]);                               \
        }                                                                                          \
    }

UNARY(pinn_vexp, Sleef_expd8_u10avx512f, Sleef_expd4_u10avx2, exp)
UNARY(pinn_vlog1p, Sleef_log1pd8_u10avx512f, Sleef_log1pd4_u10avx2, log1p)

/* Recomputes with libm the entries whose argument was too large for the fast reduction. */
static void sincos_fix_large(const double *x, double a, double *s, double *c, size_t n) {
    for (size_t i = 0; i < n; i++) {
        double t = a * x[i];
        if (!(__builtin_fabs(t) < SINCOS_LARGE)) { s[i] = sin(t); c[i] = cos(t); }
    }
}

/* Bodies over n elements, n a multiple of LANES; the callers run them once more on a zero-padded tail. */
INLINE void sincos_vectors(const double *x, double a, double *restrict s, double *restrict c, size_t n,
                           vi *needs_libm) {
    for (size_t i = 0; i < n; i += LANES) {
        vd t = a * load(x + i), sv, cv;
        sincos_v(&t, &sv, &cv);
        *needs_libm |= beyond_reduction(t);
        store(s + i, sv);
        store(c + i, cv);
    }
}

INLINE void tanh_vectors(const double *x, double a, double *y, size_t n) {
    for (size_t i = 0; i < n; i += LANES) {
        vd t = a * load(x + i), v;
        tanh_v(&t, &v);
        store(y + i, v);
    }
}

CLONES void pinn_vsincos_scaled(const double *x, double a, double *restrict s, double *restrict c, size_t n) {
    vi needs_libm = {0};
    size_t full = n - n % LANES, m = n - full;
    sincos_vectors(x, a, s, c, full, &needs_libm);
    if (m > 0) {
        double in[LANES] = {0}, sin_out[LANES], cos_out[LANES];
        memcpy(in, x + full, m * sizeof(double));
        sincos_vectors(in, a, sin_out, cos_out, LANES, &needs_libm);
        memcpy(s + full, sin_out, m * sizeof(double));
        memcpy(c + full, cos_out, m * sizeof(double));
    }
    if (__builtin_reduce_or(needs_libm)) sincos_fix_large(x, a, s, c, n);
}

CLONES void pinn_vtanh_poly_scaled(const double *x, double a, double *y, size_t n) {
    size_t full = n - n % LANES, m = n - full;
    tanh_vectors(x, a, y, full);
    if (m > 0) {
        double in[LANES] = {0}, out[LANES];
        memcpy(in, x + full, m * sizeof(double));
        tanh_vectors(in, a, out, LANES);
        memcpy(y + full, out, m * sizeof(double));
    }
}

void pinn_vsincos(const double *x, double *s, double *c, size_t n) {
    pinn_vsincos_scaled(x, 1.0, s, c, n);
}

void pinn_flush_subnormals_to_zero(void) {
#if defined(__x86_64__) || defined(__i386__)
    _mm_setcsr(_mm_getcsr() | 0x8040); /* FTZ (bit 15) | DAZ (bit 6) */
#endif
}

void pinn_vtanh_poly(const double *x, double *y, size_t n) {
    pinn_vtanh_poly_scaled(x, 1.0, y, n);
}
