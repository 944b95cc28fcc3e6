/* SPDX-License-Identifier: GPL-3.0-or-later */
/* tessera-save-item.c: what is saved for a URI, a tile or a failure known beforehand */

#define G_LOG_DOMAIN "tessera-save-item"

#include "config.h"

#include "tessera-save-item.h"
#include "tessera-util.h"

TesseraSaveItem *
tessera_save_item_new_for_uri (const char *uri)
{
  TesseraSaveItem *item;

  g_return_val_if_fail (uri != NULL, NULL);

  item = g_new0 (TesseraSaveItem, 1);
  item->uri = g_strdup (uri);
  if (tessera_uri_is_file (uri))
    item->path = g_filename_from_uri (uri, NULL, NULL);
  return item;
}

TesseraSaveItem *
tessera_save_item_new_failure (const char *what, const char *why)
{
  TesseraSaveItem *item;

  g_return_val_if_fail (what != NULL && why != NULL, NULL);

  item = g_new0 (TesseraSaveItem, 1);
  item->uri = g_strdup (what);
  item->failure = g_strdup (why);
  return item;
}

static TesseraSaveItem *
new_for_post (TesseraTile *tile)
{
  TesseraSaveItem *item;

  if (tessera_tile_get_kind (tile) == TESSERA_TILE_ALBUM || tessera_tile_get_link (tile) == NULL)
    return NULL;
  item = g_new0 (TesseraSaveItem, 1);
  item->uri = g_strdup (tessera_tile_get_link (tile));
  item->title = g_strdup (tessera_tile_get_title (tile));
  item->id = g_strdup (tessera_tile_get_id (tile));
  return item;
}

TesseraSaveItem *
tessera_save_item_new_for_tile (TesseraTile *tile, gboolean thumbnail)
{
  TesseraSaveItem *item;

  g_return_val_if_fail (TESSERA_IS_TILE (tile), NULL);

  if (thumbnail)
    {
      GdkTexture *texture = tessera_tile_get_texture (tile);

      if (texture == NULL
          && (!tessera_tile_get_original_kept (tile) || tessera_tile_get_picture_px (tile) == 0))
        return NULL;
      item = tessera_save_item_new_for_uri (tessera_tile_get_uri (tile));
      if (texture != NULL)
        item->texture = g_object_ref (texture);
      else
        item->thumbnail_px = tessera_tile_get_picture_px (tile);
      return item;
    }
  if (tessera_tile_get_id (tile) != NULL)
    return new_for_post (tile);
  return tessera_save_item_new_for_uri (tessera_tile_get_uri (tile));
}

void
tessera_save_item_free (TesseraSaveItem *item)
{
  if (item == NULL)
    return;
  g_free (item->uri);
  g_free (item->path);
  g_free (item->title);
  g_free (item->id);
  g_clear_object (&item->texture);
  g_free (item->folder);
  g_free (item->failure);
  g_free (item);
}
