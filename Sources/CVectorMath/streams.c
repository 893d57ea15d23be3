/* The elementwise loops of the batched Taylor-mode pass that sit between the GEMMs: the bias, the derivative streams
   through an activation, and the bias gradient. Plain loops compiled for AVX-512, AVX2+FMA and baseline x86-64 and
   chosen at run time (Swift compiles for baseline x86-64 only, i.e. two doubles per instruction). */
#include "vectormath.h"
#include "vectors.h"

CLONES void pinn_add_bias(double *restrict z, const double *restrict bias, size_t rows, size_t columns) {
    for (size_t p = 0; p < columns; p++) {
        double *column = z + p * rows;
        for (size_t j = 0; j < rows; j++) column[j] += bias[j];
    }
}

CLONES void pinn_sum_columns(const double *restrict matrix, size_t rows, size_t columns, double *restrict sums) {
    for (size_t p = 0; p < columns; p++) {
        const double *column = matrix + p * rows;
        for (size_t j = 0; j < rows; j++) sums[j] += column[j];
    }
}

/* Elements per tile of pinn_propagate_streams: the loops below read each slope and input stream several times (the
   Laplacian d + 1 times); tile by tile those reads after the first come from L1 (30 % faster than whole blocks at
   3840 elements on the Xeon; one pass per element with all streams at once was slower than either). */
#define PROPAGATE_TILE 256

INLINE void propagate_tile(const double *restrict z, double *restrict a, const double *restrict s1,
                           const double *restrict s2, size_t block, size_t d, int streams, size_t lo, size_t hi) {
    for (size_t i = 0; i < d; i++) {
        const double *zd = z + (1 + i) * block;
        double *out = a + (1 + i) * block;
        for (size_t e = lo; e < hi; e++) out[e] = s1[e] * zd[e];
    }
    switch (streams) {
    case PINN_STREAMS_LAPLACIAN: {
        const double *zdd = z + (1 + d) * block;
        double *lap = a + (1 + d) * block;
        for (size_t e = lo; e < hi; e++) lap[e] = s1[e] * zdd[e];
        for (size_t i = 0; i < d; i++) {
            const double *zd = z + (1 + i) * block;
            for (size_t e = lo; e < hi; e++) lap[e] += s2[e] * zd[e] * zd[e];
        }
        break;
    }
    case PINN_STREAMS_PURE_SECOND:
        for (size_t i = 0; i < d; i++) {
            const double *zd = z + (1 + i) * block, *zdd = z + (1 + d + i) * block;
            double *out = a + (1 + d + i) * block;
            for (size_t e = lo; e < hi; e++) out[e] = s2[e] * zd[e] * zd[e] + s1[e] * zdd[e];
        }
        break;
    case PINN_STREAMS_HESSIAN: {
        size_t q = 1 + d;
        for (size_t i = 0; i < d; i++) {
            for (size_t j = i; j < d; j++, q++) {
                const double *zi = z + (1 + i) * block, *zj = z + (1 + j) * block, *zdd = z + q * block;
                double *out = a + q * block;
                for (size_t e = lo; e < hi; e++) out[e] = s2[e] * zi[e] * zj[e] + s1[e] * zdd[e];
            }
        }
        break;
    }
    default:
        break;
    }
}

CLONES void pinn_propagate_streams(const double *restrict z, double *restrict a, const double *restrict s1,
                                   const double *restrict s2, size_t block, size_t d, int streams) {
    if (streams == PINN_STREAMS_VALUE) return;
    for (size_t lo = 0; lo < block; lo += PROPAGATE_TILE) {
        propagate_tile(z, a, s1, s2, block, d, streams, lo, lo + PROPAGATE_TILE < block ? lo + PROPAGATE_TILE : block);
    }
}
