#include "Common.h"

#include <stdlib.h>
#include <string.h>

void image_codecs_reset(ImageCodecsImage *image) {
    memset(image, 0, sizeof *image);
}

void image_codecs_set_message(ImageCodecsImage *image, const char *text) {
    if (text == NULL) {
        text = "";
    }
    size_t length = strlen(text);
    if (length >= sizeof image->message) {
        length = sizeof image->message - 1;
    }
    memcpy(image->message, text, length);
    image->message[length] = '\0';
}

bool image_codecs_buffer_size(uint32_t width, uint32_t height, uint32_t channels, uint32_t bytes_per_sample,
                              size_t *byte_count) {
    size_t size = width;
    if (height != 0 && size > SIZE_MAX / height) {
        return false;
    }
    size *= height;
    if (channels != 0 && size > SIZE_MAX / channels) {
        return false;
    }
    size *= channels;
    if (bytes_per_sample != 0 && size > SIZE_MAX / bytes_per_sample) {
        return false;
    }
    *byte_count = size * bytes_per_sample;
    return true;
}

// v' = (v·a + max·(max − a)) / max, rounded to nearest: v on white, weighted by alpha.
// Pixel i's output (channels − 1 samples at i·(channels − 1)) never reaches past its own
// input (at i·channels), so the loop can write in place once it has read the pixel.

void image_codecs_composite_8(uint8_t *samples, size_t pixel_count, uint32_t channels) {
    const uint32_t colours = channels - 1;
    for (size_t i = 0; i < pixel_count; i++) {
        const uint8_t *in = samples + i * channels;
        uint8_t *out = samples + i * colours;
        const uint32_t alpha = in[colours];
        uint32_t values[3] = {0, 0, 0};
        for (uint32_t c = 0; c < colours; c++) {
            values[c] = (in[c] * alpha + 255u * (255u - alpha) + 127u) / 255u;
        }
        for (uint32_t c = 0; c < colours; c++) {
            out[c] = (uint8_t)values[c];
        }
    }
}

void image_codecs_composite_16(uint16_t *samples, size_t pixel_count, uint32_t channels) {
    const uint32_t colours = channels - 1;
    for (size_t i = 0; i < pixel_count; i++) {
        const uint16_t *in = samples + i * channels;
        uint16_t *out = samples + i * colours;
        const uint64_t alpha = in[colours];
        uint64_t values[3] = {0, 0, 0};
        for (uint32_t c = 0; c < colours; c++) {
            values[c] = ((uint64_t)in[c] * alpha + 65535u * (65535u - alpha) + 32767u) / 65535u;
        }
        for (uint32_t c = 0; c < colours; c++) {
            out[c] = (uint16_t)values[c];
        }
    }
}

void image_codecs_free(ImageCodecsImage *image) {
    if (image == NULL) {
        return;
    }
    free(image->pixels);
    image->pixels = NULL;
    image->byte_count = 0;
}
