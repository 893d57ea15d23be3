#ifndef PINN_MPI_H
#define PINN_MPI_H
#include <stddef.h>

/* The few MPI calls data-parallel training needs, over MPI_COMM_WORLD and MPI_DOUBLE, as plain C functions for
   Swift. Built without the MPI trait, pinn_mpi_available() is 0 and the others fail (return -1). Every function
   returns 0 on success. */

int pinn_mpi_available(void);
/* MPI_Init_thread (funneled: only the training thread calls MPI) unless already initialised; MPI_Finalize is
   registered to run at exit. */
int pinn_mpi_init(int *rank, int *size);
/* values <- their sum over all processes, the same bits on every process: reduced to process 0, then broadcast. */
int pinn_mpi_sum(double *values, size_t count);
/* values <- their elementwise maximum over all processes. */
int pinn_mpi_max(double *values, size_t count);
/* values <- process root's values. */
int pinn_mpi_broadcast(double *values, size_t count, int root);
/* The MPI library's version string (e.g. "Open MPI v4.1.4, …"), or "" without MPI. */
const char *pinn_mpi_library(void);
/* Ends every process of the job with `code`. */
void pinn_mpi_abort(int code);

#endif
