// PNG decoding through libpng 1.6, every libpng call under setjmp.
//
// libpng reports an error by calling the error function, which must not return: ours
// records the status and message in the decode's context and longjmps back to
// png_decode_guarded. The context lives in the caller's frame (image_codecs_decode_png),
// not in the frame that calls setjmp, so its fields keep their values across the longjmp;
// the caller then frees whatever was allocated, on every path.

#include "CImageCodecs.h"
#include "Common.h"

#include <png.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

typedef struct PNGDecode {
    jmp_buf jump;
    const uint8_t *data;
    size_t size;
    size_t offset;
    ImageCodecsLimits limits;
    ImageCodecsImage *image;
    ImageCodecsStatus status;
    bool ran_out_of_data;
    bool out_of_memory;
    png_structp png;
    png_infop info;
    uint8_t *pixels;
    png_bytep *rows;
} PNGDecode;

static void png_decode_error(png_structp png, png_const_charp message) __attribute__((noreturn));

static void png_decode_error(png_structp png, png_const_charp message) {
    PNGDecode *decode = png_get_error_ptr(png);
    if (decode->status == IMAGE_CODECS_OK) {
        if (decode->ran_out_of_data) {
            decode->status = IMAGE_CODECS_TRUNCATED;
        } else if (decode->out_of_memory) {
            decode->status = IMAGE_CODECS_OUT_OF_MEMORY;
        } else {
            decode->status = IMAGE_CODECS_CORRUPT;
        }
        image_codecs_set_message(decode->image, message);
    }
    longjmp(decode->jump, 1);
}

// Warnings (say "iCCP: known incorrect sRGB profile") are counted, never printed.
static void png_decode_warning(png_structp png, png_const_charp message) {
    (void)message;
    PNGDecode *decode = png_get_error_ptr(png);
    decode->image->warning_count += 1;
}

static png_voidp png_decode_malloc(png_structp png, png_alloc_size_t size) {
    void *memory = malloc(size);
    if (memory == NULL) {
        PNGDecode *decode = png_get_mem_ptr(png);
        decode->out_of_memory = true;
    }
    return memory;
}

static void png_decode_free(png_structp png, png_voidp memory) {
    (void)png;
    free(memory);
}

static void png_decode_read(png_structp png, png_bytep out, size_t length) {
    PNGDecode *decode = png_get_io_ptr(png);
    if (length > decode->size - decode->offset) {
        decode->ran_out_of_data = true;
        png_error(png, "unexpected end of data");
    }
    memcpy(out, decode->data + decode->offset, length);
    decode->offset += length;
}

/// Fails the decode with `status` and `message` (from inside png_decode_guarded only).
static void png_decode_fail(PNGDecode *decode, ImageCodecsStatus status, const char *message) __attribute__((noreturn));

static void png_decode_fail(PNGDecode *decode, ImageCodecsStatus status, const char *message) {
    decode->status = status;
    image_codecs_set_message(decode->image, message);
    longjmp(decode->jump, 1);
}

/// Asks libpng for 8- or 16-bit grey, grey+alpha, RGB or RGBA samples in native byte order,
/// every Adam7 pass merged.
static void png_decode_set_transforms(PNGDecode *decode, int bit_depth) {
    // Palette to RGB, grey of 1, 2 or 4 bits to 8, a tRNS chunk to an alpha channel.
    png_set_expand(decode->png);
    if (bit_depth == 16) {
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
        png_set_swap(decode->png);
#endif
    }
    (void)png_set_interlace_handling(decode->png);
    png_read_update_info(decode->png, decode->info);
}

static void png_decode_guarded(PNGDecode *decode) {
    if (setjmp(decode->jump) != 0) {
        return;
    }
    decode->png = png_create_read_struct_2(PNG_LIBPNG_VER_STRING, decode, png_decode_error, png_decode_warning,
                                           decode, png_decode_malloc, png_decode_free);
    if (decode->png == NULL) {
        png_decode_fail(decode, IMAGE_CODECS_OUT_OF_MEMORY, "cannot create the libpng read structure");
    }
    decode->info = png_create_info_struct(decode->png);
    if (decode->info == NULL) {
        png_decode_fail(decode, IMAGE_CODECS_OUT_OF_MEMORY, "cannot create the libpng info structure");
    }
    png_set_read_fn(decode->png, decode, png_decode_read);
    // libpng's own width and height limits (10^6) would report a large image as corrupt;
    // the pixel limit below decides instead.
    png_set_user_limits(decode->png, 0x7fffffffu, 0x7fffffffu);
    // Skip every chunk but IHDR, PLTE, tRNS, IDAT and IEND (text, ICC profiles, gamma, …:
    // nothing the samples need). Besides, libpng would allocate (and clear) whatever length
    // a text chunk's header claims — 1.6 GB for a 60-byte file — since its chunk-size limit
    // is only a warning on read; skipped chunks are read through a small buffer instead.
    png_set_keep_unknown_chunks(decode->png, PNG_HANDLE_CHUNK_NEVER, NULL, -1);

    png_read_info(decode->png, decode->info);
    png_uint_32 width = 0;
    png_uint_32 height = 0;
    int bit_depth = 0;
    int color_type = 0;
    png_get_IHDR(decode->png, decode->info, &width, &height, &bit_depth, &color_type, NULL, NULL, NULL);
    ImageCodecsImage *image = decode->image;
    image->width = width;
    image->height = height;
    if ((uint64_t)width * (uint64_t)height > decode->limits.max_pixels) {
        png_decode_fail(decode, IMAGE_CODECS_TOO_LARGE, "the image has more pixels than the limit");
    }

    png_decode_set_transforms(decode, bit_depth);
    const uint32_t channels = png_get_channels(decode->png, decode->info);
    const uint32_t bytes_per_sample = png_get_bit_depth(decode->png, decode->info) == 16 ? 2 : 1;
    size_t row_bytes = 0;
    size_t byte_count = 0;
    size_t row_pointer_bytes = 0;
    if (channels < 1 || channels > 4 || !image_codecs_buffer_size(width, 1, channels, bytes_per_sample, &row_bytes) ||
        !image_codecs_buffer_size(width, height, channels, bytes_per_sample, &byte_count) ||
        !image_codecs_buffer_size(height, 1, 1, sizeof(png_bytep), &row_pointer_bytes)) {
        png_decode_fail(decode, IMAGE_CODECS_TOO_LARGE, "the pixel buffer's size overflows");
    }
    if (png_get_rowbytes(decode->png, decode->info) != row_bytes) {
        png_decode_fail(decode, IMAGE_CODECS_CORRUPT, "unexpected row layout after the transforms");
    }

    decode->pixels = malloc(byte_count);
    decode->rows = malloc(row_pointer_bytes);
    if (decode->pixels == NULL || decode->rows == NULL) {
        png_decode_fail(decode, IMAGE_CODECS_OUT_OF_MEMORY, "cannot allocate the pixel buffer");
    }
    for (png_uint_32 y = 0; y < height; y++) {
        decode->rows[y] = decode->pixels + (size_t)y * row_bytes;
    }
    png_read_image(decode->png, decode->rows);
    // Reads up to IEND: checks the rest of the zlib stream and the chunks after the image.
    png_read_end(decode->png, NULL);

    const size_t pixel_count = (size_t)width * height;
    uint32_t output_channels = channels;
    if (channels == 2 || channels == 4) {
        if (bytes_per_sample == 2) {
            image_codecs_composite_16((uint16_t *)(void *)decode->pixels, pixel_count, channels);
        } else {
            image_codecs_composite_8(decode->pixels, pixel_count, channels);
        }
        output_channels = channels - 1;
        byte_count = byte_count / channels * output_channels;
        image->had_alpha = 1;
        uint8_t *smaller = realloc(decode->pixels, byte_count);
        if (smaller != NULL) {
            decode->pixels = smaller;
        }
    }
    image->channels = output_channels;
    image->bits_per_sample = bytes_per_sample * 8;
    image->byte_count = byte_count;
}

ImageCodecsStatus image_codecs_decode_png(const uint8_t *data, size_t size, ImageCodecsLimits limits,
                                          ImageCodecsImage *image) {
    image_codecs_reset(image);
    PNGDecode decode;
    memset(&decode, 0, sizeof decode);
    decode.data = data;
    decode.size = data == NULL ? 0 : size;
    decode.limits = limits;
    decode.image = image;
    decode.status = IMAGE_CODECS_OK;

    png_decode_guarded(&decode);

    if (decode.png != NULL) {
        png_destroy_read_struct(&decode.png, decode.info != NULL ? &decode.info : NULL, NULL);
    }
    free(decode.rows);
    if (decode.status != IMAGE_CODECS_OK) {
        free(decode.pixels);
        image->pixels = NULL;
        image->byte_count = 0;
        return decode.status;
    }
    image->pixels = decode.pixels;
    return IMAGE_CODECS_OK;
}
