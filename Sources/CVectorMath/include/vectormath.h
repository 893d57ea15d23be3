#ifndef PINN_VECTORMATH_H
#define PINN_VECTORMATH_H
#include <stddef.h>

/* Elementwise maths over contiguous double arrays, vectorised with SLEEF (AVX-512 or AVX2 chosen at run time,
   scalar libm otherwise). Errors are within 1 ulp of the correctly rounded result (SLEEF's u10 functions).
   Input and output may alias exactly (y == x) but must not overlap otherwise. */
void pinn_vtanh(const double *x, double *y, size_t n);
void pinn_vexp(const double *x, double *y, size_t n);
void pinn_vlog1p(const double *x, double *y, size_t n);
void pinn_vsin(const double *x, double *y, size_t n);
void pinn_vcos(const double *x, double *y, size_t n);
void pinn_vsincos(const double *x, double *s, double *c, size_t n);

/* Which instruction set the dispatcher uses: 512, 256 or 0 (scalar). */
int pinn_vector_width_bits(void);
#endif
