/* SPDX-License-Identifier: GPL-3.0-or-later */
/* tessera-imgur-collect.h: Imgur posts turned into the originals to save, albums listed */
#pragma once

#include "tessera-imgur-source.h"
#include "tessera-saver.h"

G_BEGIN_DECLS

#define TESSERA_TYPE_IMGUR_COLLECT (tessera_imgur_collect_get_type ())
G_DECLARE_FINAL_TYPE (TesseraImgurCollect, tessera_imgur_collect, TESSERA, IMGUR_COLLECT, GObject)

/* Requests go through @loader's workers with @client_id (never shown in a message). */
TesseraImgurCollect *tessera_imgur_collect_new (TesseraLoader *loader, const char *client_id,
                                                gboolean show_nsfw);
/* The posts of @query's first page, collected before any post added by hand. */
void tessera_imgur_collect_add_query (TesseraImgurCollect *self, const TesseraImgurQuery *query);
/* A post's tile (see tessera_tile_new_for_post): a picture or animation is saved from its
 * link; an album's images are listed, one API request per album. */
void tessera_imgur_collect_add_post (TesseraImgurCollect *self, TesseraTile *tile);
/* Lists one thing at a time; "finished" comes once, from the main loop. Call once. */
void tessera_imgur_collect_start (TesseraImgurCollect *self);
/* Stops listing; "finished" still comes, with what was collected so far. */
void tessera_imgur_collect_cancel (TesseraImgurCollect *self);
gboolean tessera_imgur_collect_is_finished (TesseraImgurCollect *self);
gboolean tessera_imgur_collect_is_cancelled (TesseraImgurCollect *self);
/* Once finished: an item per original (an album's into a folder named after it) and a
 * failure for each query or album that could not be listed. */
void tessera_imgur_collect_fill_saver (TesseraImgurCollect *self, TesseraSaver *saver);
/* Originals found so far. */
guint tessera_imgur_collect_get_n_found (TesseraImgurCollect *self);

G_END_DECLS
