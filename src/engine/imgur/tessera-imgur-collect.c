/* SPDX-License-Identifier: GPL-3.0-or-later */
/* tessera-imgur-collect.c: a query's page and each album listed through an Imgur source whose
 * gallery lists posts without loading their thumbnails */

#define G_LOG_DOMAIN "tessera-imgur-collect"

#include "config.h"

#include <glib/gi18n.h>

#include "tessera-imgur-collect.h"
#include "tessera-save-name.h"

struct _TesseraImgurCollect
{
  GObject parent_instance;

  TesseraLoader *loader;
  char *client_id;
  gboolean show_nsfw;
  TesseraImgurQuery query;
  gboolean has_query;

  GPtrArray *posts; /* (element-type TesseraTile): to resolve, in order */
  guint next_post;
  GPtrArray *found;    /* (element-type Original) */
  GPtrArray *failures; /* (element-type Failure) */

  TesseraImgurSource *source; /* listing now */
  TesseraTile *album;         /* whose images the source lists; NULL for the query */
  char *stop_message;         /* Imgur refuses everything now: no more requests */
  gboolean started;
  gboolean cancelled;
  gboolean finished;
};

G_DEFINE_FINAL_TYPE (TesseraImgurCollect, tessera_imgur_collect, G_TYPE_OBJECT)

enum
{
  SIGNAL_FINISHED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

typedef struct
{
  char *uri;
  char *title;
  char *id;
  char *folder;
} Original;

typedef struct
{
  char *what;
  char *why;
} Failure;

static void
original_free (gpointer data)
{
  Original *original = data;

  g_free (original->uri);
  g_free (original->title);
  g_free (original->id);
  g_free (original->folder);
  g_free (original);
}

static void
failure_free (gpointer data)
{
  Failure *failure = data;

  g_free (failure->what);
  g_free (failure->why);
  g_free (failure);
}

static void
add_failure (TesseraImgurCollect *self, char *what, const char *why)
{
  Failure *failure = g_new0 (Failure, 1);

  failure->what = what;
  failure->why = g_strdup (why);
  g_ptr_array_add (self->failures, failure);
}

static char *
describe_album (TesseraTile *album)
{
  const char *title = tessera_tile_get_title (album);

  return title ? g_strdup_printf (_ ("Album “%s”"), title)
               : g_strdup_printf (_ ("Album %s"), tessera_tile_get_id (album));
}

/* A picture or an animation: its link is the original. */
static void
add_original (TesseraImgurCollect *self, TesseraTile *tile, const char *folder)
{
  Original *original;

  if (tessera_tile_get_link (tile) == NULL)
    {
      add_failure (self, g_strdup (tessera_tile_get_id (tile)), _ ("Imgur gave no link to it"));
      return;
    }
  original = g_new0 (Original, 1);
  original->uri = g_strdup (tessera_tile_get_link (tile));
  original->title = g_strdup (tessera_tile_get_title (tile));
  original->id = g_strdup (tessera_tile_get_id (tile));
  original->folder = g_strdup (folder);
  g_ptr_array_add (self->found, original);
}

static void on_source_state (TesseraImgurSource *source, GParamSpec *pspec, gpointer user_data);

static void
drop_source (TesseraImgurCollect *self)
{
  if (self->source == NULL)
    return;
  g_signal_handlers_disconnect_by_func (self->source, on_source_state, self);
  g_clear_object (&self->source);
  g_clear_object (&self->album);
}

static void
finish (TesseraImgurCollect *self)
{
  drop_source (self);
  self->finished = TRUE;
  g_signal_emit (self, signals[SIGNAL_FINISHED], 0);
}

static void
list (TesseraImgurCollect *self, const TesseraImgurQuery *query, TesseraTile *album)
{
  g_autoptr (TesseraGallery) gallery = tessera_gallery_new (self->loader);

  tessera_gallery_set_load_thumbnails (gallery, FALSE);
  self->source = tessera_imgur_source_new (gallery, query, self->client_id, self->show_nsfw);
  self->album = album ? g_object_ref (album) : NULL;
  g_signal_connect (self->source, "notify::state", G_CALLBACK (on_source_state), self);
  tessera_imgur_source_load_more (self->source);
}

static void
list_album (TesseraImgurCollect *self, TesseraTile *album)
{
  TesseraImgurQuery query = { .album = (char *) tessera_tile_get_id (album) };

  list (self, &query, album);
}

/* The next album to list, or the end; what needs no request is resolved on the way. */
static gboolean
resolve_next (gpointer data)
{
  TesseraImgurCollect *self = data;

  while (!self->cancelled && self->next_post < self->posts->len)
    {
      TesseraTile *tile = self->posts->pdata[self->next_post++];

      if (tessera_tile_get_kind (tile) != TESSERA_TILE_ALBUM)
        add_original (self, tile, NULL);
      else if (self->stop_message != NULL)
        add_failure (self, describe_album (tile), self->stop_message);
      else
        {
          list_album (self, tile);
          return G_SOURCE_REMOVE;
        }
    }
  finish (self);
  return G_SOURCE_REMOVE;
}

/* From the main loop, never inside the source's own notification. */
static void
resolve_later (TesseraImgurCollect *self)
{
  g_idle_add_full (G_PRIORITY_DEFAULT, resolve_next, g_object_ref (self), g_object_unref);
}

static void
take_listed (TesseraImgurCollect *self, GListModel *tiles)
{
  g_autofree char *folder = NULL;

  if (self->album != NULL)
    folder = tessera_save_name_for_post (tessera_tile_get_title (self->album),
                                         tessera_tile_get_id (self->album),
                                         TESSERA_IMAGE_FORMAT_UNKNOWN);
  for (guint i = 0; i < g_list_model_get_n_items (tiles); i++)
    {
      g_autoptr (TesseraTile) tile = g_list_model_get_item (tiles, i);

      if (self->album != NULL)
        add_original (self, tile, folder);
      else
        g_ptr_array_add (self->posts, g_steal_pointer (&tile));
    }
}

static gboolean
stops_everything (TesseraImgurProblem problem)
{
  return problem == TESSERA_IMGUR_PROBLEM_NO_CLIENT_ID
         || problem == TESSERA_IMGUR_PROBLEM_RATE_LIMITED;
}

static void
on_source_state (TesseraImgurSource *source, GParamSpec *pspec, gpointer user_data)
{
  TesseraImgurCollect *self = user_data;
  TesseraGallery *gallery = tessera_imgur_source_get_gallery (source);

  if (tessera_imgur_source_get_state (source) == TESSERA_IMGUR_LOADING)
    return;
  take_listed (self, tessera_gallery_get_model (gallery));
  if (tessera_imgur_source_get_state (source) == TESSERA_IMGUR_FAILED)
    {
      const char *message = tessera_imgur_source_get_message (source);

      add_failure (self, self->album ? describe_album (self->album) : g_strdup ("Imgur"), message);
      if (stops_everything (tessera_imgur_source_get_problem (source)))
        self->stop_message = g_strdup (message);
    }
  drop_source (self);
  resolve_later (self);
}

void
tessera_imgur_collect_add_query (TesseraImgurCollect *self, const TesseraImgurQuery *query)
{
  g_return_if_fail (TESSERA_IS_IMGUR_COLLECT (self));
  g_return_if_fail (query != NULL);
  g_return_if_fail (!self->started && !self->has_query);

  tessera_imgur_query_copy (query, &self->query);
  self->has_query = TRUE;
}

void
tessera_imgur_collect_add_post (TesseraImgurCollect *self, TesseraTile *tile)
{
  g_return_if_fail (TESSERA_IS_IMGUR_COLLECT (self));
  g_return_if_fail (TESSERA_IS_TILE (tile) && tessera_tile_get_id (tile) != NULL);
  g_return_if_fail (!self->started);

  g_ptr_array_add (self->posts, g_object_ref (tile));
}

void
tessera_imgur_collect_start (TesseraImgurCollect *self)
{
  g_return_if_fail (TESSERA_IS_IMGUR_COLLECT (self));
  g_return_if_fail (!self->started);

  self->started = TRUE;
  if (self->has_query)
    list (self, &self->query, NULL);
  else
    resolve_later (self);
}

void
tessera_imgur_collect_cancel (TesseraImgurCollect *self)
{
  g_return_if_fail (TESSERA_IS_IMGUR_COLLECT (self));

  if (self->cancelled || self->finished)
    return;
  self->cancelled = TRUE;
  /* Disposing the source cancels its request; the rest ends at the next step. */
  if (self->source != NULL)
    {
      drop_source (self);
      resolve_later (self);
    }
}

gboolean
tessera_imgur_collect_is_finished (TesseraImgurCollect *self)
{
  g_return_val_if_fail (TESSERA_IS_IMGUR_COLLECT (self), FALSE);
  return self->finished;
}

gboolean
tessera_imgur_collect_is_cancelled (TesseraImgurCollect *self)
{
  g_return_val_if_fail (TESSERA_IS_IMGUR_COLLECT (self), FALSE);
  return self->cancelled;
}

guint
tessera_imgur_collect_get_n_found (TesseraImgurCollect *self)
{
  g_return_val_if_fail (TESSERA_IS_IMGUR_COLLECT (self), 0);
  return self->found->len;
}

void
tessera_imgur_collect_fill_saver (TesseraImgurCollect *self, TesseraSaver *saver)
{
  g_return_if_fail (TESSERA_IS_IMGUR_COLLECT (self));
  g_return_if_fail (TESSERA_IS_SAVER (saver));
  g_return_if_fail (self->finished);

  for (guint i = 0; i < self->found->len; i++)
    {
      const Original *original = self->found->pdata[i];
      TesseraSaveItem item = { .uri = original->uri,
                               .title = original->title,
                               .id = original->id,
                               .folder = original->folder };

      tessera_saver_add (saver, &item);
    }
  for (guint i = 0; i < self->failures->len; i++)
    {
      const Failure *failure = self->failures->pdata[i];

      tessera_saver_add_failure (saver, failure->what, failure->why);
    }
}

static void
tessera_imgur_collect_dispose (GObject *object)
{
  drop_source (TESSERA_IMGUR_COLLECT (object));

  G_OBJECT_CLASS (tessera_imgur_collect_parent_class)->dispose (object);
}

static void
tessera_imgur_collect_finalize (GObject *object)
{
  TesseraImgurCollect *self = TESSERA_IMGUR_COLLECT (object);

  g_object_unref (self->loader);
  g_free (self->client_id);
  tessera_imgur_query_clear (&self->query);
  g_ptr_array_unref (self->posts);
  g_ptr_array_unref (self->found);
  g_ptr_array_unref (self->failures);
  g_free (self->stop_message);

  G_OBJECT_CLASS (tessera_imgur_collect_parent_class)->finalize (object);
}

static void
tessera_imgur_collect_class_init (TesseraImgurCollectClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = tessera_imgur_collect_dispose;
  object_class->finalize = tessera_imgur_collect_finalize;

  signals[SIGNAL_FINISHED] = g_signal_new ("finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                           0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
tessera_imgur_collect_init (TesseraImgurCollect *self)
{
  self->posts = g_ptr_array_new_with_free_func (g_object_unref);
  self->found = g_ptr_array_new_with_free_func (original_free);
  self->failures = g_ptr_array_new_with_free_func (failure_free);
}

TesseraImgurCollect *
tessera_imgur_collect_new (TesseraLoader *loader, const char *client_id, gboolean show_nsfw)
{
  TesseraImgurCollect *self;

  g_return_val_if_fail (TESSERA_IS_LOADER (loader), NULL);

  self = g_object_new (TESSERA_TYPE_IMGUR_COLLECT, NULL);
  self->loader = g_object_ref (loader);
  self->client_id = g_strdup (client_id);
  self->show_nsfw = show_nsfw;
  return self;
}
