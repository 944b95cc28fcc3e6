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

/* The format the leading bytes say, whatever the name or Content-Type claim. */
TesseraImageFormat tessera_image_sniff (const guint8 *data, gsize len);

/* "jpg", "png", "gif", "webp"; NULL for UNKNOWN. */
const char *tessera_image_format_extension (TesseraImageFormat format);

/* Decodes @bytes straight to a @tile_px × @tile_px texture: shrunk while loading,
 * EXIF orientation applied, centre-cropped to a square, first frame of an animation.
 * Errors are TESSERA_ERROR_NOT_IMAGE, _TOO_LARGE or _BROKEN. Never call on the main thread. */
GdkTexture *tessera_image_decode_tile (GBytes *bytes, guint tile_px, TesseraImageFormat *format,
                                       GError **error);

/* Reads the image file at @path (a filename) on a GTask worker thread, at most @max_bytes
 * bytes (bytes; below G_MAXUINT), and decodes it as tessera_image_decode_full does: sniffed
 * format, pixel limits, first frame, upright. @callback runs in the thread-default main
 * context of the call; any thread may call. */
void tessera_image_decode_file_async (const char *path, gsize max_bytes, GCancellable *cancellable,
                                      GAsyncReadyCallback callback, gpointer user_data);
/* Returns (transfer full) the texture, or NULL with @error: TESSERA_ERROR_TOO_LARGE (bytes
 * or pixels), _FILE (unreadable, not a regular file), _NOT_IMAGE, _BROKEN, or
 * G_IO_ERROR_CANCELLED. */
GdkTexture *tessera_image_decode_file_finish (GAsyncResult *result, GError **error);

G_END_DECLS
