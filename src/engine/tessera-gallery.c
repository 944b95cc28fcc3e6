/* SPDX-License-Identifier: GPL-3.0-or-later */
/* tessera-gallery.c: the tiles in a GListStore, one load each, and the counts */

#define G_LOG_DOMAIN "tessera-gallery"

#include "config.h"

#include "tessera-engine.h"
#include "tessera-gallery.h"
#include "tessera-util.h"

struct _TesseraGallery
{
  GObject parent_instance;

  TesseraLoader *loader;
  GListStore *tiles;
  GHashTable *uris;         /* every URI present, for duplicate checks (tessera_url_set_new) */
  GHashTable *requests;     /* TesseraTile → TesseraRequest, while loading */
  GPtrArray *source_errors; /* what the tiles' source (Imgur) reported, for --stats */
  guint tile_px;
  gboolean load_thumbnails;

  /* Pictures of tiles whose original is kept, by position: the ones that may be dropped
   * when they are far from the screen, and brought back from the original. */
  GTree *holding; /* position -> TesseraTile (unowned: the store holds the tiles) */
  gsize holding_bytes;
  gsize texture_budget;
  /* Positions on screen, with a screen's worth either side: never dropped, brought back. */
  guint keep_first;
  guint keep_last;

  /* Tiles at positions [submit_next, submit_end) wait for their first load to be handed to
   * the loader, a chunk a main-loop turn (see SUBMIT_CHUNK). */
  guint submit_next;
  guint submit_end;
  guint submit_source;

  guint n_finished;
  guint n_failed;
  gint64 first_tile_ms; /* first picture on screen; -1 until then */
  gint64 all_tiles_ms;  /* last tile finished; -1 while any is waiting */
};

G_DEFINE_FINAL_TYPE (TesseraGallery, tessera_gallery, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_N_TILES,
  PROP_N_FINISHED,
  PROP_N_FAILED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* What a delivery needs to find its way back. */
typedef struct
{
  TesseraGallery *gallery;
  TesseraTile *tile;
  guint position;
  gboolean restoring; /* the tile had its picture before; its original is decoded again */
} TileLoad;

static void
tile_load_free (gpointer data)
{
  TileLoad *load = data;

  g_object_unref (load->tile);
  g_free (load);
}

/* Drops the gallery's handle on a request that has been delivered: no cancel. */
static void
forget_request (TesseraGallery *self, TesseraTile *tile)
{
  gpointer request = NULL;

  if (g_hash_table_steal_extended (self->requests, tile, NULL, &request))
    tessera_request_unref (request);
}

static gsize
texture_bytes (GdkTexture *texture)
{
  return (gsize) gdk_texture_get_width (texture) * (gsize) gdk_texture_get_height (texture) * 4;
}

static int
compare_positions (gconstpointer a, gconstpointer b, gpointer user_data)
{
  guint first = GPOINTER_TO_UINT (a);
  guint second = GPOINTER_TO_UINT (b);

  return (first > second) - (first < second);
}

/* How far @position is from the positions kept; 0 inside them. */
static guint
distance_from_kept (TesseraGallery *self, guint position)
{
  if (position < self->keep_first)
    return self->keep_first - position;
  return position > self->keep_last ? position - self->keep_last : 0;
}

static void
drop_picture (TesseraGallery *self, GTreeNode *node)
{
  TesseraTile *tile = g_tree_node_value (node);

  self->holding_bytes -= texture_bytes (tessera_tile_get_texture (tile));
  tessera_tile_set_texture (tile, NULL);
  g_tree_remove (self->holding, g_tree_node_key (node));
}

/* Over budget: drops the pictures farthest from the screen (always at one end of the
 * positions held), never one that is kept. */
static void
trim_to_budget (TesseraGallery *self)
{
  while (self->holding_bytes > self->texture_budget)
    {
      GTreeNode *lowest = g_tree_node_first (self->holding);
      GTreeNode *highest = g_tree_node_last (self->holding);
      guint low_distance = distance_from_kept (self, GPOINTER_TO_UINT (g_tree_node_key (lowest)));
      guint high_distance = distance_from_kept (self, GPOINTER_TO_UINT (g_tree_node_key (highest)));

      if (MAX (low_distance, high_distance) == 0)
        return;
      drop_picture (self, high_distance >= low_distance ? highest : lowest);
    }
}

/* @tile shows @texture; with its original kept, the picture counts against the budget. */
static void
hold_picture (TesseraGallery *self, TesseraTile *tile, guint position, GdkTexture *texture)
{
  if (!tessera_tile_get_original_kept (tile))
    return;
  g_tree_insert (self->holding, GUINT_TO_POINTER (position), tile);
  self->holding_bytes += texture_bytes (texture);
  trim_to_budget (self);
}

static void
on_picture_restored (TileLoad *load, const TesseraLoadResult *result)
{
  TesseraGallery *self = load->gallery;

  if (result->texture == NULL)
    {
      /* The kept original is gone or damaged: say so rather than wait for ever. */
      tessera_tile_set_failed (load->tile, result->label, result->error->message,
                               tessera_tile_get_done_ms (load->tile));
      self->n_failed++;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_FAILED]);
      return;
    }
  tessera_tile_set_texture (load->tile, result->texture);
  hold_picture (self, load->tile, load->position, result->texture);
}

static void
on_tile_delivered (const TesseraLoadResult *result, gpointer user_data)
{
  TileLoad *load = user_data;
  TesseraGallery *self = load->gallery;
  gint64 now_ms = tessera_engine_elapsed_ms ();

  TESSERA_ASSERT_MAIN_THREAD ();

  forget_request (self, load->tile);
  if (load->restoring)
    {
      on_picture_restored (load, result);
      return;
    }
  if (result->texture != NULL)
    {
      tessera_tile_set_original_kept (load->tile, result->kept);
      tessera_tile_set_loaded (load->tile, result->texture, now_ms);
      hold_picture (self, load->tile, load->position, result->texture);
      if (self->first_tile_ms < 0)
        self->first_tile_ms = now_ms;
    }
  else
    {
      tessera_tile_set_failed (load->tile, result->label, result->error->message, now_ms);
      self->n_failed++;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_FAILED]);
    }

  self->n_finished++;
  if (tessera_gallery_is_done (self))
    self->all_tiles_ms = now_ms;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_FINISHED]);
}

static void
submit (TesseraGallery *self, TesseraTile *tile, guint position, int priority, gboolean restoring)
{
  TileLoad *load = g_new0 (TileLoad, 1);
  TesseraRequest *request;

  load->gallery = self;
  load->tile = g_object_ref (tile);
  load->position = position;
  load->restoring = restoring;
  /* Bytes already shown once are taken from the cache whatever their age. */
  request
      = tessera_loader_submit (self->loader, tessera_tile_get_uri (tile), priority, self->tile_px,
                               restoring ? TESSERA_CACHE_MODE_KEPT : TESSERA_CACHE_MODE_HTTP,
                               on_tile_delivered, load, tile_load_free);
  g_hash_table_insert (self->requests, tile, request);
}

/* A tile's first load waits under its position, so the loader's focus ranks it. */
static void
start_loading (TesseraGallery *self, TesseraTile *tile, guint position, int priority)
{
  submit (self, tile, position, priority, FALSE);
}

/* A tile that dropped its picture decodes its kept original again: no download, unless
 * the cache has evicted it meanwhile. */
static void
restore_picture (TesseraGallery *self, TesseraTile *tile, guint position)
{
  submit (self, tile, position, (int) position, TRUE);
}

/* First loads handed to the loader in one main-loop turn. Submitting one costs about a
 * microsecond (a request, its place in the queue, a task for the pool), so handing over
 * 10,000 at once held the main loop for 12 ms; the first screens are in the first chunk. */
#define SUBMIT_CHUNK 512

/* Hands the loader the first loads of the waiting positions before @end. */
static void
submit_up_to (TesseraGallery *self, guint end)
{
  for (end = MIN (end, self->submit_end); self->submit_next < end; self->submit_next++)
    {
      g_autoptr (TesseraTile) tile
          = g_list_model_get_item (G_LIST_MODEL (self->tiles), self->submit_next);

      /* A placeholder has nothing to load. */
      if (tessera_tile_get_state (tile) == TESSERA_TILE_WAITING)
        start_loading (self, tile, self->submit_next, (int) self->submit_next);
    }
}

static gboolean
on_submit_turn (gpointer user_data)
{
  TesseraGallery *self = user_data;

  submit_up_to (self, self->submit_next + SUBMIT_CHUNK);
  if (self->submit_next < self->submit_end)
    return G_SOURCE_CONTINUE;
  self->submit_source = 0;
  return G_SOURCE_REMOVE;
}

/* The tiles at [@position, @position + @n_tiles) load in list order: the first chunk now,
 * the rest a chunk a turn. */
static void
submit_first_loads (TesseraGallery *self, guint position, guint n_tiles)
{
  /* Tiles listed without loading came in between: what waited goes first, so that one
   * range of positions is left waiting. */
  if (self->submit_end != position)
    submit_up_to (self, self->submit_end);
  if (self->submit_next == self->submit_end)
    self->submit_next = position;
  self->submit_end = position + n_tiles;
  submit_up_to (self, self->submit_next + SUBMIT_CHUNK);
  if (self->submit_next < self->submit_end && self->submit_source == 0)
    self->submit_source = g_idle_add (on_submit_turn, self);
}

static void
stop_submitting (TesseraGallery *self)
{
  g_clear_handle_id (&self->submit_source, g_source_remove);
  self->submit_next = 0;
  self->submit_end = 0;
}

/* Retries go before every first load still queued (those use their list position). */
#define RETRY_PRIORITY (-1)

static void
restart_failed (TesseraGallery *self, TesseraTile *tile, guint position)
{
  tessera_tile_set_waiting (tile);
  self->n_failed--;
  self->n_finished--;
  self->all_tiles_ms = -1;
  start_loading (self, tile, position, RETRY_PRIORITY);
}

static void
notify_counts (TesseraGallery *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_FAILED]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_FINISHED]);
}

gboolean
tessera_gallery_retry (TesseraGallery *self, TesseraTile *tile)
{
  guint position;

  g_return_val_if_fail (TESSERA_IS_GALLERY (self), FALSE);
  g_return_val_if_fail (TESSERA_IS_TILE (tile), FALSE);

  if (tessera_tile_get_state (tile) != TESSERA_TILE_FAILED
      || !g_list_store_find (self->tiles, tile, &position))
    return FALSE;
  restart_failed (self, tile, position);
  notify_counts (self);
  return TRUE;
}

guint
tessera_gallery_retry_failed (TesseraGallery *self)
{
  guint n_retried = 0;

  g_return_val_if_fail (TESSERA_IS_GALLERY (self), 0);

  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->tiles)); i++)
    {
      g_autoptr (TesseraTile) tile = g_list_model_get_item (G_LIST_MODEL (self->tiles), i);

      if (tessera_tile_get_state (tile) == TESSERA_TILE_FAILED)
        {
          restart_failed (self, tile, i);
          n_retried++;
        }
    }
  if (n_retried > 0)
    notify_counts (self);
  return n_retried;
}

guint
tessera_gallery_add_tiles (TesseraGallery *self, TesseraTile *const *tiles, guint n_tiles,
                           guint *n_duplicates)
{
  g_autoptr (GPtrArray) new_tiles = g_ptr_array_new_with_free_func (g_object_unref);
  guint n_placeholders = 0;
  guint position;

  g_return_val_if_fail (TESSERA_IS_GALLERY (self), 0);
  g_return_val_if_fail (tiles != NULL || n_tiles == 0, 0);

  for (guint i = 0; i < n_tiles; i++)
    if (tessera_url_set_add (self->uris, tessera_tile_get_uri (tiles[i])))
      g_ptr_array_add (new_tiles, g_object_ref (tiles[i]));

  if (n_duplicates != NULL)
    *n_duplicates = n_tiles - new_tiles->len;
  if (new_tiles->len == 0)
    return 0;

  position = g_list_model_get_n_items (G_LIST_MODEL (self->tiles));
  g_list_store_splice (self->tiles, position, 0, new_tiles->pdata, new_tiles->len);
  self->all_tiles_ms = -1;
  for (guint i = 0; i < new_tiles->len; i++)
    if (tessera_tile_get_state (new_tiles->pdata[i]) != TESSERA_TILE_WAITING)
      n_placeholders++;
  self->n_finished += n_placeholders;
  if (self->load_thumbnails)
    submit_first_loads (self, position, new_tiles->len);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_TILES]);
  if (n_placeholders == 0)
    return new_tiles->len;
  if (tessera_gallery_is_done (self))
    self->all_tiles_ms = tessera_engine_elapsed_ms ();
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_FINISHED]);
  return new_tiles->len;
}

guint
tessera_gallery_add_uris (TesseraGallery *self, const char *const *uris, guint n_uris,
                          guint *n_duplicates)
{
  g_autoptr (GPtrArray) tiles = g_ptr_array_new_full (n_uris, g_object_unref);

  g_return_val_if_fail (TESSERA_IS_GALLERY (self), 0);
  g_return_val_if_fail (uris != NULL || n_uris == 0, 0);

  for (guint i = 0; i < n_uris; i++)
    g_ptr_array_add (tiles, tessera_tile_new (uris[i]));
  return tessera_gallery_add_tiles (self, (TesseraTile *const *) tiles->pdata, tiles->len,
                                    n_duplicates);
}

void
tessera_gallery_add_source_error (TesseraGallery *self, const char *message)
{
  g_return_if_fail (TESSERA_IS_GALLERY (self));
  g_return_if_fail (message != NULL);

  g_ptr_array_add (self->source_errors, g_strdup (message));
}

static void
cancel_request (gpointer data)
{
  TesseraRequest *request = data;

  tessera_request_cancel (request);
  tessera_request_unref (request);
}

void
tessera_gallery_clear (TesseraGallery *self)
{
  g_return_if_fail (TESSERA_IS_GALLERY (self));

  stop_submitting (self);
  g_hash_table_remove_all (self->requests);
  g_tree_remove_all (self->holding);
  self->holding_bytes = 0;
  g_hash_table_remove_all (self->uris);
  g_list_store_remove_all (self->tiles);
  self->n_finished = 0;
  self->n_failed = 0;
  self->first_tile_ms = -1;
  self->all_tiles_ms = -1;

  for (guint i = PROP_N_TILES; i < N_PROPS; i++)
    g_object_notify_by_pspec (G_OBJECT (self), properties[i]);
  tessera_engine_release_memory ();
}

guint
tessera_gallery_get_tile_px (TesseraGallery *self)
{
  g_return_val_if_fail (TESSERA_IS_GALLERY (self), TESSERA_GALLERY_DEFAULT_TILE_PX);
  return self->tile_px;
}

TesseraLoader *
tessera_gallery_get_loader (TesseraGallery *self)
{
  g_return_val_if_fail (TESSERA_IS_GALLERY (self), NULL);
  return self->loader;
}

void
tessera_gallery_set_load_thumbnails (TesseraGallery *self, gboolean load_thumbnails)
{
  g_return_if_fail (TESSERA_IS_GALLERY (self));

  self->load_thumbnails = load_thumbnails;
}

void
tessera_gallery_set_tile_px (TesseraGallery *self, guint tile_px)
{
  g_return_if_fail (TESSERA_IS_GALLERY (self));
  g_return_if_fail (tile_px > 0);

  self->tile_px = tile_px;
}

void
tessera_gallery_set_focus (TesseraGallery *self, guint first, guint last)
{
  guint n_tiles, span;

  g_return_if_fail (TESSERA_IS_GALLERY (self));
  g_return_if_fail (first <= last);

  n_tiles = g_list_model_get_n_items (G_LIST_MODEL (self->tiles));
  last = MIN (last, MAX (n_tiles, 1) - 1);
  first = MIN (first, last);
  span = last - first + 1;
  tessera_loader_set_focus (self->loader, (int) first, (int) last, (int) span);

  self->keep_first = first > span ? first - span : 0;
  self->keep_last = last + span;
  for (guint position = self->keep_first; position < MIN (self->keep_last + 1, n_tiles); position++)
    {
      g_autoptr (TesseraTile) tile = g_list_model_get_item (G_LIST_MODEL (self->tiles), position);

      if (tessera_tile_get_state (tile) == TESSERA_TILE_LOADED
          && tessera_tile_get_texture (tile) == NULL && tessera_tile_get_original_kept (tile)
          && !g_hash_table_contains (self->requests, tile))
        restore_picture (self, tile, position);
    }
}

void
tessera_gallery_set_texture_budget (TesseraGallery *self, gsize budget)
{
  g_return_if_fail (TESSERA_IS_GALLERY (self));

  self->texture_budget = budget;
  trim_to_budget (self);
}

gsize
tessera_gallery_get_texture_bytes (TesseraGallery *self)
{
  g_return_val_if_fail (TESSERA_IS_GALLERY (self), 0);
  return self->holding_bytes;
}

GListModel *
tessera_gallery_get_model (TesseraGallery *self)
{
  g_return_val_if_fail (TESSERA_IS_GALLERY (self), NULL);
  return G_LIST_MODEL (self->tiles);
}

guint
tessera_gallery_get_n_tiles (TesseraGallery *self)
{
  g_return_val_if_fail (TESSERA_IS_GALLERY (self), 0);
  return g_list_model_get_n_items (G_LIST_MODEL (self->tiles));
}

guint
tessera_gallery_get_n_finished (TesseraGallery *self)
{
  g_return_val_if_fail (TESSERA_IS_GALLERY (self), 0);
  return self->n_finished;
}

guint
tessera_gallery_get_n_failed (TesseraGallery *self)
{
  g_return_val_if_fail (TESSERA_IS_GALLERY (self), 0);
  return self->n_failed;
}

gboolean
tessera_gallery_is_done (TesseraGallery *self)
{
  guint n_tiles;

  g_return_val_if_fail (TESSERA_IS_GALLERY (self), FALSE);

  n_tiles = tessera_gallery_get_n_tiles (self);
  return n_tiles > 0 && self->n_finished == n_tiles;
}

gint64
tessera_gallery_get_first_tile_ms (TesseraGallery *self)
{
  g_return_val_if_fail (TESSERA_IS_GALLERY (self), -1);
  return self->first_tile_ms;
}

gint64
tessera_gallery_get_all_tiles_ms (TesseraGallery *self)
{
  g_return_val_if_fail (TESSERA_IS_GALLERY (self), -1);
  return self->all_tiles_ms;
}

GPtrArray *
tessera_gallery_get_source_errors (TesseraGallery *self)
{
  g_return_val_if_fail (TESSERA_IS_GALLERY (self), NULL);
  return self->source_errors;
}

static void
tessera_gallery_dispose (GObject *object)
{
  TesseraGallery *self = TESSERA_GALLERY (object);

  stop_submitting (self);
  if (self->requests != NULL)
    g_hash_table_remove_all (self->requests);

  G_OBJECT_CLASS (tessera_gallery_parent_class)->dispose (object);
}

static void
tessera_gallery_finalize (GObject *object)
{
  TesseraGallery *self = TESSERA_GALLERY (object);

  g_hash_table_unref (self->requests);
  g_tree_destroy (self->holding);
  g_hash_table_unref (self->uris);
  g_ptr_array_unref (self->source_errors);
  g_object_unref (self->tiles);
  g_object_unref (self->loader);

  G_OBJECT_CLASS (tessera_gallery_parent_class)->finalize (object);
}

static void
tessera_gallery_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  TesseraGallery *self = TESSERA_GALLERY (object);

  switch (prop_id)
    {
    case PROP_N_TILES:
      g_value_set_uint (value, tessera_gallery_get_n_tiles (self));
      break;
    case PROP_N_FINISHED:
      g_value_set_uint (value, self->n_finished);
      break;
    case PROP_N_FAILED:
      g_value_set_uint (value, self->n_failed);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tessera_gallery_class_init (TesseraGalleryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = tessera_gallery_dispose;
  object_class->finalize = tessera_gallery_finalize;
  object_class->get_property = tessera_gallery_get_property;

  properties[PROP_N_TILES] = g_param_spec_uint ("n-tiles", NULL, NULL, 0, G_MAXUINT, 0, flags);
  properties[PROP_N_FINISHED]
      = g_param_spec_uint ("n-finished", NULL, NULL, 0, G_MAXUINT, 0, flags);
  properties[PROP_N_FAILED] = g_param_spec_uint ("n-failed", NULL, NULL, 0, G_MAXUINT, 0, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
tessera_gallery_init (TesseraGallery *self)
{
  self->tiles = g_list_store_new (TESSERA_TYPE_TILE);
  self->uris = tessera_url_set_new ();
  self->requests = g_hash_table_new_full (NULL, NULL, NULL, cancel_request);
  self->source_errors = g_ptr_array_new_with_free_func (g_free);
  self->tile_px = TESSERA_GALLERY_DEFAULT_TILE_PX;
  self->holding = g_tree_new_full (compare_positions, NULL, NULL, NULL);
  self->texture_budget = TESSERA_GALLERY_TEXTURE_BUDGET;
  self->load_thumbnails = TRUE;
  self->first_tile_ms = -1;
  self->all_tiles_ms = -1;
}

TesseraGallery *
tessera_gallery_new (TesseraLoader *loader)
{
  TesseraGallery *self;

  g_return_val_if_fail (TESSERA_IS_LOADER (loader), NULL);

  self = g_object_new (TESSERA_TYPE_GALLERY, NULL);
  self->loader = g_object_ref (loader);
  return self;
}
