#ifndef PINN_FUZZER_DRIVER_H
#define PINN_FUZZER_DRIVER_H
#include <stddef.h>
#include <stdint.h>

/// libFuzzer's entry point for programs with a main of their own (compiler-rt, LLVM 11 and later): runs the fuzzing
/// loop with the command line's libFuzzer options, calling `callback` on every input.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

#endif
