/* SPDX-License-Identifier: GPL-3.0-or-later */
/* tessera-loader.h: the engine's interface: submit with a priority, cancel, deliver */
#pragma once

#include <gdk/gdk.h>

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
  /* The image's bytes as they came (see tessera_loader_keep_originals); may be NULL. */
  const char *original_path;
} TesseraLoadResult;

typedef struct _TesseraRequest TesseraRequest;

/* Runs on the thread that created the loader, never for a cancelled request. */
typedef void (*TesseraDeliverFunc) (const TesseraLoadResult *result, gpointer user_data);

/* @limits may be NULL for the defaults in tessera-fetch.h. */
TesseraLoader *tessera_loader_new (guint n_jobs, const TesseraFetchLimits *limits);
/* The most bytes one image may have, downloaded or read from a file (the limits given to
 * tessera_loader_new): reads of the same images elsewhere use it too. Any thread. */
gsize tessera_loader_get_max_bytes (TesseraLoader *self);
/* Keeps every downloaded image's bytes in a private temporary folder, removed with the
 * loader, so they can be saved without a second download. Call before any submit. */
gboolean tessera_loader_keep_originals (TesseraLoader *self, GError **error);

/* Loads @uri (http, https or file) and decodes it to a @tile_px square. Lower
 * @priority runs sooner; equal priorities run in submission order. @user_data is
 * released with @destroy on the loader's thread, after delivery or on cancel. */
TesseraRequest *tessera_loader_submit (TesseraLoader *self, const char *uri, int priority,
                                       guint tile_px, TesseraDeliverFunc deliver,
                                       gpointer user_data, GDestroyNotify destroy);

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
} TesseraDataJob;

/* Requests @uri (http or https) through the same workers, for a service's answer rather
 * than an image: @job->parse turns the response into the delivered data on the worker. */
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

/* Call on the loader's thread. Nothing is delivered for the request afterwards; a
 * transfer under way stops at libcurl's next progress check. */
void tessera_request_cancel (TesseraRequest *request);
TesseraRequest *tessera_request_ref (TesseraRequest *request);
void tessera_request_unref (TesseraRequest *request);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TesseraRequest, tessera_request_unref)

G_END_DECLS
