/* SPDX-License-Identifier: GPL-3.0-or-later */
/* tessera-fetch.c: bounded HTTP transfers, many at once on a long-lived libcurl multi handle */

#define G_LOG_DOMAIN "tessera-fetch"

#include "config.h"

#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <glib/gi18n.h>
#include <openssl/ssl.h>

#include "tessera-engine.h"
#include "tessera-error.h"
#include "tessera-fetch-private.h"
#include "tessera-imgur.h"

#define USER_AGENT          "Tessera/" TESSERA_VERSION
#define ACCEPT_IMAGES       "Accept: image/webp,image/png,image/jpeg,image/gif;q=0.9,*/*;q=0.5"
#define ACCEPT_JSON         "Accept: application/json"
#define ALLOWED_SCHEMES     "http,https"
#define RETRY_JITTER_MS     500
/* Any encoding this libcurl decodes (gzip, deflate, and what else it was built with): some
 * servers and CDNs compress images whatever the request said. */
#define ACCEPT_ANY_ENCODING ""

/* Where a host sends a request for an image it has taken down: a picture saying so, with
 * status 200. The path is a glob (g_pattern_match_simple). */
typedef struct
{
  const char *host;
  const char *path;
} Placeholder;

static const Placeholder placeholders[] = {
  /* Imgur, for deleted and removed images (gallery-dl issue 5308). */
  { "i.imgur.com", "/removed.png" },
  { "imgur.com", "/removed.png" },
  /* Flickr, "This photo is no longer available", one file per size (_h, _z, ...). */
  { "s.yimg.com", "/pw/images/en-us/photo_unavailable*.png" },
  /* Tumblr, media taken down for its community guidelines. */
  { "assets.tumblr.com", "/images/media_violation/*" },
};

struct _TesseraCurlShare
{
  gatomicrefcount ref_count;
  CURLSH *handle;
  GMutex locks[CURL_LOCK_DATA_LAST];

  /* What each origin's connections were last found to speak, shared so that one worker's
   * connection tells the others. */
  GMutex origins_lock;
  GHashTable *multiplexing; /* (element-type utf8 gboolean) origin: TRUE over HTTP/2 */
};

/* What a connection speaks, as far as it can be told. */
typedef enum
{
  PROTOCOL_UNKNOWN,
  PROTOCOL_SERIAL,      /* HTTP/1.x: one transfer at a time */
  PROTOCOL_MULTIPLEXED, /* HTTP/2: many streams at once */
} Protocol;

/* Request headers live as long as the transfer that uses them. */
typedef struct curl_slist CurlHeaderList;

struct _TesseraFetcher
{
  CURLM *multi;
  TesseraCurlShare *share;
  TesseraFetchLimits limits;
  char *ca_file;           /* extra CA certificates; NULL: the system's only */
  const char *ca_variable; /* the environment variable that named ca_file */
  GPtrArray *transfers;    /* (element-type Transfer) owned: running or waiting to retry */
  guint n_running;         /* in the multi handle */
  /* A stream ended early (cancelled, timed out, a refused status or size): libcurl 7.88
   * sends its reset only with the connection's next transfer, so until then the server goes
   * on serving it. */
  gboolean abandoned_streams;
};

/* One transfer, from start to its done function: its own easy handle (connections belong
 * to the multi handle, so they outlive it), and what each attempt collects. */
typedef struct
{
  TesseraFetcher *fetcher; /* unowned: it frees its transfers */
  CURL *easy;
  char *url;
  char *origin; /* @url's (tessera_fetch_origin), or NULL */
  CurlHeaderList *headers;
  TesseraFetchKind kind;
  gboolean conditional;      /* an image request with validators: a 304 answers */
  GCancellable *cancellable; /* may be NULL */
  TesseraFetchDone done;
  gpointer user_data;

  guint attempt;
  gint64 retry_at; /* monotonic µs when it waits to be retried; else 0 */
  GByteArray *body;
  gboolean over_cap;
  long refused_status; /* a non-2xx status whose body we declined to download */
  char error_buffer[CURL_ERROR_SIZE];
} Transfer;

void
tessera_fetch_limits_init (TesseraFetchLimits *limits)
{
  g_return_if_fail (limits != NULL);

  *limits = (TesseraFetchLimits){
    .connect_timeout_s = TESSERA_FETCH_CONNECT_TIMEOUT_S,
    .low_speed_bytes = TESSERA_FETCH_LOW_SPEED_BYTES,
    .low_speed_time_s = TESSERA_FETCH_LOW_SPEED_TIME_S,
    .total_timeout_s = TESSERA_FETCH_TOTAL_TIMEOUT_S,
    .max_bytes = TESSERA_FETCH_MAX_BYTES,
    .max_redirects = TESSERA_FETCH_MAX_REDIRECTS,
    .max_retries = TESSERA_FETCH_MAX_RETRIES,
    .retry_after_cap_s = TESSERA_FETCH_RETRY_AFTER_CAP_S,
  };
}

static void
share_lock (CURL *handle, curl_lock_data data, curl_lock_access access, void *user_data)
{
  TesseraCurlShare *self = user_data;

  g_mutex_lock (&self->locks[data]);
}

static void
share_unlock (CURL *handle, curl_lock_data data, void *user_data)
{
  TesseraCurlShare *self = user_data;

  g_mutex_unlock (&self->locks[data]);
}

TesseraCurlShare *
tessera_curl_share_new (void)
{
  TesseraCurlShare *self = g_new0 (TesseraCurlShare, 1);

  g_atomic_ref_count_init (&self->ref_count);
  for (guint i = 0; i < CURL_LOCK_DATA_LAST; i++)
    g_mutex_init (&self->locks[i]);

  g_mutex_init (&self->origins_lock);
  self->multiplexing = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->handle = curl_share_init ();
  if (self->handle == NULL
      || curl_share_setopt (self->handle, CURLSHOPT_LOCKFUNC, share_lock) != CURLSHE_OK
      || curl_share_setopt (self->handle, CURLSHOPT_UNLOCKFUNC, share_unlock) != CURLSHE_OK
      || curl_share_setopt (self->handle, CURLSHOPT_USERDATA, self) != CURLSHE_OK
      || curl_share_setopt (self->handle, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS) != CURLSHE_OK)
    g_error ("libcurl could not create a share handle");

  return self;
}

TesseraCurlShare *
tessera_curl_share_ref (TesseraCurlShare *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
tessera_curl_share_unref (TesseraCurlShare *self)
{
  g_return_if_fail (self != NULL);

  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;

  if (curl_share_cleanup (self->handle) != CURLSHE_OK)
    g_warning ("libcurl share handle still in use at cleanup");
  for (guint i = 0; i < CURL_LOCK_DATA_LAST; i++)
    g_mutex_clear (&self->locks[i]);
  g_hash_table_unref (self->multiplexing);
  g_mutex_clear (&self->origins_lock);
  g_free (self);
}

static void
share_note_protocol (TesseraCurlShare *self, const char *origin, Protocol protocol)
{
  if (origin == NULL || protocol == PROTOCOL_UNKNOWN)
    return;
  g_mutex_lock (&self->origins_lock);
  g_hash_table_insert (self->multiplexing, g_strdup (origin),
                       GINT_TO_POINTER (protocol == PROTOCOL_MULTIPLEXED));
  g_mutex_unlock (&self->origins_lock);
}

static gboolean
share_origin_multiplexes (TesseraCurlShare *self, const char *origin)
{
  gboolean multiplexes;

  g_mutex_lock (&self->origins_lock);
  multiplexes = GPOINTER_TO_INT (g_hash_table_lookup (self->multiplexing, origin));
  g_mutex_unlock (&self->origins_lock);
  return multiplexes;
}

char *
tessera_fetch_origin (const char *url)
{
  g_autofree char *scheme = NULL;
  g_autofree char *host = NULL;
  g_autofree char *origin = NULL;
  int port = -1;

  g_return_val_if_fail (url != NULL, NULL);

  if (!g_uri_split_network (url, G_URI_FLAGS_NONE, &scheme, &host, &port, NULL) || host == NULL
      || scheme == NULL)
    return NULL;
  if (port < 0 && g_ascii_strcasecmp (scheme, "http") == 0)
    port = 80;
  else if (port < 0 && g_ascii_strcasecmp (scheme, "https") == 0)
    port = 443;
  else if (port < 0)
    return NULL;
  origin = g_strdup_printf ("%s://%s:%d", scheme, host, port);
  return g_ascii_strdown (origin, -1);
}

/* The file of extra CA certificates the environment names, as curl's own tool reads it,
 * and (transfer none) the variable that named it. */
static char *
ca_file_from_environment (const char **variable)
{
  static const char *const names[] = { "SSL_CERT_FILE", "CURL_CA_BUNDLE" };

  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    {
      const char *value = g_getenv (names[i]);

      if (value != NULL && value[0] != '\0')
        {
          *variable = names[i];
          return g_strdup (value);
        }
    }
  return NULL;
}

static CURLM *
multi_new (void)
{
  CURLM *multi = curl_multi_init ();

  if (multi == NULL
      || curl_multi_setopt (multi, CURLMOPT_PIPELINING, (long) CURLPIPE_MULTIPLEX) != CURLM_OK
      || curl_multi_setopt (multi, CURLMOPT_MAX_HOST_CONNECTIONS,
                            (long) TESSERA_FETCH_CONNECTIONS_PER_HOST)
             != CURLM_OK)
    g_error ("libcurl could not create a multi handle");
  return multi;
}

static void
multi_free (CURLM *multi)
{
  if (curl_multi_cleanup (multi) != CURLM_OK)
    g_warning ("libcurl multi handle still in use at cleanup");
}

TesseraFetcher *
tessera_fetcher_new (TesseraCurlShare *share, const TesseraFetchLimits *limits)
{
  g_autoptr (TesseraFetcher) self = NULL;

  g_return_val_if_fail (share != NULL, NULL);
  g_return_val_if_fail (limits != NULL, NULL);

  self = g_new0 (TesseraFetcher, 1);
  self->share = tessera_curl_share_ref (share);
  self->limits = *limits;
  self->ca_file = ca_file_from_environment (&self->ca_variable);
  self->transfers = g_ptr_array_new ();
  self->multi = multi_new ();

  return g_steal_pointer (&self);
}

static void transfer_free (Transfer *transfer);

void
tessera_fetcher_free (TesseraFetcher *self)
{
  if (self == NULL)
    return;

  g_warn_if_fail (self->transfers->len == 0);
  g_ptr_array_foreach (self->transfers, (GFunc) transfer_free, NULL);
  g_ptr_array_unref (self->transfers);
  /* The multi handle goes before the share its connections resolved names through. */
  g_clear_pointer (&self->multi, multi_free);
  g_clear_pointer (&self->share, tessera_curl_share_unref);
  g_free (self->ca_file);
  g_free (self);
}

void
tessera_fetcher_settle (TesseraFetcher *self)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (self->transfers->len == 0);

  TESSERA_ASSERT_WORKER_THREAD ();

  if (!self->abandoned_streams)
    return;
  /* Closing the connections ends their streams on the server (the next transfer pays a
   * handshake). */
  multi_free (self->multi);
  self->multi = multi_new ();
  self->abandoned_streams = FALSE;
}

void
tessera_fetcher_wakeup (TesseraFetcher *self)
{
  g_return_if_fail (self != NULL);

  if (curl_multi_wakeup (self->multi) != CURLM_OK)
    g_debug ("Could not wake a fetcher");
}

guint
tessera_fetcher_get_n_transfers (TesseraFetcher *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->transfers->len;
}

/* Transfers in the multi handle to @origin. */
static guint
count_running_to (TesseraFetcher *self, const char *origin)
{
  guint n = 0;

  for (guint i = 0; i < self->transfers->len; i++)
    {
      const Transfer *transfer = self->transfers->pdata[i];

      if (transfer->retry_at == 0 && g_strcmp0 (transfer->origin, origin) == 0)
        n++;
    }
  return n;
}

guint
tessera_fetcher_get_room (TesseraFetcher *self, const char *origin, gboolean in_view)
{
  guint capacity;
  guint room;
  guint running_to_origin;

  g_return_val_if_fail (self != NULL, 0);

  capacity = TESSERA_FETCH_MULTIPLEX_TRANSFERS + (in_view ? TESSERA_FETCH_VIEW_EXTRA : 0);
  room = capacity > self->n_running ? capacity - self->n_running : 0;
  if (origin == NULL || share_origin_multiplexes (self->share, origin))
    return room;
  /* Over HTTP/1.1, or until a connection says what it speaks, a transfer beyond the
   * origin's connections would wait inside libcurl, where the queue's ranking no longer
   * reaches it. */
  running_to_origin = count_running_to (self, origin);
  if (running_to_origin >= TESSERA_FETCH_CONNECTIONS_PER_HOST)
    return 0;
  return MIN (room, TESSERA_FETCH_CONNECTIONS_PER_HOST - running_to_origin);
}

static gboolean
is_success (long status)
{
  return status >= 200 && status < 300;
}

static size_t
on_body (char *data, size_t size, size_t count, void *user_data)
{
  Transfer *transfer = user_data;
  gsize n_bytes = size * count;
  long status = 0;

  /* An error page is not worth downloading: stop and report the status. */
  if (transfer->kind == TESSERA_FETCH_IMAGE
      && curl_easy_getinfo (transfer->easy, CURLINFO_RESPONSE_CODE, &status) == CURLE_OK
      && !is_success (status))
    {
      transfer->refused_status = status;
      return 0;
    }

  if (transfer->body->len + n_bytes > transfer->fetcher->limits.max_bytes)
    {
      transfer->over_cap = TRUE;
      return 0; /* aborts with CURLE_WRITE_ERROR, chunked bodies included */
    }

  g_byte_array_append (transfer->body, (const guint8 *) data, n_bytes);
  return n_bytes;
}

static int
on_progress (void *user_data, curl_off_t download_total, curl_off_t downloaded,
             curl_off_t upload_total, curl_off_t uploaded)
{
  Transfer *transfer = user_data;

  if (g_cancellable_is_cancelled (transfer->cancellable))
    return 1;

  /* A declared length over the cap fails before the body arrives. */
  if (download_total > 0 && (guint64) download_total > transfer->fetcher->limits.max_bytes)
    {
      transfer->over_cap = TRUE;
      return 1;
    }

  return 0;
}

/* What the TLS handshake of the connection @easy is about to use settled on (ALPN): only
 * an OpenSSL build can tell, and a plain-HTTP connection is HTTP/1.1 (HTTP/2 is asked
 * for over TLS only). */
static Protocol
negotiated_protocol (CURL *easy)
{
  struct curl_tlssessioninfo *info = NULL;
  const unsigned char *alpn = NULL;
  unsigned int alpn_length = 0;

  if (curl_easy_getinfo (easy, CURLINFO_TLS_SSL_PTR, &info) != CURLE_OK || info == NULL
      || info->backend != CURLSSLBACKEND_OPENSSL)
    return PROTOCOL_UNKNOWN;
  if (info->internals == NULL)
    return PROTOCOL_SERIAL;
  SSL_get0_alpn_selected (info->internals, &alpn, &alpn_length);
  if (alpn_length == 2 && memcmp (alpn, "h2", 2) == 0)
    return PROTOCOL_MULTIPLEXED;
  return PROTOCOL_SERIAL;
}

/* Notes what the origin @easy is talking to (after any redirects) speaks. */
static void
note_protocol (TesseraFetcher *fetcher, CURL *easy, Protocol protocol)
{
  const char *effective = NULL;
  g_autofree char *origin = NULL;

  if (protocol == PROTOCOL_UNKNOWN
      || curl_easy_getinfo (easy, CURLINFO_EFFECTIVE_URL, &effective) != CURLE_OK
      || effective == NULL)
    return;
  origin = tessera_fetch_origin (effective);
  share_note_protocol (fetcher->share, origin, protocol);
}

/* A connection is made (or reused) and the request is about to go: libcurl 7.88 tells the
 * protocol only with the answer, so a first answer that hangs would keep a worker at one
 * transfer; the handshake already knows. */
static int
on_connected (void *user_data, char *primary_ip, char *local_ip, int primary_port, int local_port)
{
  Transfer *transfer = user_data;

  note_protocol (transfer->fetcher, transfer->easy, negotiated_protocol (transfer->easy));
  return CURL_PREREQFUNC_OK;
}

#define SETOPT(easy, option, value)                                                                \
  G_STMT_START                                                                                     \
  {                                                                                                \
    CURLcode setopt_result = curl_easy_setopt (easy, option, value);                               \
    if (setopt_result != CURLE_OK)                                                                 \
      return setopt_result;                                                                        \
  }                                                                                                \
  G_STMT_END

/* Sets up @transfer's next attempt: everything per transfer, so each keeps its own limits
 * whatever else runs beside it. */
static CURLcode
configure_transfer (Transfer *transfer)
{
  CURL *easy = transfer->easy;
  const TesseraFetcher *fetcher = transfer->fetcher;
  const TesseraFetchLimits *limits = &fetcher->limits;

  curl_easy_reset (easy);
  transfer->error_buffer[0] = '\0';
  g_byte_array_set_size (transfer->body, 0);
  transfer->over_cap = FALSE;
  transfer->refused_status = 0;

  SETOPT (easy, CURLOPT_URL, transfer->url);
  SETOPT (easy, CURLOPT_PRIVATE, transfer);
  SETOPT (easy, CURLOPT_SHARE, fetcher->share->handle);
  SETOPT (easy, CURLOPT_NOSIGNAL, 1L);
  SETOPT (easy, CURLOPT_ERRORBUFFER, transfer->error_buffer);
  SETOPT (easy, CURLOPT_USERAGENT, USER_AGENT);
  SETOPT (easy, CURLOPT_HTTPHEADER, transfer->headers);
  SETOPT (easy, CURLOPT_PROTOCOLS_STR, ALLOWED_SCHEMES);
  SETOPT (easy, CURLOPT_REDIR_PROTOCOLS_STR, ALLOWED_SCHEMES);
  SETOPT (easy, CURLOPT_FOLLOWLOCATION, 1L);
  SETOPT (easy, CURLOPT_MAXREDIRS, (long) limits->max_redirects);
  /* HTTP/2 where TLS offers it; a transfer waits for a connection being made rather than
   * opening another, so transfers to one host share it. */
  SETOPT (easy, CURLOPT_HTTP_VERSION, (long) CURL_HTTP_VERSION_2TLS);
  SETOPT (easy, CURLOPT_PIPEWAIT, 1L);
  SETOPT (easy, CURLOPT_SSL_VERIFYPEER, 1L);
  SETOPT (easy, CURLOPT_SSL_VERIFYHOST, 2L);
  if (fetcher->ca_file != NULL)
    SETOPT (easy, CURLOPT_CAINFO, fetcher->ca_file);
  SETOPT (easy, CURLOPT_CONNECTTIMEOUT, (long) limits->connect_timeout_s);
  SETOPT (easy, CURLOPT_LOW_SPEED_LIMIT, (long) limits->low_speed_bytes);
  SETOPT (easy, CURLOPT_LOW_SPEED_TIME, (long) limits->low_speed_time_s);
  SETOPT (easy, CURLOPT_TIMEOUT, (long) limits->total_timeout_s);
  SETOPT (easy, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t) limits->max_bytes);
  /* The write callback sees decoded bytes, so the byte cap holds for what is decoded. */
  SETOPT (easy, CURLOPT_ACCEPT_ENCODING, ACCEPT_ANY_ENCODING);
  SETOPT (easy, CURLOPT_WRITEFUNCTION, on_body);
  SETOPT (easy, CURLOPT_WRITEDATA, transfer);
  SETOPT (easy, CURLOPT_NOPROGRESS, 0L);
  SETOPT (easy, CURLOPT_XFERINFOFUNCTION, on_progress);
  SETOPT (easy, CURLOPT_XFERINFODATA, transfer);
  SETOPT (easy, CURLOPT_PREREQFUNCTION, on_connected);
  SETOPT (easy, CURLOPT_PREREQDATA, transfer);

  return CURLE_OK;
}

typedef struct
{
  CURLcode code;
  TesseraErrorCode error;
  const char *label;   /* the tile's short text; NULL: the code's own label */
  const char *message; /* what happened, in a sentence */
} CurlFailure;

/* libcurl results a person can act on, each with its error code, and the words for it:
 * libcurl's own text only reaches the debug log. */
static const CurlFailure curl_failures[] = {
  /* A stall (too slow for too long) or the whole transfer's limit. */
  { CURLE_OPERATION_TIMEDOUT, TESSERA_ERROR_TIMED_OUT, NULL, N_ ("The server was too slow") },
  { CURLE_PARTIAL_FILE, TESSERA_ERROR_CUT_SHORT, NULL,
    N_ ("The download ended before the whole file came") },
  { CURLE_FILESIZE_EXCEEDED, TESSERA_ERROR_TOO_LARGE, NULL, N_ ("The file is too large") },
  { CURLE_TOO_MANY_REDIRECTS, TESSERA_ERROR_REDIRECT, N_ ("Too many redirects"),
    N_ ("The server redirected too many times") },
  { CURLE_UNSUPPORTED_PROTOCOL, TESSERA_ERROR_REDIRECT, NULL,
    N_ ("A redirect led to an address that is not http or https") },
  { CURLE_URL_MALFORMAT, TESSERA_ERROR_BAD_URL, NULL, N_ ("The address is not a valid URL") },
  { CURLE_COULDNT_RESOLVE_HOST, TESSERA_ERROR_NETWORK, N_ ("Host not found"),
    N_ ("The server's name could not be found") },
  { CURLE_COULDNT_CONNECT, TESSERA_ERROR_NETWORK, N_ ("Can't connect"),
    N_ ("The server could not be reached") },
  { CURLE_GOT_NOTHING, TESSERA_ERROR_NETWORK, N_ ("Empty reply"),
    N_ ("The server closed the connection without an answer") },
  { CURLE_RECV_ERROR, TESSERA_ERROR_CUT_SHORT, N_ ("Connection lost"),
    N_ ("The connection was lost during the download") },
  { CURLE_SEND_ERROR, TESSERA_ERROR_NETWORK, N_ ("Connection lost"),
    N_ ("The connection was lost while asking for the file") },
  /* An HTTP/2 server reset the stream: its way of cutting a body short. */
  { CURLE_HTTP2_STREAM, TESSERA_ERROR_CUT_SHORT, NULL, N_ ("The server broke off the download") },
  { CURLE_PEER_FAILED_VERIFICATION, TESSERA_ERROR_NETWORK, N_ ("Untrusted certificate"),
    N_ ("The server's certificate is not signed by a trusted authority") },
  { CURLE_SSL_CONNECT_ERROR, TESSERA_ERROR_NETWORK, N_ ("TLS error"),
    N_ ("The secure connection could not be set up") },
  { CURLE_WEIRD_SERVER_REPLY, TESSERA_ERROR_NETWORK, N_ ("Bad reply"),
    N_ ("The server's answer could not be understood") },
};

/* Takes @failure into @error. @label_text: already translated, or NULL for the error's
 * own label. */
static void
propagate_failure (char **label, GError **error, GError *failure, const char *label_text)
{
  if (label != NULL)
    *label = g_strdup (label_text != NULL ? label_text : tessera_error_label (failure));
  g_propagate_error (error, failure);
}

static void
set_failure (char **label, GError **error, TesseraErrorCode code, const char *label_text,
             const char *detail)
{
  propagate_failure (label, error, g_error_new_literal (TESSERA_ERROR, code, detail), label_text);
}

/* TRUE, with G_IO_ERROR_CANCELLED in @error, once @cancellable is cancelled. */
static gboolean
fail_if_cancelled (GCancellable *cancellable, char **label, GError **error)
{
  GError *cancelled = NULL;

  if (!g_cancellable_set_error_if_cancelled (cancellable, &cancelled))
    return FALSE;
  propagate_failure (label, error, cancelled, NULL);
  return TRUE;
}

/* A failure libcurl reported, in a person's words: libcurl's own text (@detail) goes to the
 * debug log only. @label_text: already translated, or NULL for the code's own label. */
static void
set_curl_failure (char **label, GError **error, TesseraErrorCode code, const char *label_text,
                  const char *message, const Transfer *transfer, const char *detail)
{
  g_debug ("%s: %s", transfer->url, detail);
  set_failure (label, error, code, label_text, message);
}

static void
fail_from_curl (const Transfer *transfer, CURLcode result, char **label, GError **error)
{
  const char *detail
      = transfer->error_buffer[0] ? transfer->error_buffer : curl_easy_strerror (result);

  if (fail_if_cancelled (transfer->cancellable, label, error))
    return;
  if (transfer->over_cap)
    {
      g_autofree char *cap = g_format_size (transfer->fetcher->limits.max_bytes);
      g_autofree char *text = g_strdup_printf (_ ("The download is larger than %s"), cap);
      set_failure (label, error, TESSERA_ERROR_TOO_LARGE, NULL, text);
      return;
    }
  /* The file of extra CA certificates the environment named cannot be used. */
  if (result == CURLE_SSL_CACERT_BADFILE && transfer->fetcher->ca_file != NULL)
    {
      g_autofree char *text = g_strdup_printf (
          _ ("The file %s names, “%s”, holds no CA certificates that can be used"),
          transfer->fetcher->ca_variable, transfer->fetcher->ca_file);
      set_curl_failure (label, error, TESSERA_ERROR_NETWORK, _ ("Bad CA file"), text, transfer,
                        detail);
      return;
    }

  for (gsize i = 0; i < G_N_ELEMENTS (curl_failures); i++)
    if (curl_failures[i].code == result)
      {
        const char *label_text = curl_failures[i].label;

        set_curl_failure (label, error, curl_failures[i].error, label_text ? _ (label_text) : NULL,
                          _ (curl_failures[i].message), transfer, detail);
        return;
      }

  set_curl_failure (label, error, TESSERA_ERROR_NETWORK, _ ("Download failed"),
                    _ ("The download failed"), transfer, detail);
}

static void
fail_from_status (long status, char **label, GError **error)
{
  g_autofree char *text = g_strdup_printf (_ ("HTTP %ld"), status);
  g_autofree char *detail = g_strdup_printf (_ ("The server answered with status %ld"), status);

  set_failure (label, error, TESSERA_ERROR_HTTP, text, detail);
}

/* Seconds to wait before retrying a 429 or 503: Retry-After (seconds or a date), capped. */
static guint
retry_delay_s (const Transfer *transfer)
{
  struct curl_header *header = NULL;
  guint cap = transfer->fetcher->limits.retry_after_cap_s;
  gint64 seconds = TESSERA_FETCH_RETRY_DEFAULT_S;

  if (curl_easy_header (transfer->easy, "Retry-After", 0, CURLH_HEADER, -1, &header) == CURLHE_OK)
    {
      const char *value = header->value;
      char *end = NULL;
      gint64 parsed = g_ascii_strtoll (value, &end, 10);

      if (end != value && *end == '\0')
        seconds = parsed;
      else if ((parsed = curl_getdate (value, NULL)) > 0)
        seconds = parsed - (gint64) time (NULL);
    }

  return (guint) CLAMP (seconds, 0, (gint64) cap);
}

/* The final response's headers (after any redirects), names in lower case. */
static GHashTable *
collect_headers (CURL *easy)
{
  GHashTable *headers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  struct curl_header *header = NULL;

  while ((header = curl_easy_nextheader (easy, CURLH_HEADER, -1, header)) != NULL)
    g_hash_table_replace (headers, g_ascii_strdown (header->name, -1), g_strdup (header->value));
  return headers;
}

/* @first, then @extra's lines (NULL-terminated, may be NULL); NULL when out of memory. */
static struct curl_slist *
build_request_headers (const char *first, const char *const *extra)
{
  struct curl_slist *list = curl_slist_append (NULL, first);

  for (gsize i = 0; list != NULL && extra != NULL && extra[i] != NULL; i++)
    {
      struct curl_slist *longer = curl_slist_append (list, extra[i]);

      if (longer == NULL)
        g_clear_pointer (&list, curl_slist_free_all);
      list = longer;
    }
  return list;
}

/* @url as it would be on Imgur's image host, when it is under the base that
 * TESSERA_IMGUR_IMAGES_ENV moves it to (as for tessera-imgur-source.c); else NULL. */
static char *
as_imgur_url (const char *url)
{
  const char *base = g_getenv (TESSERA_IMGUR_IMAGES_ENV);
  gsize base_len;

  if (base == NULL || base[0] == '\0')
    return NULL;
  base_len = strlen (base);
  if (strncmp (url, base, base_len) != 0 || url[base_len] != '/')
    return NULL;
  return g_strconcat (TESSERA_IMGUR_DEFAULT_IMAGES, url + base_len, NULL);
}

gboolean
tessera_fetch_is_placeholder (const char *url)
{
  g_autofree char *moved = NULL;
  g_autoptr (GUri) uri = NULL;
  const char *host;

  g_return_val_if_fail (url != NULL, FALSE);

  moved = as_imgur_url (url);
  uri = g_uri_parse (moved != NULL ? moved : url, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL || (host = g_uri_get_host (uri)) == NULL)
    return FALSE;
  for (gsize i = 0; i < G_N_ELEMENTS (placeholders); i++)
    if (g_ascii_strcasecmp (host, placeholders[i].host) == 0
        && g_pattern_match_simple (placeholders[i].path, g_uri_get_path (uri)))
      return TRUE;
  return FALSE;
}

/* Whether the redirects of the transfer just done ended at a placeholder. A placeholder
 * asked for by its own address is only a picture. */
static gboolean
ended_at_placeholder (CURL *easy)
{
  const char *effective = NULL;
  long n_redirects = 0;

  return curl_easy_getinfo (easy, CURLINFO_REDIRECT_COUNT, &n_redirects) == CURLE_OK
         && n_redirects > 0
         && curl_easy_getinfo (easy, CURLINFO_EFFECTIVE_URL, &effective) == CURLE_OK
         && effective != NULL && tessera_fetch_is_placeholder (effective);
}

/* A status the image path takes as an answer: a 2xx, or a 304 to a conditional request. */
static gboolean
is_answer (long status, gboolean conditional)
{
  return is_success (status) || (conditional && status == 304);
}

/* What libcurl's @result and the status make of @transfer's attempt: the answer, or NULL
 * with @label and @error. */
static TesseraResponse *
read_outcome (Transfer *transfer, CURLcode result, long status, char **label, GError **error)
{
  gboolean image = transfer->kind == TESSERA_FETCH_IMAGE;
  TesseraResponse *response;

  /* A refused status ends the body early; the status is the real story. */
  if (image && status != 0 && !is_answer (status, transfer->conditional)
      && (result == CURLE_OK || transfer->refused_status))
    {
      fail_from_status (status, label, error);
      return NULL;
    }
  if (result == CURLE_OK && status == 0)
    result = CURLE_WEIRD_SERVER_REPLY;
  if (result != CURLE_OK)
    {
      fail_from_curl (transfer, result, label, error);
      return NULL;
    }
  /* Decided by where the redirects ended, never by the picture. */
  if (image && is_success (status) && ended_at_placeholder (transfer->easy))
    {
      set_failure (label, error, TESSERA_ERROR_REMOVED, NULL,
                   _ ("The image was removed: the server sent its placeholder picture instead"));
      return NULL;
    }

  response = g_new0 (TesseraResponse, 1);
  response->status = status;
  response->body = g_byte_array_free_to_bytes (g_steal_pointer (&transfer->body));
  response->headers = collect_headers (transfer->easy);
  return response;
}

static void
transfer_free (Transfer *transfer)
{
  g_clear_object (&transfer->cancellable);
  g_clear_pointer (&transfer->easy, curl_easy_cleanup);
  g_clear_pointer (&transfer->headers, curl_slist_free_all);
  g_clear_pointer (&transfer->body, g_byte_array_unref);
  g_free (transfer->url);
  g_free (transfer->origin);
  g_free (transfer);
}

/* Takes @transfer out of its fetcher (out of the multi handle already) and hands its
 * outcome (all three transfer full) to its done function. */
static void
end_transfer (Transfer *transfer, TesseraResponse *response, char *label, GError *error)
{
  TesseraFetchDone done = transfer->done;
  gpointer user_data = transfer->user_data;
  TesseraFetcher *fetcher = transfer->fetcher;

  if (transfer->retry_at == 0 && error != NULL
      && share_origin_multiplexes (fetcher->share, transfer->origin))
    fetcher->abandoned_streams = TRUE;
  g_ptr_array_remove_fast (fetcher->transfers, transfer);
  transfer_free (transfer);
  done (response, label, error, user_data);
}

static gboolean
add_to_multi (Transfer *transfer, char **label, GError **error)
{
  CURLcode result = configure_transfer (transfer);

  if (result != CURLE_OK)
    {
      fail_from_curl (transfer, result, label, error);
      return FALSE;
    }
  if (curl_multi_add_handle (transfer->fetcher->multi, transfer->easy) != CURLM_OK)
    {
      g_debug ("%s: libcurl could not start the transfer", transfer->url);
      set_failure (label, error, TESSERA_ERROR_NETWORK, _ ("Download failed"),
                   _ ("Download failed"));
      return FALSE;
    }
  transfer->fetcher->n_running++;
  return TRUE;
}

static void
remove_from_multi (Transfer *transfer)
{
  TesseraFetcher *fetcher = transfer->fetcher;

  if (curl_multi_remove_handle (fetcher->multi, transfer->easy) != CURLM_OK)
    g_debug ("libcurl could not take a transfer out");
  fetcher->n_running--;
}

/* Starts @transfer's next attempt, or ends it when it cannot start. */
static void
launch (Transfer *transfer)
{
  GError *error = NULL;
  char *label = NULL;

  transfer->retry_at = 0;
  if (!add_to_multi (transfer, &label, &error))
    end_transfer (transfer, NULL, label, error);
}

void
tessera_fetcher_start (TesseraFetcher *self, const char *url, const char *const *headers,
                       TesseraFetchKind kind, GCancellable *cancellable, TesseraFetchDone done,
                       gpointer user_data)
{
  Transfer *transfer;

  g_return_if_fail (self != NULL);
  g_return_if_fail (url != NULL && done != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  TESSERA_ASSERT_WORKER_THREAD ();

  transfer = g_new0 (Transfer, 1);
  transfer->fetcher = self;
  transfer->url = g_strdup (url);
  transfer->origin = tessera_fetch_origin (url);
  transfer->kind = kind;
  transfer->conditional = kind == TESSERA_FETCH_IMAGE && headers != NULL;
  transfer->done = done;
  transfer->user_data = user_data;
  transfer->body = g_byte_array_new ();
  transfer->easy = curl_easy_init ();
  if (transfer->easy == NULL)
    g_error ("libcurl could not create an easy handle");
  g_ptr_array_add (self->transfers, transfer);

  transfer->headers
      = build_request_headers (kind == TESSERA_FETCH_IMAGE ? ACCEPT_IMAGES : ACCEPT_JSON, headers);
  if (transfer->headers == NULL)
    {
      end_transfer (
          transfer, NULL, g_strdup (_ ("Download failed")),
          g_error_new_literal (TESSERA_ERROR, TESSERA_ERROR_NETWORK, _ ("Out of memory")));
      return;
    }
  if (cancellable != NULL)
    transfer->cancellable = g_object_ref (cancellable);
  launch (transfer);
}

/* A 429 or 503 to an image request, with retries left: wait in the fetcher's list, out of
 * the multi handle, until its time. */
static gboolean
wait_to_retry (Transfer *transfer, long status)
{
  guint delay_ms;

  if (transfer->kind != TESSERA_FETCH_IMAGE || (status != 429 && status != 503)
      || transfer->attempt >= transfer->fetcher->limits.max_retries
      || g_cancellable_is_cancelled (transfer->cancellable))
    return FALSE;

  delay_ms = retry_delay_s (transfer) * 1000 + (guint) g_random_int_range (0, RETRY_JITTER_MS);
  transfer->attempt++;
  transfer->retry_at = g_get_monotonic_time () + (gint64) delay_ms * 1000;
  return TRUE;
}

/* libcurl is done with @transfer's attempt (taken out of the multi handle). */
static void
attempt_done (Transfer *transfer, CURLcode result)
{
  TesseraResponse *response;
  GError *error = NULL;
  char *label = NULL;
  long status = 0;
  long version = 0;

  if (curl_easy_getinfo (transfer->easy, CURLINFO_RESPONSE_CODE, &status) != CURLE_OK)
    status = 0;
  /* Builds that cannot read the handshake learn from the answer. */
  if (status != 0
      && curl_easy_getinfo (transfer->easy, CURLINFO_HTTP_VERSION, &version) == CURLE_OK)
    note_protocol (transfer->fetcher, transfer->easy,
                   version >= CURL_HTTP_VERSION_2_0 ? PROTOCOL_MULTIPLEXED : PROTOCOL_SERIAL);

  response = read_outcome (transfer, result, status, &label, &error);
  if (response == NULL && wait_to_retry (transfer, status))
    {
      g_clear_error (&error);
      g_free (label);
      return;
    }
  end_transfer (transfer, response, label, error);
}

static void
collect_finished (TesseraFetcher *self)
{
  CURLMsg *message;
  int n_left;

  while ((message = curl_multi_info_read (self->multi, &n_left)) != NULL)
    {
      Transfer *transfer = NULL;
      CURLcode result = message->data.result;

      if (message->msg != CURLMSG_DONE
          || curl_easy_getinfo (message->easy_handle, CURLINFO_PRIVATE, &transfer) != CURLE_OK
          || transfer == NULL)
        continue;
      remove_from_multi (transfer);
      attempt_done (transfer, result);
    }
}

/* Ends cancelled transfers, running or waiting, and starts the retries whose time came. */
static void
tend_transfers (TesseraFetcher *self)
{
  gint64 now = g_get_monotonic_time ();
  g_autoptr (GPtrArray) snapshot = g_ptr_array_copy (self->transfers, NULL, NULL);

  for (guint i = 0; i < snapshot->len; i++)
    {
      Transfer *transfer = snapshot->pdata[i];
      GError *error = NULL;
      char *label = NULL;

      if (fail_if_cancelled (transfer->cancellable, &label, &error))
        {
          if (transfer->retry_at == 0)
            remove_from_multi (transfer);
          end_transfer (transfer, NULL, label, error);
        }
      else if (transfer->retry_at != 0 && now >= transfer->retry_at)
        launch (transfer);
    }
}

/* How long the next wait may last: @timeout_ms, or less when a retry is due sooner. */
static int
wait_ms (TesseraFetcher *self, int timeout_ms)
{
  gint64 now = g_get_monotonic_time ();

  for (guint i = 0; i < self->transfers->len; i++)
    {
      const Transfer *transfer = self->transfers->pdata[i];

      if (transfer->retry_at != 0)
        timeout_ms = (int) CLAMP ((transfer->retry_at - now + 999) / 1000, 0, timeout_ms);
    }
  return timeout_ms;
}

void
tessera_fetcher_run (TesseraFetcher *self, int timeout_ms)
{
  int n_running = 0;

  g_return_if_fail (self != NULL);
  g_return_if_fail (timeout_ms >= 0);

  TESSERA_ASSERT_WORKER_THREAD ();

  if (curl_multi_poll (self->multi, NULL, 0, wait_ms (self, timeout_ms), NULL) != CURLM_OK
      || curl_multi_perform (self->multi, &n_running) != CURLM_OK)
    g_warning ("libcurl's multi handle failed");
  collect_finished (self);
  tend_transfers (self);
}

void
tessera_response_free (TesseraResponse *response)
{
  if (response == NULL)
    return;

  g_clear_pointer (&response->body, g_bytes_unref);
  g_clear_pointer (&response->headers, g_hash_table_unref);
  g_free (response);
}
