#ifndef PINN_VECTORMATH_H
#define PINN_VECTORMATH_H
#include <stddef.h>

/* Elementwise maths over contiguous double arrays: exp and log1p from SLEEF (AVX-512 or AVX2 chosen at run time,
   scalar libm otherwise; within 1 ulp), tanh and sin/cos by pinn's own vectorised kernels (accuracy stated below).
   Input and output may alias exactly (y == x) but must not overlap otherwise. */
/* tanh by a vectorised expm1 polynomial (within a few ulp; see vectormath.c), faster than SLEEF's. */
void pinn_vtanh_poly(const double *x, double *y, size_t n);
/* y[i] = tanh(a * x[i]) (y may equal x). */
void pinn_vtanh_poly_scaled(const double *x, double a, double *y, size_t n);
void pinn_vexp(const double *x, double *y, size_t n);
void pinn_vlog1p(const double *x, double *y, size_t n);
void pinn_vsincos(const double *x, double *s, double *c, size_t n);

/* s[i] = sin(a*x[i]) and c[i] = cos(a*x[i]) with one shared argument reduction: Cody-Waite reduction by pi/2 in two
   parts with FMA, then the fdlibm minimax kernels on [-pi/4, pi/4]; within 2 ulp of libm for |a*x| < 2^20 (larger
   arguments go through libm), except at arguments within ~1e-12 of a multiple of pi/2, where the absolute error
   (below 1e-24) is large relative to the tiny value (VectorMathTests). AVX-512, AVX2 or SSE, chosen at run time. */
void pinn_vsincos_scaled(const double *x, double a, double *s, double *c, size_t n);

/* One term c0 * phi(a z) of a layer-wise Kronecker activation (c0 = alpha s, a = c omega) and its cache of values at
   a z, shared by the forward and gradient kernels. A tanh term's cache[0] receives tanh(a z); a sine or cosine term's
   cache[0] and cache[1] receive sin(a z) and cos(a z); a tabulated term (any other function) must hold phi, phi',
   phi'', phi''' at a z in cache[0..3] before either kernel runs. */
enum { PINN_TERM_TANH = 0, PINN_TERM_SIN = 1, PINN_TERM_COS = 2, PINN_TERM_TABULATED = 3 };
typedef struct {
    int kind;
    double a;
    double c0;
    double *cache[4];
} pinn_kronecker_term;

/* The activation phi~(z) = sum_k c0_k phi_k(a_k z) and its derivatives at n contiguous pre-activations, all terms in
   one pass: value, first, second, third = phi~^(m) = sum_k c0_k a_k^m phi_k^(m)(a_k z), m = 0..3, filling the
   terms' caches. Sine and cosine arguments beyond 2^20 go through libm. */
void pinn_kronecker_forward(const double *z, size_t n, const pinn_kronecker_term *terms, size_t count,
                            double *value, double *first, double *second, double *third);

/* c a^m tanh^(m)(a z[i]), m = 0..3, into value, first, second, third: a one-term activation c tanh(a z) with the
   same arithmetic as a tanh term of pinn_kronecker_forward (so a Kronecker sum whose other amplitudes are zero gives
   bit for bit the values of its tanh term alone). */
void pinn_tanh_derivatives_scaled(const double *z, size_t n, double a, double c, double *value, double *first,
                                  double *second, double *third);

/* The stream sets of the backward kernel (DerivativeStreams): value only; value and first derivatives; plus the
   Laplacian as one stream; plus the d pure second derivatives; plus all d(d+1)/2 second derivatives S_ij, i <= j
   (xx, xy, xz, yy, yz, zz). */
enum { PINN_STREAMS_VALUE = 0, PINN_STREAMS_GRADIENT = 1, PINN_STREAMS_LAPLACIAN = 2, PINN_STREAMS_PURE_SECOND = 3,
       PINN_STREAMS_HESSIAN = 4 };

/* The backward pass through one layer's activation, in one pass over its elements. z and adjoint hold the
   pre-activation streams and the activation-output adjoints as consecutive blocks `stride` apart (value, d first
   derivatives, then the Laplacian or d pure second derivatives), of which the first n elements of each are used.
   With the per-element contractions
     G0 = Abar,  G13 = sum_i Dbar_i Zdot_i + (Lbar Zddot or sum_i Sbar_i Zddot_i or sum_{i<=j} Sbar_ij Zddot_ij),
     G2 = Lbar sum_i Zdot_i^2 (or sum_i Sbar_i Zdot_i^2 or sum_{i<=j} Sbar_ij Zdot_i Zdot_j):
   - for each of the `count` terms, adds to sums[2k] and sums[2k + 1] the reductions that give its parameters'
     gradients, dL/d alpha_k = s_k sums[2k] and dL/d omega_k = c_k alpha_k s_k sums[2k + 1]:
       sums[2k]     = sum [G0 f0 + a G13 f1 + a^2 G2 f2],
       sums[2k + 1] = sum [G0 z f1 + G13 (f1 + a z f2) + G2 (2a f2 + a^2 z f3)],   f_m = phi_k^(m)(a_k z),
     from the caches the forward kernel filled at the same elements (count = 0: no parameters);
   - when slope1 is not NULL, turns the adjoints in place into those of the pre-activation streams, given the
     activation's first, second and third derivatives s1, s2, s3 at z (slope2 and slope3 may be NULL when the
     streams do not use them):
       Zbar = s1 G0 + s2 G13 + s3 G2,  Dbar_i = s1 Dbar_i + 2 s2 (Lbar or Sbar_i) Zdot_i,  Lbar or Sbar_i *= s1;
     with all second derivatives Dbar_i = s1 Dbar_i + s2 sum_j (1 + [i = j]) Sbar_ij Zdot_j and Sbar_ij *= s1. */
void pinn_activation_backward(const double *z, double *adjoint, size_t n, size_t stride, size_t dimension,
                              int streams, const double *slope1, const double *slope2, const double *slope3,
                              const pinn_kronecker_term *terms, size_t count, double *sums);

/* z[:, p] += bias for every column p of the rows x columns column-major matrix z. */
void pinn_add_bias(double *z, const double *bias, size_t rows, size_t columns);

/* sums[j] += sum_p matrix[j + p*rows] (the bias gradient from the value block's adjoints). */
void pinn_sum_columns(const double *matrix, size_t rows, size_t columns, double *sums);

/* The derivative streams of an activation's output from those of its input (blocks of `block` elements, laid out as
   for pinn_activation_backward), given s1 = sigma' and s2 = sigma'' at the values: D_i = s1 Zdot_i, then
   Lambda = s2 sum_i Zdot_i^2 + s1 Zddot, or S_i = s2 Zdot_i^2 + s1 Zddot_i, or S_ij = s2 Zdot_i Zdot_j + s1 Zddot_ij.
   The value block of `a` is not touched. */
void pinn_propagate_streams(const double *z, double *a, const double *s1, const double *s2, size_t block, size_t d,
                            int streams);

/* Sets flush-to-zero and denormals-are-zero for the calling thread (x86 MXCSR; no-op elsewhere). Saturated
   activations produce subnormal products (e.g. tanh' at |z| ~ 350) that cost ~100 cycles each otherwise. */
void pinn_flush_subnormals_to_zero(void);

/* Which instruction set the dispatcher uses: 512, 256 or 0 (scalar). */
int pinn_vector_width_bits(void);
#endif
