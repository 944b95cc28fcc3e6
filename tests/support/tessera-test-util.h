/* SPDX-License-Identifier: GPL-3.0-or-later */
/* tessera-test-util.h: what the tests share: waiting, limits, folders and the Imgur fixtures */
#pragma once

#include "tessera-gallery.h"
#include "tessera-loader.h"
#include "tessera-saver.h"
#include "tessera-test-server.h"

G_BEGIN_DECLS

/* What one delivered request said, copied out of the callback. */
typedef struct
{
  gboolean delivered;
  guint n_deliveries;
  GdkTexture *texture;
  GQuark error_domain;
  int error_code;
  char *label;
  gint64 finished_us;
} TesseraTestOutcome;

void tessera_test_outcome_clear (TesseraTestOutcome *outcome);
/* A TesseraDeliverFunc that fills the TesseraTestOutcome passed as user data. */
void tessera_test_record_outcome (const TesseraLoadResult *result, gpointer user_data);

/* How many times slower this build runs than an optimised one: TESSERA_TEST_SLOWDOWN (the
 * test environment sets 3 under sanitizers), 1 when unset; anything but a whole number from
 * 1 stops the test. Every wall-clock limit in a test is multiplied by it, except one that
 * must stay below a fixed time to catch its bug. */
guint tessera_test_slowdown (void);

/* Iterates the default main context (call on the main thread) until @condition(@data)
 * holds: TRUE. FALSE, with a test message, when @timeout_ms × tessera_test_slowdown() pass
 * first. Waits in blocking iterations, so conditions set by other threads are seen within
 * a few milliseconds and idle sources still run. */
gboolean tessera_test_wait_until (gboolean (*condition) (gpointer data), gpointer data,
                                  guint timeout_ms);
/* tessera_test_wait_until() for tessera_gallery_is_done(@gallery). */
gboolean tessera_test_wait_for_gallery (TesseraGallery *gallery, guint timeout_ms);
/* A GAsyncReadyCallback that keeps a reference to the result in *(GAsyncResult **) @user_data,
 * which must be NULL before; with tessera_test_wait_for_result() it makes an _async call
 * synchronous in a test. */
void tessera_test_store_result (GObject *source, GAsyncResult *result, gpointer user_data);
/* tessera_test_wait_until() for *@result to be set by tessera_test_store_result(). */
gboolean tessera_test_wait_for_result (GAsyncResult **result, guint timeout_ms);
/* tessera_test_wait_until() for @outcome to be delivered. */
gboolean tessera_test_wait_for_outcome (TesseraTestOutcome *outcome, guint timeout_ms);
/* tessera_test_wait_until() for every TesseraTestOutcome in @outcomes to be delivered. */
gboolean tessera_test_wait_for_outcomes (GArray *outcomes, guint timeout_ms);
/* tessera_test_wait_until() for exactly @n requests in flight at @server. */
gboolean tessera_test_wait_for_in_flight (TesseraTestServer *server, guint n, guint timeout_ms);

/* Limits short enough that timeouts and caps trigger within seconds. */
void tessera_test_fast_limits (TesseraFetchLimits *limits);
/* A loader (transfer full) with @n_jobs workers and tessera_test_fast_limits(). */
TesseraLoader *tessera_test_loader_new (guint n_jobs);
/* A cache (transfer full) of the default size in a new temporary folder, removed when the
 * test case ends. */
TesseraCache *tessera_test_cache_new (void);

/* Pages of Imgur's hot/viral/day gallery on @server from the fixtures in @fixtures_dir:
 * page 0 the captured hot page (183 posts), page 1 a page of newer shapes, page 2 empty;
 * every album of page 0 answers with the captured 42-image album. Requests must carry
 * "Authorization: Client-ID @client_id". */
#define TESSERA_TEST_IMGUR_PAGE(n) "/3/gallery/hot/viral/day/" #n
void tessera_test_serve_imgur (TesseraTestServer *server, const char *fixtures_dir,
                               const char *client_id);
/* The fixtures' folder: TESSERA_IMGUR_FIXTURES, which the test environment sets. */
const char *tessera_test_imgur_fixtures (void);

/* A gallery (transfer full) over tessera_test_loader_new (4). */
TesseraGallery *tessera_test_gallery_new (void);
/* Adds to @gallery three URLs of @server, in this order: an image that loads, a 404 and
 * a page that is not an image. Returns (transfer full) the URLs. */
GStrv tessera_test_add_mixed_urls (TesseraGallery *gallery, TesseraTestServer *server);

/* Writes @bytes to the file @name in the folder @dir, asserting it worked; returns
 * (transfer full) the file's path. */
char *tessera_test_write_file (const char *dir, const char *name, GBytes *bytes);

/* How many entries the folder @path holds (0 when it cannot be read). */
guint tessera_test_count_files (const char *path);
/* The names in the folder @path, sorted and joined with '|': "a.jpg|b (2).jpg" (transfer
 * full); fails the test if the folder cannot be read. */
char *tessera_test_list_folder (const char *path);
/* @names (strings) sorted and joined with '|' (transfer full); @names is left as it was. */
char *tessera_test_join_sorted (GPtrArray *names);
/* Removes @path and everything below it, not following symbolic links. What cannot be
 * removed stays, with a test message: a test's tear-down should not fail on it. */
void tessera_test_remove_tree (const char *path);

G_END_DECLS
