#ifndef C_PNG_SHIM_H
#define C_PNG_SHIM_H

// libpng 1.6 (Debian's libpng-dev). Only the C wrappers in CImageCodecs include it: its
// errors longjmp, which Swift cannot do.
#include <png.h>

#endif
