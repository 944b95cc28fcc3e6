/* SPDX-License-Identifier: GPL-3.0-or-later */
/* tessera-stats-private.h: the document itself, which the tests read without writing a file */
#pragma once

#include "tessera-stats.h"

G_BEGIN_DECLS

/* Returns (transfer full) the --stats JSON of @gallery: "tiles", "loaded", "failed",
 * "first_tile_ms" and "all_tiles_ms" (milliseconds since start, null until known),
 * "source_errors", and in "items" one object per tile in grid order ("url", "id" when it
 * has one, "state", "error" and "error_detail" when failed, "done_ms"). Main thread. */
char *tessera_stats_dup_json (TesseraGallery *gallery);

G_END_DECLS
