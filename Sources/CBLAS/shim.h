#ifndef PINN_CBLAS_SHIM_H
#define PINN_CBLAS_SHIM_H
#include <cblas.h>
/* OpenBLAS thread control (declared in cblas.h on Debian; repeated for other layouts). */
void openblas_set_num_threads(int num_threads);
#endif
