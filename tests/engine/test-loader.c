/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-loader.c: the engine against a server that misbehaves in every way we know */

#define G_LOG_DOMAIN "test-loader"

#include "config.h"

#include <sys/stat.h>

#include <string.h>

#include <glib/gstdio.h>

#include "tessera-engine.h"
#include "tessera-error.h"
#include "tessera-fetch-private.h"
#include "tessera-image-private.h"
#include "tessera-loader-private.h"
#include "tessera-saver.h"
#include "tessera-test-faults.h"
#include "tessera-test-server.h"
#include "tessera-test-util.h"

#define TILE_PX 64

/* Points Imgur's image host at @server's /img, as the app's tests do: its removed.png is
 * Imgur's placeholder. */
static void
set_imgur_images (TesseraTestServer *server)
{
  g_autofree char *base = tessera_test_server_url (server, "");

  tessera_test_point_imgur_at (base);
}

/* Every fault ends as a failure with the reason a person would want to read. */
static void
test_faults (void)
{
  g_autoptr (TesseraTestServer) server = tessera_test_server_new ();
  g_autoptr (TesseraLoader) loader = tessera_test_loader_new (TESSERA_LOADER_MAX_JOBS);
  g_autofree char *base = tessera_test_server_url (server, "");

  tessera_test_run_faults (loader, server, base);
}

/* Never more transfers than workers, and each worker keeps its connection. */
static gboolean
no_open_connections (gpointer server)
{
  return tessera_test_server_get_open_connections (server) == 0;
}

static void
test_concurrency_and_reuse (void)
{
  const guint n_jobs = 3;
  const guint n_images = 30;
  TesseraTestServer *server = tessera_test_server_new ();
  g_autoptr (TesseraLoader) loader = tessera_test_loader_new (n_jobs);
  g_autoptr (GArray) outcomes = g_array_new (FALSE, TRUE, sizeof (TesseraTestOutcome));
  g_autoptr (GPtrArray) requests
      = g_ptr_array_new_with_free_func ((GDestroyNotify) tessera_request_unref);

  g_array_set_clear_func (outcomes, (GDestroyNotify) tessera_test_outcome_clear);
  g_array_set_size (outcomes, n_images);
  tessera_test_server_set_latency_ms (server, 40);
  for (guint i = 0; i < n_images; i++)
    {
      g_autofree char *path = g_strdup_printf ("/img/reuse-%u.png", i);
      g_autofree char *url = tessera_test_server_url (server, path);
      g_ptr_array_add (
          requests, tessera_loader_submit (loader, url, 0, TILE_PX, TESSERA_CACHE_MODE_HTTP,
                                           tessera_test_record_outcome,
                                           &g_array_index (outcomes, TesseraTestOutcome, i), NULL));
    }
  g_assert_true (tessera_test_wait_for_outcomes (outcomes, 30000));

  for (guint i = 0; i < n_images; i++)
    g_assert_nonnull (g_array_index (outcomes, TesseraTestOutcome, i).texture);
  g_assert_cmpuint (tessera_test_server_get_requests (server), ==, n_images);
  g_assert_cmpuint (tessera_test_server_get_max_in_flight (server), <=, n_jobs);
  g_assert_cmpuint (tessera_test_server_get_max_in_flight (server), >=, 2);
  /* One connection per worker at most: the rest were reused. */
  g_assert_cmpuint (tessera_test_server_get_connections (server), <=, n_jobs);
  g_assert_cmpuint (tessera_test_server_get_open_connections (server), >=, 1);

  /* A freed loader closes its connections itself, not whenever GLib ends its threads (at
   * process exit, that raced OpenSSL's cleanup and crashed). */
  g_clear_object (&loader);
  g_assert_true (tessera_test_wait_until (no_open_connections, server, 5000));
  tessera_test_server_free (server);
}

typedef struct
{
  guint n_delivered;
  guint n_released;
} Counter;

static void
count_delivery (const TesseraLoadResult *result, gpointer user_data)
{
  ((Counter *) user_data)->n_delivered++;
}

static void
count_release (gpointer user_data)
{
  ((Counter *) user_data)->n_released++;
}

#define CANCEL_JOBS       8
/* A cancelled transfer stops at libcurl's next progress check, well within this. */
#define STOPPED_WITHIN_MS 2000
/* From cancelling to a freed loader, whose workers must be idle by then. */
#define FREED_WITHIN_MS   3000

/* 500 queued jobs cancelled: the transfers under way stop, nothing new starts, nothing is
 * delivered. */
static void
test_cancel_many (void)
{
  const guint n_images = 500;
  TesseraTestServer *server = tessera_test_server_new ();
  g_autoptr (TesseraLoader) loader = tessera_test_loader_new (CANCEL_JOBS);
  g_autoptr (GPtrArray) requests
      = g_ptr_array_new_with_free_func ((GDestroyNotify) tessera_request_unref);
  g_autofree char *last_url = tessera_test_server_url (server, "/img/after-cancel.png");
  g_autoptr (TesseraRequest) last = NULL;
  TesseraTestOutcome last_outcome = { 0 };
  Counter counter = { 0 };
  guint delivered_at_cancel;
  guint requests_when_stopped;
  gint64 started;

  tessera_test_server_set_latency_ms (server, 200);
  for (guint i = 0; i < n_images; i++)
    {
      g_autofree char *path = g_strdup_printf ("/img/cancel-%u.png", i);
      g_autofree char *url = tessera_test_server_url (server, path);
      g_ptr_array_add (requests,
                       tessera_loader_submit (loader, url, 0, TILE_PX, TESSERA_CACHE_MODE_HTTP,
                                              count_delivery, &counter, NULL));
    }
  /* A separate request whose user data must be released exactly once on cancel. */
  {
    g_autofree char *url = tessera_test_server_url (server, "/img/released.png");
    g_ptr_array_add (requests,
                     tessera_loader_submit (loader, url, 0, TILE_PX, TESSERA_CACHE_MODE_HTTP,
                                            count_delivery, &counter, count_release));
  }
  g_assert_true (tessera_test_wait_for_in_flight (server, CANCEL_JOBS, 10000));

  delivered_at_cancel = counter.n_delivered;
  started = g_get_monotonic_time ();
  for (guint i = 0; i < requests->len; i++)
    tessera_request_cancel (requests->pdata[i]);
  g_assert_cmpuint (tessera_loader_get_n_pending (loader), ==, 0);
  g_assert_cmpuint (counter.n_released, ==, 1);

  g_assert_true (tessera_test_wait_for_in_flight (server, 0, STOPPED_WITHIN_MS));
  requests_when_stopped = tessera_test_server_get_requests (server);
  /* Queued behind every cancelled job: once it is delivered, any of them still queued
   * would have started. */
  last = tessera_loader_submit (loader, last_url, G_MAXINT, TILE_PX, TESSERA_CACHE_MODE_HTTP,
                                tessera_test_record_outcome, &last_outcome, NULL);
  g_assert_true (tessera_test_wait_for_outcome (&last_outcome, 10000));

  g_assert_cmpuint (counter.n_delivered, ==, delivered_at_cancel);
  /* Only the transfers already under way reached the server; nothing new started. */
  g_assert_cmpuint (tessera_test_server_get_requests (server), ==, requests_when_stopped + 1);
  g_assert_cmpuint (requests_when_stopped, <, CANCEL_JOBS * 2 + 1);

  /* Freeing the loader waits for its workers, which must already be idle. */
  g_clear_object (&loader);
  g_assert_cmpint (g_get_monotonic_time () - started, <,
                   FREED_WITHIN_MS * G_TIME_SPAN_MILLISECOND * (gint64) tessera_test_slowdown ());
  g_assert_cmpuint (counter.n_released, ==, 1);
  tessera_test_outcome_clear (&last_outcome);
  tessera_test_server_free (server);
}

/* Cancelling a transfer that is stuck stops it at the next progress check. */
static void
test_cancel_running (void)
{
  TesseraTestServer *server = tessera_test_server_new ();
  /* The default limits: the trickle would stall for 20 s, not time out by itself. */
  g_autoptr (TesseraLoader) loader = tessera_loader_new (1, NULL);
  g_autofree char *url = tessera_test_server_url (server, "/trickle");
  Counter counter = { 0 };
  TesseraRequest *request;
  gint64 started;

  request = tessera_loader_submit (loader, url, 0, TILE_PX, TESSERA_CACHE_MODE_HTTP, count_delivery,
                                   &counter, NULL);
  g_assert_true (tessera_test_wait_for_in_flight (server, 1, 10000));
  started = g_get_monotonic_time ();
  tessera_request_cancel (request);
  tessera_request_unref (request);
  g_clear_object (&loader); /* returns once the worker has given up */

  g_assert_cmpint (g_get_monotonic_time () - started, <,
                   STOPPED_WITHIN_MS * G_TIME_SPAN_MILLISECOND * (gint64) tessera_test_slowdown ());
  g_assert_cmpuint (counter.n_delivered, ==, 0);
  tessera_test_server_free (server);
}

static gboolean
retry_pending (gpointer data)
{
  return tessera_test_server_count_path (data, "/retry/503/99/cancel-wait") == 1;
}

/* Cancelling while a 503 waits out its Retry-After ends the wait at once, not when it is
 * over: the worker sleeps on the request's GCancellable. */
#define LONG_RETRY_AFTER_S 60
#define INTO_THE_WAIT_MS   200
#define CANCEL_WAIT_MAX_MS 5000

static void
test_cancel_retry_wait (void)
{
  g_autoptr (TesseraTestServer) server = tessera_test_server_new ();
  g_autofree char *url = NULL;
  g_autoptr (TesseraLoader) loader = NULL;
  TesseraFetchLimits limits;
  Counter counter = { 0 };
  TesseraRequest *request;
  gint64 started;

  tessera_test_fast_limits (&limits);
  limits.retry_after_cap_s = LONG_RETRY_AFTER_S;
  loader = tessera_loader_new (1, &limits);
  url = tessera_test_server_url (server, "/retry/503/99/cancel-wait?after=60");
  request = tessera_loader_submit (loader, url, 0, TILE_PX, TESSERA_CACHE_MODE_HTTP, count_delivery,
                                   &counter, NULL);
  g_assert_true (tessera_test_wait_until (retry_pending, server, 10000));
  g_assert_true (tessera_test_wait_for_in_flight (server, 0, 10000));
  /* Give the worker time to start waiting: the wait is what must wake. */
  g_usleep (INTO_THE_WAIT_MS * G_TIME_SPAN_MILLISECOND);

  started = g_get_monotonic_time ();
  tessera_request_cancel (request);
  tessera_request_unref (request);
  g_clear_object (&loader); /* returns once the worker has given up */

  g_assert_cmpint (g_get_monotonic_time () - started, <,
                   CANCEL_WAIT_MAX_MS * G_TIME_SPAN_MILLISECOND
                       * (gint64) tessera_test_slowdown ());
  g_assert_cmpuint (tessera_test_server_count_path (server, "/retry/503/99/cancel-wait"), ==, 1);
  g_assert_cmpuint (counter.n_delivered, ==, 0);
}

typedef struct
{
  GArray *order;
  int priority;
} Ranked;

static void
record_rank (const TesseraLoadResult *result, gpointer user_data)
{
  Ranked *ranked = user_data;

  g_array_append_val (ranked->order, ranked->priority);
}

static gboolean
has_n_entries (gpointer data)
{
  return ((GArray *) data)->len == 6;
}

/* Lower priority values run first, whatever the submission order. */
static void
test_priority (void)
{
  TesseraTestServer *server = tessera_test_server_new ();
  g_autoptr (TesseraLoader) loader = tessera_test_loader_new (1);
  g_autoptr (GArray) order = g_array_new (FALSE, FALSE, sizeof (int));
  g_autoptr (GPtrArray) requests
      = g_ptr_array_new_with_free_func ((GDestroyNotify) tessera_request_unref);
  Ranked ranks[6];
  const int priorities[6] = { 0, 50, 40, 30, 20, 10 };

  for (guint i = 0; i < G_N_ELEMENTS (ranks); i++)
    {
      /* The first occupies the only worker while the others queue up. */
      g_autofree char *path = g_strdup_printf ("/img/rank-%u.png?delay=%u", i, i == 0 ? 300u : 0u);
      g_autofree char *url = tessera_test_server_url (server, path);

      ranks[i] = (Ranked){ order, priorities[i] };
      g_ptr_array_add (requests, tessera_loader_submit (loader, url, priorities[i], TILE_PX,
                                                        TESSERA_CACHE_MODE_HTTP, record_rank,
                                                        &ranks[i], NULL));
      if (i == 0)
        g_assert_true (tessera_test_wait_for_in_flight (server, 1, 10000));
    }
  g_assert_true (tessera_test_wait_until (has_n_entries, order, 10000));

  for (guint i = 0; i < order->len; i++)
    g_test_message ("delivered #%u: priority %d", i, g_array_index (order, int, i));
  g_assert_cmpint (g_array_index (order, int, 0), ==, 0);
  for (guint i = 1; i < order->len; i++)
    g_assert_cmpint (g_array_index (order, int, i), ==, (int) i * 10);

  g_clear_object (&loader);
  tessera_test_server_free (server);
}

#define N_BACKLOG 40

static gboolean
has_backlog_delivered (gpointer data)
{
  return ((GArray *) data)->len == N_BACKLOG;
}

/* When the main thread falls behind, finished requests wait for it ranked by the focus:
 * the ones in view are delivered first, not the ones that finished first. */
static void
test_delivers_in_view_first (void)
{
  g_autoptr (TesseraTestServer) server = tessera_test_server_new ();
  g_autoptr (TesseraLoader) loader = tessera_test_loader_new (2);
  g_autoptr (GArray) order = g_array_new (FALSE, FALSE, sizeof (int));
  g_autoptr (GPtrArray) requests
      = g_ptr_array_new_with_free_func ((GDestroyNotify) tessera_request_unref);
  Ranked ranks[N_BACKLOG];
  gint64 deadline = g_get_monotonic_time () + 10 * G_TIME_SPAN_SECOND * tessera_test_slowdown ();

  for (int i = 0; i < N_BACKLOG; i++)
    {
      g_autofree char *path = g_strdup_printf ("/img/backlog-%d.png?w=16&h=16", i);
      g_autofree char *url = tessera_test_server_url (server, path);

      ranks[i] = (Ranked){ order, i };
      g_ptr_array_add (requests,
                       tessera_loader_submit (loader, url, i, TILE_PX, TESSERA_CACHE_MODE_HTTP,
                                              record_rank, &ranks[i], NULL));
    }
  /* The main loop does not turn meanwhile: every request finishes and waits. */
  while (tessera_loader_get_n_finished (loader) < N_BACKLOG)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (10 * G_TIME_SPAN_MILLISECOND);
    }
  tessera_loader_set_focus (loader, 30, 39, 0);
  g_assert_true (tessera_test_wait_until (has_backlog_delivered, order, 10000));

  for (int i = 0; i < 10; i++)
    g_assert_cmpint (g_array_index (order, int, i), ==, 30 + i);
  g_assert_cmpint (g_array_index (order, int, 10), ==, 29);
}

static void
load_one (TesseraLoader *loader, const char *uri, TesseraTestOutcome *outcome)
{
  g_autoptr (TesseraRequest) request = tessera_loader_submit (
      loader, uri, 0, TILE_PX, TESSERA_CACHE_MODE_HTTP, tessera_test_record_outcome, outcome, NULL);

  g_assert_true (tessera_test_wait_for_outcome (outcome, 10000));
}

/* Local files go through the same pool: an image loads, text does not. */
static void
test_local_files (void)
{
  g_autoptr (TesseraLoader) loader = tessera_test_loader_new (2);
  g_autofree char *dir = g_dir_make_tmp ("tessera-loader-XXXXXX", NULL);
  g_autofree char *png_path = g_build_filename (dir, "picture.png", NULL);
  g_autofree char *text_path = g_build_filename (dir, "notes.png", NULL);
  g_autofree char *png_uri = g_filename_to_uri (png_path, NULL, NULL);
  g_autofree char *text_uri = g_filename_to_uri (text_path, NULL, NULL);
  g_autoptr (GBytes) png = tessera_test_make_png (200, 100, 7);
  TesseraTestOutcome image = { 0 };
  TesseraTestOutcome text = { 0 };

  g_assert_true (g_file_set_contents (png_path, g_bytes_get_data (png, NULL),
                                      (gssize) g_bytes_get_size (png), NULL));
  g_assert_true (g_file_set_contents (text_path, "not a picture", -1, NULL));

  load_one (loader, png_uri, &image);
  load_one (loader, text_uri, &text);

  g_assert_nonnull (image.texture);
  /* A 200×100 image shrinks to the square of its short side. */
  g_assert_cmpint (gdk_texture_get_width (image.texture), ==, TILE_PX);
  g_assert_cmpint (gdk_texture_get_height (image.texture), ==, TILE_PX);
  g_assert_null (text.texture);
  g_assert_cmpint (text.error_code, ==, TESSERA_ERROR_NOT_IMAGE);

  tessera_test_outcome_clear (&image);
  tessera_test_outcome_clear (&text);
  tessera_test_remove_tree (dir);
}

/* The byte cap holds for local files by the read itself: a file whose size says nothing
 * (/proc: 0 bytes) is refused past the cap, and a FIFO is refused without waiting for a
 * writer. */
#define SMALL_MAX_BYTES 64

static void
test_local_files_bounded (void)
{
  g_autoptr (TesseraLoader) loader = NULL;
  g_autofree char *dir = g_dir_make_tmp ("tessera-loader-XXXXXX", NULL);
  g_autofree char *fifo_path = g_build_filename (dir, "pipe.png", NULL);
  g_autofree char *fifo_uri = g_filename_to_uri (fifo_path, NULL, NULL);
  TesseraFetchLimits limits;
  TesseraTestOutcome proc = { 0 };
  TesseraTestOutcome fifo = { 0 };

  tessera_test_fast_limits (&limits);
  limits.max_bytes = SMALL_MAX_BYTES;
  loader = tessera_loader_new (1, &limits);
  g_assert_cmpint (mkfifo (fifo_path, 0600), ==, 0);

  load_one (loader, "file:///proc/self/status", &proc);
  load_one (loader, fifo_uri, &fifo);

  g_assert_cmpint (proc.error_code, ==, TESSERA_ERROR_TOO_LARGE);
  g_assert_cmpstr (proc.label, ==, "Too large");
  g_assert_cmpint (fifo.error_code, ==, TESSERA_ERROR_FILE);
  g_assert_cmpstr (fifo.label, ==, "Can't read file");

  tessera_test_outcome_clear (&proc);
  tessera_test_outcome_clear (&fifo);
  g_unlink (fifo_path);
  g_rmdir (dir);
}

/* Echoes the request's Authorization header with the status asked for in the query, and a
 * rate-limit style header. */
static gboolean
echo_api (const char *path, const char *query, GHashTable *request_headers, guint *status,
          const char **content_type, GString *headers, GBytes **body, gpointer user_data)
{
  const char *auth = g_hash_table_lookup (request_headers, "authorization");
  const char *accept = g_hash_table_lookup (request_headers, "accept");

  *status = query != NULL ? (guint) g_ascii_strtoull (query, NULL, 10) : 200;
  *content_type = (char *) "application/json";
  g_string_append (headers, "X-RateLimit-UserRemaining: 7\r\n");
  *body = g_bytes_new_take (g_strdup_printf ("%s|%s", auth ? auth : "", accept ? accept : ""),
                            strlen (auth ? auth : "") + strlen (accept ? accept : "") + 1);
  return TRUE;
}

typedef struct
{
  long status;
  char *body;
  char *remaining;
} Answer;

static void
answer_free (gpointer data)
{
  Answer *answer = data;

  g_free (answer->body);
  g_free (answer->remaining);
  g_free (answer);
}

static gpointer
parse_answer (const TesseraResponse *response, gpointer parse_data, GError **error)
{
  Answer *answer = g_new0 (Answer, 1);

  g_assert_false (tessera_engine_is_main_thread ());
  g_assert_cmpstr (parse_data, ==, "parse data");
  answer->status = response->status;
  answer->body
      = g_strndup (g_bytes_get_data (response->body, NULL), g_bytes_get_size (response->body));
  answer->remaining
      = g_strdup (g_hash_table_lookup (response->headers, "x-ratelimit-userremaining"));
  return answer;
}

typedef struct
{
  gboolean delivered;
  Answer *answer;
} DataOutcome;

static void
record_answer (const TesseraLoadResult *result, gpointer user_data)
{
  DataOutcome *outcome = user_data;

  outcome->delivered = TRUE;
  g_assert_null (result->error);
  /* Taking over the payload: the loader must not free it afterwards. */
  outcome->answer = g_memdup2 (result->data, sizeof (Answer));
  memset (result->data, 0, sizeof (Answer));
}

static gboolean
data_delivered (gpointer data)
{
  return ((DataOutcome *) data)->delivered;
}

/* A service's answer of any status comes back whole, with its headers, parsed on a worker;
 * request headers go out; a 429 is the caller's to honour, never retried. */
static void
test_data_requests (void)
{
  g_autoptr (TesseraTestServer) server = tessera_test_server_new ();
  g_autoptr (TesseraLoader) loader = tessera_test_loader_new (2);
  const char *headers[] = { "Authorization: Client-ID secret", NULL };
  const guint statuses[] = { 200, 403, 429, 503 };

  tessera_test_server_add_handler (server, "/api/", echo_api, NULL);
  for (gsize i = 0; i < G_N_ELEMENTS (statuses); i++)
    {
      g_autofree char *path = g_strdup_printf ("/api/gallery?%u", statuses[i]);
      g_autofree char *url = tessera_test_server_url (server, path);
      TesseraDataJob job = { headers, parse_answer, (gpointer) "parse data", NULL, answer_free };
      DataOutcome outcome = { 0 };
      g_autoptr (TesseraRequest) request = NULL;

      tessera_test_server_reset_counters (server);
      request = tessera_loader_submit_data (loader, url, 0, &job, record_answer, &outcome, NULL);
      g_assert_true (tessera_test_wait_until (data_delivered, &outcome, 10000));

      g_assert_cmpint (outcome.answer->status, ==, statuses[i]);
      g_assert_cmpstr (outcome.answer->body, ==, "Client-ID secret|application/json");
      g_assert_cmpstr (outcome.answer->remaining, ==, "7");
      g_assert_cmpuint (tessera_test_server_count_path (server, "/api/gallery"), ==, 1);
      answer_free (outcome.answer);
    }
}

/* Stands in for a frame clock on slow (software) rendering: a redraw-priority source that
 * is always ready and takes a frame's time. */
#define SLOW_FRAME_US    20000
#define REDRAW_PRIORITY  (G_PRIORITY_HIGH_IDLE + 20)
#define N_BUSY_LOADS     60
/* What a delivery costs the main thread (a tile widget's update, say): without slices,
 * the results that pile up during one frame would hold up the next for all of theirs. */
#define DELIVERY_COST_US 3000
/* A frame, a delivery slice and its last delivery, with room for a loaded machine. */
#define MAX_FRAME_GAP_MS 80
/* Slices of a few deliveries each, a frame between every two. */
#define MIN_FRAMES       (N_BUSY_LOADS / 6)

typedef struct
{
  guint n_frames;
  gint64 last_us;
  gint64 max_gap_us;
} FrameWatch;

static gboolean
paint_slow_frame (gpointer data)
{
  FrameWatch *watch = data;
  gint64 now = g_get_monotonic_time ();

  watch->n_frames++;
  watch->max_gap_us = MAX (watch->max_gap_us, now - watch->last_us);
  watch->last_us = now;
  g_usleep (SLOW_FRAME_US);
  return G_SOURCE_CONTINUE;
}

static void
record_slowly (const TesseraLoadResult *result, gpointer user_data)
{
  tessera_test_record_outcome (result, user_data);
  g_usleep (DELIVERY_COST_US);
}

/* Results still arrive while frames are painted back to back, and frames go on being
 * painted while results arrive: neither starves the other. */
static void
test_delivers_under_busy_frames (void)
{
  g_autoptr (TesseraLoader) loader = tessera_test_loader_new (4);
  g_autofree char *dir = g_dir_make_tmp ("tessera-loader-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "picture.png", NULL);
  g_autofree char *uri = g_filename_to_uri (path, NULL, NULL);
  g_autoptr (GBytes) png = tessera_test_make_png (64, 64, 3);
  g_autoptr (GArray) outcomes = g_array_new (FALSE, TRUE, sizeof (TesseraTestOutcome));
  g_autoptr (GPtrArray) requests
      = g_ptr_array_new_with_free_func ((GDestroyNotify) tessera_request_unref);
  g_autoptr (GSource) frames = g_idle_source_new ();
  FrameWatch watch = { 0 };

  g_assert_true (g_file_set_contents (path, g_bytes_get_data (png, NULL),
                                      (gssize) g_bytes_get_size (png), NULL));
  g_array_set_size (outcomes, N_BUSY_LOADS);
  g_source_set_priority (frames, REDRAW_PRIORITY);
  g_source_set_callback (frames, paint_slow_frame, &watch, NULL);
  g_source_attach (frames, NULL);

  watch.last_us = g_get_monotonic_time ();
  for (guint i = 0; i < N_BUSY_LOADS; i++)
    g_ptr_array_add (requests, tessera_loader_submit (
                                   loader, uri, 0, TILE_PX, TESSERA_CACHE_MODE_HTTP, record_slowly,
                                   &g_array_index (outcomes, TesseraTestOutcome, i), NULL));
  g_assert_true (tessera_test_wait_for_outcomes (outcomes, 20000));
  g_source_destroy (frames);
  /* Frames that stopped before the last result count as one long gap. */
  watch.max_gap_us = MAX (watch.max_gap_us, g_get_monotonic_time () - watch.last_us);

  g_test_message ("%u frames, longest gap %" G_GINT64_FORMAT " ms", watch.n_frames,
                  watch.max_gap_us / 1000);
  g_assert_cmpuint (watch.n_frames, >=, MIN_FRAMES);
  g_assert_cmpint (watch.max_gap_us, <,
                   MAX_FRAME_GAP_MS * G_TIME_SPAN_MILLISECOND * (gint64) tessera_test_slowdown ());
  for (guint i = 0; i < N_BUSY_LOADS; i++)
    {
      g_assert_nonnull (g_array_index (outcomes, TesseraTestOutcome, i).texture);
      tessera_test_outcome_clear (&g_array_index (outcomes, TesseraTestOutcome, i));
    }
  tessera_test_remove_tree (dir);
}

/* What a fetch on a thread of its own (the fetcher refuses the main thread) gave. */
typedef struct
{
  const char *url;
  GCancellable *cancellable;
  gboolean done;
  TesseraResponse *response;
  char *label;
  GError *error;
} ThreadFetch;

static void
fetch_done (TesseraResponse *response, char *label, GError *error, gpointer user_data)
{
  ThreadFetch *fetch = user_data;

  fetch->done = TRUE;
  fetch->response = response;
  fetch->label = label;
  fetch->error = error;
}

static gpointer
fetch_on_thread (gpointer data)
{
  ThreadFetch *fetch = data;
  g_autoptr (TesseraCurlShare) share = tessera_curl_share_new ();
  g_autoptr (TesseraFetcher) fetcher = NULL;
  TesseraFetchLimits limits;

  tessera_test_fast_limits (&limits);
  fetcher = tessera_fetcher_new (share, &limits);
  tessera_fetcher_start (fetcher, fetch->url, NULL, TESSERA_FETCH_IMAGE, fetch->cancellable,
                         fetch_done, fetch);
  while (!fetch->done)
    tessera_fetcher_run (fetcher, G_MAXINT);
  return NULL;
}

/* A fetch cancelled during its transfer says so the way every cancel in the engine does:
 * G_IO_ERROR_CANCELLED, labelled "Cancelled". */
static void
test_fetch_cancelled (void)
{
  g_autoptr (TesseraTestServer) server = tessera_test_server_new ();
  g_autofree char *url = tessera_test_server_url (server, "/hang");
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  ThreadFetch fetch = { url, cancellable, FALSE, NULL, NULL, NULL };
  GThread *thread = g_thread_new ("fetch", fetch_on_thread, &fetch);

  g_assert_true (tessera_test_wait_for_in_flight (server, 1, 10000));
  g_cancellable_cancel (cancellable);
  g_thread_join (thread);

  g_assert_null (fetch.response);
  g_assert_error (fetch.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpstr (fetch.label, ==, "Cancelled");
  g_clear_error (&fetch.error);
  g_free (fetch.label);
  /* cppcheck-suppress memleak ; g_thread_join() drops the thread's reference */
}

/* A refused argument returns NULL and touches nothing: no half-made loader to finalize, no
 * fetcher read before it is checked. */
/* The placeholder table, host and path, with real addresses: what redirects end at when
 * the image is gone, and look-alikes that are real pictures. */
static void
test_placeholders (void)
{
  static const struct
  {
    const char *url;
    gboolean placeholder;
  } cases[] = {
    { "https://i.imgur.com/removed.png", TRUE },
    { "http://i.imgur.com/removed.png", TRUE },
    { "https://imgur.com/removed.png", TRUE },
    { "https://I.IMGUR.COM/removed.png", TRUE },
    { "https://i.imgur.com/removed.png?x=1", TRUE },
    { "https://s.yimg.com/pw/images/en-us/photo_unavailable.png", TRUE },
    { "https://s.yimg.com/pw/images/en-us/photo_unavailable_h.png", TRUE },
    { "https://s.yimg.com/pw/images/en-us/photo_unavailable_z.png", TRUE },
    { "https://assets.tumblr.com/images/media_violation/community_guidelines_v1_1280.png", TRUE },
    { "https://i.imgur.com/abc123.jpg", FALSE },
    { "https://i.imgur.com/removed.png.jpg", FALSE },
    { "https://i.imgur.com/a/removed.png", FALSE },
    { "https://example.com/removed.png", FALSE },
    { "https://imgur.com.example.com/removed.png", FALSE },
    { "https://s.yimg.com/pw/images/en-us/photo_unavailable.gif", FALSE },
    { "https://live.staticflickr.com/65535/52345678901_abcdef1234_b.jpg", FALSE },
    { "https://64.media.tumblr.com/abc/tumblr_xyz_1280.jpg", FALSE },
    { "http://127.0.0.1:8080/img/removed.png", FALSE },
    { "not a url", FALSE },
  };

  g_unsetenv ("TESSERA_IMGUR_IMAGES");
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_test_message ("%s", cases[i].url);
      g_assert_cmpint (tessera_fetch_is_placeholder (cases[i].url), ==, cases[i].placeholder);
    }

  /* Imgur's image host moved (a mirror, the tests' server): its removed.png, and only that. */
  g_setenv ("TESSERA_IMGUR_IMAGES", "http://127.0.0.1:8080/img", TRUE);
  g_assert_true (tessera_fetch_is_placeholder ("http://127.0.0.1:8080/img/removed.png"));
  g_assert_false (tessera_fetch_is_placeholder ("http://127.0.0.1:8080/removed.png"));
  g_assert_false (tessera_fetch_is_placeholder ("http://127.0.0.1:8080/imgremoved.png"));
  g_assert_true (tessera_fetch_is_placeholder ("https://i.imgur.com/removed.png"));
  g_unsetenv ("TESSERA_IMGUR_IMAGES");
}

typedef struct
{
  TesseraCache *cache;
  const char *url;
} Lookup;

/* Whether the cache holds an entry for the URL: on a thread of its own, as workers read. */
static gpointer
lookup_in_thread (gpointer data)
{
  Lookup *lookup = data;
  g_autoptr (TesseraCacheEntry) entry = tessera_cache_lookup (lookup->cache, lookup->url);

  return GINT_TO_POINTER (entry != NULL);
}

static gboolean
is_cached (TesseraCache *cache, const char *url)
{
  Lookup lookup = { cache, url };

  return GPOINTER_TO_INT (g_thread_join (g_thread_new ("lookup", lookup_in_thread, &lookup)));
}

/* A removed image never goes into the disk cache (the cache stores answers, and the
 * placeholder is a failure); a picture from the same server does. */
static void
test_removed_not_cached (void)
{
  g_autoptr (TesseraTestServer) server = tessera_test_server_new ();
  g_autoptr (TesseraCache) cache = tessera_test_cache_new ();
  g_autoptr (TesseraLoader) loader = tessera_test_loader_new (2);
  g_autofree char *gone = tessera_test_server_url (server, "/gone/deleted.png");
  g_autofree char *kept = tessera_test_server_url (server, "/img/kept.png");
  TesseraTestOutcome gone_outcome = { 0 };
  TesseraTestOutcome kept_outcome = { 0 };

  set_imgur_images (server);
  tessera_loader_set_cache (loader, cache);
  tessera_request_unref (tessera_loader_submit (loader, gone, 0, TILE_PX, TESSERA_CACHE_MODE_HTTP,
                                                tessera_test_record_outcome, &gone_outcome, NULL));
  tessera_request_unref (tessera_loader_submit (loader, kept, 0, TILE_PX, TESSERA_CACHE_MODE_HTTP,
                                                tessera_test_record_outcome, &kept_outcome, NULL));
  g_assert_true (tessera_test_wait_for_outcome (&gone_outcome, 10000));
  g_assert_true (tessera_test_wait_for_outcome (&kept_outcome, 10000));
  g_unsetenv ("TESSERA_IMGUR_IMAGES");

  g_assert_cmpint (gone_outcome.error_code, ==, TESSERA_ERROR_REMOVED);
  g_assert_cmpstr (gone_outcome.label, ==, "Removed");
  g_assert_nonnull (kept_outcome.texture);
  g_assert_false (is_cached (cache, gone));
  g_assert_true (is_cached (cache, kept));
  tessera_test_outcome_clear (&gone_outcome);
  tessera_test_outcome_clear (&kept_outcome);
}

/* Saving a compressed image keeps the image, decoded: the very bytes the server compressed.
 * A removed one is a failure, and nothing is written for it. */
static void
test_save_compressed_and_removed (void)
{
  g_autoptr (TesseraTestServer) server = tessera_test_server_new ();
  g_autoptr (TesseraLoader) loader = tessera_test_loader_new (2);
  g_autoptr (TesseraSaver) saver = tessera_saver_new (loader);
  g_autofree char *dir = g_dir_make_tmp ("tessera-save-encoded-XXXXXX", NULL);
  g_autoptr (GPtrArray) items
      = g_ptr_array_new_with_free_func ((GDestroyNotify) tessera_save_item_free);
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (TesseraSaveReport) report = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) expected = tessera_test_make_png (80, 60, 11);
  g_autoptr (GBytes) saved = NULL;
  g_autofree char *saved_path = NULL;
  g_autofree char *contents = NULL;
  gsize len = 0;
  const char *paths[] = { "/gzip/img/zipped.png?w=80&h=60&seed=11", "/gone/deleted.png" };

  set_imgur_images (server);
  for (gsize i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      g_autofree char *url = tessera_test_server_url (server, paths[i]);

      g_ptr_array_add (items, tessera_save_item_new_for_uri (url));
    }
  tessera_saver_save_async (saver, items, dir, NULL, tessera_test_store_result, &result);
  g_assert_true (tessera_test_wait_for_result (&result, 10000));
  g_assert_true (tessera_saver_save_finish (saver, result, &report, &error));
  g_assert_no_error (error);
  g_unsetenv ("TESSERA_IMGUR_IMAGES");

  g_assert_cmpuint (report->saved_names->len, ==, 1);
  g_assert_cmpuint (report->failures->len, ==, 1);
  g_assert_nonnull (strstr (report->failures->pdata[0], "removed"));
  g_assert_cmpuint (tessera_test_count_files (dir), ==, 1);
  saved_path = g_build_filename (dir, report->saved_names->pdata[0], NULL);
  g_assert_true (g_file_get_contents (saved_path, &contents, &len, NULL));
  saved = g_bytes_new_take (g_steal_pointer (&contents), len);
  g_assert_true (g_bytes_equal (saved, expected));
  tessera_test_remove_tree (dir);
}

#define BUDGET_IMAGES 8
#define BUDGET_SIDE   2000u

/* With a budget that holds two progressive decodes, never more than two run at once
 * whatever the jobs; with one smaller than a single decode, each runs alone. Every image
 * still loads. */
static void
test_decode_budget (void)
{
  static const struct
  {
    double budget_in_decodes;
    guint most_at_once;
  } cases[] = {
    { 2.5, 2 },
    { 0.5, 1 },
  };
  g_autoptr (TesseraTestServer) server = tessera_test_server_new ();
  g_autoptr (GBytes) jpeg = tessera_test_make_progressive_jpeg (BUDGET_SIDE, BUDGET_SIDE, 1);
  gsize len = 0;
  const guint8 *data = g_bytes_get_data (jpeg, &len);
  gsize cost = tessera_image_decode_cost (data, len, TILE_PX);

  for (gsize c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      g_autoptr (TesseraLoader) loader = tessera_test_loader_new (BUDGET_IMAGES);
      g_autoptr (GArray) outcomes = g_array_new (FALSE, TRUE, sizeof (TesseraTestOutcome));

      g_array_set_clear_func (outcomes, (GDestroyNotify) tessera_test_outcome_clear);
      g_array_set_size (outcomes, BUDGET_IMAGES);
      tessera_image_set_decode_budget ((gsize) (cost * cases[c].budget_in_decodes));
      for (guint i = 0; i < BUDGET_IMAGES; i++)
        {
          g_autofree char *path = g_strdup_printf ("/progressive/b%zu-%u.jpg?w=%u&h=%u&seed=1", c,
                                                   i, BUDGET_SIDE, BUDGET_SIDE);
          g_autofree char *url = tessera_test_server_url (server, path);

          tessera_request_unref (tessera_loader_submit (
              loader, url, 0, TILE_PX, TESSERA_CACHE_MODE_HTTP, tessera_test_record_outcome,
              &g_array_index (outcomes, TesseraTestOutcome, i), NULL));
        }
      g_assert_true (tessera_test_wait_for_outcomes (outcomes, 60000));

      g_test_message ("budget of %.1f decodes: at most %u at once", cases[c].budget_in_decodes,
                      tessera_image_get_peak_decodes ());
      g_assert_cmpuint (tessera_image_get_peak_decodes (), >=, 1);
      g_assert_cmpuint (tessera_image_get_peak_decodes (), <=, cases[c].most_at_once);
      for (guint i = 0; i < BUDGET_IMAGES; i++)
        g_assert_nonnull (g_array_index (outcomes, TesseraTestOutcome, i).texture);
    }
  tessera_image_set_decode_budget (0);
}

static void
test_preconditions (void)
{
  g_test_expect_message ("tessera-loader", G_LOG_LEVEL_CRITICAL, "*n_jobs >= *");
  g_assert_null (tessera_loader_new (TESSERA_LOADER_MIN_JOBS - 1, NULL));
  g_test_assert_expected_messages ();

  g_test_expect_message ("tessera-fetch", G_LOG_LEVEL_CRITICAL, "*self != NULL*");
  g_assert_cmpuint (tessera_fetcher_get_n_transfers (NULL), ==, 0);
  g_test_assert_expected_messages ();
}

int
main (int argc, char *argv[])
{
  tessera_engine_init ();
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/loader/preconditions", test_preconditions);
  g_test_add_func ("/loader/faults", test_faults);
  g_test_add_func ("/loader/concurrency-and-reuse", test_concurrency_and_reuse);
  g_test_add_func ("/loader/cancel-many", test_cancel_many);
  g_test_add_func ("/loader/cancel-running", test_cancel_running);
  g_test_add_func ("/loader/priority", test_priority);
  g_test_add_func ("/loader/delivers-in-view-first", test_delivers_in_view_first);
  g_test_add_func ("/loader/cancel-retry-wait", test_cancel_retry_wait);
  g_test_add_func ("/loader/fetch-cancelled", test_fetch_cancelled);
  g_test_add_func ("/loader/local-files", test_local_files);
  g_test_add_func ("/loader/local-files-bounded", test_local_files_bounded);
  g_test_add_func ("/loader/delivers-under-busy-frames", test_delivers_under_busy_frames);
  g_test_add_func ("/loader/data-requests", test_data_requests);
  g_test_add_func ("/loader/placeholders", test_placeholders);
  g_test_add_func ("/loader/decode-budget", test_decode_budget);
  g_test_add_func ("/loader/removed-not-cached", test_removed_not_cached);
  g_test_add_func ("/loader/save-compressed-and-removed", test_save_compressed_and_removed);

  return g_test_run ();
}
