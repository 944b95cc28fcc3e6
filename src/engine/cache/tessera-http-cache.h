/* SPDX-License-Identifier: GPL-3.0-or-later */
/* tessera-http-cache.h: HTTP's caching rules (RFC 9111) over TesseraCache, for a worker */
#pragma once

#include "tessera-cache.h"
#include "tessera-fetch.h"
#include "tessera-types.h"

G_BEGIN_DECLS

/* A response that says nothing of its lifetime is fresh for a tenth of the time since its
 * Last-Modified, at most TESSERA_HTTP_CACHE_HEURISTIC_MAX_S; without Last-Modified either,
 * for TESSERA_HTTP_CACHE_DEFAULT_S. Short, so that a changed picture shows within the
 * hour; a stale entry still costs only a conditional request when it has a validator. */
#define TESSERA_HTTP_CACHE_HEURISTIC_PERCENT 10
#define TESSERA_HTTP_CACHE_HEURISTIC_MAX_S   (24 * 60 * 60)
#define TESSERA_HTTP_CACHE_DEFAULT_S         (10 * 60)

/* The instant, in seconds since the Unix epoch, until which @entry may be used without
 * asking the server: from its Cache-Control max-age, else Expires, else the heuristic
 * above, less the age it had when it came (Age, Date); no-cache makes it stale at once.
 * Any thread. */
gint64 tessera_http_cache_fresh_until (const TesseraCacheEntry *entry);

/* TRUE when a 200 response with @headers (lower-case names) may be stored: not no-store,
 * not Vary: *. Any thread. */
gboolean tessera_http_cache_is_storable (GHashTable *headers);

/* One image load through the cache, in three steps a worker takes between its other
 * transfers: tessera_http_cache_begin() looks the URL up, the worker downloads when it must
 * (with the request headers it gives), tessera_http_cache_finish() takes the answer. */
typedef struct _TesseraHttpCacheLoad TesseraHttpCacheLoad;

/* Starts loading @url through @cache (may be NULL: no cache) as @mode says: reads its entry
 * (file I/O). Returns (transfer full) the load. On a worker thread. */
TesseraHttpCacheLoad *tessera_http_cache_begin (TesseraCache *cache, const char *url,
                                                TesseraCacheMode mode);
/* TRUE when the load needs the network: then download the URL as an image
 * (TESSERA_FETCH_IMAGE) with tessera_http_cache_load_get_headers(). FALSE when a usable
 * entry answers with no request at all. Any thread. */
gboolean tessera_http_cache_load_needs_fetch (const TesseraHttpCacheLoad *load);
/* The extra request headers (transfer none, NULL-terminated, may be NULL): for a stale
 * entry with a validator, If-None-Match/If-Modified-Since. Any thread. */
const char *const *tessera_http_cache_load_get_headers (const TesseraHttpCacheLoad *load);

/* Ends @load (transfer full) with what the download gave: @response, or NULL with @label
 * and @fetch_error (all three transfer full; all NULL when no download was needed). A
 * 304 keeps the entry (its freshness renewed on disk); a new 200 is stored when its
 * headers allow and any old entry dropped when they forbid it, or when the server said
 * the image is gone (a status, a placeholder). Returns (transfer full) the answer: status
 * 200, the body, and the headers (of the response, or those kept in the entry); *@kept
 * (may be NULL) is TRUE when the body is in the cache afterwards. When the server cannot
 * be reached (network error, timeout), a stale entry is used all the same unless its
 * headers said must-revalidate or no-cache, so a gallery seen before still shows offline.
 * Other failures return NULL with the download's @fetch_error in @error and its label in
 * @label (may be NULL). A cache that cannot be written is only logged. On a worker
 * thread. */
TesseraResponse *tessera_http_cache_finish (TesseraHttpCacheLoad *load, TesseraResponse *response,
                                            char *fetch_label, GError *fetch_error, gboolean *kept,
                                            char **label, GError **error);

void tessera_http_cache_load_free (TesseraHttpCacheLoad *load);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TesseraHttpCacheLoad, tessera_http_cache_load_free)

G_END_DECLS
