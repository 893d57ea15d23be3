#ifndef PINN_HDF5_SHIM_H
#define PINN_HDF5_SHIM_H
#include <hdf5.h>
/* HDF5's "constants" are macros Swift cannot import; these inline functions return them. */
static inline hid_t pinn_h5t_native_double(void) { return H5T_NATIVE_DOUBLE; }
static inline hid_t pinn_h5t_native_int64(void) { return H5T_NATIVE_INT64; }
static inline hid_t pinn_h5t_native_int32(void) { return H5T_NATIVE_INT32; }
static inline hid_t pinn_h5t_c_s1(void) { return H5T_C_S1; }
static inline hid_t pinn_h5p_dataset_create(void) { return H5P_DATASET_CREATE; }
static inline unsigned pinn_h5f_acc_trunc(void) { return H5F_ACC_TRUNC; }
static inline unsigned pinn_h5f_acc_excl(void) { return H5F_ACC_EXCL; }
static inline unsigned pinn_h5f_acc_rdonly(void) { return H5F_ACC_RDONLY; }
static inline unsigned pinn_h5f_acc_rdwr(void) { return H5F_ACC_RDWR; }
static inline size_t pinn_h5t_variable(void) { return H5T_VARIABLE; }
static inline hid_t pinn_h5p_default(void) { return H5P_DEFAULT; }
/* File access for new files: the HDF5 1.8 format or later, whose superblock and object headers carry checksums. */
static inline hid_t pinn_h5p_checksummed_file_access(void) {
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    H5Pset_libver_bounds(fapl, H5F_LIBVER_V18, H5F_LIBVER_LATEST);
    return fapl;
}
/* Silence HDF5's own stderr error stack: pinn reports errors itself. */
static inline void pinn_h5_silence_errors(void) { H5Eset_auto2(H5E_DEFAULT, NULL, NULL); }
#endif
