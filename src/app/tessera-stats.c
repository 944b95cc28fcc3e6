/* SPDX-License-Identifier: GPL-3.0-or-later */
/* tessera-stats.c: the --stats document, written at exit from a gallery's counts and tiles */

#define G_LOG_DOMAIN "tessera-stats"

#include "config.h"

#include <cjson/cJSON.h>

#include "tessera-stats-private.h"

/* A time not known yet is null, not a number that could pass for one. */
static void
add_ms (cJSON *object, const char *name, gint64 ms)
{
  if (ms >= 0)
    cJSON_AddNumberToObject (object, name, (double) ms);
  else
    cJSON_AddNullToObject (object, name);
}

static cJSON *
tile_to_json (TesseraTile *tile)
{
  cJSON *item = cJSON_CreateObject ();
  TesseraTileState state = tessera_tile_get_state (tile);

  cJSON_AddStringToObject (item, "url", tessera_tile_get_uri (tile));
  if (tessera_tile_get_id (tile) != NULL)
    cJSON_AddStringToObject (item, "id", tessera_tile_get_id (tile));
  cJSON_AddStringToObject (item, "state", tessera_tile_state_to_string (state));
  if (state == TESSERA_TILE_FAILED)
    {
      cJSON_AddStringToObject (item, "error", tessera_tile_get_reason (tile));
      cJSON_AddStringToObject (item, "error_detail", tessera_tile_get_detail (tile));
    }
  add_ms (item, "done_ms", tessera_tile_get_done_ms (tile));
  return item;
}

static cJSON *
gallery_to_json (TesseraGallery *gallery)
{
  GListModel *tiles = tessera_gallery_get_model (gallery);
  GPtrArray *source_errors = tessera_gallery_get_source_errors (gallery);
  guint n_failed = tessera_gallery_get_n_failed (gallery);
  cJSON *root = cJSON_CreateObject ();
  cJSON *errors;
  cJSON *items;

  cJSON_AddNumberToObject (root, "tiles", tessera_gallery_get_n_tiles (gallery));
  cJSON_AddNumberToObject (root, "loaded", tessera_gallery_get_n_finished (gallery) - n_failed);
  cJSON_AddNumberToObject (root, "failed", n_failed);
  add_ms (root, "first_tile_ms", tessera_gallery_get_first_tile_ms (gallery));
  add_ms (root, "all_tiles_ms", tessera_gallery_get_all_tiles_ms (gallery));
  errors = cJSON_AddArrayToObject (root, "source_errors");
  for (guint i = 0; i < source_errors->len; i++)
    cJSON_AddItemToArray (errors, cJSON_CreateString (source_errors->pdata[i]));
  items = cJSON_AddArrayToObject (root, "items");
  for (guint i = 0; i < g_list_model_get_n_items (tiles); i++)
    {
      g_autoptr (TesseraTile) tile = g_list_model_get_item (tiles, i);
      cJSON_AddItemToArray (items, tile_to_json (tile));
    }
  return root;
}

char *
tessera_stats_dup_json (TesseraGallery *gallery)
{
  cJSON *root;
  char *printed;
  char *stats;

  g_return_val_if_fail (TESSERA_IS_GALLERY (gallery), NULL);

  root = gallery_to_json (gallery);
  printed = cJSON_Print (root);
  cJSON_Delete (root);
  if (printed == NULL)
    g_error ("Out of memory writing statistics");

  /* cJSON allocates with malloc; hand back GLib memory. */
  stats = g_strdup (printed);
  cJSON_free (printed);
  return stats;
}

gboolean
tessera_stats_write (TesseraGallery *gallery, const char *path, GError **error)
{
  g_autofree char *json = NULL;

  g_return_val_if_fail (TESSERA_IS_GALLERY (gallery), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  json = tessera_stats_dup_json (gallery);
  return g_file_set_contents (path, json, -1, error);
}
