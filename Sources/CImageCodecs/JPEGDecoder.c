// JPEG decoding through libjpeg-turbo's libjpeg API, every libjpeg call under setjmp.
//
// libjpeg's default error_exit prints and calls exit(); ours records the status and message
// in the decode's context and longjmps back to jpeg_decode_guarded. The context lives in the
// caller's frame (image_codecs_decode_jpeg), so its fields keep their values across the
// longjmp, and the caller destroys the decompressor and frees the pixels on every path.
//
// Warnings are never printed. Those that mean the scan data is missing or damaged end the
// decode at once: "Premature end of JPEG file" (libjpeg would pad the rest of the image with
// grey) as truncated, a bad Huffman code, a marker inside the scan data and the like as
// corrupt. Harmless ones (extraneous bytes between segments, an unknown JFIF revision, a bad
// ICC marker) are only counted.

#include "CImageCodecs.h"
#include "Common.h"

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>
// After jpeglib.h: which messages exist depends on its JPEG_LIB_VERSION and jconfig.h.
#include <jerror.h>

typedef struct JPEGDecode {
    struct jpeg_error_mgr errors;  // first, so libjpeg's cinfo->err points at the context
    jmp_buf jump;
    struct jpeg_progress_mgr progress;
    struct jpeg_decompress_struct cinfo;
    ImageCodecsLimits limits;
    ImageCodecsImage *image;
    ImageCodecsStatus status;
    uint8_t *pixels;
} JPEGDecode;

static void jpeg_decode_fail(JPEGDecode *decode, ImageCodecsStatus status, const char *message)
    __attribute__((noreturn));

static void jpeg_decode_fail(JPEGDecode *decode, ImageCodecsStatus status, const char *message) {
    decode->status = status;
    image_codecs_set_message(decode->image, message);
    longjmp(decode->jump, 1);
}

/// The status an error message code stands for.
static ImageCodecsStatus jpeg_decode_error_status(int code) {
    switch (code) {
    case JERR_BAD_PRECISION:
    case JERR_NOT_COMPILED:
    case JERR_CONVERSION_NOTIMPL:
    case JERR_ARITH_NOTIMPL:
    case JERR_NOTIMPL:
        return IMAGE_CODECS_UNSUPPORTED;
    case JERR_OUT_OF_MEMORY:
        return IMAGE_CODECS_OUT_OF_MEMORY;
    case JERR_INPUT_EMPTY:
    case JERR_INPUT_EOF:
        return IMAGE_CODECS_TRUNCATED;
    default:
        return IMAGE_CODECS_CORRUPT;
    }
}

static void jpeg_decode_error_exit(j_common_ptr cinfo) __attribute__((noreturn));

static void jpeg_decode_error_exit(j_common_ptr cinfo) {
    JPEGDecode *decode = (JPEGDecode *)(void *)cinfo->err;
    char message[JMSG_LENGTH_MAX];
    (*cinfo->err->format_message)(cinfo, message);
    jpeg_decode_fail(decode, jpeg_decode_error_status(cinfo->err->msg_code), message);
}

/// Handles a warning (msg_level −1) or trace message (≥ 0): see the top of the file.
static void jpeg_decode_emit_message(j_common_ptr cinfo, int msg_level) {
    if (msg_level >= 0) {
        return;
    }
    JPEGDecode *decode = (JPEGDecode *)(void *)cinfo->err;
    cinfo->err->num_warnings += 1;
    decode->image->warning_count += 1;
    ImageCodecsStatus status = IMAGE_CODECS_OK;
    switch (cinfo->err->msg_code) {
    case JWRN_JPEG_EOF:
        status = IMAGE_CODECS_TRUNCATED;
        break;
    case JWRN_HIT_MARKER:
    case JWRN_HUFF_BAD_CODE:
    case JWRN_ARITH_BAD_CODE:
    case JWRN_MUST_RESYNC:
    case JWRN_NOT_SEQUENTIAL:
    case JWRN_BOGUS_PROGRESSION:
        status = IMAGE_CODECS_CORRUPT;
        break;
    default:
        return;
    }
    char message[JMSG_LENGTH_MAX];
    (*cinfo->err->format_message)(cinfo, message);
    jpeg_decode_fail(decode, status, message);
}

static void jpeg_decode_output_message(j_common_ptr cinfo) {
    (void)cinfo;
}

/// Stops a file with more scans than the limit (libjpeg calls this between passes).
static void jpeg_decode_progress(j_common_ptr cinfo) {
    JPEGDecode *decode = (JPEGDecode *)(void *)cinfo->err;
    const uint32_t limit = decode->limits.max_jpeg_scans;
    if (limit != 0 && decode->cinfo.input_scan_number > 0 && (uint32_t)decode->cinfo.input_scan_number > limit) {
        jpeg_decode_fail(decode, IMAGE_CODECS_CORRUPT, "the JPEG has more scans than the limit");
    }
}

/// Checks the header and chooses the output: grey stays grey, YCbCr and RGB become RGB,
/// anything else (CMYK, YCCK, two components) is refused.
static void jpeg_decode_choose_output(JPEGDecode *decode) {
    struct jpeg_decompress_struct *cinfo = &decode->cinfo;
    ImageCodecsImage *image = decode->image;
    image->width = cinfo->image_width;
    image->height = cinfo->image_height;
    if ((uint64_t)cinfo->image_width * (uint64_t)cinfo->image_height > decode->limits.max_pixels) {
        jpeg_decode_fail(decode, IMAGE_CODECS_TOO_LARGE, "the image has more pixels than the limit");
    }
    switch (cinfo->jpeg_color_space) {
    case JCS_GRAYSCALE:
        cinfo->out_color_space = JCS_GRAYSCALE;
        break;
    case JCS_YCbCr:
    case JCS_RGB:
        cinfo->out_color_space = JCS_RGB;
        break;
    case JCS_CMYK:
    case JCS_YCCK:
        jpeg_decode_fail(decode, IMAGE_CODECS_UNSUPPORTED, "CMYK JPEG images are not supported");
    default:
        jpeg_decode_fail(decode, IMAGE_CODECS_UNSUPPORTED, "the JPEG's colour space is not supported");
    }
    cinfo->dct_method = JDCT_ISLOW;
    cinfo->do_fancy_upsampling = TRUE;
}

static void jpeg_decode_guarded(JPEGDecode *decode, const uint8_t *data, size_t size) {
    if (setjmp(decode->jump) != 0) {
        return;
    }
    struct jpeg_decompress_struct *cinfo = &decode->cinfo;
    jpeg_create_decompress(cinfo);
    decode->progress.progress_monitor = jpeg_decode_progress;
    cinfo->progress = &decode->progress;
    jpeg_mem_src(cinfo, data, (unsigned long)size);
    if (jpeg_read_header(cinfo, TRUE) != JPEG_HEADER_OK) {
        jpeg_decode_fail(decode, IMAGE_CODECS_CORRUPT, "the JPEG has no image");
    }
    jpeg_decode_choose_output(decode);

    (void)jpeg_start_decompress(cinfo);
    ImageCodecsImage *image = decode->image;
    const uint32_t channels = (uint32_t)cinfo->output_components;
    size_t row_bytes = 0;
    size_t byte_count = 0;
    if ((channels != 1 && channels != 3) || cinfo->output_width != image->width ||
        cinfo->output_height != image->height) {
        jpeg_decode_fail(decode, IMAGE_CODECS_CORRUPT, "unexpected output layout");
    }
    if (!image_codecs_buffer_size(cinfo->output_width, 1, channels, 1, &row_bytes) ||
        !image_codecs_buffer_size(cinfo->output_width, cinfo->output_height, channels, 1, &byte_count)) {
        jpeg_decode_fail(decode, IMAGE_CODECS_TOO_LARGE, "the pixel buffer's size overflows");
    }
    decode->pixels = malloc(byte_count);
    if (decode->pixels == NULL) {
        jpeg_decode_fail(decode, IMAGE_CODECS_OUT_OF_MEMORY, "cannot allocate the pixel buffer");
    }
    while (cinfo->output_scanline < cinfo->output_height) {
        JSAMPROW row = decode->pixels + (size_t)cinfo->output_scanline * row_bytes;
        if (jpeg_read_scanlines(cinfo, &row, 1) != 1) {
            jpeg_decode_fail(decode, IMAGE_CODECS_TRUNCATED, "the JPEG's scan data ends early");
        }
    }
    (void)jpeg_finish_decompress(cinfo);
    image->channels = channels;
    image->bits_per_sample = 8;
    image->byte_count = byte_count;
}

ImageCodecsStatus image_codecs_decode_jpeg(const uint8_t *data, size_t size, ImageCodecsLimits limits,
                                           ImageCodecsImage *image) {
    image_codecs_reset(image);
    JPEGDecode decode;
    memset(&decode, 0, sizeof decode);
    decode.limits = limits;
    decode.image = image;
    decode.status = IMAGE_CODECS_OK;
    decode.cinfo.err = jpeg_std_error(&decode.errors);
    decode.errors.error_exit = jpeg_decode_error_exit;
    decode.errors.emit_message = jpeg_decode_emit_message;
    decode.errors.output_message = jpeg_decode_output_message;

    static const uint8_t empty[1] = {0};
    jpeg_decode_guarded(&decode, data == NULL ? empty : data, data == NULL ? 0 : size);

    // Frees every libjpeg allocation; a no-op when creation never happened.
    jpeg_destroy_decompress(&decode.cinfo);
    if (decode.status != IMAGE_CODECS_OK) {
        free(decode.pixels);
        image->pixels = NULL;
        image->byte_count = 0;
        return decode.status;
    }
    image->pixels = decode.pixels;
    return IMAGE_CODECS_OK;
}
