// On Linux SwiftPM links an executable target `X` with `--defsym main=X_main` (so tests can
// import executables). A libFuzzer harness has no Swift `main` (it is built with
// -parse-as-library and libFuzzer supplies `main`), so the link fails on an undefined
// `X_main`. These entry points fill that role and start libFuzzer's driver themselves.
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int FuzzCSV_main(int argc, char **argv) {
    return LLVMFuzzerRunDriver(&argc, &argv, LLVMFuzzerTestOneInput);
}

int FuzzSpec_main(int argc, char **argv) {
    return LLVMFuzzerRunDriver(&argc, &argv, LLVMFuzzerTestOneInput);
}

int FuzzImages_main(int argc, char **argv) {
    return LLVMFuzzerRunDriver(&argc, &argv, LLVMFuzzerTestOneInput);
}
