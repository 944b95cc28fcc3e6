/* SPDX-License-Identifier: GPL-3.0-or-later */
/* tessera-loader.c: a GThreadPool of workers that fetch or read, then decode, off the main thread */

#define G_LOG_DOMAIN "tessera-loader"

#include "config.h"

#include <errno.h>
#include <sys/eventfd.h>
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

  /* The pool runs one task per waiting request; a task is a worker's round of transfers,
   * which takes whichever requests rank best as it has room, so the order follows the
   * focus (see tessera-queue.h). */
  GThreadPool *pool;
  /* The fetchers of the workers in a round, woken when there is more to take. */
  GMutex workers_lock;
  GPtrArray *workers; /* (element-type TesseraFetcher) unowned */
  /* Every Worker a thread made for this loader, freed after the pool. */
  GPtrArray *worker_states; /* (element-type Worker) owned */
  guint id;                 /* unique in the process */
  /* Wakes them once the loader's thread is done cancelling, not after each cancel: a
   * worker woken in the middle of clearing a gallery would start what is cancelled next. */
  GSource *wake_source;  /* loader thread only */
  TesseraQueue *waiting; /* (element-type TesseraRequest) owned refs */
  GMainContext *context; /* where results are delivered */
  TesseraCurlShare *share;
  TesseraFetchLimits limits;
  guint64 next_sequence;
  GHashTable *pending; /* (element-type TesseraRequest) owned refs; loader thread only */

  /* Finished requests on their way to the loader's thread, drained by delivery_source. */
  /* Ranked by the same focus as the waiting ones: when the main thread falls behind (slow
   * frames), what is in view is delivered first, not what finished first. */
  TesseraQueue *finished; /* (element-type TesseraRequest) owned refs */
  GSource *delivery_source;
  /* Atomic: the delivery source is already due (woken, or pausing between slices), so a
   * worker need not wake it again (a system call each time). */
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
  char *origin; /* set by the first worker that looks at it, under the queue's lock */
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

  /* The worker's, while it loads: the cache's steps, and the download's outcome. */
  TesseraHttpCacheLoad *cache_load;
  TesseraResponse *response;

  /* Written by the worker before delivery is scheduled. */
  gboolean kept;
  gpointer payload;
  GdkTexture *texture;
  TesseraImageFormat format;
  GError *error;
  char *label;
};

G_DEFINE_FINAL_TYPE (TesseraLoader, tessera_loader, G_TYPE_OBJECT)

static GPrivate thread_prepared;

/* Deliveries run in slices at default priority, then pause so the frame clock can paint:
 * a burst of results never holds up a frame, and a frame clock that is always busy (slow
 * software rendering) never holds up the results, as it would idle-priority sources. */
#define TESSERA_DELIVERY_SLICE_US 4000
#define TESSERA_DELIVERY_PAUSE_US 8000

/* Workers wake the source through an eventfd of its own, never through its main context:
 * waking a context takes its lock, and a worker (nice 10) pre-empted while holding it would
 * stop the main thread at its next iteration. */
typedef struct
{
  GSource source;
  TesseraLoader *loader; /* unowned: the loader destroys the source first */
  int wake_fd;           /* an eventfd, owned */
  gpointer wake_tag;
} DeliverySource;

/* Workers yield the CPU to the main thread: with more decoding workers than cores, equal
 * shares would leave the UI a fraction of a core exactly while tiles arrive. */
#define TESSERA_WORKER_NICE    10
/* The longest a worker waits for its transfers without looking at the queue again; a
 * submit, a focus change and a cancel wake it sooner. */
#define TESSERA_WORKER_WAIT_MS 1000

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
  g_clear_pointer (&request->cache_load, tessera_http_cache_load_free);
  g_clear_pointer (&request->response, tessera_response_free);
  if (request->payload != NULL && request->payload_free != NULL)
    request->payload_free (request->payload);
  if (request->parse_data != NULL && request->parse_data_free != NULL)
    request->parse_data_free (request->parse_data);
  g_strfreev (request->headers);
  g_clear_error (&request->error);
  g_free (request->label);
  g_free (request->uri);
  g_free (request->origin);
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

static void wake_workers (TesseraLoader *self);

static gboolean
wake_after_cancels (gpointer user_data)
{
  TesseraLoader *self = user_data;

  g_clear_pointer (&self->wake_source, g_source_unref);
  wake_workers (self);
  return G_SOURCE_REMOVE;
}

/* The transfers of cancelled requests end at libcurl's next progress check; waking the
 * workers ends them (and a wait to retry) sooner. */
static void
schedule_wake (TesseraLoader *self)
{
  if (self->wake_source != NULL)
    return;
  self->wake_source = g_idle_source_new ();
  g_source_set_priority (self->wake_source, G_PRIORITY_DEFAULT);
  g_source_set_callback (self->wake_source, wake_after_cancels, self, NULL);
  g_source_set_static_name (self->wake_source, "[tessera] wake workers");
  g_source_attach (self->wake_source, self->context);
}

void
tessera_request_cancel (TesseraRequest *request)
{
  TesseraLoader *loader;
  TesseraQueue *queues[2];

  g_return_if_fail (request != NULL);

  loader = request->loader;
  if (loader == NULL)
    return; /* already delivered or cancelled */

  g_cancellable_cancel (request->cancellable);
  schedule_wake (loader);
  /* Still waiting (no worker will ever see it), or finished and not delivered: dropped
   * now, with what it holds. */
  queues[0] = loader->waiting;
  queues[1] = loader->finished;
  for (gsize i = 0; i < G_N_ELEMENTS (queues); i++)
    {
      TesseraRequest *held = tessera_queue_remove (queues[i], request->priority, request->sequence);

      if (held != NULL)
        tessera_request_unref (held);
    }
  release_callback (request);
  g_hash_table_remove (loader->pending, request); /* may drop the last reference */
}

static void
fail_request (TesseraRequest *request, GError *error, const char *label)
{
  request->error = error;
  request->label = g_strdup (label != NULL ? label : tessera_error_label (error));
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
  const guint64 one = 1;

  tessera_queue_push (self->finished, request->priority, request->sequence, request);
  /* Once is enough. The write can only fail on a counter about to overflow, which is
   * readable (due) anyway. */
  if (g_atomic_int_compare_and_exchange (&self->delivery_due, FALSE, TRUE)
      && write (((DeliverySource *) self->delivery_source)->wake_fd, &one, sizeof one) < 0)
    g_debug ("Could not wake the deliveries: %s", g_strerror (errno));
}

/* Reads the wake-ups so far, so the eventfd polls as not readable again. */
static void
drain_wakeups (DeliverySource *source)
{
  guint64 count;

  if ((g_source_query_unix_fd (&source->source, source->wake_tag) & G_IO_IN)
      && read (source->wake_fd, &count, sizeof count) < 0 && errno != EAGAIN)
    g_debug ("Could not read the deliveries' wake-ups: %s", g_strerror (errno));
}

static gboolean
dispatch_finished (GSource *source, GSourceFunc callback, gpointer user_data)
{
  g_autoptr (TesseraLoader) self = g_object_ref (((DeliverySource *) source)->loader);
  gint64 deadline = g_get_monotonic_time () + TESSERA_DELIVERY_SLICE_US;
  TesseraRequest *request;

  /* Before popping, so a request pushed meanwhile wakes the source again. */
  drain_wakeups ((DeliverySource *) source);
  g_source_set_ready_time (source, -1);
  g_atomic_int_set (&self->delivery_due, FALSE);
  while ((request = tessera_queue_pop (self->finished, NULL, NULL)) != NULL)
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

static void
finalize_delivery (GSource *source)
{
  g_close (((DeliverySource *) source)->wake_fd, NULL);
}

static GSource *
delivery_source_new (TesseraLoader *self)
{
  static GSourceFuncs funcs = { .dispatch = dispatch_finished, .finalize = finalize_delivery };
  GSource *source = g_source_new (&funcs, sizeof (DeliverySource));
  DeliverySource *delivery = (DeliverySource *) source;

  delivery->loader = self;
  delivery->wake_fd = eventfd (0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (delivery->wake_fd < 0)
    g_error ("Could not make the deliveries' eventfd: %s", g_strerror (errno));
  delivery->wake_tag = g_source_add_unix_fd (source, delivery->wake_fd, G_IO_IN);
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

/* A worker thread's: its fetcher, and what it has in hand besides transfers. */
typedef struct
{
  TesseraFetcher *fetcher;
  GQueue ready; /* (element-type TesseraRequest) owned: downloaded, or needing no download */
} Worker;

static void
worker_free (Worker *worker)
{
  g_warn_if_fail (g_queue_is_empty (&worker->ready));
  tessera_fetcher_free (worker->fetcher);
  g_free (worker);
}

/* Which loader's Worker a thread has. The loader owns it and frees it after its pool,
 * never as the thread ends: GLib does not join a pool's threads, so at process exit a
 * thread freeing its connections would race the TLS library's own cleanup. */
typedef struct
{
  guint loader_id;
  Worker *worker; /* unowned */
} ThreadSlot;

static GPrivate thread_slot = G_PRIVATE_INIT (g_free);

/* Each worker thread keeps its fetcher (and so its connections) for the loader's life. */
static Worker *
get_thread_worker (TesseraLoader *self)
{
  ThreadSlot *slot = g_private_get (&thread_slot);

  if (slot == NULL)
    {
      g_private_set (&thread_slot, g_new0 (ThreadSlot, 1));
      slot = g_private_get (&thread_slot);
    }
  /* GLib hands the threads of a freed pool to the next one; their Worker went with the
   * loader that made it. */
  if (slot->worker == NULL || slot->loader_id != self->id)
    {
      Worker *worker = g_new0 (Worker, 1);

      worker->fetcher = tessera_fetcher_new (self->share, &self->limits);
      g_queue_init (&worker->ready);
      g_mutex_lock (&self->workers_lock);
      g_ptr_array_add (self->worker_states, worker);
      g_mutex_unlock (&self->workers_lock);
      slot->loader_id = self->id;
      slot->worker = worker;
    }
  return slot->worker;
}

/* The bytes of a request that needs no network: a local file, within the byte cap. */
static TesseraResponse *
read_local (TesseraLoader *self, TesseraRequest *request, GError **error)
{
  g_autofree char *path = NULL;
  TesseraResponse *response;
  GBytes *body;

  if (request->parse != NULL && request->cache_mode == TESSERA_CACHE_MODE_BYPASS)
    {
      g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_BAD_URL,
                   _ ("Only http and https addresses can be requested"));
      return NULL;
    }
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

/* The answer behind @request: what its download gave, through the cache, or read from a
 * file. Sets @request->kept when the bytes can be had again without the network. */
static TesseraResponse *
take_response (TesseraLoader *self, TesseraRequest *request, char **label, GError **error)
{
  TesseraResponse *response = g_steal_pointer (&request->response);
  GError *fetch_error = g_steal_pointer (&request->error);
  char *fetch_label = g_steal_pointer (&request->label);

  if (request->cache_load != NULL)
    return tessera_http_cache_finish (g_steal_pointer (&request->cache_load), response, fetch_label,
                                      fetch_error, &request->kept, label, error);
  /* A service's answer, of any status. */
  if (response != NULL || fetch_error != NULL)
    {
      *label = fetch_label;
      if (fetch_error != NULL)
        g_propagate_error (error, fetch_error);
      return response;
    }
  return read_local (self, request, error);
}

/* Worker thread: decodes or parses @request's answer (the worker's reference, handed on to
 * delivery). */
static void
finish_request (TesseraLoader *self, TesseraRequest *request)
{
  g_autoptr (TesseraResponse) response = NULL;
  g_autofree char *label = NULL;
  GError *error = NULL;

  if (g_cancellable_is_cancelled (request->cancellable))
    {
      tessera_request_unref (request);
      return;
    }

  response = take_response (self, request, &label, &error);
  if (response != NULL && request->parse != NULL)
    request->payload = request->parse (response, request->parse_data, &error);
  else if (response != NULL)
    request->texture
        = tessera_image_decode_tile (response->body, request->tile_px, &request->format, &error);

  /* A data request's label comes from its error, whatever the download said. */
  if (error != NULL)
    fail_request (request, error, request->parse != NULL ? NULL : label);
  push_finished (self, request);
}

static void
on_transfer_done (TesseraResponse *response, char *label, GError *error, gpointer user_data)
{
  TesseraRequest *request = user_data;
  Worker *worker = ((ThreadSlot *) g_private_get (&thread_slot))->worker;

  request->response = response;
  request->label = label;
  request->error = error;
  g_queue_push_tail (&worker->ready, request);
}

/* Worker thread: starts @request (the queue's reference): a transfer beside the worker's
 * others when it needs the network, else straight to the ready queue. */
static void
start_request (TesseraLoader *self, Worker *worker, TesseraRequest *request)
{
  TesseraFetchKind kind = TESSERA_FETCH_IMAGE;
  const char *const *headers = NULL;

  if (g_cancellable_is_cancelled (request->cancellable))
    {
      tessera_request_unref (request);
      return;
    }
  if (!tessera_uri_is_web (request->uri))
    {
      g_queue_push_tail (&worker->ready, request);
      return;
    }
  if (request->parse != NULL && request->cache_mode == TESSERA_CACHE_MODE_BYPASS)
    {
      kind = TESSERA_FETCH_ANY_STATUS;
      headers = (const char *const *) request->headers;
    }
  else
    {
      request->cache_load
          = tessera_http_cache_begin (self->cache, request->uri, request->cache_mode);
      if (!tessera_http_cache_load_needs_fetch (request->cache_load))
        {
          g_queue_push_tail (&worker->ready, request);
          return;
        }
      headers = tessera_http_cache_load_get_headers (request->cache_load);
    }
  tessera_fetcher_start (worker->fetcher, request->uri, headers, kind, request->cancellable,
                         on_transfer_done, request);
}

typedef struct
{
  Worker *worker;
  gboolean in_view;
} RoomCheck;

/* Under the queue's lock (a TesseraQueueAccept), on a worker: TRUE while the worker has
 * room for @item: what it holds, downloading or waiting to be decoded, stays within what
 * its connections to the request's origin carry (tessera_fetcher_get_room), so the rest
 * stays in the queue, ranked by the focus. A request without an origin (a file, or a URL
 * the fetcher will refuse) waits for the worker's decodes to be done. */
static gboolean
has_room_for (gpointer item, gpointer user_data)
{
  TesseraRequest *request = item;
  const RoomCheck *check = user_data;

  if (request->origin == NULL && tessera_uri_is_web (request->uri))
    request->origin = tessera_fetch_origin (request->uri);
  if (request->origin == NULL)
    return g_queue_is_empty (&check->worker->ready);
  return tessera_fetcher_get_room (check->worker->fetcher, request->origin, check->in_view)
         > check->worker->ready.length;
}

/* Whether @check's worker may have room for anything: else the queue is left alone. */
static gboolean
may_take (const RoomCheck *check)
{
  return tessera_fetcher_get_room (check->worker->fetcher, NULL, check->in_view)
         > check->worker->ready.length;
}

static void
take_requests (TesseraLoader *self, Worker *worker)
{
  RoomCheck check = { worker, FALSE };
  TesseraRequest *request;

  while (may_take (&check)
         && (request = tessera_queue_pop (self->waiting, has_room_for, &check)) != NULL)
    start_request (self, worker, request);
  /* Beyond that, what is in view, on connections that multiplex. */
  check.in_view = TRUE;
  while (may_take (&check)
         && (request = tessera_queue_pop_in_view (self->waiting, has_room_for, &check)) != NULL)
    start_request (self, worker, request);
}

static void
wake_workers (TesseraLoader *self)
{
  g_mutex_lock (&self->workers_lock);
  g_ptr_array_foreach (self->workers, (GFunc) tessera_fetcher_wakeup, NULL);
  g_mutex_unlock (&self->workers_lock);
}

static void
set_working (TesseraLoader *self, TesseraFetcher *fetcher, gboolean working)
{
  g_mutex_lock (&self->workers_lock);
  if (working)
    g_ptr_array_add (self->workers, fetcher);
  else
    g_ptr_array_remove_fast (self->workers, fetcher);
  g_mutex_unlock (&self->workers_lock);
}

/* What the pool runs for each request queued; it need not be that one. */
#define RUN_NEXT GINT_TO_POINTER (1)

/* A pool task: a round of transfers on the thread's fetcher, topped up from the queue as
 * they end, until the worker has nothing in hand and the queue nothing to give. Each turn
 * finishes (decodes) at most one request, so the transfers move between decodes. */
static void
run_round (gpointer data, gpointer user_data)
{
  TesseraLoader *self = user_data;
  Worker *worker = get_thread_worker (self);

  TESSERA_ASSERT_WORKER_THREAD ();
  prepare_worker_thread ();

  set_working (self, worker->fetcher, TRUE);
  for (;;)
    {
      TesseraRequest *request;

      take_requests (self, worker);
      if (g_queue_is_empty (&worker->ready)
          && tessera_fetcher_get_n_transfers (worker->fetcher) == 0)
        break;
      tessera_fetcher_run (worker->fetcher,
                           g_queue_is_empty (&worker->ready) ? TESSERA_WORKER_WAIT_MS : 0);
      if ((request = g_queue_pop_head (&worker->ready)) != NULL)
        finish_request (self, request);
    }
  set_working (self, worker->fetcher, FALSE);
  tessera_fetcher_settle (worker->fetcher);
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
  if (self->wake_source != NULL)
    g_source_destroy (self->wake_source);
  g_clear_pointer (&self->wake_source, g_source_unref);
  wake_workers (self);
  /* Every request is cancelled and out of the waiting queue now, so the pool's remaining
   * tasks find nothing to do. Transfers under way end at their next progress check. */
  g_thread_pool_free (self->pool, FALSE, TRUE);
  g_ptr_array_unref (self->workers);
  g_ptr_array_unref (self->worker_states);
  g_mutex_clear (&self->workers_lock);
  /* No worker is left to push, so the queue is settled. */
  g_source_destroy (self->delivery_source);
  g_source_unref (self->delivery_source);
  tessera_queue_free (self->finished);
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
  static int next_id;

  self->id = (guint) g_atomic_int_add (&next_id, 1);
  g_mutex_init (&self->workers_lock);
  self->workers = g_ptr_array_new ();
  self->worker_states = g_ptr_array_new_with_free_func ((GDestroyNotify) worker_free);
  self->pending = g_hash_table_new_full (NULL, NULL, (GDestroyNotify) tessera_request_unref, NULL);
  self->context = g_main_context_ref_thread_default ();
  self->share = tessera_curl_share_new ();
  self->finished = tessera_queue_new ((GDestroyNotify) tessera_request_unref);
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

  /* Exclusive threads: each keeps its own fetcher in thread_worker. */
  self->pool = g_thread_pool_new (run_round, self, (int) n_jobs, TRUE, &error);
  if (self->pool == NULL)
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
  tessera_queue_set_focus (self->finished, first, last, span);
  /* Whatever waits in view starts at the next free place on any worker, and beside the
   * transfers under way where connections multiplex. */
  wake_workers (self);
}

guint
tessera_loader_get_n_finished (TesseraLoader *self)
{
  g_return_val_if_fail (TESSERA_IS_LOADER (self), 0);

  return tessera_queue_get_length (self->finished);
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
  wake_workers (self);
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
