/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-stats.c: the --stats document a gallery's counts and tiles make */

#define G_LOG_DOMAIN "test-stats"

#include "config.h"

#include <cjson/cJSON.h>
#include <glib/gstdio.h>

#include "tessera-engine.h"
#include "tessera-stats-private.h"
#include "tessera-test-server.h"
#include "tessera-test-util.h"

static cJSON *
parse_stats (TesseraGallery *gallery)
{
  g_autofree char *json = tessera_stats_dup_json (gallery);
  cJSON *root = cJSON_Parse (json);

  g_assert_nonnull (root);
  return root;
}

static double
number_field (const cJSON *object, const char *name)
{
  const cJSON *item = cJSON_GetObjectItemCaseSensitive (object, name);

  g_assert_true (cJSON_IsNumber (item));
  return item->valuedouble;
}

static const char *
string_field (const cJSON *object, const char *name)
{
  const cJSON *item = cJSON_GetObjectItemCaseSensitive (object, name);

  g_assert_true (cJSON_IsString (item));
  return item->valuestring;
}

/* Counts and per-tile states reach the stats, failed ones with their reason. */
static void
test_counts_and_stats (void)
{
  TesseraTestServer *server = tessera_test_server_new ();
  g_autoptr (TesseraGallery) gallery = tessera_test_gallery_new ();
  g_auto (GStrv) urls = tessera_test_add_mixed_urls (gallery, server);
  cJSON *root;
  const cJSON *items;
  const cJSON *item;

  g_assert_false (tessera_gallery_is_done (gallery));

  root = parse_stats (gallery);
  g_assert_true (cJSON_IsNull (cJSON_GetObjectItem (root, "all_tiles_ms")));
  item = cJSON_GetArrayItem (cJSON_GetObjectItem (root, "items"), 0);
  g_assert_cmpstr (string_field (item, "state"), ==, "waiting");
  cJSON_Delete (root);

  g_assert_true (tessera_test_wait_for_gallery (gallery, 20000));
  g_assert_cmpuint (tessera_gallery_get_n_finished (gallery), ==, 3);
  g_assert_cmpuint (tessera_gallery_get_n_failed (gallery), ==, 2);

  root = parse_stats (gallery);
  g_assert_cmpfloat (number_field (root, "tiles"), ==, 3);
  g_assert_cmpfloat (number_field (root, "loaded"), ==, 1);
  g_assert_cmpfloat (number_field (root, "failed"), ==, 2);
  g_assert_cmpfloat (number_field (root, "first_tile_ms"), <=, number_field (root, "all_tiles_ms"));
  items = cJSON_GetObjectItem (root, "items");
  g_assert_cmpint (cJSON_GetArraySize (items), ==, 3);

  item = cJSON_GetArrayItem (items, 0);
  g_assert_cmpstr (string_field (item, "url"), ==, urls[0]);
  g_assert_cmpstr (string_field (item, "state"), ==, "loaded");
  g_assert_null (cJSON_GetObjectItem (item, "error"));
  g_assert_cmpfloat (number_field (item, "done_ms"), >=, 0);

  item = cJSON_GetArrayItem (items, 1);
  g_assert_cmpstr (string_field (item, "state"), ==, "failed");
  g_assert_cmpstr (string_field (item, "error"), ==, "HTTP 404");

  item = cJSON_GetArrayItem (items, 2);
  g_assert_cmpstr (string_field (item, "error"), ==, "Not an image");
  cJSON_Delete (root);

  g_clear_object (&gallery);
  tessera_test_server_free (server);
}

/* A source's messages and a post's id reach the document; it lands in the file. */
static void
test_source_errors_ids_and_file (void)
{
  g_autoptr (TesseraGallery) gallery = tessera_test_gallery_new ();
  g_autoptr (TesseraTile) post = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("tessera-stats-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "stats.json", NULL);
  g_autofree char *written = NULL;
  g_autofree char *expected = NULL;
  const TesseraTilePost info = { .kind = TESSERA_TILE_PICTURE, .id = "abc123" };
  cJSON *root;
  const cJSON *errors;

  tessera_gallery_set_load_thumbnails (gallery, FALSE);
  post = tessera_tile_new_for_post ("http://127.0.0.1:1/abc123m.jpg", &info);
  tessera_gallery_add_tiles (gallery, &post, 1, NULL);
  tessera_gallery_add_source_error (gallery, "Invalid client_id");

  root = parse_stats (gallery);
  errors = cJSON_GetObjectItem (root, "source_errors");
  g_assert_cmpint (cJSON_GetArraySize (errors), ==, 1);
  g_assert_cmpstr (cJSON_GetArrayItem (errors, 0)->valuestring, ==, "Invalid client_id");
  g_assert_cmpstr (string_field (cJSON_GetArrayItem (cJSON_GetObjectItem (root, "items"), 0), "id"),
                   ==, "abc123");
  g_assert_true (cJSON_IsNull (cJSON_GetObjectItem (root, "first_tile_ms")));
  cJSON_Delete (root);

  g_assert_true (tessera_stats_write (gallery, path, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (path, &written, NULL, NULL));
  expected = tessera_stats_dup_json (gallery);
  g_assert_cmpstr (written, ==, expected);

  g_unlink (path);
  g_rmdir (dir);
}

int
main (int argc, char *argv[])
{
  tessera_engine_init ();
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/stats/counts-and-stats", test_counts_and_stats);
  g_test_add_func ("/stats/source-errors-ids-and-file", test_source_errors_ids_and_file);

  return g_test_run ();
}
