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

/* Fetches @url as the workers do for an image, through @cache (may be NULL: no cache) as
 * @mode says: a usable entry answers with no request at all; a stale one with a
 * validator is revalidated with If-None-Match/If-Modified-Since, and a 304 keeps it (its
 * freshness renewed on disk); a new 200 is stored when its headers allow and any old
 * entry dropped when they forbid it. Returns (transfer full) the answer: status 200, the
 * body, and the headers (of the response, or those kept in the entry); *@kept (may be
 * NULL) is TRUE when the body is in the cache afterwards. When the server cannot be
 * reached (network error, timeout), a stale entry is used all the same unless its headers
 * said must-revalidate or no-cache, so a gallery seen before still shows offline. Other
 * failures as for tessera_fetcher_get (), with @label. A cache that cannot be written is
 * only logged. On @fetcher's worker thread. */
TesseraResponse *tessera_http_cache_get (TesseraCache *cache, TesseraFetcher *fetcher,
                                         const char *url, TesseraCacheMode mode,
                                         GCancellable *cancellable, gboolean *kept, char **label,
                                         GError **error);

G_END_DECLS
