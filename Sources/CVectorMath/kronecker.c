/* The fused kernels of a layer-wise Kronecker activation phi~(z) = sum_k c0_k phi_k(a_k z) (c0 = alpha s,
   a = c omega): one pass over the pre-activations for the value and its three derivatives with all terms added
   in registers, and one pass over the adjoint streams for the gradients of every term's alpha and omega. The
   equations are in docs/derivatives.md; ActivationKernels.swift states them next to the calls. */
#include "vectormath.h"
#include "vectors.h"
#include <math.h>

/* c_m = c0 a^m, with the signs of phi^(m) folded in for sine and cosine terms (whose derivatives cycle through
   +-sin, +-cos): out_m += k_m * {p0, p1, p0, p1}[m], (p0, p1) = (sin, cos) for sine and (cos, sin) for cosine. */
typedef struct { double k0, k1, k2, k3; } coefficients;

static coefficients term_coefficients(const pinn_kronecker_term *term) {
    double a = term->a, c0 = term->c0, c1 = c0 * a, c2 = c1 * a, c3 = c2 * a;
    switch (term->kind) {
    case PINN_TERM_SIN: return (coefficients){c0, c1, -c2, -c3};
    case PINN_TERM_COS: return (coefficients){c0, -c1, -c2, c3};
    default: return (coefficients){c0, c1, c2, c3};
    }
}

/* The same, splat to full vectors once per call: the element loop then reads them as memory operands of its FMAs
   instead of broadcasting four scalars per term and vector (shuffle-port work that competes with the arithmetic). */
typedef struct { vd a, k0, k1, k2, k3; } vector_coefficients;

INLINE void splat_coefficients(const pinn_kronecker_term *term, vector_coefficients *out) {
    coefficients k = term_coefficients(term);
    out->a = splat(term->a);
    out->k0 = splat(k.k0);
    out->k1 = splat(k.k1);
    out->k2 = splat(k.k2);
    out->k3 = splat(k.k3);
}

/* phi, phi', phi'', phi''' of tanh from its value t: 1 - t^2, -2t(1 - t^2), (1 - t^2)(6t^2 - 2). */
INLINE void tanh_derivatives(const vd *value, vd *d1, vd *d2, vd *d3) {
    vd t = *value;
    *d1 = 1.0 - t * t;
    *d2 = -2.0 * t * *d1;
    *d3 = *d1 * (6.0 * t * t - 2.0);
}

/* One element, all terms, in scalar code with libm's sin/cos: the rare elements whose sine or cosine argument is
   beyond the vector reduction's range. Tanh terms reuse the cached tanh. */
static void forward_element_libm(const double *z, size_t i, const pinn_kronecker_term *terms, size_t count,
                                 double *value, double *first, double *second,
                                 double *third) {
    double o[4] = {0, 0, 0, 0};
    for (size_t j = 0; j < count; j++) {
        const pinn_kronecker_term *term = &terms[j];
        double f[4];
        switch (term->kind) {
        case PINN_TERM_TANH: {
            double t = term->cache[0][i], d1 = 1 - t * t;
            f[0] = t; f[1] = d1; f[2] = -2 * t * d1; f[3] = d1 * (6 * t * t - 2);
            break;
        }
        case PINN_TERM_SIN:
        case PINN_TERM_COS: {
            double t = term->a * z[i], sv = sin(t), cv = cos(t);
            term->cache[0][i] = sv;
            term->cache[1][i] = cv;
            double p0 = term->kind == PINN_TERM_COS ? cv : sv, p1 = term->kind == PINN_TERM_COS ? sv : cv;
            f[0] = p0; f[1] = p1; f[2] = p0; f[3] = p1;
            break;
        }
        default:
            for (int m = 0; m < 4; m++) f[m] = term->cache[m][i];
        }
        coefficients k = term_coefficients(term);
        o[0] += k.k0 * f[0]; o[1] += k.k1 * f[1]; o[2] += k.k2 * f[2]; o[3] += k.k3 * f[3];
    }
    value[i] = o[0]; first[i] = o[1]; second[i] = o[2]; third[i] = o[3];
}

/* The forward body over n elements, n a multiple of LANES; keep_cache = 0 skips the cache stores (a lone tanh). */
INLINE void forward_vectors(const double *z, size_t n, const pinn_kronecker_term *terms,
                            const vector_coefficients *coefficient, size_t count, int keep_cache,
                            double *restrict value, double *restrict first, double *restrict second,
                            double *restrict third, double argument_limit, vi *needs_libm) {
    for (size_t i = 0; i < n; i += LANES) {
        vd x = load(z + i);
        /* One test per element for all sine and cosine terms: |a_k z| < SINCOS_LARGE when |z| < argument_limit. */
        *needs_libm |= ~(vi)(__builtin_elementwise_abs(x) < argument_limit);
        vd o0 = {0}, o1 = {0}, o2 = {0}, o3 = {0};
        for (size_t j = 0; j < count; j++) {
            const pinn_kronecker_term *term = &terms[j];
            const vector_coefficients *k = &coefficient[j];
            vd t = k->a * x;
            switch (term->kind) {
            case PINN_TERM_TANH: {
                vd v, d1, d2, d3;
                tanh_v(&t, &v);
                if (keep_cache) store(term->cache[0] + i, v);
                tanh_derivatives(&v, &d1, &d2, &d3);
                o0 += k->k0 * v; o1 += k->k1 * d1; o2 += k->k2 * d2; o3 += k->k3 * d3;
                break;
            }
            case PINN_TERM_SIN:
            case PINN_TERM_COS: {
                vd sv, cv;
                sincos_v(&t, &sv, &cv);
                if (keep_cache) {
                    store(term->cache[0] + i, sv);
                    store(term->cache[1] + i, cv);
                }
                vd p0 = term->kind == PINN_TERM_COS ? cv : sv, p1 = term->kind == PINN_TERM_COS ? sv : cv;
                o0 += k->k0 * p0; o1 += k->k1 * p1; o2 += k->k2 * p0; o3 += k->k3 * p1;
                break;
            }
            default:
                o0 += k->k0 * load(term->cache[0] + i);
                o1 += k->k1 * load(term->cache[1] + i);
                o2 += k->k2 * load(term->cache[2] + i);
                o3 += k->k3 * load(term->cache[3] + i);
            }
        }
        store(value + i, o0);
        store(first + i, o1);
        store(second + i, o2);
        store(third + i, o3);
    }
}

/* Runs forward_vectors on elements [start, n) (fewer than LANES) through zero-padded copies of z, the outputs and
   the terms' caches, then copies the results back. */
INLINE void forward_tail(const double *z, size_t start, size_t n, const pinn_kronecker_term *terms,
                         const vector_coefficients *coefficient, size_t count, int keep_cache, double *value,
                         double *first, double *second, double *third, double argument_limit,
                         vi *needs_libm) {
    size_t m = n - start;
    double x[LANES] = {0}, out[4][LANES], cache[count > 0 ? count : 1][4][LANES];
    pinn_kronecker_term padded[count > 0 ? count : 1];
    memcpy(x, z + start, m * sizeof(double));
    memset(cache, 0, sizeof cache);
    for (size_t j = 0; j < count; j++) {
        padded[j] = terms[j];
        for (int s = 0; s < 4; s++) {
            padded[j].cache[s] = cache[j][s];
            if (terms[j].cache[s]) memcpy(cache[j][s], terms[j].cache[s] + start, m * sizeof(double));
        }
    }
    forward_vectors(x, LANES, padded, coefficient, count, keep_cache, out[0], out[1], out[2], out[3], argument_limit,
                    needs_libm);
    for (size_t j = 0; j < count && keep_cache; j++) {
        for (int s = 0; s < 4; s++) {
            if (terms[j].cache[s]) memcpy(terms[j].cache[s] + start, cache[j][s], m * sizeof(double));
        }
    }
    double *outputs[4] = {value, first, second, third};
    for (int s = 0; s < 4; s++) memcpy(outputs[s] + start, out[s], m * sizeof(double));
}

CLONES void pinn_kronecker_forward(const double *z, size_t n, const pinn_kronecker_term *terms, size_t count,
                                   double *restrict value, double *restrict first, double *restrict second,
                                   double *restrict third) {
    vector_coefficients coefficient[count > 0 ? count : 1];
    for (size_t j = 0; j < count; j++) splat_coefficients(&terms[j], &coefficient[j]);
    /* Half of SINCOS_LARGE / max |a_k| over the sine and cosine terms: a conservative bound (the fix-up below
       checks every element and term exactly). */
    double largest = 0;
    for (size_t j = 0; j < count; j++) {
        if (terms[j].kind == PINN_TERM_SIN || terms[j].kind == PINN_TERM_COS) largest = fmax(largest, fabs(terms[j].a));
    }
    double limit = largest > 0 ? 0.5 * SINCOS_LARGE / largest : INFINITY;
    vi needs_libm = {0};
    size_t full = n - n % LANES;
    forward_vectors(z, full, terms, coefficient, count, 1, value, first, second, third, limit, &needs_libm);
    if (full < n) forward_tail(z, full, n, terms, coefficient, count, 1, value, first, second, third, limit, &needs_libm);
    if (!__builtin_reduce_or(needs_libm)) return;
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < count; j++) {
            int trig = terms[j].kind == PINN_TERM_SIN || terms[j].kind == PINN_TERM_COS;
            if (trig && !(fabs(terms[j].a * z[i]) < SINCOS_LARGE)) {
                forward_element_libm(z, i, terms, count, value, first, second, third);
                break;
            }
        }
    }
}

CLONES void pinn_tanh_derivatives_scaled(const double *z, size_t n, double a, double c, double *value,
                                         double *first, double *second, double *third) {
    /* A one-term Kronecker sum through the same body, without the cache. */
    pinn_kronecker_term term = {PINN_TERM_TANH, a, c, {0, 0, 0, 0}};
    vector_coefficients coefficient;
    splat_coefficients(&term, &coefficient);
    vi unused = {0};
    size_t full = n - n % LANES;
    forward_vectors(z, full, &term, &coefficient, 1, 0, value, first, second, third, INFINITY, &unused);
    if (full < n) forward_tail(z, full, n, &term, &coefficient, 1, 0, value, first, second, third, INFINITY, &unused);
}

/* Elements per block of the backward pass: the per-element contractions of a block stay in L1 while every term's
   sums run over them. */
#define BLOCK_VECTORS 32

/* The contractions of the activation-output adjoints with the pre-activation streams for LANES elements at i (see
   pinn_activation_backward in vectormath.h): g0, g13 = G1 + G3 and g2. */
INLINE void contract(const double *z, const double *adjoint, size_t i, size_t stride, size_t d, int streams,
                     vd *g0, vd *g13, vd *g2) {
    *g0 = load(adjoint + i);
    *g13 = (vd){0};
    *g2 = (vd){0};
    if (streams == PINN_STREAMS_VALUE) return;
    if (streams == PINN_STREAMS_HESSIAN) {
        size_t q = 1 + d;
        for (size_t r = 0; r < d; r++) {
            vd zr = load(z + (1 + r) * stride + i);
            *g13 += load(adjoint + (1 + r) * stride + i) * zr;
            for (size_t c = r; c < d; c++, q++) {
                vd sbar = load(adjoint + q * stride + i);
                *g2 += sbar * zr * load(z + (1 + c) * stride + i);
                *g13 += sbar * load(z + q * stride + i);
            }
        }
        return;
    }
    for (size_t r = 0; r < d; r++) {
        vd zd = load(z + (1 + r) * stride + i);
        *g13 += load(adjoint + (1 + r) * stride + i) * zd;
        if (streams == PINN_STREAMS_PURE_SECOND) {
            vd sbar = load(adjoint + (1 + d + r) * stride + i);
            *g2 += sbar * zd * zd;
            *g13 += sbar * load(z + (1 + d + r) * stride + i);
        } else if (streams == PINN_STREAMS_LAPLACIAN) {
            *g2 += zd * zd;
        }
    }
    if (streams == PINN_STREAMS_LAPLACIAN) {
        vd lbar = load(adjoint + (1 + d) * stride + i);
        *g2 *= lbar;
        *g13 += lbar * load(z + (1 + d) * stride + i);
    }
}

/* In place, the adjoints of the activation streams become those of the pre-activation streams (docs/derivatives.md):
   Zbar = s1 G0 + s2 G13 + s3 G2, Dbar_i = s1 Dbar_i + 2 s2 (Lbar or Sbar_i) Zdot_i, Lbar (or Sbar_i) *= s1. */
INLINE void back_through(const double *z, double *adjoint, size_t i, size_t stride, size_t d, int streams,
                         const double *const slope[3], const vd *g0, const vd *g13, const vd *g2) {
    vd s1 = load(slope[0] + i);
    if (streams == PINN_STREAMS_VALUE) {
        store(adjoint + i, s1 * *g0);
        return;
    }
    vd s2 = load(slope[1] + i);
    if (streams == PINN_STREAMS_GRADIENT) {
        store(adjoint + i, s1 * *g0 + s2 * *g13);
        for (size_t r = 0; r < d; r++) store(adjoint + (1 + r) * stride + i, s1 * load(adjoint + (1 + r) * stride + i));
        return;
    }
    vd s3 = load(slope[2] + i);
    store(adjoint + i, s1 * *g0 + s2 * *g13 + s3 * *g2);
    if (streams == PINN_STREAMS_HESSIAN) {
        /* Dbar_r += s2 sum_c (1 + [r = c]) Sbar_rc Zdot_c over the pairs (r, c) holding r, from the unscaled Sbar;
           then every Sbar_rc *= s1. */
        vd dbar[d > 0 ? d : 1];
        for (size_t r = 0; r < d; r++) dbar[r] = s1 * load(adjoint + (1 + r) * stride + i);
        size_t q = 1 + d;
        for (size_t r = 0; r < d; r++) {
            vd zr = load(z + (1 + r) * stride + i);
            for (size_t c = r; c < d; c++, q++) {
                vd sbar = load(adjoint + q * stride + i);
                if (c == r) {
                    dbar[r] += 2.0 * s2 * sbar * zr;
                } else {
                    dbar[r] += s2 * sbar * load(z + (1 + c) * stride + i);
                    dbar[c] += s2 * sbar * zr;
                }
                store(adjoint + q * stride + i, s1 * sbar);
            }
        }
        for (size_t r = 0; r < d; r++) store(adjoint + (1 + r) * stride + i, dbar[r]);
        return;
    }
    vd twice_s2 = 2.0 * s2;
    for (size_t r = 0; r < d; r++) {
        size_t second = streams == PINN_STREAMS_LAPLACIAN ? 1 + d : 1 + d + r;
        double *dbar = adjoint + (1 + r) * stride + i;
        vd sbar = load(adjoint + second * stride + i);
        store(dbar, s1 * load(dbar) + twice_s2 * sbar * load(z + (1 + r) * stride + i));
        if (streams == PINN_STREAMS_PURE_SECOND) store(adjoint + second * stride + i, s1 * sbar);
    }
    if (streams == PINN_STREAMS_LAPLACIAN) store(adjoint + (1 + d) * stride + i, s1 * load(adjoint + (1 + d) * stride + i));
}

/* The backward body over n elements, n a multiple of LANES, block by block. */
INLINE void backward_vectors(const double *z, double *adjoint, size_t n, size_t stride, size_t d, int streams,
                             const double *const slope[3], const pinn_kronecker_term *terms, size_t count,
                             double *sums) {
    vd x[BLOCK_VECTORS], g0[BLOCK_VECTORS], g13[BLOCK_VECTORS], g2[BLOCK_VECTORS], w[BLOCK_VECTORS];
    for (size_t start = 0; start < n; start += BLOCK_VECTORS * LANES) {
        size_t vectors = 0;
        for (size_t i = start; i < n && vectors < BLOCK_VECTORS; i += LANES, vectors++) {
            contract(z, adjoint, i, stride, d, streams, &g0[vectors], &g13[vectors], &g2[vectors]);
            if (count > 0) { /* only the terms' sums use z and w */
                x[vectors] = load(z + i);
                w[vectors] = x[vectors] * g13[vectors] + 2.0 * g2[vectors];
            }
            if (slope[0]) back_through(z, adjoint, i, stride, d, streams, slope, &g0[vectors], &g13[vectors], &g2[vectors]);
        }
        for (size_t j = 0; j < count; j++) {
            const pinn_kronecker_term *term = &terms[j];
            double a = term->a, aa = a * a;
            if (term->kind == PINN_TERM_SIN || term->kind == PINN_TERM_COS) {
                /* (P, Q) = (sin, cos) for a sine term, (cos, -sin) for a cosine term; Q's sign is applied below.
                   dα = Σ P u + a Σ Q g13,  dω = Σ Q (z u + g13) - a Σ P w,  u = g0 - a² g2, w = z g13 + 2 g2. */
                const double *p = term->cache[term->kind == PINN_TERM_SIN ? 0 : 1] + start;
                const double *q = term->cache[term->kind == PINN_TERM_SIN ? 1 : 0] + start;
                vd pu = {0}, qg = {0}, qv = {0}, pw = {0};
                for (size_t v = 0; v < vectors; v++) {
                    vd pv = load(p + v * LANES), qq = load(q + v * LANES);
                    vd u = FMA(splat(-aa), g2[v], g0[v]);
                    pu = FMA(pv, u, pu);
                    qg = FMA(qq, g13[v], qg);
                    qv = FMA(qq, FMA(x[v], u, g13[v]), qv);
                    pw = FMA(pv, w[v], pw);
                }
                double sign = term->kind == PINN_TERM_SIN ? 1 : -1;
                sums[2 * j] += sum_lanes(pu) + sign * a * sum_lanes(qg);
                sums[2 * j + 1] += sign * sum_lanes(qv) - a * sum_lanes(pw);
                continue;
            }
            /* dα = Σ [g0 f0 + a g13 f1 + a² g2 f2],  dω = Σ [g0 z f1 + g13 (f1 + a z f2) + g2 (2a f2 + a² z f3)] */
            vd alpha = {0}, omega = {0};
            for (size_t v = 0; v < vectors; v++) {
                size_t i = start + v * LANES;
                vd f0 = load(term->cache[0] + i), f1, f2, f3;
                if (term->kind == PINN_TERM_TANH) {
                    tanh_derivatives(&f0, &f1, &f2, &f3);
                } else {
                    f1 = load(term->cache[1] + i);
                    f2 = load(term->cache[2] + i);
                    f3 = load(term->cache[3] + i);
                }
                alpha += g0[v] * f0 + a * g13[v] * f1 + aa * g2[v] * f2;
                omega += g0[v] * x[v] * f1 + g13[v] * (f1 + a * x[v] * f2) + g2[v] * (2 * a * f2 + aa * x[v] * f3);
            }
            sums[2 * j] += sum_lanes(alpha);
            sums[2 * j + 1] += sum_lanes(omega);
        }
    }
}

/* backward_vectors on all n elements: the full vectors in place, the last partial vector through zero-padded
   copies of its streams, slopes and caches (zero adjoints add nothing), whose adjoints are copied back. */
INLINE void backward_pass(const double *z, double *adjoint, size_t n, size_t stride, size_t d, int streams,
                          const double *const slope[3], const pinn_kronecker_term *terms, size_t count,
                          double *sums) {
    size_t full = n - n % LANES;
    backward_vectors(z, adjoint, full, stride, d, streams, slope, terms, count, sums);
    if (full == n) return;
    size_t m = n - full;
    size_t blocks = streams == PINN_STREAMS_VALUE ? 1
                  : streams == PINN_STREAMS_GRADIENT ? 1 + d
                  : streams == PINN_STREAMS_LAPLACIAN ? 2 + d
                  : streams == PINN_STREAMS_HESSIAN ? 1 + d + d * (d + 1) / 2 : 1 + 2 * d;
    double zt[blocks][LANES], at[blocks][LANES], st[3][LANES], cache[count > 0 ? count : 1][4][LANES];
    pinn_kronecker_term padded[count > 0 ? count : 1];
    const double *padded_slope[3] = {0, 0, 0};
    memset(zt, 0, sizeof zt);
    memset(at, 0, sizeof at);
    memset(st, 0, sizeof st);
    memset(cache, 0, sizeof cache);
    for (size_t b = 0; b < blocks; b++) {
        memcpy(zt[b], z + b * stride + full, m * sizeof(double));
        memcpy(at[b], adjoint + b * stride + full, m * sizeof(double));
    }
    for (int r = 0; r < 3; r++) {
        if (!slope[r]) continue;
        memcpy(st[r], slope[r] + full, m * sizeof(double));
        padded_slope[r] = st[r];
    }
    for (size_t j = 0; j < count; j++) {
        padded[j] = terms[j];
        for (int s = 0; s < 4; s++) {
            padded[j].cache[s] = cache[j][s];
            if (terms[j].cache[s]) memcpy(cache[j][s], terms[j].cache[s] + full, m * sizeof(double));
        }
    }
    backward_vectors(&zt[0][0], &at[0][0], LANES, LANES, d, streams, padded_slope, padded, count, sums);
    if (slope[0]) {
        for (size_t b = 0; b < blocks; b++) memcpy(adjoint + b * stride + full, at[b], m * sizeof(double));
    }
}

CLONES void pinn_activation_backward(const double *z, double *adjoint, size_t n, size_t stride, size_t dimension,
                                     int streams, const double *slope1, const double *slope2, const double *slope3,
                                     const pinn_kronecker_term *terms, size_t count, double *sums) {
    const double *const slope[3] = {slope1, slope2, slope3};
    /* One specialised copy per stream set (the branches inside `contract` and `back_through` fold away). */
    switch (streams) {
    case PINN_STREAMS_VALUE:
        backward_pass(z, adjoint, n, stride, dimension, PINN_STREAMS_VALUE, slope, terms, count, sums);
        break;
    case PINN_STREAMS_GRADIENT:
        backward_pass(z, adjoint, n, stride, dimension, PINN_STREAMS_GRADIENT, slope, terms, count, sums);
        break;
    case PINN_STREAMS_LAPLACIAN:
        backward_pass(z, adjoint, n, stride, dimension, PINN_STREAMS_LAPLACIAN, slope, terms, count, sums);
        break;
    case PINN_STREAMS_HESSIAN:
        backward_pass(z, adjoint, n, stride, dimension, PINN_STREAMS_HESSIAN, slope, terms, count, sums);
        break;
    default:
        backward_pass(z, adjoint, n, stride, dimension, PINN_STREAMS_PURE_SECOND, slope, terms, count, sums);
    }
}
