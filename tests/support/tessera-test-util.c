/* SPDX-License-Identifier: GPL-3.0-or-later */
/* tessera-test-util.c: what the tests share: waiting, limits, folders and the Imgur fixtures */

#define G_LOG_DOMAIN "tessera-test-util"

#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include <cjson/cJSON.h>
#include <glib/gstdio.h>

#include "tessera-test-util.h"

#define HOT_PAGE   "gallery-hot-viral-page0-anonymous-2014-03.json"
#define NEXT_PAGE  "own-gallery-newer-shapes-nsfw.json"
#define EMPTY_PAGE "own-gallery-empty-page.json"
#define ALBUM      "gallery-album-single-42-images-2014-03.json"
#define RATE_LIMIT_HEADERS                                                                         \
  "X-RateLimit-ClientLimit: 12500\r\nX-RateLimit-ClientRemaining: 12000\r\n"                       \
  "X-RateLimit-UserLimit: 2000\r\nX-RateLimit-UserRemaining: 1990\r\n"

void
tessera_test_outcome_clear (TesseraTestOutcome *outcome)
{
  g_clear_object (&outcome->texture);
  g_clear_pointer (&outcome->label, g_free);
}

void
tessera_test_record_outcome (const TesseraLoadResult *result, gpointer user_data)
{
  TesseraTestOutcome *outcome = user_data;

  outcome->delivered = TRUE;
  outcome->n_deliveries++;
  outcome->finished_us = g_get_monotonic_time ();
  g_set_object (&outcome->texture, result->texture);
  if (result->error != NULL)
    {
      outcome->error_domain = result->error->domain;
      outcome->error_code = result->error->code;
      g_free (outcome->label);
      outcome->label = g_strdup (result->label);
    }
}

/* Wakes the blocking iteration now and then, for conditions that change on other threads. */
#define WAIT_POLL_MS 10

static gboolean
keep_polling (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

guint
tessera_test_slowdown (void)
{
  const char *text = g_getenv ("TESSERA_TEST_SLOWDOWN");
  guint64 factor = 1;

  if (text != NULL && !g_ascii_string_to_unsigned (text, 10, 1, G_MAXUINT16, &factor, NULL))
    g_error ("TESSERA_TEST_SLOWDOWN must be a whole number from 1: “%s”", text);
  return factor;
}

gboolean
tessera_test_wait_until (gboolean (*condition) (gpointer data), gpointer data, guint timeout_ms)
{
  guint limit_ms = timeout_ms * tessera_test_slowdown ();
  gint64 deadline = g_get_monotonic_time () + (gint64) limit_ms * G_TIME_SPAN_MILLISECOND;
  guint poll_id = g_timeout_add (WAIT_POLL_MS, keep_polling, NULL);
  gboolean held = TRUE;

  /* Blocking iterations let every priority run, idle deliveries included; a busy-wait of
   * non-blocking ones starves them behind any always-ready source. */
  while (!condition (data))
    {
      if (g_get_monotonic_time () > deadline)
        {
          g_test_message ("Waited %u ms (%u ms times a slow-down of %u); the condition never held",
                          limit_ms, timeout_ms, tessera_test_slowdown ());
          held = FALSE;
          break;
        }
      g_main_context_iteration (NULL, TRUE);
    }
  g_source_remove (poll_id);
  return held;
}

static gboolean
gallery_is_done (gpointer gallery)
{
  return tessera_gallery_is_done (gallery);
}

gboolean
tessera_test_wait_for_gallery (TesseraGallery *gallery, guint timeout_ms)
{
  g_return_val_if_fail (TESSERA_IS_GALLERY (gallery), FALSE);

  return tessera_test_wait_until (gallery_is_done, gallery, timeout_ms);
}

void
tessera_test_store_result (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GAsyncResult **out = user_data;

  g_assert_null (*out);
  *out = g_object_ref (result);
}

static gboolean
has_result (gpointer data)
{
  return *(GAsyncResult **) data != NULL;
}

gboolean
tessera_test_wait_for_result (GAsyncResult **result, guint timeout_ms)
{
  g_return_val_if_fail (result != NULL, FALSE);

  return tessera_test_wait_until (has_result, result, timeout_ms);
}

static gboolean
outcome_is_delivered (gpointer outcome)
{
  return ((TesseraTestOutcome *) outcome)->delivered;
}

static gboolean
all_delivered (gpointer data)
{
  GArray *outcomes = data;

  for (guint i = 0; i < outcomes->len; i++)
    if (!g_array_index (outcomes, TesseraTestOutcome, i).delivered)
      return FALSE;
  return TRUE;
}

gboolean
tessera_test_wait_for_outcomes (GArray *outcomes, guint timeout_ms)
{
  return tessera_test_wait_until (all_delivered, outcomes, timeout_ms);
}

gboolean
tessera_test_wait_for_outcome (TesseraTestOutcome *outcome, guint timeout_ms)
{
  g_return_val_if_fail (outcome != NULL, FALSE);

  return tessera_test_wait_until (outcome_is_delivered, outcome, timeout_ms);
}

typedef struct
{
  TesseraTestServer *server;
  guint n;
} InFlight;

static gboolean
in_flight_is (gpointer data)
{
  InFlight *wanted = data;

  return tessera_test_server_get_in_flight (wanted->server) == wanted->n;
}

gboolean
tessera_test_wait_for_in_flight (TesseraTestServer *server, guint n, guint timeout_ms)
{
  InFlight wanted = { server, n };

  g_return_val_if_fail (server != NULL, FALSE);

  return tessera_test_wait_until (in_flight_is, &wanted, timeout_ms);
}

void
tessera_test_fast_limits (TesseraFetchLimits *limits)
{
  tessera_fetch_limits_init (limits);
  limits->connect_timeout_s = 2;
  limits->low_speed_time_s = 2;
  limits->total_timeout_s = 20;
  limits->max_bytes = 4u * 1024u * 1024u;
  limits->retry_after_cap_s = 1;
}

TesseraLoader *
tessera_test_loader_new (guint n_jobs)
{
  TesseraFetchLimits limits;

  tessera_test_fast_limits (&limits);
  return tessera_loader_new (n_jobs, &limits);
}

TesseraCache *
tessera_test_cache_new (void)
{
  g_autoptr (GError) error = NULL;
  char *dir = g_dir_make_tmp ("tessera-cache-XXXXXX", &error);
  TesseraCache *cache;

  g_assert_no_error (error);
  cache = tessera_cache_new (dir, TESSERA_CACHE_DEFAULT_MAX_BYTES);
  /* Run last first: the tree goes, then its name. */
  g_test_queue_free (dir);
  g_test_queue_destroy ((GDestroyNotify) tessera_test_remove_tree, dir);
  return cache;
}

const char *
tessera_test_imgur_fixtures (void)
{
  const char *dir = g_getenv ("TESSERA_IMGUR_FIXTURES");

  g_assert_nonnull (dir);
  return dir;
}

/* Every album of the captured hot page answers with the captured album. */
static void
serve_albums (TesseraTestServer *server, const char *page_path, const char *album_path,
              const char *authorization)
{
  g_autofree char *json = NULL;
  gsize len = 0;
  cJSON *root;
  const cJSON *item;

  g_assert_true (g_file_get_contents (page_path, &json, &len, NULL));
  root = cJSON_ParseWithLength (json, len);
  g_assert_nonnull (root);
  cJSON_ArrayForEach (item, cJSON_GetObjectItemCaseSensitive (root, "data"))
  {
    const cJSON *id = cJSON_GetObjectItemCaseSensitive (item, "id");
    g_autofree char *path = NULL;

    if (!cJSON_IsTrue (cJSON_GetObjectItemCaseSensitive (item, "is_album")) || !cJSON_IsString (id))
      continue;
    path = g_strdup_printf ("/3/gallery/album/%s", id->valuestring);
    tessera_test_server_add_fixture (server, path, album_path, 200, RATE_LIMIT_HEADERS,
                                     authorization);
  }
  cJSON_Delete (root);
}

void
tessera_test_serve_imgur (TesseraTestServer *server, const char *fixtures_dir,
                          const char *client_id)
{
  g_autofree char *authorization = g_strdup_printf ("Client-ID %s", client_id);
  const char *const pages[] = { HOT_PAGE, NEXT_PAGE, EMPTY_PAGE };

  for (guint i = 0; i < G_N_ELEMENTS (pages); i++)
    {
      g_autofree char *path = g_strdup_printf ("/3/gallery/hot/viral/day/%u", i);
      g_autofree char *file = g_build_filename (fixtures_dir, pages[i], NULL);

      tessera_test_server_add_fixture (server, path, file, 200, RATE_LIMIT_HEADERS, authorization);
    }
  {
    g_autofree char *hot = g_build_filename (fixtures_dir, HOT_PAGE, NULL);
    g_autofree char *album = g_build_filename (fixtures_dir, ALBUM, NULL);

    serve_albums (server, hot, album, authorization);
  }
}

TesseraGallery *
tessera_test_gallery_new (void)
{
  g_autoptr (TesseraLoader) loader = tessera_test_loader_new (4);

  return tessera_gallery_new (loader);
}

GStrv
tessera_test_add_mixed_urls (TesseraGallery *gallery, TesseraTestServer *server)
{
  const char *const paths[] = { "/img/a.png", "/status/404", "/page.html" };
  GStrv urls = g_new0 (char *, G_N_ELEMENTS (paths) + 1);

  for (gsize i = 0; i < G_N_ELEMENTS (paths); i++)
    urls[i] = tessera_test_server_url (server, paths[i]);
  tessera_gallery_add_uris (gallery, (const char *const *) urls, G_N_ELEMENTS (paths), NULL);
  return urls;
}

char *
tessera_test_write_file (const char *dir, const char *name, GBytes *bytes)
{
  char *path = g_build_filename (dir, name, NULL);

  g_assert_true (g_file_set_contents (path, g_bytes_get_data (bytes, NULL),
                                      (gssize) g_bytes_get_size (bytes), NULL));
  return path;
}

guint
tessera_test_count_files (const char *path)
{
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  guint n = 0;

  while (dir != NULL && g_dir_read_name (dir) != NULL)
    n++;
  return n;
}

static int
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

char *
tessera_test_join_sorted (GPtrArray *names)
{
  g_autoptr (GPtrArray) sorted = g_ptr_array_new ();

  for (guint i = 0; i < names->len; i++)
    g_ptr_array_add (sorted, names->pdata[i]);
  g_ptr_array_sort (sorted, compare_names);
  g_ptr_array_add (sorted, NULL);
  return g_strjoinv ("|", (char **) sorted->pdata);
}

char *
tessera_test_list_folder (const char *path)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GDir) dir = g_dir_open (path, 0, &error);
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  g_assert_no_error (error);
  while ((name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  return tessera_test_join_sorted (names);
}

void
tessera_test_remove_tree (const char *path)
{
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);
      GStatBuf info;

      if (g_lstat (child, &info) == 0 && S_ISDIR (info.st_mode))
        tessera_test_remove_tree (child);
      else if (g_unlink (child) != 0)
        g_test_message ("Cannot remove %s: %s", child, g_strerror (errno));
    }
  if (g_rmdir (path) != 0)
    g_test_message ("Cannot remove %s: %s", path, g_strerror (errno));
}
