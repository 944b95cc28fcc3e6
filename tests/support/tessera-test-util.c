/* SPDX-License-Identifier: GPL-3.0-or-later */
/* tessera-test-util.c */

#include "config.h"

#include <cjson/cJSON.h>

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

gboolean
tessera_test_wait_until (gboolean (*condition) (gpointer data), gpointer data, guint timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  guint poll_id = g_timeout_add (WAIT_POLL_MS, keep_polling, NULL);
  gboolean held = TRUE;

  /* Blocking iterations let every priority run, idle deliveries included; a busy-wait of
   * non-blocking ones starves them behind any always-ready source. */
  while (!condition (data))
    {
      if (g_get_monotonic_time () > deadline)
        {
          held = FALSE;
          break;
        }
      g_main_context_iteration (NULL, TRUE);
    }
  g_source_remove (poll_id);
  return held;
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

guint
tessera_test_count_files (const char *path)
{
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  guint n = 0;

  while (dir != NULL && g_dir_read_name (dir) != NULL)
    n++;
  return n;
}
