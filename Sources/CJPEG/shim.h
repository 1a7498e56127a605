#ifndef C_JPEG_SHIM_H
#define C_JPEG_SHIM_H

// libjpeg-turbo's libjpeg API (Debian's libjpeg62-turbo-dev). Only the C wrappers in
// CImageCodecs include it: its errors longjmp, which Swift cannot do. jpeglib.h needs
// FILE and size_t declared first.
#include <stddef.h>
#include <stdio.h>
#include <jpeglib.h>

#endif
