/* SPDX-License-Identifier: GPL-3.0-or-later */
/* tessera-fetch.h: one worker's HTTP client (a libcurl easy handle kept for the worker's life) */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Defaults; every bound has a name here so it is found in one place. */
#define TESSERA_FETCH_CONNECT_TIMEOUT_S 15
#define TESSERA_FETCH_LOW_SPEED_BYTES   1024
#define TESSERA_FETCH_LOW_SPEED_TIME_S  20
#define TESSERA_FETCH_TOTAL_TIMEOUT_S   120
#define TESSERA_FETCH_MAX_BYTES         (50u * 1024u * 1024u)
#define TESSERA_FETCH_MAX_REDIRECTS     5
#define TESSERA_FETCH_MAX_RETRIES       3
#define TESSERA_FETCH_RETRY_AFTER_CAP_S 30
#define TESSERA_FETCH_RETRY_DEFAULT_S   1

typedef struct
{
  guint connect_timeout_s;
  guint low_speed_bytes; /* per second: slower than this for low_speed_time_s times out */
  guint low_speed_time_s;
  guint total_timeout_s; /* one attempt, from start to end */
  gsize max_bytes;       /* of a body, declared or received */
  guint max_redirects;
  guint max_retries; /* of a 429 or 503 (tessera_fetcher_get only) */
  guint retry_after_cap_s;
} TesseraFetchLimits;

/* Fills @limits with the defaults above. Any thread. */
void tessera_fetch_limits_init (TesseraFetchLimits *limits);

/* The DNS cache the workers share; connections and TLS sessions stay per worker
 * (libcurl 7.88 cannot share those between threads safely). */
typedef struct _TesseraCurlShare TesseraCurlShare;

/* Returns (transfer full) a share whose DNS cache serves every fetcher made with it, one
 * lock per kind of data, so workers may use it at the same time. Aborts when libcurl
 * cannot make one. Any thread. */
TesseraCurlShare *tessera_curl_share_new (void);
/* Any thread. Each fetcher holds a reference, so the last unref comes after the last
 * fetcher is freed. */
TesseraCurlShare *tessera_curl_share_ref (TesseraCurlShare *share);
void tessera_curl_share_unref (TesseraCurlShare *share);

typedef struct _TesseraFetcher TesseraFetcher;

/* Returns (transfer full) a fetcher: a libcurl easy handle that keeps its connections
 * from one request to the next, resolving names through @share (a reference is taken),
 * within @limits (copied). Aborts when libcurl cannot make a handle. Not thread-safe: one
 * thread at a time, in the loader a worker for its whole life. */
TesseraFetcher *tessera_fetcher_new (TesseraCurlShare *share, const TesseraFetchLimits *limits);
/* Closes its connections; NULL does nothing. On the thread that used it. */
void tessera_fetcher_free (TesseraFetcher *fetcher);

/* An answer of any status, as a service (a JSON API) gives it. */
typedef struct
{
  long status;         /* HTTP's, of the final response (after redirects) */
  GBytes *body;        /* as received, up to the byte cap */
  GHashTable *headers; /* the final response's: lower-case names to values */
} TesseraResponse;

/* Frees @response with its body and headers; NULL does nothing. Any thread. */
void tessera_response_free (TesseraResponse *response);

/* Downloads @url (http or https only) as an image, with the extra request @headers ("Name:
 * value", NULL-terminated, may be NULL: a conditional request's If-None-Match), retrying a
 * 429 or 503 as the limits say. Returns (transfer full) the answer to a 2xx, or to a 304
 * when @headers were given (only a conditional request may be answered so). Bodies sent
 * with a Content-Encoding (gzip, deflate) come decoded, the byte cap counting decoded
 * bytes. A 2xx whose redirects ended at a known "image removed" placeholder
 * (tessera-fetch-private.h) fails with TESSERA_ERROR_REMOVED. On
 * failure returns NULL with @error in TESSERA_ERROR and, when @label is given, sets it
 * (transfer full) to the short text a tile shows. Gives up with G_IO_ERROR_CANCELLED at
 * libcurl's next progress check after @cancellable (may be NULL; cancelled from any
 * thread) is cancelled, and at once while waiting to retry. On the fetcher's worker
 * thread only: it blocks. */
TesseraResponse *tessera_fetcher_get (TesseraFetcher *fetcher, const char *url,
                                      const char *const *headers, GCancellable *cancellable,
                                      char **label, GError **error);

/* Requests @url with the extra request @headers ("Name: value", NULL-terminated, may be
 * NULL). Any status is an answer, its body kept up to the byte cap. Never retries: a
 * service's limits are for the caller to honour. Returns (transfer full) the answer, or
 * NULL with @error in TESSERA_ERROR when no answer came (network, timeout, cap) or on
 * cancellation, as for tessera_fetcher_get. On the fetcher's worker thread only. */
TesseraResponse *tessera_fetcher_request (TesseraFetcher *fetcher, const char *url,
                                          const char *const *headers, GCancellable *cancellable,
                                          GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TesseraResponse, tessera_response_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TesseraCurlShare, tessera_curl_share_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TesseraFetcher, tessera_fetcher_free)

G_END_DECLS
