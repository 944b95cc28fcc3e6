/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-imgur-source.c: paging, failures and limits of the Imgur source, against fixtures */

#define G_LOG_DOMAIN "test-imgur-source"

#include "config.h"

#include <glib/gstdio.h>

#include "tessera-engine.h"
#include "tessera-imgur-collect.h"
#include "tessera-imgur-source-private.h"
#include "tessera-saver.h"
#include "tessera-test-server.h"
#include "tessera-test-util.h"

#define CLIENT_ID "source0test0id"

typedef struct
{
  TesseraTestServer *server;
  TesseraLoader *loader;
  TesseraGallery *gallery;
  TesseraImgurSource *source;
} Fixture;

static void
fixture_set_up (Fixture *fixture, gconstpointer data)
{
  g_autofree char *api = NULL;
  g_autofree char *images = NULL;
  TesseraImgurQuery query = { 0 };

  fixture->server = tessera_test_server_new ();
  api = tessera_test_server_url (fixture->server, "");
  images = tessera_test_server_url (fixture->server, "/img");
  g_setenv ("TESSERA_IMGUR_API", api, TRUE);
  g_setenv ("TESSERA_IMGUR_IMAGES", images, TRUE);
  tessera_test_serve_imgur (fixture->server, tessera_test_imgur_fixtures (), CLIENT_ID);

  fixture->loader = tessera_test_loader_new (4);
  fixture->gallery = tessera_gallery_new (fixture->loader);
  fixture->source
      = tessera_imgur_source_new (fixture->gallery, &query, CLIENT_ID, TESSERA_IMGUR_SHOW_DEFAULT);
}

static void
fixture_tear_down (Fixture *fixture, gconstpointer data)
{
  g_clear_object (&fixture->source);
  g_clear_object (&fixture->gallery);
  g_clear_object (&fixture->loader);
  tessera_test_server_free (fixture->server);
}

static gboolean
settled (gpointer data)
{
  TesseraImgurState state = tessera_imgur_source_get_state (data);

  return state != TESSERA_IMGUR_LOADING;
}

static void
load_page (Fixture *fixture)
{
  tessera_imgur_source_load_more (fixture->source);
  g_assert_true (tessera_test_wait_until (settled, fixture->source, 20000));
}

static char *
fixture_path (const char *name)
{
  return g_build_filename (tessera_test_imgur_fixtures (), name, NULL);
}

static guint
page_requests (Fixture *fixture, guint page)
{
  g_autofree char *path = g_strdup_printf ("/3/gallery/hot/viral/day/%u", page);

  return tessera_test_server_count_path (fixture->server, path);
}

/* Pages follow one another; posts already shown are not shown twice; an empty page ends. */
static void
test_pages_and_duplicates (Fixture *fixture, gconstpointer data)
{
  g_autofree char *hot = fixture_path ("gallery-hot-viral-page0-anonymous-2014-03.json");

  /* Page 1 repeats page 0 whole. */
  tessera_test_server_add_fixture (fixture->server, TESSERA_TEST_IMGUR_PAGE (1), hot, 200, NULL,
                                   NULL);

  load_page (fixture);
  g_assert_cmpint (tessera_imgur_source_get_state (fixture->source), ==, TESSERA_IMGUR_IDLE);
  g_assert_cmpuint (tessera_gallery_get_n_tiles (fixture->gallery), ==, 183);
  g_assert_cmpint (tessera_imgur_source_get_remaining (fixture->source), ==, 1990);

  load_page (fixture);
  g_assert_cmpint (tessera_imgur_source_get_state (fixture->source), ==, TESSERA_IMGUR_IDLE);
  g_assert_cmpuint (tessera_gallery_get_n_tiles (fixture->gallery), ==, 183);

  load_page (fixture);
  g_assert_cmpint (tessera_imgur_source_get_state (fixture->source), ==, TESSERA_IMGUR_ENDED);

  /* Ended: nothing more is asked for. */
  tessera_imgur_source_load_more (fixture->source);
  g_assert_cmpuint (page_requests (fixture, 3), ==, 0);
  g_assert_cmpuint (tessera_imgur_source_get_n_requests (fixture->source), ==, 3);
}

/* A 503 is worth a retry, and the retry asks for the same page. */
static void
test_unavailable_then_retry (Fixture *fixture, gconstpointer data)
{
  g_autofree char *hot = fixture_path ("gallery-hot-viral-page0-anonymous-2014-03.json");
  g_autofree char *error_body = fixture_path ("own-error-object-429.json");

  tessera_test_server_add_fixture (fixture->server, TESSERA_TEST_IMGUR_PAGE (0), error_body, 503,
                                   NULL, NULL);
  load_page (fixture);
  g_assert_cmpint (tessera_imgur_source_get_state (fixture->source), ==, TESSERA_IMGUR_FAILED);
  g_assert_cmpint (tessera_imgur_source_get_problem (fixture->source), ==,
                   TESSERA_IMGUR_PROBLEM_UNAVAILABLE);
  g_assert_nonnull (strstr (tessera_imgur_source_get_message (fixture->source), "not answering"));

  tessera_test_server_add_fixture (fixture->server, TESSERA_TEST_IMGUR_PAGE (0), hot, 200, NULL,
                                   NULL);
  load_page (fixture);
  g_assert_cmpint (tessera_imgur_source_get_state (fixture->source), ==, TESSERA_IMGUR_IDLE);
  g_assert_cmpuint (page_requests (fixture, 0), ==, 2);
  g_assert_cmpuint (tessera_gallery_get_n_tiles (fixture->gallery), ==, 183);
}

/* At the limit: no request until the reset time, however often more is asked for. */
static void
test_rate_limit_holds (Fixture *fixture, gconstpointer data)
{
  g_autofree char *hot = fixture_path ("gallery-hot-viral-page0-anonymous-2014-03.json");
  g_autofree char *headers = g_strdup_printf (
      "X-RateLimit-UserRemaining: 0\r\nX-RateLimit-UserReset: %" G_GINT64_FORMAT "\r\n",
      g_get_real_time () / G_USEC_PER_SEC + 600);

  /* The last allowed request brings a page: it is shown, and then the limit holds. */
  tessera_test_server_add_fixture (fixture->server, TESSERA_TEST_IMGUR_PAGE (0), hot, 200, headers,
                                   NULL);
  load_page (fixture);
  g_assert_cmpuint (tessera_gallery_get_n_tiles (fixture->gallery), ==, 183);
  g_assert_cmpint (tessera_imgur_source_get_problem (fixture->source), ==,
                   TESSERA_IMGUR_PROBLEM_RATE_LIMITED);
  g_assert_cmpint (tessera_imgur_source_get_remaining (fixture->source), ==, 0);

  for (guint i = 0; i < 3; i++)
    tessera_imgur_source_load_more (fixture->source);
  g_assert_cmpint (tessera_imgur_source_get_state (fixture->source), ==, TESSERA_IMGUR_FAILED);
  g_assert_cmpuint (tessera_imgur_source_get_n_requests (fixture->source), ==, 1);
  g_assert_cmpuint (page_requests (fixture, 1), ==, 0);
}

/* Whatever Imgur echoes, the Client ID is not shown. */
static void
test_client_id_never_shown (Fixture *fixture, gconstpointer data)
{
  g_autofree char *dir = g_dir_make_tmp ("tessera-imgur-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "echo.json", NULL);
  g_autofree char *body = g_strdup_printf (
      "{\"data\":{\"error\":\"Client-ID %s is over capacity\"},\"success\":false,\"status\":403}",
      CLIENT_ID);

  g_assert_true (g_file_set_contents (path, body, -1, NULL));
  tessera_test_server_add_fixture (fixture->server, TESSERA_TEST_IMGUR_PAGE (0), path, 403, NULL,
                                   NULL);
  load_page (fixture);

  g_assert_cmpint (tessera_imgur_source_get_problem (fixture->source), ==,
                   TESSERA_IMGUR_PROBLEM_REFUSED);
  g_assert_nonnull (strstr (tessera_imgur_source_get_message (fixture->source), "over capacity"));
  g_assert_null (strstr (tessera_imgur_source_get_message (fixture->source), CLIENT_ID));
  tessera_test_remove_tree (dir);
}

/* A search asks the search endpoint, its words escaped. */
static void
test_search (Fixture *fixture, gconstpointer data)
{
  g_autofree char *hot = fixture_path ("gallery-hot-viral-page0-anonymous-2014-03.json");
  TesseraImgurQuery query
      = { .sort = (char *) "top", .window = (char *) "week", .search = (char *) "cats & dogs" };

  tessera_test_server_add_fixture (fixture->server, "/3/gallery/search/top/week/0", hot, 200, NULL,
                                   NULL);
  g_clear_object (&fixture->source);
  fixture->source
      = tessera_imgur_source_new (fixture->gallery, &query, CLIENT_ID, TESSERA_IMGUR_SHOW_DEFAULT);
  load_page (fixture);

  g_assert_cmpint (tessera_imgur_source_get_state (fixture->source), ==, TESSERA_IMGUR_IDLE);
  g_assert_cmpuint (tessera_gallery_get_n_tiles (fixture->gallery), ==, 183);
  g_assert_cmpuint (
      tessera_test_server_count_path (fixture->server, "/3/gallery/search/top/week/0"), ==, 1);
}

/* "state" is an enum property of the registered type, so bindings and nicks work. */
static void
test_state_property (Fixture *fixture, gconstpointer data)
{
  GParamSpec *pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (fixture->source), "state");
  g_autofree char *empty = fixture_path ("own-gallery-empty-page.json");
  TesseraImgurState state = TESSERA_IMGUR_FAILED;
  GEnumValue *nick;

  g_assert_true (G_IS_PARAM_SPEC_ENUM (pspec));
  g_assert_true (pspec->value_type == TESSERA_TYPE_IMGUR_STATE);

  tessera_test_server_add_fixture (fixture->server, TESSERA_TEST_IMGUR_PAGE (0), empty, 200, NULL,
                                   NULL);
  load_page (fixture);
  g_object_get (fixture->source, "state", &state, NULL);
  g_assert_cmpint (state, ==, TESSERA_IMGUR_ENDED);
  nick = g_enum_get_value (g_type_class_peek (TESSERA_TYPE_IMGUR_STATE), state);
  g_assert_cmpstr (nick->value_nick, ==, "ended");
}

/* The engine says what happened, in Imgur's words where it gave any, and leaves the advice
 * (Preferences, the environment) to the user interface. */
static void
test_problems_without_advice (Fixture *fixture, gconstpointer data)
{
  g_autofree char *refused = fixture_path ("error-403-invalid-client-id-on-gallery.json");
  g_autofree char *not_found = fixture_path ("error-404-image-not-found.json");
  TesseraImgurQuery query = { 0 };
  const struct
  {
    const char *client_id;
    const char *fixture; /* NULL: no request */
    guint status;
    TesseraImgurProblem problem;
    const char *said;
  } cases[] = {
    { NULL, NULL, 0, TESSERA_IMGUR_PROBLEM_NO_CLIENT_ID, "Client ID" },
    { "bad id", NULL, 0, TESSERA_IMGUR_PROBLEM_REFUSED, "letters and digits" },
    { CLIENT_ID, refused, 403, TESSERA_IMGUR_PROBLEM_REFUSED, "Invalid client_id" },
    { CLIENT_ID, not_found, 404, TESSERA_IMGUR_PROBLEM_REJECTED, "Unable to find an image" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (TesseraImgurSource) source = tessera_imgur_source_new (
          fixture->gallery, &query, cases[i].client_id, TESSERA_IMGUR_SHOW_DEFAULT);
      const char *message;

      if (cases[i].fixture != NULL)
        tessera_test_server_add_fixture (fixture->server, TESSERA_TEST_IMGUR_PAGE (0),
                                         cases[i].fixture, cases[i].status, NULL, NULL);
      tessera_imgur_source_load_more (source);
      g_assert_true (tessera_test_wait_until (settled, source, 20000));
      message = tessera_imgur_source_get_message (source);
      g_test_message ("%s", message);

      g_assert_cmpint (tessera_imgur_source_get_state (source), ==, TESSERA_IMGUR_FAILED);
      g_assert_cmpint (tessera_imgur_source_get_problem (source), ==, cases[i].problem);
      g_assert_nonnull (strstr (message, cases[i].said));
      g_assert_null (strstr (message, "Preferences"));
      g_assert_null (strstr (message, "IMGUR_CLIENT_ID"));
    }
}

/* The URI of each kind of page: a section, a search (escaped), an album. */
static void
test_page_uri (void)
{
  static const struct
  {
    TesseraImgurQuery query;
    guint page;
    gboolean show_nsfw;
    const char *uri;
  } cases[] = {
    { { 0 }, 0, FALSE, "http://h:1/3/gallery/hot/viral/day/0?mature=false&album_previews=true" },
    { { .section = (char *) "user", .sort = (char *) "rising", .window = (char *) "all" },
      12,
      TRUE,
      "http://h:1/3/gallery/user/rising/all/12?mature=true&album_previews=true" },
    { { .sort = (char *) "top",
        .window = (char *) "week",
        .search = (char *) "cats & dogs #1 caf\u00e9" },
      2,
      FALSE,
      "http://h:1/3/gallery/search/top/week/2?q=cats%20%26%20dogs%20%231%20caf%C3%A9"
      "&mature=false" },
    { { .album = (char *) "XlaGd", .search = (char *) "ignored" },
      5,
      FALSE,
      "http://h:1/3/gallery/album/XlaGd" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *uri = tessera_imgur_page_uri ("http://h:1/", &cases[i].query, cases[i].page,
                                                     cases[i].show_nsfw);

      g_assert_cmpstr (uri, ==, cases[i].uri);
    }
  g_assert_null (tessera_imgur_page_uri ("h:1", &cases[0].query, 0, FALSE));
}

typedef struct
{
  GMutex lock;
  char *query; /* the last search's query string, as it reached the server */
} SearchSeen;

/* Notes the query and answers with an empty page. Runs on a server thread. */
static gboolean
note_search (const char *path, const char *query, GHashTable *request_headers, guint *status,
             const char **content_type, GString *headers, GBytes **body, gpointer user_data)
{
  SearchSeen *seen = user_data;
  static const char empty[] = "{\"data\":[],\"success\":true,\"status\":200}";

  g_mutex_lock (&seen->lock);
  g_free (seen->query);
  seen->query = g_strdup (query);
  g_mutex_unlock (&seen->lock);
  *content_type = "application/json";
  *body = g_bytes_new_static (empty, sizeof empty - 1);
  return TRUE;
}

/* Spaces, &, # and non-ASCII in a search reach Imgur as one q parameter, whole. */
static void
test_search_escaped (Fixture *fixture, gconstpointer data)
{
  const char *search = "cats & dogs #1 caf\u00e9 +?=";
  TesseraImgurQuery query = { .search = (char *) search };
  SearchSeen seen = { 0 };
  g_autoptr (GHashTable) params = NULL;

  g_mutex_init (&seen.lock);
  tessera_test_server_add_handler (fixture->server, "/3/gallery/search/viral/day/0", note_search,
                                   &seen);
  g_clear_object (&fixture->source);
  fixture->source
      = tessera_imgur_source_new (fixture->gallery, &query, CLIENT_ID, TESSERA_IMGUR_SHOW_DEFAULT);
  load_page (fixture);

  g_assert_cmpint (tessera_imgur_source_get_state (fixture->source), ==, TESSERA_IMGUR_ENDED);
  g_mutex_lock (&seen.lock);
  g_assert_nonnull (seen.query);
  params = g_uri_parse_params (seen.query, -1, "&", G_URI_PARAMS_NONE, NULL);
  g_mutex_unlock (&seen.lock);
  g_assert_nonnull (params);
  g_assert_cmpuint (g_hash_table_size (params), ==, 2);
  g_assert_cmpstr (g_hash_table_lookup (params, "q"), ==, search);
  g_assert_cmpstr (g_hash_table_lookup (params, "mature"), ==, "false");
  g_free (seen.query);
  g_mutex_clear (&seen.lock);
}

/* What saving @query's page (or NULL) and @posts means, listed to the end. */
static GPtrArray *
collect_items (TesseraImgurCollect *collect, const TesseraImgurQuery *query, GPtrArray *posts)
{
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  GPtrArray *items;

  tessera_imgur_collect_items_async (collect, query, posts, NULL, tessera_test_store_result,
                                     &result);
  g_assert_true (tessera_test_wait_for_result (&result, 20000));
  items = tessera_imgur_collect_items_finish (collect, result, &error);
  g_assert_no_error (error);
  return items;
}

/* The originals among @items, failures known beforehand left out. */
static guint
count_found (GPtrArray *items)
{
  guint n_found = 0;

  for (guint i = 0; i < items->len; i++)
    if (((TesseraSaveItem *) items->pdata[i])->failure == NULL)
      n_found++;
  return n_found;
}

static TesseraSaveReport *
save_items (TesseraLoader *loader, GPtrArray *items, const char *folder)
{
  g_autoptr (TesseraSaver) saver = tessera_saver_new (loader);
  g_autoptr (GAsyncResult) result = NULL;
  TesseraSaveReport *report = NULL;

  tessera_saver_save_async (saver, items, folder, NULL, tessera_test_store_result, &result);
  g_assert_true (tessera_test_wait_for_result (&result, 20000));
  g_assert_true (tessera_saver_save_finish (saver, result, &report, NULL));
  return report;
}

static int
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

static char *
sorted_joined (GPtrArray *names)
{
  g_autoptr (GPtrArray) copy = g_ptr_array_new ();

  for (guint i = 0; i < names->len; i++)
    g_ptr_array_add (copy, names->pdata[i]);
  g_ptr_array_sort (copy, compare_names);
  g_ptr_array_add (copy, NULL);
  return g_strjoinv ("|", (char **) copy->pdata);
}

static void
remove_saved (const char *dir, GPtrArray *names)
{
  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *path = g_build_filename (dir, names->pdata[i], NULL);
      g_autofree char *folder = g_path_get_dirname (path);

      g_assert_cmpint (g_unlink (path), ==, 0);
      if (!g_str_equal (folder, dir))
        g_rmdir (folder);
    }
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

/* What saving a page of posts means: pictures and GIFs from their links, each album's
 * images into a folder named after it, and an album that cannot be listed reported. */
static void
test_collect_for_saving (Fixture *fixture, gconstpointer data)
{
  g_autofree char *page = fixture_path ("own-gallery-save-page.json");
  g_autofree char *album = fixture_path ("own-album-images-list.json");
  g_autofree char *gone = fixture_path ("error-404-image-not-found.json");
  g_autofree char *target = g_dir_make_tmp ("tessera-collect-XXXXXX", NULL);
  TesseraImgurQuery query
      = { .section = (char *) "top", .sort = (char *) "top", .window = (char *) "week" };
  g_autoptr (TesseraImgurCollect) collect
      = tessera_imgur_collect_new (fixture->loader, CLIENT_ID, TESSERA_IMGUR_SHOW_DEFAULT);
  g_autoptr (GPtrArray) items = NULL;
  g_autoptr (TesseraSaveReport) report = NULL;
  g_autofree char *saved = NULL;
  GPtrArray *failures;

  tessera_test_server_add_fixture (fixture->server, "/3/gallery/top/top/week/0", page, 200, NULL,
                                   NULL);
  tessera_test_server_add_fixture (fixture->server, "/3/gallery/album/SavAlb1", album, 200, NULL,
                                   NULL);
  tessera_test_server_add_fixture (fixture->server, "/3/gallery/album/SavGone", gone, 404, NULL,
                                   NULL);
  items = collect_items (collect, &query, NULL);
  /* Two pictures and the listed album's four images (the fifth is not safe for work). */
  g_assert_cmpuint (count_found (items), ==, 6);
  /* Listing asked for no thumbnail. */
  g_assert_cmpuint (tessera_test_server_count_path (fixture->server, "/img/SavCov1m.jpg"), ==, 0);

  report = save_items (fixture->loader, items, target);
  saved = sorted_joined (report->saved_names);
  g_assert_cmpstr (saved, ==,
                   "A harbour at dawn (SavPic1).jpg|SavGif1.gif|"
                   "Trip_.._photos (SavAlb1)/A short video (LstVid3).mp4|"
                   "Trip_.._photos (SavAlb1)/First (LstImg1).jpg|"
                   "Trip_.._photos (SavAlb1)/Last (LstPng5).png|"
                   "Trip_.._photos (SavAlb1)/LstGif2.gif");
  failures = report->failures;
  g_assert_cmpuint (failures->len, ==, 1);
  g_assert_true (g_str_has_prefix (failures->pdata[0], "Album “An album Imgur took down”: "));
  remove_saved (target, report->saved_names);
}

/* Without a Client ID nothing is asked, and every album says why. */
#define REAL_WORLD_PAGE "/3/gallery/top/top/week/0"

static void
serve_real_world (Fixture *fixture)
{
  g_autofree char *page = fixture_path ("own-gallery-real-world-page.json");
  g_autofree char *album = fixture_path ("own-album-images-list.json");

  tessera_test_server_add_fixture (fixture->server, REAL_WORLD_PAGE, page, 200, NULL, NULL);
  tessera_test_server_add_fixture (fixture->server, "/3/gallery/album/RwAlb01", album, 200, NULL,
                                   NULL);
}

static TesseraTile *
tile_by_id (TesseraGallery *gallery, const char *id)
{
  GListModel *model = tessera_gallery_get_model (gallery);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr (TesseraTile) tile = g_list_model_get_item (model, i);

      if (g_strcmp0 (tessera_tile_get_id (tile), id) == 0)
        return tile;
    }
  return NULL;
}

/* Today's posts in the window's gallery: videos and GIFs as stills with their kind, the
 * album without a cover as a finished tile with a picture (the placeholder) and its count,
 * the promoted post only when asked for, a tile that says so; every tile ends loaded. */
static void
test_real_world_gallery (Fixture *fixture, gconstpointer data)
{
  static const struct
  {
    TesseraImgurShow show;
    guint n_tiles;
  } shows[] = {
    { TESSERA_IMGUR_SHOW_DEFAULT, 5 },
    { TESSERA_IMGUR_SHOW_PROMOTED, 6 },
  };
  static const struct
  {
    const char *id;
    TesseraTileKind kind;
    const char *thumbnail; /* a path on the server; NULL: none, the placeholder */
    guint n_images;
  } tiles[] = {
    { "RwPic01", TESSERA_TILE_PICTURE, "/img/RwPic01l.jpg", 0 },
    { "RwVid01", TESSERA_TILE_ANIMATION, "/img/RwVid01l.jpg", 0 },
    { "RwGifv1", TESSERA_TILE_ANIMATION, "/img/RwGifv1l.jpg", 0 },
    { "RwGmp41", TESSERA_TILE_ANIMATION, "/img/RwGmp41l.jpg", 0 },
    { "RwAlb01", TESSERA_TILE_ALBUM, NULL, 3 },
  };
  TesseraImgurQuery query
      = { .section = (char *) "top", .sort = (char *) "top", .window = (char *) "week" };

  serve_real_world (fixture);
  for (gsize i = 0; i < G_N_ELEMENTS (shows); i++)
    {
      g_autoptr (TesseraGallery) gallery = tessera_gallery_new (fixture->loader);
      TesseraTile *ad;

      g_clear_object (&fixture->source);
      fixture->source = tessera_imgur_source_new (gallery, &query, CLIENT_ID, shows[i].show);
      load_page (fixture);
      g_assert_cmpint (tessera_imgur_source_get_state (fixture->source), ==, TESSERA_IMGUR_IDLE);
      g_assert_cmpuint (tessera_gallery_get_n_tiles (gallery), ==, shows[i].n_tiles);
      g_assert_true (tessera_test_wait_for_gallery (gallery, 20000));
      g_assert_cmpuint (tessera_gallery_get_n_failed (gallery), ==, 0);
      ad = tile_by_id (gallery, "RwAd001");
      g_assert_true ((ad != NULL) == ((shows[i].show & TESSERA_IMGUR_SHOW_PROMOTED) != 0));
      g_assert_true (ad == NULL || tessera_tile_get_promoted (ad));
      for (gsize j = 0; j < G_N_ELEMENTS (tiles); j++)
        {
          TesseraTile *tile = tile_by_id (gallery, tiles[j].id);

          g_test_message ("%s", tiles[j].id);
          g_assert_nonnull (tile);
          g_assert_cmpint (tessera_tile_get_kind (tile), ==, tiles[j].kind);
          g_assert_cmpint (tessera_tile_get_state (tile), ==, TESSERA_TILE_LOADED);
          g_assert_nonnull (tessera_tile_get_texture (tile));
          g_assert_cmpuint (tessera_tile_get_n_images (tile), ==, tiles[j].n_images);
          g_assert_false (tessera_tile_get_promoted (tile));
          if (tiles[j].thumbnail != NULL)
            g_assert_true (g_str_has_suffix (tessera_tile_get_uri (tile), tiles[j].thumbnail));
          else
            g_assert_cmpstr (tessera_tile_get_uri (tile), ==, "https://imgur.com/a/RwAlb01");
        }
    }
  /* The stills, never the videos themselves. */
  g_assert_cmpuint (tessera_test_server_count_path (fixture->server, "/img/RwVid01.mp4"), ==, 0);
}

/* Saving today's posts: a video's mp4 by post name, a .gifv post's mp4, the album without a
 * cover listed into its folder, the promoted post only when asked for; nothing fails. */
static void
test_collect_real_world (Fixture *fixture, gconstpointer data)
{
  static const struct
  {
    TesseraImgurShow show;
    const char *saved;
  } cases[] = {
    { TESSERA_IMGUR_SHOW_DEFAULT,
      "A dog learns to surf (RwVid01).mp4|Cat vs cucumber (RwGifv1).mp4|"
      "Morning fog over the bay (RwPic01).jpg|RwGmp41.mp4|"
      "Things I found in the attic (RwAlb01)/A short video (LstVid3).mp4|"
      "Things I found in the attic (RwAlb01)/First (LstImg1).jpg|"
      "Things I found in the attic (RwAlb01)/Last (LstPng5).png|"
      "Things I found in the attic (RwAlb01)/LstGif2.gif" },
    { TESSERA_IMGUR_SHOW_PROMOTED,
      "A dog learns to surf (RwVid01).mp4|Cat vs cucumber (RwGifv1).mp4|"
      "Morning fog over the bay (RwPic01).jpg|RwGmp41.mp4|"
      "Things I found in the attic (RwAlb01)/A short video (LstVid3).mp4|"
      "Things I found in the attic (RwAlb01)/First (LstImg1).jpg|"
      "Things I found in the attic (RwAlb01)/Last (LstPng5).png|"
      "Things I found in the attic (RwAlb01)/LstGif2.gif|"
      "Try our new game today (RwAd001).jpg" },
  };
  TesseraImgurQuery query
      = { .section = (char *) "top", .sort = (char *) "top", .window = (char *) "week" };

  serve_real_world (fixture);
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *target = g_dir_make_tmp ("tessera-collect-XXXXXX", NULL);
      g_autoptr (TesseraImgurCollect) collect
          = tessera_imgur_collect_new (fixture->loader, CLIENT_ID, cases[i].show);
      g_autoptr (GPtrArray) items = collect_items (collect, &query, NULL);
      g_autoptr (TesseraSaveReport) report = save_items (fixture->loader, items, target);
      g_autofree char *saved = sorted_joined (report->saved_names);

      for (guint j = 0; j < report->failures->len; j++)
        g_test_message ("%s", (const char *) report->failures->pdata[j]);
      g_assert_cmpuint (report->failures->len, ==, 0);
      g_assert_cmpstr (saved, ==, cases[i].saved);
      remove_saved (target, report->saved_names);
    }
}

static void
test_collect_without_client_id (Fixture *fixture, gconstpointer data)
{
  g_autoptr (TesseraImgurCollect) collect
      = tessera_imgur_collect_new (fixture->loader, NULL, TESSERA_IMGUR_SHOW_DEFAULT);
  TesseraTilePost post = { .kind = TESSERA_TILE_ALBUM, .id = "SavAlb1", .title = "Trip" };
  g_autoptr (TesseraTile) album = tessera_tile_new_for_post ("http://127.0.0.1:1/c.jpg", &post);
  g_autoptr (GPtrArray) posts = g_ptr_array_new ();
  g_autoptr (GPtrArray) items = NULL;
  g_autoptr (TesseraSaveReport) report = NULL;
  GPtrArray *failures;

  g_ptr_array_add (posts, album);
  g_ptr_array_add (posts, album);
  items = collect_items (collect, NULL, posts);
  g_assert_cmpuint (count_found (items), ==, 0);
  g_assert_cmpuint (tessera_test_server_get_requests (fixture->server), ==, 0);

  report = save_items (fixture->loader, items, g_get_tmp_dir ());
  failures = report->failures;
  g_assert_cmpuint (failures->len, ==, 2);
  g_assert_true (g_str_has_prefix (failures->pdata[1], "Album “Trip”: Imgur needs a Client ID"));
}

/* A Client ID that could break the request header is refused before any request. */
static void
test_client_id_checked (void)
{
  g_autoptr (TesseraLoader) loader = tessera_loader_new (1, NULL);
  g_autoptr (TesseraGallery) gallery = tessera_gallery_new (loader);
  TesseraImgurQuery query = { 0 };
  g_autoptr (TesseraImgurSource) source
      = tessera_imgur_source_new (gallery, &query, "abc\r\nX-Evil: 1", TESSERA_IMGUR_SHOW_DEFAULT);
  g_autoptr (TesseraImgurSource) empty
      = tessera_imgur_source_new (gallery, &query, "", TESSERA_IMGUR_SHOW_DEFAULT);

  tessera_imgur_source_load_more (source);
  tessera_imgur_source_load_more (empty);

  g_assert_cmpint (tessera_imgur_source_get_problem (source), ==, TESSERA_IMGUR_PROBLEM_REFUSED);
  g_assert_cmpuint (tessera_imgur_source_get_n_requests (source), ==, 0);
  g_assert_cmpint (tessera_imgur_source_get_problem (empty), ==,
                   TESSERA_IMGUR_PROBLEM_NO_CLIENT_ID);
  g_assert_cmpuint (tessera_imgur_source_get_n_requests (empty), ==, 0);
}

static void
test_query_parse (void)
{
  static const struct
  {
    const char *text;
    const char *section, *sort, *window; /* NULL section: refused */
  } cases[] = {
    { NULL, "hot", "viral", "day" },
    { "", "hot", "viral", "day" },
    { "top", "top", "viral", "day" },
    { "top/top/week", "top", "top", "week" },
    { "user/rising", "user", "rising", "day" },
    { "hot//all", "hot", "viral", "all" },
    { "hot/rising", NULL },
    { "sideways", NULL },
    { "top/top/decade", NULL },
    { "top/top/week/extra", NULL },
    { "../../x", NULL },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_auto (TesseraImgurQuery) query = { 0 };
      g_autoptr (GError) error = NULL;
      gboolean parsed = tessera_imgur_query_parse (cases[i].text, &query, &error);

      g_test_message ("%s", cases[i].text ? cases[i].text : "(null)");
      if (cases[i].section == NULL)
        {
          g_assert_false (parsed);
          g_assert_nonnull (error);
          continue;
        }
      g_assert_no_error (error);
      g_assert_cmpstr (query.section, ==, cases[i].section);
      g_assert_cmpstr (query.sort, ==, cases[i].sort);
      g_assert_cmpstr (query.window, ==, cases[i].window);
    }
}

int
main (int argc, char *argv[])
{
  tessera_engine_init ();
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/imgur-source/pages-and-duplicates", Fixture, NULL, fixture_set_up,
              test_pages_and_duplicates, fixture_tear_down);
  g_test_add ("/imgur-source/unavailable-then-retry", Fixture, NULL, fixture_set_up,
              test_unavailable_then_retry, fixture_tear_down);
  g_test_add ("/imgur-source/rate-limit-holds", Fixture, NULL, fixture_set_up,
              test_rate_limit_holds, fixture_tear_down);
  g_test_add ("/imgur-source/client-id-never-shown", Fixture, NULL, fixture_set_up,
              test_client_id_never_shown, fixture_tear_down);
  g_test_add ("/imgur-source/search", Fixture, NULL, fixture_set_up, test_search,
              fixture_tear_down);
  g_test_add ("/imgur-source/collect-for-saving", Fixture, NULL, fixture_set_up,
              test_collect_for_saving, fixture_tear_down);
  g_test_add ("/imgur-source/collect-without-client-id", Fixture, NULL, fixture_set_up,
              test_collect_without_client_id, fixture_tear_down);
  g_test_add ("/imgur-source/real-world-gallery", Fixture, NULL, fixture_set_up,
              test_real_world_gallery, fixture_tear_down);
  g_test_add ("/imgur-source/collect-real-world", Fixture, NULL, fixture_set_up,
              test_collect_real_world, fixture_tear_down);
  g_test_add_func ("/imgur-source/client-id-checked", test_client_id_checked);
  g_test_add_func ("/imgur-source/query-parse", test_query_parse);
  g_test_add_func ("/imgur-source/page-uri", test_page_uri);
  g_test_add ("/imgur-source/state-property", Fixture, NULL, fixture_set_up, test_state_property,
              fixture_tear_down);
  g_test_add ("/imgur-source/problems-without-advice", Fixture, NULL, fixture_set_up,
              test_problems_without_advice, fixture_tear_down);
  g_test_add ("/imgur-source/search-escaped", Fixture, NULL, fixture_set_up, test_search_escaped,
              fixture_tear_down);

  return g_test_run ();
}
