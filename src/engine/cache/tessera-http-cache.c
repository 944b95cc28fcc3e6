/* SPDX-License-Identifier: GPL-3.0-or-later */
/* tessera-http-cache.c: freshness, validators and revalidation, as a private cache does it */

#define G_LOG_DOMAIN "tessera-cache"

#include "config.h"

#include <string.h>

#include <curl/curl.h>

#include "tessera-engine.h"
#include "tessera-error.h"
#include "tessera-http-cache.h"

/* What an entry keeps of a response's headers: what freshness and revalidation need. */
static const char *const kept_headers[] = {
  "cache-control", "expires", "date", "age", "etag", "last-modified", "pragma", "content-type",
};

typedef struct
{
  gboolean no_store;
  gboolean no_cache;
  gboolean must_revalidate;
  gint64 max_age; /* seconds; -1 when not given */
} CacheControl;

static gint64
unix_now (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

/* An HTTP date (any of the three forms) in seconds since the epoch, or -1. */
static gint64
parse_http_date (const char *value)
{
  return value != NULL ? (gint64) curl_getdate (value, NULL) : -1;
}

static CacheControl
parse_cache_control (GHashTable *headers)
{
  const char *value = g_hash_table_lookup (headers, "cache-control");
  const char *pragma = g_hash_table_lookup (headers, "pragma");
  CacheControl control = { FALSE, FALSE, FALSE, -1 };
  g_auto (GStrv) directives = NULL;

  /* HTTP/1.0's way of saying no-cache counts only where Cache-Control is absent. */
  if (value == NULL)
    {
      control.no_cache = pragma != NULL && strstr (pragma, "no-cache") != NULL;
      return control;
    }
  directives = g_strsplit (value, ",", -1);
  for (guint i = 0; directives[i] != NULL; i++)
    {
      char *directive = g_strstrip (directives[i]);
      char *argument = strchr (directive, '=');
      gint64 seconds;

      if (argument != NULL)
        *argument++ = '\0';
      if (g_ascii_strcasecmp (directive, "no-store") == 0)
        control.no_store = TRUE;
      else if (g_ascii_strcasecmp (directive, "no-cache") == 0)
        control.no_cache = TRUE;
      else if (g_ascii_strcasecmp (directive, "must-revalidate") == 0)
        control.must_revalidate = TRUE;
      else if (g_ascii_strcasecmp (directive, "max-age") == 0 && argument != NULL
               && g_ascii_string_to_signed (g_strstrip (g_strdelimit (argument, "\"", ' ')), 10, 0,
                                            G_MAXINT32, &seconds, NULL))
        control.max_age = seconds;
    }
  return control;
}

gboolean
tessera_http_cache_is_storable (GHashTable *headers)
{
  const char *vary;

  g_return_val_if_fail (headers != NULL, FALSE);

  vary = g_hash_table_lookup (headers, "vary");
  return !parse_cache_control (headers).no_store && (vary == NULL || strchr (vary, '*') == NULL);
}

/* Seconds a response may be used, counted from the Date it was made. */
static gint64
freshness_lifetime (GHashTable *headers, const CacheControl *control, gint64 date)
{
  const char *expires = g_hash_table_lookup (headers, "expires");
  gint64 last_modified = parse_http_date (g_hash_table_lookup (headers, "last-modified"));

  if (control->max_age >= 0)
    return control->max_age;
  /* An Expires that is not a date ("0") means already expired. */
  if (expires != NULL)
    return parse_http_date (expires) - date;
  if (last_modified >= 0 && last_modified <= date)
    return MIN ((date - last_modified) / 100 * TESSERA_HTTP_CACHE_HEURISTIC_PERCENT,
                TESSERA_HTTP_CACHE_HEURISTIC_MAX_S);
  return TESSERA_HTTP_CACHE_DEFAULT_S;
}

gint64
tessera_http_cache_fresh_until (const TesseraCacheEntry *entry)
{
  const char *age_value;
  CacheControl control;
  gint64 date, age = 0, initial_age;

  g_return_val_if_fail (entry != NULL, 0);

  control = parse_cache_control (entry->headers);
  if (control.no_cache)
    return 0;
  date = parse_http_date (g_hash_table_lookup (entry->headers, "date"));
  if (date < 0)
    date = entry->response_time;
  age_value = g_hash_table_lookup (entry->headers, "age");
  if (age_value == NULL || !g_ascii_string_to_signed (age_value, 10, 0, G_MAXINT32, &age, NULL))
    age = 0;
  /* How old it was when it came: by the clocks' difference, or by what the caches on the way
   * said, whichever is more. */
  initial_age = MAX (MAX (entry->response_time - date, 0), age);
  return entry->response_time + freshness_lifetime (entry->headers, &control, date) - initial_age;
}

/* Only the names an entry keeps, as they are in @headers. */
static GHashTable *
kept_subset (GHashTable *headers)
{
  GHashTable *subset = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  for (gsize i = 0; i < G_N_ELEMENTS (kept_headers); i++)
    {
      const char *value = g_hash_table_lookup (headers, kept_headers[i]);

      if (value != NULL)
        g_hash_table_insert (subset, g_strdup (kept_headers[i]), g_strdup (value));
    }
  return subset;
}

/* The headers of a request that asks the server whether @entry is still good; NULL when
 * it has no validator, so it can only be fetched again. */
static GStrv
conditional_headers (const TesseraCacheEntry *entry)
{
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  const char *etag = g_hash_table_lookup (entry->headers, "etag");
  const char *last_modified = g_hash_table_lookup (entry->headers, "last-modified");

  if (etag == NULL && last_modified == NULL)
    return NULL;
  if (etag != NULL)
    {
      g_autofree char *line = g_strconcat ("If-None-Match: ", etag, NULL);
      g_strv_builder_add (builder, line);
    }
  if (last_modified != NULL)
    {
      g_autofree char *line = g_strconcat ("If-Modified-Since: ", last_modified, NULL);
      g_strv_builder_add (builder, line);
    }
  return g_strv_builder_end (builder);
}

static gboolean
store (TesseraCache *cache, const TesseraCacheEntry *entry)
{
  g_autoptr (GError) error = NULL;

  if (tessera_cache_store (cache, entry, &error))
    return TRUE;
  if (error != NULL)
    g_debug ("Not cached: %s", error->message);
  return FALSE;
}

/* A 304: the server's new headers replace the kept ones, and the entry's age starts again. */
static void
refresh_entry (TesseraCache *cache, TesseraCacheEntry *entry, GHashTable *headers)
{
  g_autoptr (GHashTable) update = kept_subset (headers);
  GHashTableIter iter;
  gpointer name, value;

  g_hash_table_iter_init (&iter, update);
  while (g_hash_table_iter_next (&iter, &name, &value))
    {
      g_hash_table_iter_steal (&iter);
      g_hash_table_replace (entry->headers, name, value);
    }
  entry->response_time = unix_now ();
  store (cache, entry);
}

/* A new answer: kept when HTTP allows, and an entry it may not replace is dropped. */
static gboolean
keep_response (TesseraCache *cache, const char *url, const TesseraResponse *response)
{
  g_autoptr (GHashTable) headers = NULL;
  g_autoptr (TesseraCacheEntry) entry = NULL;

  if (response->status != 200 || !tessera_http_cache_is_storable (response->headers))
    {
      tessera_cache_remove (cache, url);
      return FALSE;
    }
  headers = kept_subset (response->headers);
  entry = tessera_cache_entry_new (url, unix_now (), headers, response->body);
  return store (cache, entry);
}

/* Whether a stale @entry may stand in when the server cannot be reached (@error): RFC 9111
 * allows it unless the server said must-revalidate or no-cache. A refusal by the server (a
 * status) is an answer, and is never covered up. */
static gboolean
may_use_when_offline (const TesseraCacheEntry *entry, const GError *error)
{
  CacheControl control = parse_cache_control (entry->headers);

  return (g_error_matches (error, TESSERA_ERROR, TESSERA_ERROR_NETWORK)
          || g_error_matches (error, TESSERA_ERROR, TESSERA_ERROR_TIMED_OUT))
         && !control.must_revalidate && !control.no_cache;
}

/* The entry's bytes as the answer; they are in the cache. */
static TesseraResponse *
answer_from_entry (const TesseraCacheEntry *entry, gboolean *kept)
{
  TesseraResponse *response = g_new0 (TesseraResponse, 1);

  response->status = 200;
  response->body = g_bytes_ref (entry->body);
  response->headers = g_hash_table_ref (entry->headers);
  if (kept != NULL)
    *kept = TRUE;
  return response;
}

struct _TesseraHttpCacheLoad
{
  TesseraCache *cache; /* NULL: no cache */
  char *url;
  TesseraCacheEntry *entry; /* the one found; NULL when none */
  GStrv conditions;         /* for a stale entry with a validator */
  gboolean usable;          /* the entry answers without the network */
};

void
tessera_http_cache_load_free (TesseraHttpCacheLoad *load)
{
  if (load == NULL)
    return;

  g_clear_object (&load->cache);
  g_clear_pointer (&load->entry, tessera_cache_entry_free);
  g_strfreev (load->conditions);
  g_free (load->url);
  g_free (load);
}

TesseraHttpCacheLoad *
tessera_http_cache_begin (TesseraCache *cache, const char *url, TesseraCacheMode mode)
{
  TesseraHttpCacheLoad *load;

  g_return_val_if_fail (cache == NULL || TESSERA_IS_CACHE (cache), NULL);
  g_return_val_if_fail (url != NULL, NULL);

  TESSERA_ASSERT_WORKER_THREAD ();

  load = g_new0 (TesseraHttpCacheLoad, 1);
  load->url = g_strdup (url);
  if (cache == NULL || mode == TESSERA_CACHE_MODE_BYPASS)
    return load;

  load->cache = g_object_ref (cache);
  load->entry = tessera_cache_lookup (cache, url);
  if (load->entry == NULL)
    return load;
  load->usable = mode == TESSERA_CACHE_MODE_KEPT
                 || unix_now () < tessera_http_cache_fresh_until (load->entry);
  if (!load->usable)
    load->conditions = conditional_headers (load->entry);
  return load;
}

gboolean
tessera_http_cache_load_needs_fetch (const TesseraHttpCacheLoad *load)
{
  g_return_val_if_fail (load != NULL, FALSE);
  return !load->usable;
}

const char *const *
tessera_http_cache_load_get_headers (const TesseraHttpCacheLoad *load)
{
  g_return_val_if_fail (load != NULL, NULL);
  return (const char *const *) load->conditions;
}

TesseraResponse *
tessera_http_cache_finish (TesseraHttpCacheLoad *load, TesseraResponse *response, char *fetch_label,
                           GError *fetch_error, gboolean *kept, char **label, GError **error)
{
  g_autoptr (TesseraHttpCacheLoad) owned_load = load;
  g_autoptr (TesseraResponse) owned_response = response;
  g_autoptr (GError) local_error = fetch_error;
  g_autofree char *local_label = fetch_label;
  TesseraCacheEntry *entry;
  gboolean stored;

  g_return_val_if_fail (load != NULL, NULL);

  TESSERA_ASSERT_WORKER_THREAD ();

  entry = load->entry;
  if (kept != NULL)
    *kept = FALSE;
  if (load->usable)
    return answer_from_entry (entry, kept);
  if (response == NULL && entry != NULL && may_use_when_offline (entry, local_error))
    {
      g_debug ("Showing the stale copy of %s: %s", load->url, local_error->message);
      return answer_from_entry (entry, kept);
    }
  if (response == NULL)
    {
      /* The server said the image is gone (a status, a placeholder): so is the entry. */
      if (entry != NULL
          && (g_error_matches (local_error, TESSERA_ERROR, TESSERA_ERROR_HTTP)
              || g_error_matches (local_error, TESSERA_ERROR, TESSERA_ERROR_REMOVED)))
        tessera_cache_remove (load->cache, load->url);
      if (label != NULL)
        *label = g_steal_pointer (&local_label);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  if (load->cache == NULL)
    return g_steal_pointer (&owned_response);
  /* Only a conditional request, so only with an entry, gets a 304. */
  if (response->status == 304)
    {
      refresh_entry (load->cache, entry, response->headers);
      return answer_from_entry (entry, kept);
    }
  stored = keep_response (load->cache, load->url, response);
  if (kept != NULL)
    *kept = stored;
  return g_steal_pointer (&owned_response);
}
