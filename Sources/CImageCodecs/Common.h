#ifndef C_IMAGE_CODECS_COMMON_H
#define C_IMAGE_CODECS_COMMON_H

// Helpers shared by the PNG and JPEG wrappers (not part of the module's interface).

#include "CImageCodecs.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/// Clears `image` and sets its fields to "nothing decoded".
void image_codecs_reset(ImageCodecsImage *image);

/// Copies `text` into the image's message, cut to fit.
void image_codecs_set_message(ImageCodecsImage *image, const char *text);

/// The byte count of width × height × channels samples of `bytes_per_sample` bytes, or
/// false when it does not fit in a size_t.
bool image_codecs_buffer_size(uint32_t width, uint32_t height, uint32_t channels, uint32_t bytes_per_sample,
                              size_t *byte_count);

/// Composites the last channel (alpha) of `pixel_count` interleaved pixels of `channels`
/// channels (2 or 4) on white, in place, leaving `channels - 1` channels per pixel.
void image_codecs_composite_8(uint8_t *samples, size_t pixel_count, uint32_t channels);

/// The same for 16-bit samples.
void image_codecs_composite_16(uint16_t *samples, size_t pixel_count, uint32_t channels);

#endif
