/* SPDX-License-Identifier: GPL-3.0-or-later */
/* tessera-gallery.h: the list of tiles, their loading, and the counts the header shows */
#pragma once

#include <gio/gio.h>

#include "tessera-loader.h"
#include "tessera-tile.h"

G_BEGIN_DECLS

/* Bytes of decoded pictures a gallery keeps for tiles off screen (counted at 4 bytes a
 * pixel). Beyond it, the pictures farthest from the screen are dropped and decoded again
 * from their kept originals when they come near (see tessera_gallery_set_focus); the
 * tiles on screen and a screen either side keep theirs whatever the budget. 32 MiB holds
 * about 250 tiles of 180 px beyond those: with software GL every picture is held twice
 * (the texture and GL's copy), and 64 MiB put 10,000 tiles over 300 MB. */
#define TESSERA_GALLERY_TEXTURE_BUDGET (32 * 1024 * 1024)

/* Decode size when the window has not said otherwise. */
#define TESSERA_GALLERY_DEFAULT_TILE_PX 256

#define TESSERA_TYPE_GALLERY (tessera_gallery_get_type ())
G_DECLARE_FINAL_TYPE (TesseraGallery, tessera_gallery, TESSERA, GALLERY, GObject)

/* Returns (transfer full) an empty gallery whose tiles load through @loader (a reference
 * is taken; its thread must be the main thread). Main thread, like every call here.
 * Disposing the gallery cancels the loads it started. */
TesseraGallery *tessera_gallery_new (TesseraLoader *loader);
/* (element-type TesseraTile) (transfer none): the tiles in the order added. The gallery
 * only appends to it, or empties it. */
GListModel *tessera_gallery_get_model (TesseraGallery *self);

/* Appends a tile for each URI not already present, in one splice, and starts loading
 * them in list order: the first few hundred loads go to the loader at once, the rest as
 * many again each turn of the main loop, so thousands of URLs do not hold it (the tiles
 * and every count are there at once). Returns how many were added; *@n_duplicates gets
 * how many were skipped. */
guint tessera_gallery_add_uris (TesseraGallery *self, const char *const *uris, guint n_uris,
                                guint *n_duplicates);
/* FALSE: tiles added afterwards are listed but never loaded, for a source's posts that are
 * wanted as a list (what to save) rather than as pictures. TRUE by default. */
void tessera_gallery_set_load_thumbnails (TesseraGallery *self, gboolean load_thumbnails);
/* The same for tiles made by a source (Imgur posts); the gallery takes references. A tile
 * already loaded (a placeholder: nothing to load) counts as finished at once. */
guint tessera_gallery_add_tiles (TesseraGallery *self, TesseraTile *const *tiles, guint n_tiles,
                                 guint *n_duplicates);
/* A message from where the tiles come from (Imgur's "Invalid client_id"), kept for --stats. */
void tessera_gallery_add_source_error (TesseraGallery *self, const char *message);
/* Loads a failed tile again, ahead of tiles still waiting. FALSE when @tile is not a
 * failed tile of this gallery. */
gboolean tessera_gallery_retry (TesseraGallery *self, TesseraTile *tile);
/* Retries every failed tile; returns how many. */
guint tessera_gallery_retry_failed (TesseraGallery *self);
/* Cancels every load and removes every tile. */
void tessera_gallery_clear (TesseraGallery *self);

/* The side, in device pixels, of the square thumbnails are decoded to, for loads started
 * from now on; TESSERA_GALLERY_DEFAULT_TILE_PX until set. More than 0. */
void tessera_gallery_set_tile_px (TesseraGallery *self, guint tile_px);
/* The tiles at positions [@first, @last] are on screen: they load first, then the next
 * screen's worth below them, then the one above, then the rest nearest first; retries
 * before all. Cheap enough to call on every scroll step. Main thread. */
void tessera_gallery_set_focus (TesseraGallery *self, guint first, guint last);
/* The budget in bytes (TESSERA_GALLERY_TEXTURE_BUDGET by default) for pictures whose
 * originals are kept; tiles on screen and a screen either side keep theirs whatever it
 * says. Only those pictures count: tiles without a kept original never drop theirs. Main
 * thread. */
void tessera_gallery_set_texture_budget (TesseraGallery *self, gsize budget);
/* Bytes of the pictures the budget counts now. */
gsize tessera_gallery_get_texture_bytes (TesseraGallery *self);
guint tessera_gallery_get_tile_px (TesseraGallery *self);
/* (transfer none) The loader given to tessera_gallery_new(). */
TesseraLoader *tessera_gallery_get_loader (TesseraGallery *self);

/* How many tiles there are, how many have loaded or failed, and how many failed: the
 * properties "n-tiles", "n-finished" and "n-failed", which notify as they change. */
guint tessera_gallery_get_n_tiles (TesseraGallery *self);
guint tessera_gallery_get_n_finished (TesseraGallery *self);
guint tessera_gallery_get_n_failed (TesseraGallery *self);
/* At least one tile, and every tile loaded or failed. */
gboolean tessera_gallery_is_done (TesseraGallery *self);

/* Milliseconds on tessera_engine_elapsed_ms ()'s clock when the first picture arrived,
 * and when the last tile finished; -1 until then (and while any tile is waiting). */
gint64 tessera_gallery_get_first_tile_ms (TesseraGallery *self);
gint64 tessera_gallery_get_all_tiles_ms (TesseraGallery *self);
/* (element-type utf8) (transfer none): what tessera_gallery_add_source_error was told,
 * in order. Main thread, like every call here. */
GPtrArray *tessera_gallery_get_source_errors (TesseraGallery *self);

G_END_DECLS
