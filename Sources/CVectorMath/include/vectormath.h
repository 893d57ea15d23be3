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

/* s[i] = sin(a*x[i]) and c[i] = cos(a*x[i]) with one shared argument reduction: Cody-Waite reduction by pi/2 in three
   parts with FMA, then the fdlibm minimax kernels on [-pi/4, pi/4]; errors within 2 ulp for |a*x| < 2^20 (larger
   arguments go through libm). Vectorised by the compiler for AVX-512, AVX2 or SSE, chosen at run time. */
void pinn_vsincos_scaled(const double *x, double a, double *s, double *c, size_t n);

/* One sine (cosine = 0) or cosine (cosine = 1) term of a Kronecker activation, c0*phi(a*z) with phi = sin or cos:
   adds (or, for first_term, assigns) c_m * phi^(m)(a*z) to out_m for m = 0..3 (c_m = c0*a^m; the signs of the
   derivatives of sin and cos are applied here) and keeps sin(a*z), cos(a*z) in sin_out, cos_out. */
void pinn_kronecker_trig_forward(const double *z, size_t n, double a, double c0, int cosine, int first_term,
                                 double *out0, double *out1, double *out2, double *out3,
                                 double *sin_out, double *cos_out);

/* The 12 sums over i < n of {sin_v, cos_v}[i] * {h0, h2, h13, xh0, xh2, xh13}[i], in that order (sin first),
   accumulated in 8 lanes: what the activation-parameter gradients of a sine or cosine term need. */
void pinn_kronecker_trig_dots(const double *sin_v, const double *cos_v, const double *h0, const double *h2,
                              const double *h13, const double *xh0, const double *xh2, const double *xh13,
                              size_t n, double out[12]);

/* Sets flush-to-zero and denormals-are-zero for the calling thread (x86 MXCSR; no-op elsewhere). Saturated
   activations produce subnormal products (e.g. tanh' at |z| ~ 350) that cost ~100 cycles each otherwise. */
void pinn_flush_subnormals_to_zero(void);

/* Which instruction set the dispatcher uses: 512, 256 or 0 (scalar). */
int pinn_vector_width_bits(void);
#endif
