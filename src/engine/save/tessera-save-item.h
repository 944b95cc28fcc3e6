/* SPDX-License-Identifier: GPL-3.0-or-later */
/* tessera-save-item.h: one image to save, and what a tile's original is */
#pragma once

#include "tessera-tile.h"

G_BEGIN_DECLS

/* One image to save. Every field is owned by the item; set the optional ones after
 * making it. */
typedef struct
{
  char *uri;           /* the original: through the loader (its cache first) unless @path */
  char *path;          /* the original's bytes already on disk: a local file */
  char *title;         /* with @id: named "{title} ({id}).ext" as an Imgur post */
  char *id;            /* the Imgur post's id */
  GdkTexture *texture; /* set: save this, the thumbnail as shown, as PNG instead */
  guint thumbnail_px;  /* the thumbnail whose picture was dropped to save memory: the
                        * original decoded again at this size, saved as PNG */
  char *folder;        /* set: into this subfolder of the save's folder, a safe name */
  char *failure;       /* set: nothing to save; only counted and reported with this reason */
} TesseraSaveItem;

/* The original behind @uri: the file a file: URI names, else @uri's bytes from the
 * loader's cache, or downloaded. Free with tessera_save_item_free(). Any thread. */
TesseraSaveItem *tessera_save_item_new_for_uri (const char *uri);

/* Something that was to be saved but cannot be (an album whose images could not be
 * listed): @what and @why are reported as one failure, "what: why". Any thread. */
TesseraSaveItem *tessera_save_item_new_failure (const char *what, const char *why);

/* What saving @tile means. With @thumbnail, its texture as shown, or for a tile whose
 * picture was dropped, its kept original decoded again at the same size (NULL while it
 * has neither).
 * Otherwise its original: an Imgur post's full link (NULL when Imgur gave none), else
 * its URI (a local file, or the cached download). An Imgur album has no original of its
 * own: NULL (its images are listed with TesseraImgurCollect). Returns a new item (transfer
 * full) or NULL when there is nothing to save yet. Main thread (it reads the tile). */
TesseraSaveItem *tessera_save_item_new_for_tile (TesseraTile *tile, gboolean thumbnail);

/* Frees @item with its strings and texture reference; NULL does nothing. Any thread. */
void tessera_save_item_free (TesseraSaveItem *item);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TesseraSaveItem, tessera_save_item_free)

G_END_DECLS
