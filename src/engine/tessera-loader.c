/* SPDX-License-Identifier: GPL-3.0-or-later */
/* tessera-loader.c: a GThreadPool of workers that fetch or read, then decode, off the main thread */

#define G_LOG_DOMAIN "tessera-loader"

#include "config.h"

#include <errno.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "tessera-engine.h"
#include "tessera-error.h"
#include "tessera-http-cache.h"
#include "tessera-loader-private.h"
#include "tessera-queue.h"
#include "tessera-util.h"

struct _TesseraLoader
{
  GObject parent_instance;

  /* The pool runs one task per waiting request, but a task takes whichever request ranks
   * best when it starts, so the order follows the focus (see tessera-queue.h). */
  GThreadPool *pool;
  /* As many again, for what comes on screen when the person jumps while every worker is
   * busy with tiles that were near before: their tasks take only requests in view. */
  GThreadPool *view_pool;
  guint n_jobs;
  TesseraQueue *waiting; /* (element-type TesseraRequest) owned refs */
  GMainContext *context; /* where results are delivered */
  TesseraCurlShare *share;
  TesseraFetchLimits limits;
  guint64 next_sequence;
  GHashTable *pending; /* (element-type TesseraRequest) owned refs; loader thread only */

  /* Finished requests on their way to the loader's thread, drained by delivery_source. */
  GAsyncQueue *finished; /* (element-type TesseraRequest) owned refs */
  GSource *delivery_source;
  /* Atomic: the delivery source is already due (woken, or pausing between slices), so a
   * worker need not wake it: waking takes the main context's lock, and a worker (nice 10)
   * pre-empted while holding it stalls the main thread. */
  gint delivery_due;

  TesseraCache *cache; /* set once, before any submit; may be NULL */
};

struct _TesseraRequest
{
  gatomicrefcount ref_count;
  GCancellable *cancellable; /* cancelled on the loader thread, checked by the worker */
  int priority;
  guint64 sequence;
  guint tile_px;
  char *uri;
  TesseraCacheMode cache_mode;

  /* Loader thread only; loader is NULL once the request is delivered or cancelled. */
  TesseraLoader *loader;
  TesseraDeliverFunc deliver;
  gpointer user_data;
  GDestroyNotify destroy;

  /* A data request's: set at submission, used by the worker. */
  GStrv headers;
  TesseraParseFunc parse;
  gpointer parse_data;
  GDestroyNotify parse_data_free;
  GDestroyNotify payload_free;

  /* Written by the worker before delivery is scheduled. */
  gboolean kept;
  gpointer payload;
  GdkTexture *texture;
  TesseraImageFormat format;
  GError *error;
  char *label;
};

G_DEFINE_FINAL_TYPE (TesseraLoader, tessera_loader, G_TYPE_OBJECT)

/* Each worker thread keeps its fetcher (and so its connections) for its whole life. */
static GPrivate thread_fetcher = G_PRIVATE_INIT ((GDestroyNotify) tessera_fetcher_free);
static GPrivate thread_prepared;

/* Deliveries run in slices at default priority, then pause so the frame clock can paint:
 * a burst of results never holds up a frame, and a frame clock that is always busy (slow
 * software rendering) never holds up the results, as it would idle-priority sources. */
#define TESSERA_DELIVERY_SLICE_US 4000
#define TESSERA_DELIVERY_PAUSE_US 8000

typedef struct
{
  GSource source;
  TesseraLoader *loader; /* unowned: the loader destroys the source first */
} DeliverySource;

/* Workers yield the CPU to the main thread: with more decoding workers than cores, equal
 * shares would leave the UI a fraction of a core exactly while tiles arrive. */
#define TESSERA_WORKER_NICE 10

TesseraRequest *
tessera_request_ref (TesseraRequest *request)
{
  g_return_val_if_fail (request != NULL, NULL);

  g_atomic_ref_count_inc (&request->ref_count);
  return request;
}

void
tessera_request_unref (TesseraRequest *request)
{
  g_return_if_fail (request != NULL);

  if (!g_atomic_ref_count_dec (&request->ref_count))
    return;

  g_clear_object (&request->texture);
  g_clear_object (&request->cancellable);
  if (request->payload != NULL && request->payload_free != NULL)
    request->payload_free (request->payload);
  if (request->parse_data != NULL && request->parse_data_free != NULL)
    request->parse_data_free (request->parse_data);
  g_strfreev (request->headers);
  g_clear_error (&request->error);
  g_free (request->label);
  g_free (request->uri);
  g_free (request);
}

static void
release_callback (TesseraRequest *request)
{
  GDestroyNotify destroy = g_steal_pointer (&request->destroy);
  gpointer user_data = g_steal_pointer (&request->user_data);

  request->deliver = NULL;
  request->loader = NULL;
  if (destroy != NULL)
    destroy (user_data);
}

void
tessera_request_cancel (TesseraRequest *request)
{
  TesseraLoader *loader;
  TesseraRequest *waiting;

  g_return_if_fail (request != NULL);

  loader = request->loader;
  if (loader == NULL)
    return; /* already delivered or cancelled */

  g_cancellable_cancel (request->cancellable);
  /* Still waiting: no worker will ever see it. */
  waiting = tessera_queue_remove (loader->waiting, request->priority, request->sequence);
  if (waiting != NULL)
    tessera_request_unref (waiting);
  release_callback (request);
  g_hash_table_remove (loader->pending, request); /* may drop the last reference */
}

static void
fail_request (TesseraRequest *request, GError *error, const char *label)
{
  request->error = error;
  request->label = g_strdup (label != NULL ? label : tessera_error_label (error));
}

static TesseraFetcher *
get_thread_fetcher (TesseraLoader *self)
{
  TesseraFetcher *fetcher = g_private_get (&thread_fetcher);

  if (fetcher == NULL)
    {
      fetcher = tessera_fetcher_new (self->share, &self->limits);
      g_private_set (&thread_fetcher, fetcher);
    }

  return fetcher;
}

/* The answer behind @request->uri: through the cache or downloaded for http(s), read for
 * file; both within the byte cap. Sets @request->kept when the bytes can be had again
 * without the network. */
static TesseraResponse *
load_response (TesseraLoader *self, TesseraRequest *request, char **label, GError **error)
{
  g_autofree char *path = NULL;
  TesseraResponse *response;
  GBytes *body;

  if (tessera_uri_is_web (request->uri))
    return tessera_http_cache_get (self->cache, get_thread_fetcher (self), request->uri,
                                   request->cache_mode, request->cancellable, &request->kept, label,
                                   error);

  if (!tessera_uri_is_file (request->uri)
      || (path = g_filename_from_uri (request->uri, NULL, NULL)) == NULL)
    {
      g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_BAD_URL,
                   _ ("Only http, https and file addresses can be loaded"));
      return NULL;
    }
  body = tessera_read_file_bounded (path, self->limits.max_bytes, request->cancellable, error);
  if (body == NULL)
    return NULL;
  /* A local file is its own original. */
  request->kept = TRUE;
  response = g_new0 (TesseraResponse, 1);
  response->status = 200;
  response->body = body;
  response->headers = g_hash_table_new (g_str_hash, g_str_equal);
  return response;
}

static void
load_image (TesseraLoader *self, TesseraRequest *request)
{
  g_autoptr (TesseraResponse) response = NULL;
  g_autofree char *label = NULL;
  GError *error = NULL;

  response = load_response (self, request, &label, &error);
  if (response == NULL)
    {
      fail_request (request, error, label);
      return;
    }

  request->texture
      = tessera_image_decode_tile (response->body, request->tile_px, &request->format, &error);
  if (request->texture == NULL)
    fail_request (request, error, NULL);
}

static void
load_data (TesseraLoader *self, TesseraRequest *request)
{
  g_autoptr (TesseraResponse) response = NULL;
  GError *error = NULL;

  if (request->cache_mode != TESSERA_CACHE_MODE_BYPASS)
    response = load_response (self, request, NULL, &error);
  else if (!tessera_uri_is_web (request->uri))
    g_set_error (&error, TESSERA_ERROR, TESSERA_ERROR_BAD_URL,
                 _ ("Only http and https addresses can be requested"));
  else
    response = tessera_fetcher_request (get_thread_fetcher (self), request->uri,
                                        (const char *const *) request->headers,
                                        request->cancellable, &error);
  if (response != NULL)
    request->payload = request->parse (response, request->parse_data, &error);

  if (error != NULL)
    fail_request (request, error, NULL);
}

static void
load_request (TesseraLoader *self, TesseraRequest *request)
{
  if (request->parse != NULL)
    load_data (self, request);
  else
    load_image (self, request);
}

static void
deliver_request (TesseraRequest *request)
{
  g_autoptr (TesseraRequest) pending_ref = NULL;
  TesseraLoadResult result;

  /* Cancelling, on this same thread, let go of the loader. */
  if (request->loader == NULL)
    return;

  /* Keep the request alive through the callback, whatever the callback cancels. */
  pending_ref = tessera_request_ref (request);
  g_hash_table_remove (request->loader->pending, request);

  result = (TesseraLoadResult){
    .texture = request->texture,
    .format = request->format,
    .error = request->error,
    .label = request->label,
    .data = request->payload,
    .kept = request->kept,
  };
  request->deliver (&result, request->user_data);
  release_callback (request);
}

/* Any thread: hand a finished request (and its reference) to the loader's thread. */
static void
push_finished (TesseraLoader *self, TesseraRequest *request)
{
  g_async_queue_push (self->finished, request);
  /* Thread-safe: it locks the source's context and wakes it; once is enough. */
  if (g_atomic_int_compare_and_exchange (&self->delivery_due, FALSE, TRUE))
    g_source_set_ready_time (self->delivery_source, 0);
}

static gboolean
dispatch_finished (GSource *source, GSourceFunc callback, gpointer user_data)
{
  g_autoptr (TesseraLoader) self = g_object_ref (((DeliverySource *) source)->loader);
  gint64 deadline = g_get_monotonic_time () + TESSERA_DELIVERY_SLICE_US;
  TesseraRequest *request;

  /* Before popping, so a request pushed meanwhile wakes the source again. */
  g_source_set_ready_time (source, -1);
  g_atomic_int_set (&self->delivery_due, FALSE);
  while ((request = g_async_queue_try_pop (self->finished)) != NULL)
    {
      deliver_request (request);
      tessera_request_unref (request);
      if (g_get_monotonic_time () >= deadline)
        {
          /* Due after the pause: workers' results wait for it, not wake it early. */
          g_atomic_int_set (&self->delivery_due, TRUE);
          g_source_set_ready_time (source, g_get_monotonic_time () + TESSERA_DELIVERY_PAUSE_US);
          break;
        }
    }
  return G_SOURCE_CONTINUE;
}

static GSource *
delivery_source_new (TesseraLoader *self)
{
  static GSourceFuncs funcs = { .dispatch = dispatch_finished };
  GSource *source = g_source_new (&funcs, sizeof (DeliverySource));

  ((DeliverySource *) source)->loader = self;
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_static_name (source, "[tessera] deliver");
  g_source_set_ready_time (source, -1);
  g_source_attach (source, self->context);
  return source;
}

/* Once per worker thread. On Linux the nice value belongs to the thread, not the process. */
static void
prepare_worker_thread (void)
{
  if (g_private_get (&thread_prepared) != NULL)
    return;
  g_private_set (&thread_prepared, GINT_TO_POINTER (TRUE));
  if (setpriority (PRIO_PROCESS, (id_t) syscall (SYS_gettid), TESSERA_WORKER_NICE) != 0)
    g_debug ("Could not lower a worker's priority: %s", g_strerror (errno));
}

/* What the pool runs for each request queued; it need not be that one. */
#define RUN_NEXT GINT_TO_POINTER (1)

/* Worker thread: runs @request (the queue's reference, handed on to delivery), if any. */
static void
run_request (TesseraLoader *self, TesseraRequest *request)
{
  TESSERA_ASSERT_WORKER_THREAD ();
  prepare_worker_thread ();

  /* Taken by an earlier task, or cancelled and taken out. */
  if (request == NULL)
    return;
  if (g_cancellable_is_cancelled (request->cancellable))
    {
      tessera_request_unref (request);
      return;
    }

  load_request (self, request);
  push_finished (self, request);
}

static void
run_next (gpointer data, gpointer user_data)
{
  TesseraLoader *self = user_data;

  run_request (self, tessera_queue_pop (self->waiting));
}

/* A task of the view pool: requests in view, one after another while there are any (the
 * requests' own tasks in the main pool will find them gone, and return). */
static void
run_in_view (gpointer data, gpointer user_data)
{
  TesseraLoader *self = user_data;
  TesseraRequest *request;

  while ((request = tessera_queue_pop_in_view (self->waiting)) != NULL)
    run_request (self, request);
}

static void
cancel_all_requests (TesseraLoader *self)
{
  g_autoptr (GPtrArray) requests = NULL;
  GHashTableIter iter;
  gpointer request;

  g_return_if_fail (TESSERA_IS_LOADER (self));

  /* Cancelling edits the table, so take the requests out first. */
  requests = g_ptr_array_new_with_free_func ((GDestroyNotify) tessera_request_unref);
  g_hash_table_iter_init (&iter, self->pending);
  while (g_hash_table_iter_next (&iter, &request, NULL))
    g_ptr_array_add (requests, tessera_request_ref (request));
  for (guint i = 0; i < requests->len; i++)
    tessera_request_cancel (requests->pdata[i]);
}

void
tessera_loader_set_cache (TesseraLoader *self, TesseraCache *cache)
{
  g_return_if_fail (TESSERA_IS_LOADER (self));
  g_return_if_fail (cache == NULL || TESSERA_IS_CACHE (cache));
  g_return_if_fail (self->next_sequence == 0);

  g_set_object (&self->cache, cache);
}

TesseraCache *
tessera_loader_get_cache (TesseraLoader *self)
{
  g_return_val_if_fail (TESSERA_IS_LOADER (self), NULL);
  return self->cache;
}

static void
tessera_loader_finalize (GObject *object)
{
  TesseraLoader *self = TESSERA_LOADER (object);

  cancel_all_requests (self);
  /* Every request is cancelled and out of the waiting queue now, so the pool's remaining
   * tasks find nothing to do. Transfers under way end at their next progress check. */
  g_thread_pool_free (self->pool, FALSE, TRUE);
  g_thread_pool_free (self->view_pool, FALSE, TRUE);
  /* No worker is left to push, so the queue is settled. */
  g_source_destroy (self->delivery_source);
  g_source_unref (self->delivery_source);
  g_async_queue_unref (self->finished);
  tessera_queue_free (self->waiting);
  g_hash_table_unref (self->pending);
  g_clear_object (&self->cache);
  tessera_curl_share_unref (self->share);
  g_main_context_unref (self->context);

  G_OBJECT_CLASS (tessera_loader_parent_class)->finalize (object);
}

static void
tessera_loader_class_init (TesseraLoaderClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = tessera_loader_finalize;
}

static void
tessera_loader_init (TesseraLoader *self)
{
  self->pending = g_hash_table_new_full (NULL, NULL, (GDestroyNotify) tessera_request_unref, NULL);
  self->context = g_main_context_ref_thread_default ();
  self->share = tessera_curl_share_new ();
  self->finished = g_async_queue_new_full ((GDestroyNotify) tessera_request_unref);
  self->waiting = tessera_queue_new ((GDestroyNotify) tessera_request_unref);
  self->delivery_source = delivery_source_new (self);
}

TesseraLoader *
tessera_loader_new (guint n_jobs, const TesseraFetchLimits *limits)
{
  g_autoptr (TesseraLoader) self = NULL;
  g_autoptr (GError) error = NULL;

  g_return_val_if_fail (n_jobs >= TESSERA_LOADER_MIN_JOBS, NULL);
  g_return_val_if_fail (n_jobs <= TESSERA_LOADER_MAX_JOBS, NULL);

  self = g_object_new (TESSERA_TYPE_LOADER, NULL);
  if (limits != NULL)
    self->limits = *limits;
  else
    tessera_fetch_limits_init (&self->limits);

  /* Exclusive threads: each keeps its own fetcher in thread_fetcher. */
  self->n_jobs = n_jobs;
  self->pool = g_thread_pool_new (run_next, self, (int) n_jobs, TRUE, &error);
  if (self->pool != NULL)
    self->view_pool = g_thread_pool_new (run_in_view, self, (int) n_jobs, TRUE, &error);
  if (self->pool == NULL || self->view_pool == NULL)
    g_error ("Could not start the download workers: %s", error->message);

  return g_steal_pointer (&self);
}

gsize
tessera_loader_get_max_bytes (TesseraLoader *self)
{
  g_return_val_if_fail (TESSERA_IS_LOADER (self), 0);
  return self->limits.max_bytes;
}

void
tessera_loader_set_focus (TesseraLoader *self, int first, int last, int span)
{
  g_return_if_fail (TESSERA_IS_LOADER (self));
  g_return_if_fail (first >= 0 && first <= last && span >= 0);

  tessera_queue_set_focus (self->waiting, first, last, span);
  /* Whatever waits in view starts now, beside the transfers under way: the view pool's
   * tasks take requests in view only, so they never add to the background's share. */
  if (g_thread_pool_unprocessed (self->view_pool) > 0)
    return;
  for (guint i = 0; i < self->n_jobs; i++)
    {
      g_autoptr (GError) error = NULL;

      if (!g_thread_pool_push (self->view_pool, RUN_NEXT, &error))
        g_warning ("A download worker could not be started: %s", error->message);
    }
}

guint
tessera_loader_get_n_pending (TesseraLoader *self)
{
  g_return_val_if_fail (TESSERA_IS_LOADER (self), 0);

  return g_hash_table_size (self->pending);
}

static TesseraRequest *
request_new (TesseraLoader *self, const char *uri, int priority, TesseraDeliverFunc deliver,
             gpointer user_data, GDestroyNotify destroy)
{
  TesseraRequest *request = g_new0 (TesseraRequest, 1);

  g_atomic_ref_count_init (&request->ref_count);
  request->cancellable = g_cancellable_new ();
  request->priority = priority;
  request->sequence = self->next_sequence++;
  request->uri = g_strdup (uri);
  request->loader = self;
  request->deliver = deliver;
  request->user_data = user_data;
  request->destroy = destroy;
  return request;
}

static TesseraRequest *
queue_request (TesseraLoader *self, TesseraRequest *request)
{
  GError *error = NULL;

  g_hash_table_add (self->pending, tessera_request_ref (request));
  tessera_queue_push (self->waiting, request->priority, request->sequence,
                      tessera_request_ref (request));
  /* The pool is exclusive: its workers all run from the start, so a push never has to
   * start one and cannot fail. Were it ever to, GLib still queues the task, which runs
   * when a worker is free: only say so. */
  if (!g_thread_pool_push (self->pool, RUN_NEXT, &error))
    {
      g_warning ("A download worker could not be started: %s", error->message);
      g_error_free (error);
    }
  return request;
}

TesseraRequest *
tessera_loader_submit (TesseraLoader *self, const char *uri, int priority, guint tile_px,
                       TesseraCacheMode cache_mode, TesseraDeliverFunc deliver, gpointer user_data,
                       GDestroyNotify destroy)
{
  TesseraRequest *request;

  g_return_val_if_fail (TESSERA_IS_LOADER (self), NULL);
  g_return_val_if_fail (uri != NULL, NULL);
  g_return_val_if_fail (tile_px > 0, NULL);
  g_return_val_if_fail (deliver != NULL, NULL);

  request = request_new (self, uri, priority, deliver, user_data, destroy);
  request->tile_px = tile_px;
  request->cache_mode = cache_mode;
  return queue_request (self, request);
}

TesseraRequest *
tessera_loader_submit_data (TesseraLoader *self, const char *uri, int priority,
                            const TesseraDataJob *job, TesseraDeliverFunc deliver,
                            gpointer user_data, GDestroyNotify destroy)
{
  TesseraRequest *request;

  g_return_val_if_fail (TESSERA_IS_LOADER (self), NULL);
  g_return_val_if_fail (uri != NULL, NULL);
  g_return_val_if_fail (job != NULL && job->parse != NULL, NULL);
  g_return_val_if_fail (deliver != NULL, NULL);

  request = request_new (self, uri, priority, deliver, user_data, destroy);
  request->headers = g_strdupv ((char **) job->headers);
  request->parse = job->parse;
  request->parse_data = job->parse_data;
  request->parse_data_free = job->parse_data_free;
  request->payload_free = job->payload_free;
  request->cache_mode = job->cache_mode;
  return queue_request (self, request);
}
