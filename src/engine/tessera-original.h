/* SPDX-License-Identifier: GPL-3.0-or-later */
/* tessera-original.h: the full-size picture behind a tile, for Copy Image (and the preview) */
#pragma once

#include "tessera-loader.h"

G_BEGIN_DECLS

/* Decodes the whole picture behind @uri (http, https or file) on one of @loader's workers,
 * before every thumbnail still waiting: its bytes from @loader's cache whatever their age,
 * else read from the file or downloaded (and cached), within @loader's byte cap; then
 * decoded as tessera_image_decode_full does (sniffed format, pixel limits, first frame,
 * upright). @callback runs on the loader's thread. Call on the loader's thread. */
void tessera_original_decode_async (TesseraLoader *loader, const char *uri,
                                    GCancellable *cancellable, GAsyncReadyCallback callback,
                                    gpointer user_data);
/* Returns (transfer full) the texture, or NULL with @error: as a failed tile's (network,
 * HTTP status, TESSERA_ERROR_FILE, _TOO_LARGE for bytes or pixels, _NOT_IMAGE, _BROKEN),
 * or G_IO_ERROR_CANCELLED when @cancellable was cancelled before the picture came. */
GdkTexture *tessera_original_decode_finish (GAsyncResult *result, GError **error);

G_END_DECLS
