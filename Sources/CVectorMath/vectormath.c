/* Array wrappers over SLEEF's vector functions. sleef.h declares those only when the matching instruction set is
   enabled at compile time, so the prototypes are repeated here with target attributes, and the choice between
   AVX-512, AVX2 and scalar code is made once at run time: the binary stays portable. */
#include "vectormath.h"
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

/* fdlibm's kernels (__kernel_sin, __kernel_cos) and its split of pi/2. */
static const double S1 = -1.66666666666666324348e-01, S2 = 8.33333333332248946124e-03,
                    S3 = -1.98412698298579493134e-04, S4 = 2.75573137070700676789e-06,
                    S5 = -2.50507602534068634195e-08, S6 = 1.58969099521155010221e-10;
static const double C1 = 4.16666666666666019037e-02, C2 = -1.38888888888741095749e-03,
                    C3 = 2.48015872894767294178e-05, C4 = -2.75573143513906633035e-07,
                    C5 = 2.08757232129817482790e-09, C6 = -1.13596475577881948265e-11;
static const double PIO2_1 = 1.57079632673412561417e+00, PIO2_2 = 6.07710050630396597660e-11,
                    PIO2_3 = 2.02226624871116645580e-21;
static const double TWO_OVER_PI = 6.36619772367581382433e-01;
static const double ROUNDING_MAGIC = 6755399441055744.0; /* 1.5 * 2^52: adding it rounds to an integer in the low bits */
static const double LARGE = 1048576.0;                  /* 2^20: beyond, the three-part reduction loses digits */

static inline uint64_t bits_of(double x) { uint64_t b; memcpy(&b, &x, 8); return b; }
static inline double double_of(uint64_t b) { double x; memcpy(&x, &b, 8); return x; }

/* sin and cos of t with one reduction; exact only for |t| < LARGE (callers fix up larger t with libm). */
static inline __attribute__((always_inline)) void sincos_core(double t, double *s, double *c) {
    double shifted = t * TWO_OVER_PI + ROUNDING_MAGIC;
    uint64_t q = bits_of(shifted);
    double k = shifted - ROUNDING_MAGIC;
    double r = __builtin_fma(-k, PIO2_1, t);
    r = __builtin_fma(-k, PIO2_2, r);
    r = __builtin_fma(-k, PIO2_3, r);
    double z = r * r;
    double sr = r + r * z * (S1 + z * (S2 + z * (S3 + z * (S4 + z * (S5 + z * S6)))));
    double cr = 1.0 - 0.5 * z + z * z * (C1 + z * (C2 + z * (C3 + z * (C4 + z * (C5 + z * C6)))));
    /* Quadrant q mod 4: odd quadrants swap sin and cos; sin is negated in quadrants 2, 3 and cos in 1, 2. */
    uint64_t swap = 0 - (q & 1);
    uint64_t sb = (bits_of(sr) & ~swap) | (bits_of(cr) & swap);
    uint64_t cb = (bits_of(cr) & ~swap) | (bits_of(sr) & swap);
    *s = double_of(sb ^ ((q & 2) << 62));
    *c = double_of(cb ^ (((q + 1) & 2) << 62));
}

/* Recomputes with libm the entries whose argument was too large for the fast reduction. */
static void sincos_fix_large(const double *x, double a, double *s, double *c, size_t n) {
    for (size_t i = 0; i < n; i++) {
        double t = a * x[i];
        if (!(__builtin_fabs(t) < LARGE)) { s[i] = sin(t); c[i] = cos(t); }
    }
}

__attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
void pinn_vsincos_scaled(const double *x, double a, double *restrict s, double *restrict c, size_t n) {
    int needs_libm = 0;
    for (size_t i = 0; i < n; i++) {
        double t = a * x[i];
        sincos_core(t, &s[i], &c[i]);
        needs_libm |= !(__builtin_fabs(t) < LARGE);
    }
    if (needs_libm) sincos_fix_large(x, a, s, c, n);
}

/* out_m (+)= k_m * {p0, p1, p0, p1}[m] with (p0, p1) = (sin, cos) for a sine term and (cos, sin) for a cosine. */
#define TRIG_ACCUMULATE(OP)                                                                                       \
    for (size_t i = 0; i < n; i++) {                                                                              \
        double t = a * z[i], sv, cv;                                                                               \
        sincos_core(t, &sv, &cv);                                                                                  \
        sin_out[i] = sv;                                                                                           \
        cos_out[i] = cv;                                                                                           \
        double p0 = cosine ? cv : sv, p1 = cosine ? sv : cv;                                                       \
        out0[i] OP k0 * p0; out1[i] OP k1 * p1; out2[i] OP k2 * p0; out3[i] OP k3 * p1;                            \
        needs_libm |= !(__builtin_fabs(t) < LARGE);                                                                \
    }

__attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
void pinn_kronecker_trig_forward(const double *z, size_t n, double a, double c0, int cosine, int first_term,
                                 double *restrict out0, double *restrict out1, double *restrict out2,
                                 double *restrict out3, double *restrict sin_out, double *restrict cos_out) {
    /* sin: (s, c, -s, -c); cos: (c, -s, -c, s), times c0*a^m. */
    double c1 = c0 * a, c2 = c1 * a, c3 = c2 * a;
    double k0 = c0, k1 = cosine ? -c1 : c1, k2 = -c2, k3 = cosine ? c3 : -c3;
    int needs_libm = 0;
    if (first_term) {
        TRIG_ACCUMULATE(=)
    } else {
        TRIG_ACCUMULATE(+=)
    }
    if (needs_libm) {
        /* Rare: arguments beyond the fast reduction. Replace their contribution with libm's values. */
        for (size_t i = 0; i < n; i++) {
            double t = a * z[i];
            if (__builtin_fabs(t) < LARGE) continue;
            double sv = sin(t), cv = cos(t);
            double d0 = cosine ? cv - cos_out[i] : sv - sin_out[i], d1 = cosine ? sv - sin_out[i] : cv - cos_out[i];
            if (first_term) {
                out0[i] = k0 * (cosine ? cv : sv); out1[i] = k1 * (cosine ? sv : cv);
                out2[i] = k2 * (cosine ? cv : sv); out3[i] = k3 * (cosine ? sv : cv);
            } else {
                out0[i] += k0 * d0; out1[i] += k1 * d1; out2[i] += k2 * d0; out3[i] += k3 * d1;
            }
            sin_out[i] = sv;
            cos_out[i] = cv;
        }
    }
}

__attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
void pinn_kronecker_trig_dots(const double *sin_v, const double *cos_v, const double *h0, const double *h2,
                              const double *h13, const double *xh0, const double *xh2, const double *xh13,
                              size_t n, double out[12]) {
    double acc[12][8] = {{0}};
    size_t body = n - n % 8;
    for (size_t i = 0; i < body; i += 8) {
        for (int j = 0; j < 8; j++) {
            double sv = sin_v[i + j], cv = cos_v[i + j];
            double a0 = h0[i + j], a1 = h2[i + j], a2 = h13[i + j], a3 = xh0[i + j], a4 = xh2[i + j], a5 = xh13[i + j];
            acc[0][j] += sv * a0; acc[1][j] += sv * a1; acc[2][j] += sv * a2;
            acc[3][j] += sv * a3; acc[4][j] += sv * a4; acc[5][j] += sv * a5;
            acc[6][j] += cv * a0; acc[7][j] += cv * a1; acc[8][j] += cv * a2;
            acc[9][j] += cv * a3; acc[10][j] += cv * a4; acc[11][j] += cv * a5;
        }
    }
    for (int m = 0; m < 12; m++) {
        double sum = 0;
        for (int j = 0; j < 8; j++) sum += acc[m][j];
        out[m] = sum;
    }
    for (size_t i = body; i < n; i++) {
        const double *h[6] = {h0, h2, h13, xh0, xh2, xh13};
        for (int m = 0; m < 6; m++) {
            out[m] += sin_v[i] * h[m][i];
            out[6 + m] += cos_v[i] * h[m][i];
        }
    }
}

/* tanh through expm1 of -2|x| (no cancellation for small |x|): expm1(y) = 2^k (expm1(r) + 1) - 1 with
   y = k ln2 + r, |r| <= ln2/2, and expm1(r) by its Taylor series to r^13 (truncation < 1e-16 relative). */
static const double LN2_HI = 6.93147180369123816490e-01, LN2_LO = 1.90821492927058770002e-10;
static const double ONE_OVER_LN2 = 1.44269504088896338700e+00;

__attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
void pinn_vtanh_poly_scaled(const double *x, double a, double *y, size_t n) {
    for (size_t i = 0; i < n; i++) {
        double xi = a * x[i];
        double ax = __builtin_fabs(xi);
        double v = -2.0 * (ax > 20.0 ? 20.0 : ax);  /* tanh(20) = 1 - 8e-18: 1 in double precision; NaN stays NaN */
        double shifted = v * ONE_OVER_LN2 + ROUNDING_MAGIC;
        double k = shifted - ROUNDING_MAGIC;
        int64_t ki = (int64_t)(bits_of(shifted) & 0xFFFFF) - (int64_t)0x80000; /* k in [-58, 0] */
        double r = __builtin_fma(-k, LN2_HI, v);
        r = __builtin_fma(-k, LN2_LO, r);
        double p = 1.0 / 6227020800.0;
        p = __builtin_fma(p, r, 1.0 / 479001600.0);
        p = __builtin_fma(p, r, 1.0 / 39916800.0);
        p = __builtin_fma(p, r, 1.0 / 3628800.0);
        p = __builtin_fma(p, r, 1.0 / 362880.0);
        p = __builtin_fma(p, r, 1.0 / 40320.0);
        p = __builtin_fma(p, r, 1.0 / 5040.0);
        p = __builtin_fma(p, r, 1.0 / 720.0);
        p = __builtin_fma(p, r, 1.0 / 120.0);
        p = __builtin_fma(p, r, 1.0 / 24.0);
        p = __builtin_fma(p, r, 1.0 / 6.0);
        p = __builtin_fma(p, r, 0.5);
        p = __builtin_fma(p * r, r, r);                         /* expm1(r) */
        double scale = double_of((uint64_t)(ki + 1023) << 52);  /* 2^k */
        double em1 = __builtin_fma(scale, p, scale - 1.0);      /* expm1(v) */
        double t = -em1 / (2.0 + em1);
        y[i] = double_of(bits_of(t) | (bits_of(xi) & 0x8000000000000000ULL));
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
