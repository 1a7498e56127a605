#ifndef C_IMAGE_CODECS_H
#define C_IMAGE_CODECS_H

// PNG and JPEG decoding through libpng and libjpeg-turbo, for the ImageDecoding module.
//
// Both libraries report errors by longjmp, which Swift cannot do, so every call into them
// happens here, under setjmp, and comes back as a status and a message. Nothing is global:
// each call has its own library structures, freed on every path, so calls on different
// threads are independent. Warnings are counted, never printed.

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// The outcome of a decode.
typedef enum ImageCodecsStatus {
    IMAGE_CODECS_OK = 0,
    /// The data is damaged (bad checksum, bad marker, invalid header field, …).
    IMAGE_CODECS_CORRUPT = 1,
    /// The data ends before the image does.
    IMAGE_CODECS_TRUNCATED = 2,
    /// Valid, but a kind this decoder refuses (CMYK JPEG, 12-bit JPEG, …).
    IMAGE_CODECS_UNSUPPORTED = 3,
    /// The header's width × height exceeds the pixel limit, or the buffer size overflows.
    /// `width` and `height` of the result hold the header's values.
    IMAGE_CODECS_TOO_LARGE = 4,
    /// An allocation failed.
    IMAGE_CODECS_OUT_OF_MEMORY = 5,
} ImageCodecsStatus;

/// What a decode may spend.
typedef struct ImageCodecsLimits {
    /// Largest width × height accepted, checked from the header before any pixel buffer
    /// is allocated.
    uint64_t max_pixels;
    /// Largest number of scans accepted in a JPEG (progressive files have about ten; a
    /// crafted file with thousands makes decoding take minutes). 0: no limit.
    uint32_t max_jpeg_scans;
} ImageCodecsLimits;

/// A decoded image, or on failure the reason.
///
/// Samples are row-major and interleaved, 1 (grey) or 3 (RGB) channels, `bits_per_sample`
/// 8 (`uint8_t`) or 16 (`uint16_t` in native byte order). Alpha (an alpha channel or a
/// PNG tRNS chunk) is composited on white: v' = (v·a + max·(max − a)) / max, rounded.
typedef struct ImageCodecsImage {
    uint32_t width;
    uint32_t height;
    uint32_t channels;
    uint32_t bits_per_sample;
    /// 1 when the source had alpha (an alpha channel or tRNS) that was composited.
    uint32_t had_alpha;
    /// Non-fatal warnings the library raised (silenced).
    uint32_t warning_count;
    /// width × height × channels × bits_per_sample / 8 bytes from malloc, or NULL on
    /// failure. Release with image_codecs_free.
    void *pixels;
    size_t byte_count;
    /// On failure, the library's message (NUL-terminated, possibly cut).
    char message[200];
} ImageCodecsImage;

/// Decodes a PNG held in memory into `image` (which need not be initialised).
ImageCodecsStatus image_codecs_decode_png(const uint8_t *data, size_t size, ImageCodecsLimits limits,
                                          ImageCodecsImage *image);

/// Decodes a JPEG held in memory into `image` (which need not be initialised).
ImageCodecsStatus image_codecs_decode_jpeg(const uint8_t *data, size_t size, ImageCodecsLimits limits,
                                           ImageCodecsImage *image);

/// Frees the pixels of a decoded image (safe on a failed or already freed one).
void image_codecs_free(ImageCodecsImage *image);

#ifdef __cplusplus
}
#endif

#endif
