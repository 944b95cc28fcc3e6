/* SPDX-License-Identifier: GPL-3.0-or-later */
/* tessera-tile.h: one image of the gallery, as the model holds it */
#pragma once

#include <gdk/gdk.h>

#include "tessera-enum-types.h"
#include "tessera-types.h"

G_BEGIN_DECLS

/* Where a tile came from, beyond the URI its thumbnail loads from: a service's post. */
typedef struct
{
  TesseraTileKind kind;
  const char *id;    /* the service's id (an album's for albums); NULL for pasted URLs */
  const char *title; /* may be NULL */
  const char *link;  /* the original, or the album's page; may be NULL */
  guint n_images;    /* albums only; 0 when unknown */
  gboolean promoted; /* an ad among the service's posts (Imgur's is_ad) */
} TesseraTilePost;

#define TESSERA_TYPE_TILE (tessera_tile_get_type ())
G_DECLARE_FINAL_TYPE (TesseraTile, tessera_tile, TESSERA, TILE, GObject)

/* Tiles belong to the main thread: call everything here there (widgets follow their
 * notify:: signals). Strings returned are the tile's own (transfer none). */

/* Returns (transfer full) a waiting tile whose thumbnail loads from @uri (copied): a
 * picture, of no post. */
TesseraTile *tessera_tile_new (const char *uri);
/* The same for a service's post; @post's strings are copied. */
TesseraTile *tessera_tile_new_for_post (const char *uri, const TesseraTilePost *post);
/* Where the thumbnail loads from. */
const char *tessera_tile_get_uri (TesseraTile *self);
/* Waiting, loaded or failed; "state" notifies when it changes. */
TesseraTileState tessera_tile_get_state (TesseraTile *self);
/* (transfer none) The thumbnail, once loaded; NULL before. */
GdkTexture *tessera_tile_get_texture (TesseraTile *self);
/* Short failure text for the tile ("HTTP 404"), and the full one for its tooltip; NULL
 * unless failed. */
const char *tessera_tile_get_reason (TesseraTile *self);
const char *tessera_tile_get_detail (TesseraTile *self);
/* What tessera_tile_new_for_post() was given: kind, id, title, link, image count and
 * whether it is promoted (a picture, NULL, NULL, NULL, 0 and FALSE for a tile of
 * tessera_tile_new()). */
TesseraTileKind tessera_tile_get_kind (TesseraTile *self);
const char *tessera_tile_get_id (TesseraTile *self);
const char *tessera_tile_get_title (TesseraTile *self);
const char *tessera_tile_get_link (TesseraTile *self);
guint tessera_tile_get_n_images (TesseraTile *self);
gboolean tessera_tile_get_promoted (TesseraTile *self);
/* TRUE when the bytes the thumbnail came from can be had again without the network: a
 * local file, or an entry in the loader's cache (TesseraLoadResult.kept). Main thread. */
gboolean tessera_tile_get_original_kept (TesseraTile *self);
void tessera_tile_set_original_kept (TesseraTile *self, gboolean kept);
/* Milliseconds since start-up when the tile finished; -1 while waiting. */
gint64 tessera_tile_get_done_ms (TesseraTile *self);
/* The width in device pixels of the picture the tile showed when loaded (its pictures are
 * square), kept while the picture itself is dropped; 0 before it loaded. Main thread. */
guint tessera_tile_get_picture_px (TesseraTile *self);

/* Loaded, showing @texture (a reference is taken), at @done_ms on
 * tessera_engine_elapsed_ms()'s clock. Notifies "texture", then "state". */
void tessera_tile_set_loaded (TesseraTile *self, GdkTexture *texture, gint64 done_ms);
/* Swaps a loaded tile's picture without changing its state or time: NULL drops it to save
 * memory while the tile is far from the screen (it is shown as waiting), a texture brings
 * it back. Notifies "texture". Main thread. */
void tessera_tile_set_texture (TesseraTile *self, GdkTexture *texture);
/* Failed, with @reason, the short text, and @detail (may be NULL), the full one (both
 * copied), at @done_ms as above. Notifies "reason", "detail", then "state". */
void tessera_tile_set_failed (TesseraTile *self, const char *reason, const char *detail,
                              gint64 done_ms);

/* Back to waiting, for another try after a failure: no reason or detail, done_ms -1.
 * Notifies "reason", "detail", then "state". */
void tessera_tile_set_waiting (TesseraTile *self);
/* The nick of @state, as --stats writes it: "waiting", "loaded" or "failed" (static);
 * "unknown" for a value outside the enumeration. Any thread. */
const char *tessera_tile_state_to_string (TesseraTileState state);

G_END_DECLS
