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

G_END_DECLS
