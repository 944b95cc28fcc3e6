/* SPDX-License-Identifier: GPL-3.0-or-later */
/* tessera-imgur-collect.h: Imgur posts turned into the originals to save, albums listed */
#pragma once

#include "tessera-imgur-source.h"
#include "tessera-save-item.h"

G_BEGIN_DECLS

#define TESSERA_TYPE_IMGUR_COLLECT (tessera_imgur_collect_get_type ())
G_DECLARE_FINAL_TYPE (TesseraImgurCollect, tessera_imgur_collect, TESSERA, IMGUR_COLLECT, GObject)

/* Returns (transfer full) a collector whose listings go through @loader's workers (a
 * reference is taken) as @client_id (copied; never shown in a message), mature and promoted
 * posts only as @show says. @client_id may be NULL or empty: every listing then fails with
 * TESSERA_IMGUR_PROBLEM_NO_CLIENT_ID's message, a failure item for the query and for each
 * album, while the pictures and animations among the posts, which need no request, are
 * still found. Main thread. */
TesseraImgurCollect *tessera_imgur_collect_new (TesseraLoader *loader, const char *client_id,
                                                TesseraImgurShow show);

/* Lists what saving Imgur posts means: the posts of @query's first page (when @query is not
 * NULL), then @posts (element-type TesseraTile, may be NULL: post tiles, see
 * tessera_tile_new_for_post). A picture or animation is saved from its link; an album's
 * images are listed, one API request per album, one album at a time, and go into a folder
 * named after it. Nothing is downloaded but the listings. @query and @posts are copied or
 * referenced (transfer none). @callback runs once in the caller's thread-default main
 * context; call tessera_imgur_collect_items_finish() there. Main thread. */
void tessera_imgur_collect_items_async (TesseraImgurCollect *self, const TesseraImgurQuery *query,
                                        GPtrArray *posts, GCancellable *cancellable,
                                        GAsyncReadyCallback callback, gpointer user_data);

/* The end of tessera_imgur_collect_items_async(): a new array (transfer full, element-type
 * TesseraSaveItem) of an item per original found, in order, then a failure item for each
 * query or album that could not be listed; for tessera_saver_save_async(). NULL with
 * G_IO_ERROR_CANCELLED when cancelled: what was listed by then is dropped. A listing Imgur
 * refuses is a failure item, not an error. Main thread. */
GPtrArray *tessera_imgur_collect_items_finish (TesseraImgurCollect *self, GAsyncResult *result,
                                               GError **error);

G_END_DECLS
