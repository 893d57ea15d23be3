#ifndef PINN_LAPACKE_SHIM_H
#define PINN_LAPACKE_SHIM_H
#include <lapacke.h>
#endif
