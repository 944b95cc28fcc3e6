/* SPDX-License-Identifier: GPL-3.0-or-later */
/* tessera-image.h: recognise image bytes and decode them to a tile, in a worker thread */
#pragma once

#include <gdk/gdk.h>
#include <gio/gio.h>

#include "tessera-enum-types.h"
#include "tessera-types.h"

G_BEGIN_DECLS

/* Beyond these the image is refused before any pixel memory is allocated. */
#define TESSERA_IMAGE_MAX_SIDE   30000
#define TESSERA_IMAGE_MAX_PIXELS (50u * 1000u * 1000u)

/* Memory that decoding may hold at once, across every thread of the process: before it
 * decodes, a thread reserves an estimate from the declared size (the output; the whole
 * picture for what gdk-pixbuf cannot shrink while decoding; a progressive JPEG's
 * coefficients, 3 bytes a pixel in 4:2:0) and waits while it does not fit. One larger than
 * the whole budget runs alone. See ARCHITECTURE.md for why this much. */
#define TESSERA_IMAGE_DECODE_BUDGET (256u * 1024u * 1024u)

/* The format the leading bytes say, whatever the name or Content-Type claim. */
TesseraImageFormat tessera_image_sniff (const guint8 *data, gsize len);

/* "jpg", "png", "gif", "webp"; NULL for UNKNOWN. */
const char *tessera_image_format_extension (TesseraImageFormat format);

/* Whether the @len bytes at @data are an image worth keeping as an original: a format we
 * decode, a declared size within the limits, and its format's end present (not cut
 * short). Reads the headers and looks for the end; decodes nothing, so damage inside the
 * picture data goes unseen. FALSE with @error: TESSERA_ERROR_NOT_IMAGE, _TOO_LARGE, _BROKEN
 * (no size said), _CUT_SHORT. Any thread. */
gboolean tessera_image_check_original (const guint8 *data, gsize len, GError **error);

/* Decodes @bytes straight to a @tile_px × @tile_px texture: shrunk while loading,
 * EXIF orientation applied, centre-cropped to a square, first frame of an animation. A
 * JPEG cut short inside its coded data gives what was decoded (grey below). Errors are
 * TESSERA_ERROR_NOT_IMAGE, _TOO_LARGE, _CUT_SHORT (the bytes end before the picture) or
 * _BROKEN, with plain messages (never the decoder's own). Blocks while the decode budget
 * (TESSERA_IMAGE_DECODE_BUDGET) is short. Never call on the main thread. */
GdkTexture *tessera_image_decode_tile (GBytes *bytes, guint tile_px, TesseraImageFormat *format,
                                       GError **error);

G_END_DECLS
