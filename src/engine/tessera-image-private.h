/* SPDX-License-Identifier: GPL-3.0-or-later */
/* tessera-image-private.h: the decoding steps the tests check directly */
#pragma once

#include "tessera-image.h"

G_BEGIN_DECLS

/* The pixel size the header declares, read without decoding. FALSE when the header
 * holds no size (truncated, malformed). */
gboolean tessera_image_probe_size (const guint8 *data, gsize len, TesseraImageFormat format,
                                   guint *width, guint *height);

/* The whole first frame at full size, upright; the same checks and errors. Never call on
 * the main thread. */
GdkTexture *tessera_image_decode_full (GBytes *bytes, GError **error);

/* The decode memory, in bytes, that decoding @data to a tile of @tile_px (G_MAXUINT: the
 * whole picture) reserves from the budget; 0 when the header says no size. Any thread. */
gsize tessera_image_decode_cost (const guint8 *data, gsize len, guint tile_px);

/* Tests: the budget's size in bytes (0: TESSERA_IMAGE_DECODE_BUDGET), and the most decodes
 * that ran at once since it was last set. Any thread. */
void tessera_image_set_decode_budget (gsize bytes);
guint tessera_image_get_peak_decodes (void);

G_END_DECLS
