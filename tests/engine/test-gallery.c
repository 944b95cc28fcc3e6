/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-gallery.c: tiles, counts, duplicates, clearing, retries */

#define G_LOG_DOMAIN "test-gallery"

#include "config.h"

#include "tessera-engine.h"
#include "tessera-gallery.h"
#include "tessera-loader-private.h"
#include "tessera-test-server.h"
#include "tessera-test-util.h"

typedef struct
{
  guint n_splices;
  guint largest_splice;
} SpliceCount;

static void
on_items_changed (GListModel *model, guint position, guint removed, guint added, gpointer data)
{
  SpliceCount *count = data;

  count->n_splices++;
  count->largest_splice = MAX (count->largest_splice, added);
}

/* Thousands of URLs arrive as one splice; duplicates are skipped, within and across adds. */
static void
test_add_splices_and_dedups (void)
{
  const guint n_urls = 3000;
  g_autoptr (TesseraGallery) gallery = tessera_test_gallery_new ();
  g_autoptr (GPtrArray) urls = g_ptr_array_new_with_free_func (g_free);
  SpliceCount count = { 0 };
  guint n_duplicates = 0;

  for (guint i = 0; i < n_urls; i++)
    g_ptr_array_add (urls, g_strdup_printf ("http://127.0.0.1:1/%u.png", i % 2000));
  g_signal_connect (tessera_gallery_get_model (gallery), "items-changed",
                    G_CALLBACK (on_items_changed), &count);

  g_assert_cmpuint (tessera_gallery_add_uris (gallery, (const char *const *) urls->pdata, urls->len,
                                              &n_duplicates),
                    ==, 2000);
  g_assert_cmpuint (n_duplicates, ==, 1000);
  g_assert_cmpuint (count.n_splices, ==, 1);
  g_assert_cmpuint (count.largest_splice, ==, 2000);

  /* Adding the same again adds nothing and does not touch the model. */
  g_assert_cmpuint (
      tessera_gallery_add_uris (gallery, (const char *const *) urls->pdata, 10, &n_duplicates), ==,
      0);
  g_assert_cmpuint (n_duplicates, ==, 10);
  g_assert_cmpuint (count.n_splices, ==, 1);
  g_assert_cmpuint (tessera_gallery_get_n_tiles (gallery), ==, 2000);

  tessera_gallery_clear (gallery);
  g_assert_cmpuint (tessera_gallery_get_n_tiles (gallery), ==, 0);
  g_assert_false (tessera_gallery_is_done (gallery));
}

/* More tiles than the gallery hands the loader in one turn of the main loop. */
#define MANY_LOADS 3000u

/* Runs what the main loop has ready until nothing is (or for as many turns as there are
 * loads, more than the gallery's chunks need). */
static void
run_ready_sources (void)
{
  for (guint i = 0; i < MANY_LOADS && g_main_context_iteration (NULL, FALSE); i++)
    ;
}

/* Thousands of tiles are listed at once, but their loads go to the loader a chunk a turn
 * of the main loop, the first at once: handing over 10,000 in one go held the main loop
 * for 12 ms. Clearing stops what has not been handed over yet; a placeholder among them
 * (a tile already loaded) is never handed over. */
static void
test_loads_submitted_in_chunks (void)
{
  /* One job, stuck on a transfer that never ends: nothing is delivered meanwhile. */
  TesseraTestServer *server = tessera_test_server_new ();
  g_autoptr (TesseraLoader) loader = tessera_loader_new (1, NULL);
  g_autoptr (TesseraGallery) gallery = tessera_gallery_new (loader);
  g_autoptr (GPtrArray) urls = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) tiles = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr (GdkPixbuf) pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, 4, 4);
  g_autoptr (GdkTexture) placeholder = NULL;
  guint n_at_once;

  for (guint i = 0; i < MANY_LOADS; i++)
    {
      g_autofree char *path = g_strdup_printf ("/hang?n=%u", i);

      g_ptr_array_add (urls, tessera_test_server_url (server, path));
    }
  g_assert_cmpuint (
      tessera_gallery_add_uris (gallery, (const char *const *) urls->pdata, urls->len, NULL), ==,
      MANY_LOADS);
  g_assert_cmpuint (g_list_model_get_n_items (tessera_gallery_get_model (gallery)), ==, MANY_LOADS);
  g_assert_cmpuint (tessera_gallery_get_n_tiles (gallery), ==, MANY_LOADS);
  n_at_once = tessera_loader_get_n_pending (loader);
  g_test_message ("%u of %u loads submitted at once", n_at_once, MANY_LOADS);
  g_assert_cmpuint (n_at_once, >, 0);
  g_assert_cmpuint (n_at_once, <, MANY_LOADS);
  run_ready_sources ();
  g_assert_cmpuint (tessera_loader_get_n_pending (loader), ==, MANY_LOADS);

  /* Again, cleared before the rest is handed over. */
  tessera_gallery_clear (gallery);
  tessera_gallery_add_uris (gallery, (const char *const *) urls->pdata, urls->len, NULL);
  tessera_gallery_clear (gallery);
  g_assert_cmpuint (tessera_loader_get_n_pending (loader), ==, 0);
  run_ready_sources ();
  g_assert_cmpuint (tessera_loader_get_n_pending (loader), ==, 0);

  /* The last tile, well past the first chunk, is a placeholder. */
  tessera_gallery_clear (gallery);
  gdk_pixbuf_fill (pixbuf, 0);
  placeholder = gdk_texture_new_for_pixbuf (pixbuf);
  for (guint i = 0; i < MANY_LOADS; i++)
    g_ptr_array_add (tiles, tessera_tile_new (urls->pdata[i]));
  tessera_tile_set_loaded (tiles->pdata[MANY_LOADS - 1], placeholder, 0);
  tessera_gallery_add_tiles (gallery, (TesseraTile *const *) tiles->pdata, tiles->len, NULL);
  g_assert_cmpuint (tessera_gallery_get_n_finished (gallery), ==, 1);
  run_ready_sources ();
  g_assert_cmpuint (tessera_loader_get_n_pending (loader), ==, MANY_LOADS - 1);

  g_clear_object (&gallery);
  g_clear_object (&loader);
  tessera_test_server_free (server);
}

/* Counts, timings and per-tile states, failed ones with their reason: what --stats reports
 * (tests/app/test-stats.c checks the document itself). */
static void
test_counts (void)
{
  TesseraTestServer *server = tessera_test_server_new ();
  g_autoptr (TesseraGallery) gallery = tessera_test_gallery_new ();
  g_auto (GStrv) urls = tessera_test_add_mixed_urls (gallery, server);
  GListModel *model = tessera_gallery_get_model (gallery);
  g_autoptr (TesseraTile) loaded = NULL;
  g_autoptr (TesseraTile) not_found = NULL;
  g_autoptr (TesseraTile) not_image = NULL;

  g_assert_false (tessera_gallery_is_done (gallery));
  g_assert_cmpint (tessera_gallery_get_all_tiles_ms (gallery), ==, -1);
  loaded = g_list_model_get_item (model, 0);
  g_assert_cmpint (tessera_tile_get_state (loaded), ==, TESSERA_TILE_WAITING);

  g_assert_true (tessera_test_wait_for_gallery (gallery, 20000));
  g_assert_cmpuint (tessera_gallery_get_n_tiles (gallery), ==, 3);
  g_assert_cmpuint (tessera_gallery_get_n_finished (gallery), ==, 3);
  g_assert_cmpuint (tessera_gallery_get_n_failed (gallery), ==, 2);
  g_assert_cmpint (tessera_gallery_get_first_tile_ms (gallery), >=, 0);
  g_assert_cmpint (tessera_gallery_get_first_tile_ms (gallery), <=,
                   tessera_gallery_get_all_tiles_ms (gallery));

  g_assert_cmpstr (tessera_tile_get_uri (loaded), ==, urls[0]);
  g_assert_cmpint (tessera_tile_get_state (loaded), ==, TESSERA_TILE_LOADED);
  g_assert_null (tessera_tile_get_reason (loaded));
  g_assert_cmpint (tessera_tile_get_done_ms (loaded), >=, 0);

  not_found = g_list_model_get_item (model, 1);
  g_assert_cmpint (tessera_tile_get_state (not_found), ==, TESSERA_TILE_FAILED);
  g_assert_cmpstr (tessera_tile_get_reason (not_found), ==, "HTTP 404");

  not_image = g_list_model_get_item (model, 2);
  g_assert_cmpstr (tessera_tile_get_reason (not_image), ==, "Not an image");

  g_clear_object (&gallery);
  tessera_test_server_free (server);
}

/* What the tiles' source said is kept, in order, through a clear. */
static void
test_source_errors (void)
{
  g_autoptr (TesseraGallery) gallery = tessera_test_gallery_new ();
  GPtrArray *errors = tessera_gallery_get_source_errors (gallery);

  g_assert_cmpuint (errors->len, ==, 0);
  tessera_gallery_add_source_error (gallery, "Invalid client_id");
  tessera_gallery_add_source_error (gallery, "Over capacity");
  tessera_gallery_clear (gallery);

  g_assert_cmpuint (errors->len, ==, 2);
  g_assert_cmpstr (errors->pdata[0], ==, "Invalid client_id");
  g_assert_cmpstr (errors->pdata[1], ==, "Over capacity");
}

#define CLEAR_JOBS        4
/* The cleared images answer only after this: far longer than any wait below, so a
 * transfer still in flight then was not stopped. */
#define CLEARED_DELAY_MS  30000u
/* A cancelled transfer stops at libcurl's next progress check, well within this. */
#define STOPPED_WITHIN_MS 2000
#define TILE_PX           64

/* Clearing while loads are under way stops the transfers under way, starts none of the
 * queued ones, and delivers nothing into the emptied gallery. */
static void
test_clear_cancels (void)
{
  TesseraTestServer *server = tessera_test_server_new ();
  /* The default limits: a stalled transfer would go on for 20 s, not stop by itself. */
  g_autoptr (TesseraLoader) loader = tessera_loader_new (CLEAR_JOBS, NULL);
  g_autoptr (TesseraGallery) gallery = tessera_gallery_new (loader);
  g_autoptr (GPtrArray) urls = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *last_url = tessera_test_server_url (server, "/img/after-clear.png");
  g_autoptr (TesseraRequest) last = NULL;
  TesseraTestOutcome outcome = { 0 };
  guint n_requests;

  for (guint i = 0; i < 50; i++)
    {
      g_autofree char *path = g_strdup_printf ("/img/%u.png?delay=%u", i, CLEARED_DELAY_MS);
      g_ptr_array_add (urls, tessera_test_server_url (server, path));
    }
  tessera_gallery_add_uris (gallery, (const char *const *) urls->pdata, urls->len, NULL);
  g_assert_true (tessera_test_wait_for_in_flight (server, CLEAR_JOBS, 10000));
  tessera_gallery_clear (gallery);

  g_assert_true (tessera_test_wait_for_in_flight (server, 0, STOPPED_WITHIN_MS));
  n_requests = tessera_test_server_get_requests (server);
  g_assert_cmpuint (n_requests, ==, CLEAR_JOBS);

  /* Queued behind every cleared load: once it is delivered, any of them still queued
   * would have started. */
  last = tessera_loader_submit (loader, last_url, G_MAXINT, TILE_PX, TESSERA_CACHE_MODE_HTTP,
                                tessera_test_record_outcome, &outcome, NULL);
  g_assert_true (tessera_test_wait_for_outcome (&outcome, 10000));
  g_assert_nonnull (outcome.texture);
  g_assert_cmpuint (tessera_test_server_get_requests (server), ==, n_requests + 1);
  g_assert_cmpuint (tessera_test_server_count_path (server, "/img/after-clear.png"), ==, 1);

  g_assert_cmpuint (tessera_gallery_get_n_tiles (gallery), ==, 0);
  g_assert_cmpuint (tessera_gallery_get_n_finished (gallery), ==, 0);

  tessera_test_outcome_clear (&outcome);
  g_clear_object (&gallery);
  g_clear_object (&loader);
  tessera_test_server_free (server);
}

/* A failed tile loads again on retry; loaded and waiting tiles are left alone. */
static void
test_retry_failed (void)
{
  TesseraTestServer *server = tessera_test_server_new ();
  g_autoptr (TesseraGallery) gallery = tessera_test_gallery_new ();
  g_autofree char *good = tessera_test_server_url (server, "/img/a.png");
  g_autofree char *flaky = tessera_test_server_url (server, "/retry/404/1/gallery-flaky");
  g_autofree char *gone = tessera_test_server_url (server, "/status/410");
  const char *urls[] = { good, flaky, gone };
  g_autoptr (TesseraTile) good_tile = NULL;
  g_autoptr (TesseraTile) flaky_tile = NULL;

  tessera_gallery_add_uris (gallery, urls, G_N_ELEMENTS (urls), NULL);
  g_assert_true (tessera_test_wait_for_gallery (gallery, 20000));
  g_assert_cmpuint (tessera_gallery_get_n_failed (gallery), ==, 2);
  good_tile = g_list_model_get_item (tessera_gallery_get_model (gallery), 0);
  flaky_tile = g_list_model_get_item (tessera_gallery_get_model (gallery), 1);
  g_assert_cmpint (tessera_tile_get_state (flaky_tile), ==, TESSERA_TILE_FAILED);

  g_assert_false (tessera_gallery_retry (gallery, good_tile));
  g_assert_true (tessera_gallery_retry (gallery, flaky_tile));
  g_assert_cmpint (tessera_tile_get_state (flaky_tile), ==, TESSERA_TILE_WAITING);
  g_assert_null (tessera_tile_get_reason (flaky_tile));
  g_assert_false (tessera_gallery_is_done (gallery));
  g_assert_cmpuint (tessera_gallery_get_n_failed (gallery), ==, 1);
  /* Already on its way: a second retry does nothing. */
  g_assert_false (tessera_gallery_retry (gallery, flaky_tile));

  g_assert_true (tessera_test_wait_for_gallery (gallery, 20000));
  g_assert_cmpint (tessera_tile_get_state (flaky_tile), ==, TESSERA_TILE_LOADED);
  g_assert_cmpuint (tessera_gallery_get_n_failed (gallery), ==, 1);
  g_assert_cmpuint (tessera_test_server_count_path (server, "/img/a.png"), ==, 1);

  /* Retry all: only the failed one goes again, and fails again. */
  g_assert_cmpuint (tessera_gallery_retry_failed (gallery), ==, 1);
  g_assert_cmpuint (tessera_gallery_get_n_failed (gallery), ==, 0);
  g_assert_true (tessera_test_wait_for_gallery (gallery, 20000));
  g_assert_cmpuint (tessera_gallery_get_n_failed (gallery), ==, 1);
  g_assert_cmpuint (tessera_gallery_get_n_finished (gallery), ==, 3);
  g_assert_cmpuint (tessera_test_server_count_path (server, "/status/410"), ==, 2);
  g_assert_cmpuint (tessera_test_server_count_path (server, "/img/a.png"), ==, 1);

  g_clear_object (&gallery);
  tessera_test_server_free (server);
}

/* Tiles of a few kilobytes each, so that a small budget holds only some of them. */
#define BUDGET_TILES   40u
#define BUDGET_TILE_PX 32u
#define BUDGET_BYTES   (12u * BUDGET_TILE_PX * BUDGET_TILE_PX * 4u)

static gboolean
no_request_pending (gpointer data)
{
  return tessera_loader_get_n_pending (data) == 0;
}

static guint
count_pictures (TesseraGallery *gallery, guint first, guint last)
{
  guint n_pictures = 0;

  for (guint i = first; i <= last; i++)
    {
      g_autoptr (TesseraTile) tile = g_list_model_get_item (tessera_gallery_get_model (gallery), i);

      g_assert_cmpint (tessera_tile_get_state (tile), ==, TESSERA_TILE_LOADED);
      n_pictures += tessera_tile_get_texture (tile) != NULL;
    }
  return n_pictures;
}

/* Pictures far from the screen are dropped to stay within the budget, and come back from
 * the disk cache, with no new download, when the screen comes to them. */
static void
test_texture_budget (void)
{
  g_autoptr (TesseraTestServer) server = tessera_test_server_new ();
  g_autoptr (TesseraLoader) loader = tessera_test_loader_new (2);
  g_autoptr (TesseraCache) cache = tessera_test_cache_new ();
  g_autoptr (TesseraGallery) gallery = NULL;
  g_autoptr (GPtrArray) urls = g_ptr_array_new_with_free_func (g_free);
  guint n_requests;

  tessera_loader_set_cache (loader, cache);
  gallery = tessera_gallery_new (loader);
  tessera_gallery_set_tile_px (gallery, BUDGET_TILE_PX);
  tessera_gallery_set_texture_budget (gallery, BUDGET_BYTES);
  for (guint i = 0; i < BUDGET_TILES; i++)
    {
      g_autofree char *path = g_strdup_printf ("/img/budget-%u.png?w=64&h=64&seed=%u", i, i);

      g_ptr_array_add (urls, tessera_test_server_url (server, path));
    }
  tessera_gallery_add_uris (gallery, (const char *const *) urls->pdata, urls->len, NULL);
  tessera_gallery_set_focus (gallery, 0, 3);
  g_assert_true (tessera_test_wait_for_gallery (gallery, 20000));

  /* On screen and a screen either side (0 to 7) keep theirs; the budget holds. */
  g_assert_cmpuint (tessera_gallery_get_texture_bytes (gallery), <=, BUDGET_BYTES);
  g_assert_cmpuint (count_pictures (gallery, 0, 7), ==, 8);
  g_assert_cmpuint (count_pictures (gallery, 0, BUDGET_TILES - 1), <=, 12);
  g_assert_cmpuint (count_pictures (gallery, 30, BUDGET_TILES - 1), ==, 0);
  n_requests = tessera_test_server_get_requests (server);

  /* The person scrolls to the end: those tiles get their pictures back from the cache,
   * and the ones at the top make room. */
  tessera_gallery_set_focus (gallery, 36, 39);
  g_assert_true (tessera_test_wait_until (no_request_pending, loader, 20000));
  g_assert_cmpuint (count_pictures (gallery, 32, BUDGET_TILES - 1), ==, 8);
  g_assert_cmpuint (count_pictures (gallery, 0, 3), ==, 0);
  g_assert_cmpuint (tessera_gallery_get_texture_bytes (gallery), <=, BUDGET_BYTES);
  g_assert_cmpuint (tessera_test_server_get_requests (server), ==, n_requests);
  g_assert_cmpuint (tessera_gallery_get_n_finished (gallery), ==, BUDGET_TILES);
  g_assert_cmpuint (tessera_gallery_get_n_failed (gallery), ==, 0);
}

int
main (int argc, char *argv[])
{
  tessera_engine_init ();
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/gallery/add-splices-and-dedups", test_add_splices_and_dedups);
  g_test_add_func ("/gallery/loads-submitted-in-chunks", test_loads_submitted_in_chunks);
  g_test_add_func ("/gallery/counts", test_counts);
  g_test_add_func ("/gallery/source-errors", test_source_errors);
  g_test_add_func ("/gallery/clear-cancels", test_clear_cancels);
  g_test_add_func ("/gallery/retry-failed", test_retry_failed);
  g_test_add_func ("/gallery/texture-budget", test_texture_budget);

  return g_test_run ();
}
