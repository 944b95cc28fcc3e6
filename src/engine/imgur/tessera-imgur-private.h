/* SPDX-License-Identifier: GPL-3.0-or-later */
/* tessera-imgur-private.h: what the parser uses inside and the tests check directly */
#pragma once

#include "tessera-imgur.h"

G_BEGIN_DECLS

/* The size letter for a square tile of @tile_px device pixels: the smallest of
 * t (160), m (320), l (640), h (1024) whose longest side is at least 1.5 × @tile_px, else h. */
char tessera_imgur_thumbnail_letter (guint tile_px);

/* "{images_base}/{image_id}{letter}.jpg" (see tessera_imgur_build_uri); NULL when @images_base
 * is not a base it takes. */
char *tessera_imgur_thumbnail_uri (const char *images_base, const char *image_id, guint tile_px);

G_END_DECLS
