#include "pinn_mpi.h"

#ifdef PINN_MPI
#include <limits.h>
#include <mpi.h>
#include <stdlib.h>

static void finalize(void) {
    int finalized = 0;
    MPI_Finalized(&finalized);
    if (!finalized) MPI_Finalize();
}

int pinn_mpi_available(void) { return 1; }

int pinn_mpi_init(int *rank, int *size) {
    int initialized = 0, provided = 0;
    MPI_Initialized(&initialized);
    if (!initialized) {
        if (MPI_Init_thread(NULL, NULL, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS) return -1;
        atexit(finalize);
    }
    MPI_Comm_rank(MPI_COMM_WORLD, rank);
    MPI_Comm_size(MPI_COMM_WORLD, size);
    return 0;
}

/* MPI counts are ints: longer buffers go in pieces. */
#define PIECE ((size_t)1 << 30)

int pinn_mpi_sum(double *values, size_t count) {
    int rank = 0;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    for (size_t start = 0; start < count; start += PIECE) {
        int n = (int)(count - start < PIECE ? count - start : PIECE);
        void *send = rank == 0 ? MPI_IN_PLACE : values + start;
        if (MPI_Reduce(send, values + start, n, MPI_DOUBLE, MPI_SUM, 0, MPI_COMM_WORLD) != MPI_SUCCESS) return -1;
        if (MPI_Bcast(values + start, n, MPI_DOUBLE, 0, MPI_COMM_WORLD) != MPI_SUCCESS) return -1;
    }
    return 0;
}

int pinn_mpi_max(double *values, size_t count) {
    for (size_t start = 0; start < count; start += PIECE) {
        int n = (int)(count - start < PIECE ? count - start : PIECE);
        if (MPI_Allreduce(MPI_IN_PLACE, values + start, n, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD) != MPI_SUCCESS) return -1;
    }
    return 0;
}

int pinn_mpi_broadcast(double *values, size_t count, int root) {
    for (size_t start = 0; start < count; start += PIECE) {
        int n = (int)(count - start < PIECE ? count - start : PIECE);
        if (MPI_Bcast(values + start, n, MPI_DOUBLE, root, MPI_COMM_WORLD) != MPI_SUCCESS) return -1;
    }
    return 0;
}

const char *pinn_mpi_library(void) {
    static char version[MPI_MAX_LIBRARY_VERSION_STRING];
    int length = 0;
    MPI_Get_library_version(version, &length);
    for (int i = 0; i < length; i++) if (version[i] == '\n') { version[i] = 0; break; }
    return version;
}

void pinn_mpi_abort(int code) { MPI_Abort(MPI_COMM_WORLD, code); }

#else

int pinn_mpi_available(void) { return 0; }
int pinn_mpi_init(int *rank, int *size) { *rank = 0; *size = 1; return -1; }
int pinn_mpi_sum(double *values, size_t count) { (void)values; (void)count; return -1; }
int pinn_mpi_max(double *values, size_t count) { (void)values; (void)count; return -1; }
int pinn_mpi_broadcast(double *values, size_t count, int root) { (void)values; (void)count; (void)root; return -1; }
const char *pinn_mpi_library(void) { return ""; }
void pinn_mpi_abort(int code) { (void)code; }

#endif
