/* SPDX-License-Identifier: GPL-3.0-or-later */
/* tessera-fetch.c: bounded HTTP GET with a long-lived libcurl easy handle */

#define G_LOG_DOMAIN "tessera-fetch"

#include "config.h"

#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <glib/gi18n.h>

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
};

/* Request headers live as long as the transfer that uses them. */
typedef struct curl_slist CurlHeaderList;
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CurlHeaderList, curl_slist_free_all)

struct _TesseraFetcher
{
  CURL *easy;
  TesseraCurlShare *share;
  TesseraFetchLimits limits;
  char error_buffer[CURL_ERROR_SIZE];
};

/* What one attempt collects while libcurl runs. */
typedef struct
{
  CURL *easy;
  GByteArray *body;
  gsize max_bytes;
  GCancellable *cancellable; /* may be NULL */
  gboolean over_cap;
  gboolean keep_any_status; /* a service's error body is its answer too */
  long refused_status;      /* a non-2xx status whose body we declined to download */
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
  g_free (self);
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
  self->easy = curl_easy_init ();
  if (self->easy == NULL)
    g_error ("libcurl could not create an easy handle");

  return g_steal_pointer (&self);
}

void
tessera_fetcher_free (TesseraFetcher *self)
{
  if (self == NULL)
    return;

  /* The easy handle goes first: it still refers to the share. */
  g_clear_pointer (&self->easy, curl_easy_cleanup);
  g_clear_pointer (&self->share, tessera_curl_share_unref);
  g_free (self);
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
  if (!transfer->keep_any_status
      && curl_easy_getinfo (transfer->easy, CURLINFO_RESPONSE_CODE, &status) == CURLE_OK
      && !is_success (status))
    {
      transfer->refused_status = status;
      return 0;
    }

  if (transfer->body->len + n_bytes > transfer->max_bytes)
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
  if (download_total > 0 && (guint64) download_total > transfer->max_bytes)
    {
      transfer->over_cap = TRUE;
      return 1;
    }

  return 0;
}

#define SETOPT(easy, option, value)                                                                \
  G_STMT_START                                                                                     \
  {                                                                                                \
    CURLcode setopt_result = curl_easy_setopt (easy, option, value);                               \
    if (setopt_result != CURLE_OK)                                                                 \
      return setopt_result;                                                                        \
  }                                                                                                \
  G_STMT_END

static CURLcode
configure_transfer (TesseraFetcher *self, const char *url, struct curl_slist *headers,
                    Transfer *transfer)
{
  CURL *easy = self->easy;
  const TesseraFetchLimits *limits = &self->limits;

  /* reset keeps the handle's live connections and DNS entries */
  curl_easy_reset (easy);
  self->error_buffer[0] = '\0';

  SETOPT (easy, CURLOPT_URL, url);
  SETOPT (easy, CURLOPT_SHARE, self->share->handle);
  SETOPT (easy, CURLOPT_NOSIGNAL, 1L);
  SETOPT (easy, CURLOPT_ERRORBUFFER, self->error_buffer);
  SETOPT (easy, CURLOPT_USERAGENT, USER_AGENT);
  SETOPT (easy, CURLOPT_HTTPHEADER, headers);
  SETOPT (easy, CURLOPT_PROTOCOLS_STR, ALLOWED_SCHEMES);
  SETOPT (easy, CURLOPT_REDIR_PROTOCOLS_STR, ALLOWED_SCHEMES);
  SETOPT (easy, CURLOPT_FOLLOWLOCATION, 1L);
  SETOPT (easy, CURLOPT_MAXREDIRS, (long) limits->max_redirects);
  SETOPT (easy, CURLOPT_SSL_VERIFYPEER, 1L);
  SETOPT (easy, CURLOPT_SSL_VERIFYHOST, 2L);
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

  return CURLE_OK;
}

typedef struct
{
  CURLcode code;
  TesseraErrorCode error;
  const char *label;
} CurlFailure;

/* libcurl results a person can act on, each with its error code and, where the code's
 * label (tessera_error_label) says too little, the tile's short text. */
static const CurlFailure curl_failures[] = {
  { CURLE_OPERATION_TIMEDOUT, TESSERA_ERROR_TIMED_OUT, NULL },
  { CURLE_PARTIAL_FILE, TESSERA_ERROR_CUT_SHORT, NULL },
  { CURLE_FILESIZE_EXCEEDED, TESSERA_ERROR_TOO_LARGE, NULL },
  { CURLE_TOO_MANY_REDIRECTS, TESSERA_ERROR_REDIRECT, N_ ("Redirect loop") },
  { CURLE_UNSUPPORTED_PROTOCOL, TESSERA_ERROR_REDIRECT, NULL },
  { CURLE_URL_MALFORMAT, TESSERA_ERROR_BAD_URL, NULL },
  { CURLE_COULDNT_RESOLVE_HOST, TESSERA_ERROR_NETWORK, N_ ("Host not found") },
  { CURLE_COULDNT_CONNECT, TESSERA_ERROR_NETWORK, N_ ("Can't connect") },
  { CURLE_GOT_NOTHING, TESSERA_ERROR_NETWORK, N_ ("Empty reply") },
  { CURLE_RECV_ERROR, TESSERA_ERROR_CUT_SHORT, N_ ("Connection lost") },
  { CURLE_SEND_ERROR, TESSERA_ERROR_NETWORK, N_ ("Connection lost") },
  { CURLE_PEER_FAILED_VERIFICATION, TESSERA_ERROR_NETWORK, N_ ("Untrusted certificate") },
  { CURLE_SSL_CONNECT_ERROR, TESSERA_ERROR_NETWORK, N_ ("TLS error") },
  { CURLE_WEIRD_SERVER_REPLY, TESSERA_ERROR_NETWORK, N_ ("Bad reply") },
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

static void
fail_from_curl (TesseraFetcher *self, CURLcode result, const Transfer *transfer, char **label,
                GError **error)
{
  const char *detail = self->error_buffer[0] ? self->error_buffer : curl_easy_strerror (result);

  if (fail_if_cancelled (transfer->cancellable, label, error))
    return;
  if (transfer->over_cap)
    {
      g_autofree char *cap = g_format_size (transfer->max_bytes);
      g_autofree char *text = g_strdup_printf (_ ("The download is larger than %s"), cap);
      set_failure (label, error, TESSERA_ERROR_TOO_LARGE, NULL, text);
      return;
    }

  for (gsize i = 0; i < G_N_ELEMENTS (curl_failures); i++)
    if (curl_failures[i].code == result)
      {
        const char *label_text = curl_failures[i].label;

        set_failure (label, error, curl_failures[i].error, label_text ? _ (label_text) : NULL,
                     detail);
        return;
      }

  set_failure (label, error, TESSERA_ERROR_NETWORK, _ ("Download failed"), detail);
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
retry_delay_s (TesseraFetcher *self)
{
  struct curl_header *header = NULL;
  guint cap = self->limits.retry_after_cap_s;
  gint64 seconds = TESSERA_FETCH_RETRY_DEFAULT_S;

  if (curl_easy_header (self->easy, "Retry-After", 0, CURLH_HEADER, -1, &header) == CURLHE_OK)
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

/* Sleeps @delay_ms, waking as soon as @cancellable is cancelled. */
static void
wait_unless_cancelled (guint delay_ms, GCancellable *cancellable)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) delay_ms * 1000;
  GPollFD pollfd;

  if (!g_cancellable_make_pollfd (cancellable, &pollfd))
    {
      g_usleep ((gulong) delay_ms * 1000);
      return;
    }
  /* A signal may end the poll early: wait out what is left. */
  while (!g_cancellable_is_cancelled (cancellable))
    {
      gint64 left_us = deadline - g_get_monotonic_time ();

      if (left_us <= 0)
        break;
      g_poll (&pollfd, 1, (int) ((left_us + 999) / 1000));
    }
  g_cancellable_release_fd (cancellable);
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

/* @first, then @extra's lines (NULL-terminated, may be NULL). */
static struct curl_slist *
build_request_headers (const char *first, const char *const *extra, GError **error)
{
  struct curl_slist *list = curl_slist_append (NULL, first);

  for (gsize i = 0; list != NULL && extra != NULL && extra[i] != NULL; i++)
    {
      struct curl_slist *longer = curl_slist_append (list, extra[i]);

      if (longer == NULL)
        g_clear_pointer (&list, curl_slist_free_all);
      list = longer;
    }
  if (list == NULL)
    g_set_error_literal (error, TESSERA_ERROR, TESSERA_ERROR_NETWORK, _ ("Out of memory"));
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

static TesseraResponse *
fetch_once (TesseraFetcher *self, const char *url, struct curl_slist *headers, gboolean conditional,
            GCancellable *cancellable, long *status, char **label, GError **error)
{
  g_autoptr (GByteArray) body = g_byte_array_new ();
  Transfer transfer = { self->easy, body, self->limits.max_bytes, cancellable, FALSE, FALSE, 0 };
  TesseraResponse *response;
  CURLcode result;

  result = configure_transfer (self, url, headers, &transfer);
  if (result == CURLE_OK)
    result = curl_easy_perform (self->easy);
  if (curl_easy_getinfo (self->easy, CURLINFO_RESPONSE_CODE, status) != CURLE_OK)
    *status = 0;

  /* A refused status ends the body early; the status is the real story. */
  if (*status != 0 && !is_answer (*status, conditional)
      && (result == CURLE_OK || transfer.refused_status))
    {
      fail_from_status (*status, label, error);
      return NULL;
    }
  if (result != CURLE_OK)
    {
      fail_from_curl (self, result, &transfer, label, error);
      return NULL;
    }
  /* Decided by where the redirects ended, never by the picture. */
  if (is_success (*status) && ended_at_placeholder (self->easy))
    {
      set_failure (label, error, TESSERA_ERROR_REMOVED, NULL,
                   _ ("The image was removed: the server sent its placeholder picture instead"));
      return NULL;
    }

  response = g_new0 (TesseraResponse, 1);
  response->status = *status;
  response->body = g_byte_array_free_to_bytes (g_steal_pointer (&body));
  response->headers = collect_headers (self->easy);
  return response;
}

TesseraResponse *
tessera_fetcher_get (TesseraFetcher *self, const char *url, const char *const *headers,
                     GCancellable *cancellable, char **label, GError **error)
{
  g_autoptr (GError) headers_error = NULL;
  g_autoptr (CurlHeaderList) request_headers = NULL;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (url != NULL, NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);

  TESSERA_ASSERT_WORKER_THREAD ();

  request_headers = build_request_headers (ACCEPT_IMAGES, headers, &headers_error);
  if (request_headers == NULL)
    {
      propagate_failure (label, error, g_steal_pointer (&headers_error), NULL);
      return NULL;
    }
  for (guint attempt = 0;; attempt++)
    {
      g_autoptr (GError) local_error = NULL;
      g_autofree char *local_label = NULL;
      long status = 0;
      TesseraResponse *response = fetch_once (self, url, request_headers, headers != NULL,
                                              cancellable, &status, &local_label, &local_error);
      gboolean retryable = status == 429 || status == 503;
      guint delay_ms;

      if (response != NULL)
        return response;

      if (!retryable || attempt >= self->limits.max_retries)
        {
          if (label != NULL)
            *label = g_steal_pointer (&local_label);
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }

      delay_ms = retry_delay_s (self) * 1000 + g_random_int_range (0, RETRY_JITTER_MS);
      wait_unless_cancelled (delay_ms, cancellable);
      if (fail_if_cancelled (cancellable, label, error))
        return NULL;
    }
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

TesseraResponse *
tessera_fetcher_request (TesseraFetcher *self, const char *url, const char *const *headers,
                         GCancellable *cancellable, GError **error)
{
  g_autoptr (GByteArray) body = NULL;
  g_autoptr (CurlHeaderList) request_headers = NULL;
  TesseraResponse *response;
  Transfer transfer;
  CURLcode result;
  long status = 0;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (url != NULL, NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);

  TESSERA_ASSERT_WORKER_THREAD ();

  body = g_byte_array_new ();
  transfer = (Transfer){ self->easy, body, self->limits.max_bytes, cancellable, FALSE, TRUE, 0 };

  if ((request_headers = build_request_headers (ACCEPT_JSON, headers, error)) == NULL)
    return NULL;
  result = configure_transfer (self, url, request_headers, &transfer);
  if (result == CURLE_OK)
    result = curl_easy_perform (self->easy);
  if (result == CURLE_OK
      && curl_easy_getinfo (self->easy, CURLINFO_RESPONSE_CODE, &status) != CURLE_OK)
    result = CURLE_WEIRD_SERVER_REPLY;
  if (result != CURLE_OK)
    {
      fail_from_curl (self, result, &transfer, NULL, error);
      return NULL;
    }

  response = g_new0 (TesseraResponse, 1);
  response->status = status;
  response->body = g_byte_array_free_to_bytes (g_steal_pointer (&body));
  /* The handle still points at the list when it goes, unused: every transfer resets it. */
  response->headers = collect_headers (self->easy);
  return response;
}
