/* MPI as Debian ships it (libopenmpi-dev; MPICH works too), found through pkg-config ("mpi"). Only CMPIShim uses
   it: Open MPI's MPI_COMM_WORLD, MPI_DOUBLE and MPI_SUM are macros over its internals that Swift cannot import. */
#include <mpi.h>
