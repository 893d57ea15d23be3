#ifndef PINN_CPUINFO_H
#define PINN_CPUINFO_H

/// What the processor reports through cpuid, and which vector register states the operating system saves (xgetbv):
/// an instruction set counts as usable only when both the CPU has it and the OS saves its registers.
typedef struct {
    char vendor[13];      ///< "GenuineIntel", "AuthenticAMD", …
    char brand[49];       ///< the brand string, e.g. "Intel(R) Xeon(R) Processor"
    unsigned family;      ///< display family (base + extended)
    unsigned model;       ///< display model (base + extended)
    unsigned stepping;
    int avx;              ///< AVX usable (CPU flag and OS saves ymm)
    int avx2;
    int fma;
    int avx512f;          ///< AVX-512 foundation usable (CPU flag and OS saves zmm and opmask state)
    int avx512bw;
    int avx512dq;
    int avx512vl;
    int avx512cd;
} pinn_cpu_info;

/// Fills `info` from cpuid and xgetbv. On processors without cpuid leaves the fields stay zero.
void pinn_cpu_identify(pinn_cpu_info *info);

#endif
