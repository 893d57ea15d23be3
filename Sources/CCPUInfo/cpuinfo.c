#include "cpuinfo.h"
#include <cpuid.h>
#include <string.h>

static unsigned long long read_xcr0(void) {
    unsigned eax, edx;
    __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
    return ((unsigned long long)edx << 32) | eax;
}

void pinn_cpu_identify(pinn_cpu_info *info) {
    memset(info, 0, sizeof *info);
    unsigned a, b, c, d;
    if (!__get_cpuid(0, &a, &b, &c, &d)) return;
    unsigned max_leaf = a;
    memcpy(info->vendor + 0, &b, 4);
    memcpy(info->vendor + 4, &d, 4);
    memcpy(info->vendor + 8, &c, 4);

    __get_cpuid(1, &a, &b, &c, &d);
    unsigned base_family = (a >> 8) & 0xf, base_model = (a >> 4) & 0xf;
    info->family = base_family == 0xf ? base_family + ((a >> 20) & 0xff) : base_family;
    info->model = (base_family == 0x6 || base_family == 0xf) ? (((a >> 16) & 0xf) << 4) + base_model : base_model;
    info->stepping = a & 0xf;
    int has_osxsave = (c >> 27) & 1, has_avx = (c >> 28) & 1, has_fma = (c >> 12) & 1;
    unsigned long long xcr0 = has_osxsave ? read_xcr0() : 0;
    int os_ymm = (xcr0 & 0x6) == 0x6;            /* SSE and AVX state */
    int os_zmm = os_ymm && (xcr0 & 0xe0) == 0xe0; /* opmask, upper zmm0-15, zmm16-31 */
    info->avx = has_avx && os_ymm;
    info->fma = has_fma && os_ymm;

    if (max_leaf >= 7) {
        __get_cpuid_count(7, 0, &a, &b, &c, &d);
        info->avx2 = ((b >> 5) & 1) && os_ymm;
        info->avx512f = ((b >> 16) & 1) && os_zmm;
        info->avx512dq = ((b >> 17) & 1) && os_zmm;
        info->avx512cd = ((b >> 28) & 1) && os_zmm;
        info->avx512bw = ((b >> 30) & 1) && os_zmm;
        info->avx512vl = ((b >> 31) & 1) && os_zmm;
    }

    unsigned max_extended = __get_cpuid_max(0x80000000, 0);
    if (max_extended >= 0x80000004) {
        unsigned *words = (unsigned *)info->brand;
        for (unsigned leaf = 0; leaf < 3; leaf++) {
            __get_cpuid(0x80000002 + leaf, &words[4 * leaf], &words[4 * leaf + 1], &words[4 * leaf + 2],
                        &words[4 * leaf + 3]);
        }
        info->brand[48] = 0;
    }
}
