/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-cache.c: the disk cache: entries, freshness, revalidation, eviction, sharing */

#define G_LOG_DOMAIN "test-cache"

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <utime.h>

#include "tessera-engine.h"
#include "tessera-gallery.h"
#include "tessera-http-cache.h"
#include "tessera-original.h"
#include "tessera-test-server.h"
#include "tessera-test-util.h"

#define ENTRY_BYTES 10000

/* The cache blocks on the disk, so the engine refuses it on the main thread: tests call it
 * from a thread of their own. */
typedef struct
{
  TesseraCache *cache;
  TesseraCacheEntry *entry; /* to store, or what a lookup found */
  const char *url;
} CacheCall;

static gpointer
store_in_thread (gpointer data)
{
  CacheCall *call = data;
  g_autoptr (GError) error = NULL;

  g_assert_true (tessera_cache_store (call->cache, call->entry, &error));
  g_assert_no_error (error);
  return NULL;
}

static gpointer
lookup_in_thread (gpointer data)
{
  CacheCall *call = data;

  call->entry = tessera_cache_lookup (call->cache, call->url);
  return NULL;
}

static void
store (TesseraCache *cache, const char *url, GBytes *body, GHashTable *headers)
{
  g_autoptr (TesseraCacheEntry) entry
      = tessera_cache_entry_new (url, g_get_real_time () / G_USEC_PER_SEC, headers, body);
  CacheCall call = { cache, entry, NULL };

  g_thread_join (g_thread_new ("store", store_in_thread, &call));
}

static TesseraCacheEntry *
lookup (TesseraCache *cache, const char *url)
{
  CacheCall call = { cache, NULL, url };

  g_thread_join (g_thread_new ("lookup", lookup_in_thread, &call));
  return call.entry;
}

static GBytes *
make_body (guint seed)
{
  guint8 *data = g_malloc (ENTRY_BYTES);

  for (guint i = 0; i < ENTRY_BYTES; i++)
    data[i] = (guint8) (i * 31 + seed);
  return g_bytes_new_take (data, ENTRY_BYTES);
}

/* The one entry file in the cache's folder. */
static char *
only_entry_path (TesseraCache *cache)
{
  const char *dir_path = tessera_cache_get_dir (cache);
  g_autoptr (GDir) dir = g_dir_open (dir_path, 0, NULL);
  const char *name;
  char *found = NULL;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_assert_null (found);
      found = g_build_filename (dir_path, name, NULL);
    }
  g_assert_nonnull (found);
  return found;
}

static GHashTable *
headers_new (void)
{
  return g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

static void
set_header (GHashTable *headers, const char *name, const char *value)
{
  g_hash_table_insert (headers, g_strdup (name), g_strdup (value));
}

/* What goes in comes out: body, URL, time and the headers kept. */
static void
test_store_and_lookup (void)
{
  g_autoptr (TesseraCache) cache = tessera_test_cache_new ();
  g_autoptr (GBytes) body = make_body (1);
  g_autoptr (GHashTable) headers = headers_new ();
  g_autoptr (TesseraCacheEntry) entry = NULL;

  set_header (headers, "etag", "\"v1\"");
  store (cache, "https://example.com/a.jpg", body, headers);

  entry = lookup (cache, "https://example.com/a.jpg");
  g_assert_nonnull (entry);
  g_assert_cmpstr (entry->url, ==, "https://example.com/a.jpg");
  g_assert_true (g_bytes_equal (entry->body, body));
  g_assert_cmpstr (g_hash_table_lookup (entry->headers, "etag"), ==, "\"v1\"");
  g_assert_null (lookup (cache, "https://example.com/b.jpg"));
}

typedef struct
{
  TesseraCache *cache;
  TesseraCacheEntry *entry;
  gboolean stored;
  GError *error;
} StoreCall;

static gpointer
try_store_in_thread (gpointer data)
{
  StoreCall *call = data;

  call->stored = tessera_cache_store (call->cache, call->entry, &call->error);
  return NULL;
}

/* What cannot be kept is refused without an error, and nothing is written: a cache of
 * size 0, and a head too long to read back (one that would be discarded on every read,
 * and so downloaded on every visit). */
static void
test_not_kept (void)
{
  g_autoptr (TesseraCache) cache = tessera_test_cache_new ();
  g_autoptr (GBytes) body = make_body (3);
  g_autoptr (GHashTable) headers = headers_new ();
  g_autofree char *long_value = g_strnfill (TESSERA_CACHE_MAX_HEAD_BYTES, 'a');
  g_autoptr (TesseraCacheEntry) entry = NULL;
  StoreCall call = { cache, NULL, TRUE, NULL };

  set_header (headers, "etag", long_value);
  entry = tessera_cache_entry_new ("https://example.com/long.jpg", 0, headers, body);
  call.entry = entry;
  g_thread_join (g_thread_new ("store", try_store_in_thread, &call));
  g_assert_false (call.stored);
  g_assert_no_error (call.error);

  g_hash_table_remove_all (headers);
  g_clear_pointer (&entry, tessera_cache_entry_free);
  entry = tessera_cache_entry_new ("https://example.com/short.jpg", 0, headers, body);
  call.entry = entry;
  tessera_cache_set_max_bytes (cache, 0);
  g_thread_join (g_thread_new ("store", try_store_in_thread, &call));
  g_assert_false (call.stored);
  g_assert_no_error (call.error);
  g_assert_cmpuint (tessera_test_count_files (tessera_cache_get_dir (cache)), ==, 0);
}

/* A cut-short or garbled entry is never used: it is removed and the lookup misses. */
static void
test_broken_entry_discarded (void)
{
  g_autoptr (TesseraCache) cache = tessera_test_cache_new ();
  g_autoptr (GBytes) body = make_body (2);
  g_autofree char *path = NULL;
  g_autofree char *contents = NULL;
  gsize len = 0;

  store (cache, "https://example.com/cut.jpg", body, NULL);
  path = only_entry_path (cache);
  g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
  g_assert_true (g_file_set_contents (path, contents, (gssize) len - 1, NULL));
  g_assert_null (lookup (cache, "https://example.com/cut.jpg"));
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));

  store (cache, "https://example.com/cut.jpg", body, NULL);
  contents[len - 100] ^= 0x55;
  g_assert_true (g_file_set_contents (path, contents, (gssize) len, NULL));
  g_assert_null (lookup (cache, "https://example.com/cut.jpg"));
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
}

typedef struct
{
  TesseraCache *cache;
  guint64 max_bytes;
} TrimCall;

static gpointer
trim_in_thread (gpointer data)
{
  TrimCall *call = data;

  tessera_cache_trim (call->cache, call->max_bytes);
  return NULL;
}

/* Marks the entry for @url as last used @hours_ago. Tests only: the file's name is the
 * URL's SHA-256. */
static void
date_entry (TesseraCache *cache, const char *url, guint hours_ago)
{
  g_autofree char *name = g_compute_checksum_for_string (G_CHECKSUM_SHA256, url, -1);
  g_autofree char *path = g_build_filename (tessera_cache_get_dir (cache), name, NULL);
  struct utimbuf times;

  times.actime = times.modtime = g_get_real_time () / G_USEC_PER_SEC - 3600 * (gint64) hours_ago;
  g_assert_cmpint (g_utime (path, &times), ==, 0);
}

/* Over the cap, the least recently used entries go first: a lookup counts as a use. */
static void
test_trim_least_recently_used (void)
{
  g_autoptr (TesseraCache) cache = tessera_test_cache_new ();
  g_autoptr (TesseraCacheEntry) used = NULL;
  TrimCall call = { cache, 0 };

  for (guint i = 0; i < 5; i++)
    {
      g_autofree char *url = g_strdup_printf ("https://example.com/%u.jpg", i);
      g_autoptr (GBytes) body = make_body (i);

      store (cache, url, body, NULL);
      /* 0 is the oldest, 4 the newest. */
      date_entry (cache, url, 10 - i);
    }
  /* 0 is used now. */
  used = lookup (cache, "https://example.com/0.jpg");
  g_assert_nonnull (used);

  /* Room for three entries of the same size (their heads differ by a digit at most). */
  call.max_bytes = 3 * (ENTRY_BYTES + 400);
  g_thread_join (g_thread_new ("trim", trim_in_thread, &call));
  g_assert_cmpuint (tessera_test_count_files (tessera_cache_get_dir (cache)), ==, 3);
  for (guint i = 0; i < 5; i++)
    {
      g_autofree char *url = g_strdup_printf ("https://example.com/%u.jpg", i);
      g_autoptr (TesseraCacheEntry) entry = lookup (cache, url);

      /* 1 and 2 were the least recently used. */
      if (i == 1 || i == 2)
        g_assert_null (entry);
      else
        g_assert_nonnull (entry);
    }
}

/* Freshness from the headers, as RFC 9111 computes it for a private cache. */
static void
test_freshness (void)
{
  static const struct
  {
    const char *control;
    const char *expires;
    const char *last_modified;
    const char *age;
    gint64 lifetime; /* from the response time */
  } cases[] = {
    { "max-age=600", NULL, NULL, NULL, 600 },
    { "public, max-age=\"60\"", NULL, NULL, NULL, 60 },
    { "max-age=600", NULL, NULL, "100", 500 },
    { "max-age=600", "Thu, 01 Jan 1970 00:00:00 GMT", NULL, NULL, 600 },
    { "no-cache, max-age=600", NULL, NULL, NULL, G_MININT64 },
    { NULL, "0", NULL, NULL, G_MININT64 },
    /* Nine days since modified: a tenth of it. */
    { NULL, NULL, "Sun, 01 Nov 2026 00:00:00 GMT", NULL, 77760 },
    { NULL, NULL, NULL, NULL, TESSERA_HTTP_CACHE_DEFAULT_S },
  };
  /* Tue, 10 Nov 2026 00:00:00 GMT: the response's Date, and when it came. */
  const gint64 date = 1794268800;

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GHashTable) headers = headers_new ();
      g_autoptr (GBytes) body = g_bytes_new_static ("x", 1);
      g_autoptr (TesseraCacheEntry) entry = NULL;
      gint64 fresh_until;

      set_header (headers, "date", "Tue, 10 Nov 2026 00:00:00 GMT");
      if (cases[i].control)
        set_header (headers, "cache-control", cases[i].control);
      if (cases[i].expires)
        set_header (headers, "expires", cases[i].expires);
      if (cases[i].last_modified)
        set_header (headers, "last-modified", cases[i].last_modified);
      if (cases[i].age)
        set_header (headers, "age", cases[i].age);
      entry = tessera_cache_entry_new ("https://h/x", date, headers, body);
      fresh_until = tessera_http_cache_fresh_until (entry);
      g_test_message ("case %" G_GSIZE_FORMAT ": fresh until %" G_GINT64_FORMAT, i, fresh_until);
      if (cases[i].lifetime == G_MININT64)
        g_assert_cmpint (fresh_until, <=, date);
      else
        g_assert_cmpint (fresh_until, ==, date + cases[i].lifetime);
    }
}

/* no-store is never stored; Vary: * neither. */
static void
test_storable (void)
{
  g_autoptr (GHashTable) headers = headers_new ();

  g_assert_true (tessera_http_cache_is_storable (headers));
  set_header (headers, "cache-control", "private, No-Store");
  g_assert_false (tessera_http_cache_is_storable (headers));
  set_header (headers, "cache-control", "max-age=60");
  set_header (headers, "vary", "*");
  g_assert_false (tessera_http_cache_is_storable (headers));
}

/* Starts loading @urls in a new gallery (transfer full) over a new loader with @cache. */
static TesseraGallery *
start_loading (TesseraCache *cache, GPtrArray *urls)
{
  g_autoptr (TesseraLoader) loader = tessera_test_loader_new (4);
  TesseraGallery *gallery;

  tessera_loader_set_cache (loader, cache);
  gallery = tessera_gallery_new (loader);
  tessera_gallery_add_uris (gallery, (const char *const *) urls->pdata, urls->len, NULL);
  return gallery;
}

/* Waits for every tile of @gallery to load; none may fail. */
static void
wait_all_loaded (TesseraGallery *gallery, GPtrArray *urls)
{
  g_assert_true (tessera_test_wait_for_gallery (gallery, 30000));
  g_assert_cmpuint (tessera_gallery_get_n_failed (gallery), ==, 0);
  g_assert_cmpuint (tessera_gallery_get_n_finished (gallery), ==, urls->len);
}

/* Loads @urls in a new gallery over a new loader with @cache; every tile must load. */
static void
load_all (TesseraCache *cache, GPtrArray *urls)
{
  g_autoptr (TesseraGallery) gallery = start_loading (cache, urls);

  wait_all_loaded (gallery, urls);
}

/* @n images of @server with the query @query ("cc=max-age%3D3600"). */
static GPtrArray *
image_urls (TesseraTestServer *server, guint n, const char *query)
{
  GPtrArray *urls = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *path = g_strdup_printf ("/img/c%u.png?seed=%u&%s", i, i, query);

      g_ptr_array_add (urls, tessera_test_server_url (server, path));
    }
  return urls;
}

/* The second visit of fresh entries makes no request at all. */
static void
test_fresh_no_request (void)
{
  g_autoptr (TesseraTestServer) server = tessera_test_server_new ();
  g_autoptr (TesseraCache) cache = tessera_test_cache_new ();
  g_autoptr (GPtrArray) urls = image_urls (server, 20, "cc=max-age%3D3600");

  load_all (cache, urls);
  g_assert_cmpuint (tessera_test_server_get_requests (server), ==, 20);
  load_all (cache, urls);
  g_assert_cmpuint (tessera_test_server_get_requests (server), ==, 20);
}

/* A stale entry is asked about with its validator; a 304 keeps it, with no body sent. */
static void
test_stale_revalidated (void)
{
  g_autoptr (TesseraTestServer) server = tessera_test_server_new ();
  g_autoptr (TesseraCache) cache = tessera_test_cache_new ();
  g_autoptr (GPtrArray) by_etag = image_urls (server, 3, "cc=no-cache&etag=v1");
  g_autoptr (GPtrArray) by_date = image_urls (server, 3, "cc=max-age%3D0&lm");

  g_ptr_array_extend_and_steal (by_etag, g_steal_pointer (&by_date));
  load_all (cache, by_etag);
  g_assert_cmpuint (tessera_test_server_get_requests (server), ==, 6);
  g_assert_cmpuint (tessera_test_server_get_not_modified (server), ==, 0);

  load_all (cache, by_etag);
  g_assert_cmpuint (tessera_test_server_get_requests (server), ==, 12);
  g_assert_cmpuint (tessera_test_server_get_not_modified (server), ==, 6);
}

/* Offline, a stale entry still shows, unless the server said no-cache; a server that
 * cannot be reached is not a server that said no. */
static void
test_offline_uses_stale (void)
{
  TesseraTestServer *server = tessera_test_server_new ();
  g_autoptr (TesseraCache) cache = tessera_test_cache_new ();
  g_autoptr (GPtrArray) stale = image_urls (server, 2, "cc=max-age%3D0&etag=v1");
  g_autoptr (GPtrArray) no_cache = image_urls (server, 1, "cc=no-cache&etag=v1");
  g_autoptr (TesseraGallery) gallery = NULL;

  load_all (cache, stale);
  load_all (cache, no_cache);
  tessera_test_server_free (server);

  load_all (cache, stale);
  gallery = start_loading (cache, no_cache);
  g_assert_true (tessera_test_wait_for_gallery (gallery, 30000));
  g_assert_cmpuint (tessera_gallery_get_n_failed (gallery), ==, 1);
}

/* A stale entry whose revalidation says the image is gone is dropped, so nothing shows
 * it again (not even a picture decoded again from the cache). */
static void
test_gone_drops_entry (void)
{
  g_autoptr (TesseraTestServer) server = tessera_test_server_new ();
  g_autoptr (TesseraCache) cache = tessera_test_cache_new ();
  g_autofree char *url = tessera_test_server_url (server, "/vanish/1/gone?cc=max-age%3D0");
  g_autoptr (GPtrArray) urls = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (TesseraGallery) gallery = NULL;

  g_ptr_array_add (urls, g_steal_pointer (&url));
  load_all (cache, urls);
  g_assert_cmpuint (tessera_test_count_files (tessera_cache_get_dir (cache)), ==, 1);

  gallery = start_loading (cache, urls);
  g_assert_true (tessera_test_wait_for_gallery (gallery, 30000));
  g_assert_cmpuint (tessera_gallery_get_n_failed (gallery), ==, 1);
  g_assert_cmpuint (tessera_test_count_files (tessera_cache_get_dir (cache)), ==, 0);
}

/* no-store answers are used once and never written. */
static void
test_no_store (void)
{
  g_autoptr (TesseraTestServer) server = tessera_test_server_new ();
  g_autoptr (TesseraCache) cache = tessera_test_cache_new ();
  g_autoptr (GPtrArray) urls = image_urls (server, 3, "cc=no-store");

  load_all (cache, urls);
  load_all (cache, urls);
  g_assert_cmpuint (tessera_test_server_get_requests (server), ==, 6);
  g_assert_cmpuint (tessera_test_count_files (tessera_cache_get_dir (cache)), ==, 0);
}

/* A garbled entry is fetched again, and the new one is sound. */
static void
test_corrupt_refetched (void)
{
  g_autoptr (TesseraTestServer) server = tessera_test_server_new ();
  g_autoptr (TesseraCache) cache = tessera_test_cache_new ();
  g_autoptr (GPtrArray) urls = image_urls (server, 1, "cc=max-age%3D3600");
  g_autofree char *path = NULL;
  g_autofree char *contents = NULL;
  gsize len = 0;

  load_all (cache, urls);
  path = only_entry_path (cache);
  g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
  contents[len - 1] ^= 0x55;
  g_assert_true (g_file_set_contents (path, contents, (gssize) len, NULL));

  load_all (cache, urls);
  g_assert_cmpuint (tessera_test_server_get_requests (server), ==, 2);
  load_all (cache, urls);
  g_assert_cmpuint (tessera_test_server_get_requests (server), ==, 2);
}

/* Two instances on one cache folder at once, each writing the same entries: both load
 * everything, no temporary file is left, and every entry is whole afterwards. */
static void
test_two_instances (void)
{
  g_autoptr (TesseraTestServer) server = tessera_test_server_new ();
  g_autoptr (TesseraCache) first_cache = tessera_test_cache_new ();
  g_autoptr (TesseraCache) second_cache = NULL;
  g_autoptr (TesseraGallery) first = NULL;
  g_autoptr (TesseraGallery) second = NULL;
  g_autoptr (GPtrArray) urls = image_urls (server, 40, "cc=max-age%3D3600");

  second_cache
      = tessera_cache_new (tessera_cache_get_dir (first_cache), TESSERA_CACHE_DEFAULT_MAX_BYTES);
  first = start_loading (first_cache, urls);
  second = start_loading (second_cache, urls);
  wait_all_loaded (first, urls);
  wait_all_loaded (second, urls);

  g_assert_cmpuint (tessera_test_count_files (tessera_cache_get_dir (first_cache)), ==, urls->len);
  for (guint i = 0; i < urls->len; i++)
    {
      g_autoptr (TesseraCacheEntry) entry = lookup (second_cache, urls->pdata[i]);

      g_assert_nonnull (entry);
    }
  tessera_test_server_reset_counters (server);
  load_all (first_cache, urls);
  g_assert_cmpuint (tessera_test_server_get_requests (server), ==, 0);
}

/* Copy Image's full picture comes from the cache, with no download. */
static void
test_original_from_cache (void)
{
  g_autoptr (TesseraTestServer) server = tessera_test_server_new ();
  g_autoptr (TesseraCache) cache = tessera_test_cache_new ();
  g_autoptr (GPtrArray) urls = image_urls (server, 1, "w=300&h=200&cc=no-cache");
  g_autoptr (TesseraLoader) loader = tessera_test_loader_new (1);
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GdkTexture) texture = NULL;
  g_autoptr (GError) error = NULL;

  load_all (cache, urls);
  tessera_loader_set_cache (loader, cache);
  tessera_original_decode_async (loader, urls->pdata[0], NULL, tessera_test_store_result, &result);
  g_assert_true (tessera_test_wait_for_result (&result, 10000));
  texture = tessera_original_decode_finish (result, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gdk_texture_get_width (texture), ==, 300);
  g_assert_cmpint (gdk_texture_get_height (texture), ==, 200);
  /* Stale (no-cache), yet shown already: no request, not even a conditional one. */
  g_assert_cmpuint (tessera_test_server_get_requests (server), ==, 1);
}

int
main (int argc, char *argv[])
{
  tessera_engine_init ();
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/cache/store-and-lookup", test_store_and_lookup);
  g_test_add_func ("/cache/broken-entry-discarded", test_broken_entry_discarded);
  g_test_add_func ("/cache/not-kept", test_not_kept);
  g_test_add_func ("/cache/trim-least-recently-used", test_trim_least_recently_used);
  g_test_add_func ("/cache/freshness", test_freshness);
  g_test_add_func ("/cache/storable", test_storable);
  g_test_add_func ("/cache/fresh-no-request", test_fresh_no_request);
  g_test_add_func ("/cache/stale-revalidated", test_stale_revalidated);
  g_test_add_func ("/cache/no-store", test_no_store);
  g_test_add_func ("/cache/offline-uses-stale", test_offline_uses_stale);
  g_test_add_func ("/cache/gone-drops-entry", test_gone_drops_entry);
  g_test_add_func ("/cache/corrupt-refetched", test_corrupt_refetched);
  g_test_add_func ("/cache/two-instances", test_two_instances);
  g_test_add_func ("/cache/original-from-cache", test_original_from_cache);

  return g_test_run ();
}
