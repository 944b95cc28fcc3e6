/* SPDX-License-Identifier: GPL-3.0-or-later */
/* tessera-fetch.h: one worker's HTTP client (a libcurl multi handle kept for the worker's life) */
#pragma once

#include <gio/gio.h>

#include "tessera-types.h"

G_BEGIN_DECLS

/* Defaults; every bound has a name here so it is found in one place. */
#define TESSERA_FETCH_CONNECT_TIMEOUT_S    15
#define TESSERA_FETCH_LOW_SPEED_BYTES      1024
#define TESSERA_FETCH_LOW_SPEED_TIME_S     20
#define TESSERA_FETCH_TOTAL_TIMEOUT_S      120
#define TESSERA_FETCH_MAX_BYTES            (50u * 1024u * 1024u)
#define TESSERA_FETCH_MAX_REDIRECTS        5
#define TESSERA_FETCH_MAX_RETRIES          3
#define TESSERA_FETCH_RETRY_AFTER_CAP_S    30
#define TESSERA_FETCH_RETRY_DEFAULT_S      1
/* One fetcher (a worker) opens at most this many connections to a host, so the loader's
 * total is its worker count (8 by default); HTTP/2 carries many transfers on each. */
#define TESSERA_FETCH_CONNECTIONS_PER_HOST 1
/* Transfers one fetcher runs at once when its host multiplexes (HTTP/2). */
#define TESSERA_FETCH_MULTIPLEX_TRANSFERS  16
/* More for requests in view, so one never waits behind background transfers. */
#define TESSERA_FETCH_VIEW_EXTRA           8

typedef struct
{
  guint connect_timeout_s;
  guint low_speed_bytes; /* per second: slower than this for low_speed_time_s times out */
  guint low_speed_time_s;
  guint total_timeout_s; /* one attempt, from start to end */
  gsize max_bytes;       /* of a body, declared or received */
  guint max_redirects;
  guint max_retries; /* of a 429 or 503 (TESSERA_FETCH_IMAGE only) */
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

/* An answer of any status, as a service (a JSON API) gives it. */
typedef struct
{
  long status;         /* HTTP's, of the final response (after redirects) */
  GBytes *body;        /* as received, up to the byte cap */
  GHashTable *headers; /* the final response's: lower-case names to values */
} TesseraResponse;

/* Frees @response with its body and headers; NULL does nothing. Any thread. */
void tessera_response_free (TesseraResponse *response);

/* Returns (transfer full) a fetcher: a libcurl multi handle that runs many transfers at
 * once and keeps its connections from one to the next (at most
 * TESSERA_FETCH_CONNECTIONS_PER_HOST to a host; HTTP/2 over TLS multiplexes transfers to
 * one host on it), resolving names through @share (a reference is taken), each transfer
 * within @limits (copied). Trusts the CA certificates in the file named by SSL_CERT_FILE,
 * else CURL_CA_BUNDLE, when set (read now), beside the system's; verification is always
 * on. Aborts when libcurl cannot make a handle. Not thread-safe but for
 * tessera_fetcher_wakeup(): one thread at a time, in the loader a worker for its whole
 * life. */
TesseraFetcher *tessera_fetcher_new (TesseraCurlShare *share, const TesseraFetchLimits *limits);
/* Closes its connections; NULL does nothing. Every transfer must have ended (its done
 * function called). On the thread that used it. */
void tessera_fetcher_free (TesseraFetcher *fetcher);

/* Runs on the fetcher's thread, from tessera_fetcher_run(), once a transfer has ended:
 * with the answer (transfer full), or NULL, the short text a tile shows (transfer full)
 * and the error (transfer full, in TESSERA_ERROR, or G_IO_ERROR_CANCELLED). */
typedef void (*TesseraFetchDone) (TesseraResponse *response, char *label, GError *error,
                                  gpointer user_data);

/* Starts a transfer of @url (http or https only) with the extra request @headers ("Name:
 * value", NULL-terminated, may be NULL; for an image, given headers make the request
 * conditional) beside the fetcher's others; tessera_fetcher_run() moves it. Bodies sent
 * with a Content-Encoding come decoded, the byte cap counting decoded bytes. @done runs
 * exactly once, with the answer or a failure (network, timeout, byte cap, redirects,
 * status as @kind says). Once @cancellable (may be NULL; cancelled from any thread) is
 * cancelled, the transfer stops at libcurl's next progress check or the fetcher's next
 * round (tessera_fetcher_wakeup() brings it on), whichever comes first, and @done gets
 * G_IO_ERROR_CANCELLED; the other transfers go on, taken out of the multi handle alone.
 * A retry's wait (Retry-After, capped, plus jitter) holds no connection and blocks
 * nothing. On the fetcher's thread. */
void tessera_fetcher_start (TesseraFetcher *fetcher, const char *url, const char *const *headers,
                            TesseraFetchKind kind, GCancellable *cancellable, TesseraFetchDone done,
                            gpointer user_data);

/* Moves every transfer on: waits at most @timeout_ms (0: not at all) for the network, a
 * retry's time or tessera_fetcher_wakeup(), lets libcurl do what it can, and calls the done
 * function of each transfer that ended meanwhile. On the fetcher's thread. */
void tessera_fetcher_run (TesseraFetcher *fetcher, int timeout_ms);
/* Call when the fetcher has no transfer left and no other thread may wake it: when
 * transfers that failed or were cancelled left HTTP/2 streams open (libcurl 7.88 would reset them only with the
 * connection's next transfer, so the server would go on serving them), closes its
 * connections, which ends them; the next transfer makes a new one. On the fetcher's
 * thread. */
void tessera_fetcher_settle (TesseraFetcher *fetcher);
/* Ends tessera_fetcher_run()'s wait early. Any thread. */
void tessera_fetcher_wakeup (TesseraFetcher *fetcher);

/* Transfers started and not ended, waits for a retry included. On the fetcher's thread. */
guint tessera_fetcher_get_n_transfers (TesseraFetcher *fetcher);
/* How many more transfers to @origin (tessera_fetch_origin(); NULL: to any origin, the
 * most one could get) the fetcher's connections can carry now, not counting a retry's
 * waits: up to TESSERA_FETCH_MULTIPLEX_TRANSFERS in all (with @in_view, TESSERA_FETCH_VIEW_EXTRA
 * more) once a connection to @origin has said it speaks HTTP/2 (in its TLS handshake, or
 * else with an answer; any worker's), which streams many on one connection; otherwise
 * TESSERA_FETCH_CONNECTIONS_PER_HOST to @origin, as many as it may open. On the fetcher's
 * thread. */
guint tessera_fetcher_get_room (TesseraFetcher *fetcher, const char *origin, gboolean in_view);

/* Returns (transfer full) the origin of the http or https @url as
 * "scheme://host:port", in lower case with the scheme's port when it has none (what
 * libcurl keys connections by), or NULL for another scheme or a URL without a host. Any
 * thread. */
char *tessera_fetch_origin (const char *url);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TesseraResponse, tessera_response_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TesseraCurlShare, tessera_curl_share_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TesseraFetcher, tessera_fetcher_free)

G_END_DECLS
