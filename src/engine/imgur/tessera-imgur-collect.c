/* SPDX-License-Identifier: GPL-3.0-or-later */
/* tessera-imgur-collect.c: a query's page and each album listed through an Imgur source whose
 * gallery lists posts without loading their thumbnails */

#define G_LOG_DOMAIN "tessera-imgur-collect"

#include "config.h"

#include <glib/gi18n.h>

#include "tessera-engine.h"
#include "tessera-imgur-collect.h"
#include "tessera-save-name.h"

struct _TesseraImgurCollect
{
  GObject parent_instance;

  TesseraLoader *loader;
  char *client_id;
  TesseraImgurShow show;
};

G_DEFINE_FINAL_TYPE (TesseraImgurCollect, tessera_imgur_collect, G_TYPE_OBJECT)

/* One listing: the GTask's data. */
typedef struct
{
  TesseraImgurCollect *collect; /* the task's source object */
  GTask *task;                  /* owned until the listing ends */
  GSource *cancel_watch;
  TesseraImgurQuery query; /* listed first when @has_query */
  gboolean has_query;

  GPtrArray *posts; /* (element-type TesseraTile): to resolve, in order */
  guint next_post;
  GPtrArray *found;    /* (element-type TesseraSaveItem): the originals; the result */
  GPtrArray *failures; /* (element-type TesseraSaveItem): what could not be listed */

  TesseraImgurSource *source; /* listing now */
  TesseraTile *album;         /* whose images the source lists; NULL for the query */
  char *stop_message;         /* Imgur refuses everything now: no more requests */
} CollectRun;

static void on_source_state (TesseraImgurSource *source, GParamSpec *pspec, gpointer user_data);

static void
drop_source (CollectRun *run)
{
  if (run->source == NULL)
    return;
  g_signal_handlers_disconnect_by_func (run->source, on_source_state, run);
  /* Disposing the source cancels its request. */
  g_clear_object (&run->source);
  g_clear_object (&run->album);
}

static void
collect_run_free (gpointer data)
{
  CollectRun *run = data;

  g_assert (run->task == NULL && run->cancel_watch == NULL && run->source == NULL);

  tessera_imgur_query_clear (&run->query);
  g_ptr_array_unref (run->posts);
  g_clear_pointer (&run->found, g_ptr_array_unref);
  g_clear_pointer (&run->failures, g_ptr_array_unref);
  g_free (run->stop_message);
  g_free (run);
}

static void
add_failure (CollectRun *run, const char *what, const char *why)
{
  g_ptr_array_add (run->failures, tessera_save_item_new_failure (what, why));
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
add_original (CollectRun *run, TesseraTile *tile, const char *folder)
{
  TesseraSaveItem *item = tessera_save_item_new_for_tile (tile, FALSE);

  if (item == NULL)
    {
      add_failure (run, tessera_tile_get_id (tile), _ ("Imgur gave no link to it"));
      return;
    }
  item->folder = g_strdup (folder);
  g_ptr_array_add (run->found, item);
}

/* The listing is over: what was found, or G_IO_ERROR_CANCELLED. May free @run. */
static void
complete (CollectRun *run)
{
  g_autoptr (GTask) task = g_steal_pointer (&run->task);

  drop_source (run);
  if (run->cancel_watch != NULL)
    {
      g_source_destroy (run->cancel_watch);
      g_clear_pointer (&run->cancel_watch, g_source_unref);
    }
  if (g_task_return_error_if_cancelled (task))
    return;
  g_ptr_array_extend_and_steal (run->found, g_steal_pointer (&run->failures));
  g_task_return_pointer (task, g_steal_pointer (&run->found), (GDestroyNotify) g_ptr_array_unref);
}

static void
list (CollectRun *run, const TesseraImgurQuery *query, TesseraTile *album)
{
  TesseraImgurCollect *self = run->collect;
  g_autoptr (TesseraGallery) gallery = tessera_gallery_new (self->loader);

  tessera_gallery_set_load_thumbnails (gallery, FALSE);
  run->source = tessera_imgur_source_new (gallery, query, self->client_id, self->show);
  run->album = album ? g_object_ref (album) : NULL;
  g_signal_connect (run->source, "notify::state", G_CALLBACK (on_source_state), run);
  tessera_imgur_source_load_more (run->source);
}

static void
list_album (CollectRun *run, TesseraTile *album)
{
  TesseraImgurQuery query = { .album = (char *) tessera_tile_get_id (album) };

  list (run, &query, album);
}

/* The next album to list, or the end; what needs no request is resolved on the way. */
static gboolean
resolve_next (gpointer data)
{
  CollectRun *run = g_task_get_task_data (data);

  /* Cancelled meanwhile. */
  if (run->task == NULL)
    return G_SOURCE_REMOVE;
  while (run->next_post < run->posts->len)
    {
      TesseraTile *tile = run->posts->pdata[run->next_post++];
      g_autofree char *album = NULL;

      if (tessera_tile_get_kind (tile) != TESSERA_TILE_ALBUM)
        add_original (run, tile, NULL);
      else if (run->stop_message != NULL)
        {
          album = describe_album (tile);
          add_failure (run, album, run->stop_message);
        }
      else
        {
          list_album (run, tile);
          return G_SOURCE_REMOVE;
        }
    }
  complete (run);
  return G_SOURCE_REMOVE;
}

/* From the main loop, never inside the source's own notification. */
static void
resolve_later (CollectRun *run)
{
  g_idle_add_full (G_PRIORITY_DEFAULT, resolve_next, g_object_ref (run->task), g_object_unref);
}

static void
take_listed (CollectRun *run, GListModel *tiles)
{
  g_autofree char *folder = NULL;

  if (run->album != NULL)
    folder = tessera_save_name_for_post (tessera_tile_get_title (run->album),
                                         tessera_tile_get_id (run->album),
                                         TESSERA_IMAGE_FORMAT_UNKNOWN);
  for (guint i = 0; i < g_list_model_get_n_items (tiles); i++)
    {
      g_autoptr (TesseraTile) tile = g_list_model_get_item (tiles, i);

      if (run->album != NULL)
        add_original (run, tile, folder);
      else
        g_ptr_array_add (run->posts, g_steal_pointer (&tile));
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
  CollectRun *run = user_data;
  TesseraGallery *gallery = tessera_imgur_source_get_gallery (source);

  if (tessera_imgur_source_get_state (source) == TESSERA_IMGUR_LOADING)
    return;
  take_listed (run, tessera_gallery_get_model (gallery));
  if (tessera_imgur_source_get_state (source) == TESSERA_IMGUR_FAILED)
    {
      const char *message = tessera_imgur_source_get_message (source);
      g_autofree char *what = run->album ? describe_album (run->album) : g_strdup ("Imgur");

      add_failure (run, what, message);
      if (stops_everything (tessera_imgur_source_get_problem (source)))
        run->stop_message = g_strdup (message);
    }
  drop_source (run);
  resolve_later (run);
}

/* From the main loop once the cancellable is cancelled. */
static gboolean
on_cancelled (GCancellable *cancellable, gpointer data)
{
  complete (data);
  return G_SOURCE_REMOVE;
}

static void
watch_cancellable (CollectRun *run, GCancellable *cancellable)
{
  if (cancellable == NULL)
    return;
  run->cancel_watch = g_cancellable_source_new (cancellable);
  g_source_set_callback (run->cancel_watch, G_SOURCE_FUNC (on_cancelled), run, NULL);
  g_source_attach (run->cancel_watch, g_task_get_context (run->task));
}

static gboolean
are_posts (GPtrArray *posts)
{
  for (guint i = 0; posts != NULL && i < posts->len; i++)
    if (!TESSERA_IS_TILE (posts->pdata[i]) || tessera_tile_get_id (posts->pdata[i]) == NULL)
      return FALSE;
  return TRUE;
}

void
tessera_imgur_collect_items_async (TesseraImgurCollect *self, const TesseraImgurQuery *query,
                                   GPtrArray *posts, GCancellable *cancellable,
                                   GAsyncReadyCallback callback, gpointer user_data)
{
  CollectRun *run;

  g_return_if_fail (TESSERA_IS_IMGUR_COLLECT (self));
  g_return_if_fail (are_posts (posts));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  TESSERA_ASSERT_MAIN_THREAD ();

  run = g_new0 (CollectRun, 1);
  run->collect = self;
  run->task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (run->task, tessera_imgur_collect_items_async);
  g_task_set_task_data (run->task, run, collect_run_free);
  run->posts = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; posts != NULL && i < posts->len; i++)
    g_ptr_array_add (run->posts, g_object_ref (posts->pdata[i]));
  run->found = g_ptr_array_new_with_free_func ((GDestroyNotify) tessera_save_item_free);
  run->failures = g_ptr_array_new_with_free_func ((GDestroyNotify) tessera_save_item_free);
  watch_cancellable (run, cancellable);
  if (query == NULL)
    {
      resolve_later (run);
      return;
    }
  tessera_imgur_query_copy (query, &run->query);
  list (run, &run->query, NULL);
}

GPtrArray *
tessera_imgur_collect_items_finish (TesseraImgurCollect *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (TESSERA_IS_IMGUR_COLLECT (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (
      g_task_get_source_tag (G_TASK (result)) == tessera_imgur_collect_items_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
tessera_imgur_collect_finalize (GObject *object)
{
  TesseraImgurCollect *self = TESSERA_IMGUR_COLLECT (object);

  g_object_unref (self->loader);
  g_free (self->client_id);

  G_OBJECT_CLASS (tessera_imgur_collect_parent_class)->finalize (object);
}

static void
tessera_imgur_collect_class_init (TesseraImgurCollectClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = tessera_imgur_collect_finalize;
}

static void
tessera_imgur_collect_init (TesseraImgurCollect *self)
{
}

TesseraImgurCollect *
tessera_imgur_collect_new (TesseraLoader *loader, const char *client_id, TesseraImgurShow show)
{
  TesseraImgurCollect *self;

  g_return_val_if_fail (TESSERA_IS_LOADER (loader), NULL);

  self = g_object_new (TESSERA_TYPE_IMGUR_COLLECT, NULL);
  self->loader = g_object_ref (loader);
  self->client_id = g_strdup (client_id);
  self->show = show;
  return self;
}
