/* Array wrappers over SLEEF's vector functions. sleef.h declares those only when the matching instruction set is
   enabled at compile time, so the prototypes are repeated here with target attributes, and the choice between
   AVX-512, AVX2 and scalar code is made once at run time: the binary stays portable. */
#include "vectormath.h"
#include <immintrin.h>
#include <math.h>
#include <string.h>

#define AVX512 __attribute__((target("avx512f")))
#define AVX2 __attribute__((target("avx2,fma")))


AVX512 __m512d Sleef_tanhd8_u10avx512f(__m512d);
AVX512 __m512d Sleef_expd8_u10avx512f(__m512d);
AVX512 __m512d Sleef_log1pd8_u10avx512f(__m512d);
AVX512 __m512d Sleef_sind8_u10avx512f(__m512d);
AVX512 __m512d Sleef_cosd8_u10avx512f(__m512d);
AVX2 __m256d Sleef_tanhd4_u10avx2(__m256d);
AVX2 __m256d Sleef_expd4_u10avx2(__m256d);
AVX2 __m256d Sleef_log1pd4_u10avx2(__m256d);
AVX2 __m256d Sleef_sind4_u10avx2(__m256d);
AVX2 __m256d Sleef_cosd4_u10avx2(__m256d);

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

UNARY(pinn_vtanh, Sleef_tanhd8_u10avx512f, Sleef_tanhd4_u10avx2, tanh)
UNARY(pinn_vexp, Sleef_expd8_u10avx512f, Sleef_expd4_u10avx2, exp)
UNARY(pinn_vlog1p, Sleef_log1pd8_u10avx512f, Sleef_log1pd4_u10avx2, log1p)
UNARY(pinn_vsin, Sleef_sind8_u10avx512f, Sleef_sind4_u10avx2, sin)
UNARY(pinn_vcos, Sleef_cosd8_u10avx512f, Sleef_cosd4_u10avx2, cos)

void pinn_vsincos(const double *x, double *s, double *c, size_t n) {
    /* SLEEF's own sincos returns a struct of two vectors, which clang passes differently from the GCC-built
       library when AVX-512 is enabled per function only (measured: wrong results); two unary calls are safe. */
    pinn_vsin(x, s, n);
    pinn_vcos(x, c, n);
}
