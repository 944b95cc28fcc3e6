/* SPDX-License-Identifier: GPL-3.0-or-later */
/* tessera-loader.h: the engine's interface: submit with a priority, cancel, deliver */
#pragma once

#include <gdk/gdk.h>

#include "tessera-cache.h"
#include "tessera-fetch.h"
#include "tessera-image.h"

G_BEGIN_DECLS

#define TESSERA_LOADER_MIN_JOBS     1
#define TESSERA_LOADER_MAX_JOBS     32
#define TESSERA_LOADER_DEFAULT_JOBS 8

#define TESSERA_TYPE_LOADER (tessera_loader_get_type ())
G_DECLARE_FINAL_TYPE (TesseraLoader, tessera_loader, TESSERA, LOADER, GObject)

/* What a finished request hands to the main thread: a texture, or an error with its
 * short label. Borrowed for the duration of the callback. */
typedef struct
{
  GdkTexture *texture;
  TesseraImageFormat format;
  const GError *error;
  const char *label;
  /* A data request's parsed answer; the callback may take over its contents. */
  gpointer data;
  /* The bytes can be had again without the network: a local file, or an entry in the
   * loader's cache (which may still be evicted later). */
  gboolean kept;
} TesseraLoadResult;

typedef struct _TesseraRequest TesseraRequest;

/* Runs on the thread that created the loader, never for a cancelled request. */
typedef void (*TesseraDeliverFunc) (const TesseraLoadResult *result, gpointer user_data);

/* Returns (transfer full) a loader of @n_jobs worker threads (TESSERA_LOADER_MIN_JOBS to
 * TESSERA_LOADER_MAX_JOBS; NULL outside) that fetch within @limits (copied; NULL for the
 * defaults in tessera-fetch.h). It delivers in the thread-default main context of the
 * thread that calls this, "the loader's thread"; every call on it and on its requests,
 * but tessera_request_ref() and tessera_request_unref(), belongs there. Dropping the last
 * reference cancels every request and returns once the workers have stopped (a transfer
 * under way ends at its next progress check). */
TesseraLoader *tessera_loader_new (guint n_jobs, const TesseraFetchLimits *limits);
/* The most bytes one image may have, downloaded or read from a file (the limits given to
 * tessera_loader_new): reads of the same images elsewhere use it too. Any thread. */
gsize tessera_loader_get_max_bytes (TesseraLoader *self);
/* Downloads go through @cache (a reference is taken; NULL: none), as each request's
 * TesseraCacheMode says: entries answer without the network, and what was downloaded can
 * be saved, copied or decoded again without a second download. Call before any submit,
 * on the loader's thread. */
void tessera_loader_set_cache (TesseraLoader *self, TesseraCache *cache);
/* The cache given to tessera_loader_set_cache (transfer none), or NULL. Any thread. */
TesseraCache *tessera_loader_get_cache (TesseraLoader *self);

/* Loads @uri (http, https or file) on a worker, through the cache as @cache_mode says, and
 * decodes it to a square of @tile_px device pixels a side. Lower @priority runs sooner; equal priorities run in submission
 * order. @deliver runs once, on the loader's thread, with the texture or the error and its
 * label; never after tessera_request_cancel(). @user_data is released with @destroy (may
 * be NULL) on the loader's thread: after delivery, on cancel, or when the loader goes.
 * Returns (transfer full) the request: a reference the caller owns and must drop with
 * tessera_request_unref(), which does not cancel. Call on the loader's thread. */
TesseraRequest *tessera_loader_submit (TesseraLoader *self, const char *uri, int priority,
                                       guint tile_px, TesseraCacheMode cache_mode,
                                       TesseraDeliverFunc deliver, gpointer user_data,
                                       GDestroyNotify destroy);

/* Runs on a worker with a data request's answer (any status); returns what is delivered
 * as TesseraLoadResult.data, or NULL with @error. */
typedef gpointer (*TesseraParseFunc) (const TesseraResponse *response, gpointer parse_data,
                                      GError **error);

typedef struct
{
  const char *const *headers; /* extra request headers, "Name: value"; may be NULL */
  TesseraParseFunc parse;
  gpointer parse_data; /* used on a worker: must not change meanwhile */
  GDestroyNotify parse_data_free;
  GDestroyNotify payload_free; /* frees what @parse returned */
  /* BYPASS (0): a service's answer of any status, never cached. Otherwise the request is
   * for an image's bytes, loaded as tessera_loader_submit loads them (file: URIs too, @headers
   * unused), and @parse gets a 200 answer or is not called. */
  TesseraCacheMode cache_mode;
} TesseraDataJob;

/* Requests @uri (http or https; anything else is delivered as TESSERA_ERROR_BAD_URL)
 * through the same workers, for a service's answer rather than an image: @job->parse
 * turns the response into TesseraLoadResult.data on the worker. @job is read now, not
 * kept: its headers are copied, and the request takes @job->parse_data and the parsed
 * answer, freed with @job->parse_data_free and @job->payload_free (either may be NULL)
 * when its last reference goes, on whichever thread drops it. No answer (network,
 * timeout, byte cap) or @job->parse's error is delivered as the error. @priority,
 * @deliver, @user_data, @destroy, the returned reference and the thread: as for
 * tessera_loader_submit(). */
TesseraRequest *tessera_loader_submit_data (TesseraLoader *self, const char *uri, int priority,
                                            const TesseraDataJob *job, TesseraDeliverFunc deliver,
                                            gpointer user_data, GDestroyNotify destroy);

/* Ranks waiting requests around the priorities [@first, @last], which are positions (a
 * grid's tiles on screen), with @span positions of look-ahead on either side: those on
 * screen first, then the next screen down, then the one above, then the rest nearest
 * first; negative priorities always before. Re-ranks everything still waiting at once,
 * in O(1); requests already running go on. Without a focus, lower priorities run first.
 * Any thread. */
void tessera_loader_set_focus (TesseraLoader *self, int first, int last, int span);

/* Call on the loader's thread. Nothing is delivered for the request afterwards, and its
 * user data is released now; a transfer under way stops at libcurl's next progress check.
 * Does nothing once the request was delivered. Leaves the caller's reference alone. */
void tessera_request_cancel (TesseraRequest *request);
/* Any thread. Dropping the last reference frees the request, without cancelling it. */
TesseraRequest *tessera_request_ref (TesseraRequest *request);
void tessera_request_unref (TesseraRequest *request);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TesseraRequest, tessera_request_unref)

G_END_DECLS
