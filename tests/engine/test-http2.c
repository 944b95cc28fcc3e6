/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-http2.c: the workers over HTTP/2 with TLS: shared connections, streams, CAs, cancelling */

#define G_LOG_DOMAIN "test-http2"

#include "config.h"

#include "tessera-engine.h"
#include "tessera-error.h"
#include "tessera-loader-private.h"
#include "tessera-test-faults.h"
#include "tessera-test-h2.h"
#include "tessera-test-util.h"

#define TILE_PX    64
#define N_JOBS     2
#define N_IMAGES   60
#define LATENCY_MS 50

/* The test server, and an HTTP/2-over-TLS front for it. */
typedef struct
{
  TesseraTestServer *backend;
  TesseraTestH2 *h2;
} Fixture;

static void
fixture_set_up (Fixture *fixture, gconstpointer data)
{
  fixture->backend = tessera_test_server_new ();
  fixture->h2 = tessera_test_h2_new (fixture->backend);
}

/* Also trusts the front's CA, through SSL_CERT_FILE, as a person would give it. */
static void
fixture_set_up_trusted (Fixture *fixture, gconstpointer data)
{
  fixture_set_up (fixture, data);
  g_setenv ("SSL_CERT_FILE", tessera_test_h2_get_ca_file (fixture->h2), TRUE);
}

static void
fixture_tear_down (Fixture *fixture, gconstpointer data)
{
  g_unsetenv ("SSL_CERT_FILE");
  g_clear_pointer (&fixture->h2, tessera_test_h2_free);
  g_clear_pointer (&fixture->backend, tessera_test_server_free);
}

/* Submits @n_images generated images from @h2 to @loader; outcomes in @outcomes. */
static GPtrArray *
submit_images (TesseraLoader *loader, TesseraTestH2 *h2, const char *stem, GArray *outcomes)
{
  GPtrArray *requests = g_ptr_array_new_with_free_func ((GDestroyNotify) tessera_request_unref);

  for (guint i = 0; i < outcomes->len; i++)
    {
      g_autofree char *path = g_strdup_printf ("/img/%s-%u.png?w=32&h=32&seed=%u", stem, i, i);
      g_autofree char *url = tessera_test_h2_url (h2, path);

      g_ptr_array_add (
          requests, tessera_loader_submit (loader, url, (int) i, TILE_PX, TESSERA_CACHE_MODE_HTTP,
                                           tessera_test_record_outcome,
                                           &g_array_index (outcomes, TesseraTestOutcome, i), NULL));
    }
  return requests;
}

static GArray *
outcomes_new (guint n)
{
  GArray *outcomes = g_array_new (FALSE, TRUE, sizeof (TesseraTestOutcome));

  g_array_set_clear_func (outcomes, (GDestroyNotify) tessera_test_outcome_clear);
  g_array_set_size (outcomes, n);
  return outcomes;
}

/* @h2's counts, said in the test's log, once checked that the N_JOBS workers used a
 * connection each at most and that streams really shared one (HTTP/2 is used). */
static TesseraTestH2Stats
multiplexed_stats (TesseraTestH2 *h2)
{
  TesseraTestH2Stats stats = tessera_test_h2_get_stats (h2);

  g_test_message ("%u sessions, %u streams, at most %u at once on one", stats.sessions,
                  stats.streams, stats.most_streams_at_once);
  g_assert_cmpuint (stats.sessions, >=, 1);
  g_assert_cmpuint (stats.sessions, <=, N_JOBS * TESSERA_FETCH_CONNECTIONS_PER_HOST);
  g_assert_cmpuint (stats.most_streams_at_once, >, 1);
  g_assert_cmpuint (stats.most_streams_at_once, <=,
                    TESSERA_FETCH_MULTIPLEX_TRANSFERS + TESSERA_FETCH_VIEW_EXTRA);
  return stats;
}

/* Many requests to one host ride a few connections: never more than one per worker, and
 * each carries many streams at once (HTTP/2 really is used). The CA given through
 * SSL_CERT_FILE is trusted. */
static void
test_shared_connections (Fixture *fixture, gconstpointer data)
{
  g_autoptr (TesseraLoader) loader = NULL;
  g_autoptr (GArray) outcomes = outcomes_new (N_IMAGES);
  g_autoptr (GPtrArray) requests = NULL;
  TesseraTestH2Stats stats;

  tessera_test_server_set_latency_ms (fixture->backend, LATENCY_MS);
  loader = tessera_test_loader_new (N_JOBS);
  requests = submit_images (loader, fixture->h2, "shared", outcomes);
  g_assert_true (tessera_test_wait_for_outcomes (outcomes, 30000));

  for (guint i = 0; i < outcomes->len; i++)
    {
      const TesseraTestOutcome *outcome = &g_array_index (outcomes, TesseraTestOutcome, i);

      g_assert_cmpstr (outcome->label, ==, NULL);
      g_assert_nonnull (outcome->texture);
    }
  stats = multiplexed_stats (fixture->h2);
  g_assert_cmpuint (stats.streams, ==, N_IMAGES);

  g_clear_object (&loader);
}

/* A CA that did not sign the server's certificate: every load fails as an untrusted
 * certificate, none loads, and no request reaches the server. CURL_CA_BUNDLE is read too.
 * A CA file that cannot be read says so. */
static void
test_wrong_ca_refused (Fixture *fixture, gconstpointer data)
{
  static const struct
  {
    const char *variable;
    const char *ca_file; /* NULL: a CA that did not sign the server's certificate */
    const char *label;
  } cases[] = {
    { "SSL_CERT_FILE", NULL, "Untrusted certificate" },
    { "CURL_CA_BUNDLE", NULL, "Untrusted certificate" },
    { "SSL_CERT_FILE", "/nonexistent/tessera-ca.pem", "Bad CA file" },
  };

  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      const char *ca_file = cases[c].ca_file != NULL
                                ? cases[c].ca_file
                                : tessera_test_h2_get_other_ca_file (fixture->h2);
      g_autoptr (TesseraLoader) loader = NULL;
      g_autoptr (GArray) outcomes = outcomes_new (3);
      g_autoptr (GPtrArray) requests = NULL;

      g_setenv (cases[c].variable, ca_file, TRUE);
      loader = tessera_test_loader_new (1);
      requests = submit_images (loader, fixture->h2, cases[c].variable, outcomes);
      g_assert_true (tessera_test_wait_for_outcomes (outcomes, 30000));
      g_unsetenv (cases[c].variable);

      for (guint i = 0; i < outcomes->len; i++)
        {
          const TesseraTestOutcome *outcome = &g_array_index (outcomes, TesseraTestOutcome, i);

          g_assert_null (outcome->texture);
          g_assert_true (outcome->error_domain == TESSERA_ERROR);
          g_assert_cmpint (outcome->error_code, ==, TESSERA_ERROR_NETWORK);
          g_assert_cmpstr (outcome->label, ==, cases[c].label);
        }
    }
  g_assert_cmpuint (tessera_test_h2_get_stats (fixture->h2).streams, ==, 0);
  g_assert_cmpuint (tessera_test_server_get_requests (fixture->backend), ==, 0);
}

/* Returns (transfer full) a loader of one worker whose connection to the front is made,
 * by a first load. */
static TesseraLoader *
warm_loader_new (Fixture *fixture)
{
  TesseraLoader *loader = tessera_loader_new (1, NULL);
  g_autoptr (GArray) warm = outcomes_new (1);
  g_autoptr (GPtrArray) requests = submit_images (loader, fixture->h2, "warm", warm);

  g_assert_true (tessera_test_wait_for_outcomes (warm, 10000));
  return loader;
}

#define HANG_PATH     "/hang"
#define SLOW_DELAY_MS 1500u
#define N_SLOW        3

static gboolean
hang_reset (gpointer data)
{
  return tessera_test_h2_get_stats (data).reset_streams == 1;
}

/* One worker with several streams on one connection: cancelling one (a hang) takes only
 * that stream away; the others go on and load, each requested once. */
static void
test_cancel_one (Fixture *fixture, gconstpointer data)
{
  g_autoptr (TesseraLoader) loader = NULL;
  g_autoptr (GArray) outcomes = outcomes_new (N_SLOW);
  g_autoptr (GPtrArray) requests
      = g_ptr_array_new_with_free_func ((GDestroyNotify) tessera_request_unref);
  g_autofree char *hang_url = tessera_test_h2_url (fixture->h2, HANG_PATH);
  TesseraTestOutcome hang_outcome = { 0 };
  TesseraRequest *hang;

  loader = warm_loader_new (fixture);

  hang = tessera_loader_submit (loader, hang_url, 0, TILE_PX, TESSERA_CACHE_MODE_HTTP,
                                tessera_test_record_outcome, &hang_outcome, NULL);
  for (guint i = 0; i < N_SLOW; i++)
    {
      g_autofree char *path = g_strdup_printf ("/img/slow-%u.png?delay=%u", i, SLOW_DELAY_MS);
      g_autofree char *url = tessera_test_h2_url (fixture->h2, path);

      g_ptr_array_add (
          requests, tessera_loader_submit (loader, url, 1, TILE_PX, TESSERA_CACHE_MODE_HTTP,
                                           tessera_test_record_outcome,
                                           &g_array_index (outcomes, TesseraTestOutcome, i), NULL));
    }
  g_assert_true (tessera_test_wait_for_in_flight (fixture->backend, 1 + N_SLOW, 10000));
  g_assert_cmpuint (tessera_test_h2_get_stats (fixture->h2).sessions, ==, 1);

  tessera_request_cancel (hang);
  tessera_request_unref (hang);
  g_assert_true (tessera_test_wait_until (hang_reset, fixture->h2, 10000));
  g_assert_true (tessera_test_wait_for_outcomes (outcomes, 10000));

  for (guint i = 0; i < N_SLOW; i++)
    g_assert_nonnull (g_array_index (outcomes, TesseraTestOutcome, i).texture);
  g_assert_false (hang_outcome.delivered);
  g_assert_cmpuint (tessera_test_server_get_requests (fixture->backend), ==, 1 + 1 + N_SLOW);
  g_assert_cmpuint (tessera_test_h2_get_stats (fixture->h2).sessions, ==, 1);
  g_assert_cmpuint (tessera_test_h2_get_stats (fixture->h2).reset_streams, ==, 1);

  g_clear_object (&loader);
}

#define N_BEHIND 12

static gboolean
is_waiting (TesseraTestOutcome *outcome)
{
  return !outcome->delivered;
}

/* Waits for @outcomes and checks they all loaded while @hang was still waiting. */
static void
assert_loaded_beside (GArray *outcomes, TesseraTestOutcome *hang)
{
  g_assert_true (tessera_test_wait_for_outcomes (outcomes, 10000));
  g_assert_true (is_waiting (hang));
  for (guint i = 0; i < outcomes->len; i++)
    g_assert_nonnull (g_array_index (outcomes, TesseraTestOutcome, i).texture);
}

/* One worker whose very first request hangs: its connection said HTTP/2 in the TLS
 * handshake, so the requests behind go out beside it as streams, not after the 20 s a
 * stall takes. */
static void
test_hung_first_answer (Fixture *fixture, gconstpointer data)
{
  g_autoptr (TesseraLoader) loader = NULL;
  g_autoptr (GArray) outcomes = outcomes_new (N_BEHIND);
  g_autoptr (GPtrArray) requests = NULL;
  g_autofree char *hang_url = tessera_test_h2_url (fixture->h2, HANG_PATH);
  TesseraTestOutcome hang_outcome = { 0 };
  g_autoptr (TesseraRequest) hang = NULL;

  loader = tessera_loader_new (1, NULL);
  hang = tessera_loader_submit (loader, hang_url, -1, TILE_PX, TESSERA_CACHE_MODE_HTTP,
                                tessera_test_record_outcome, &hang_outcome, NULL);
  requests = submit_images (loader, fixture->h2, "behind", outcomes);
  assert_loaded_beside (outcomes, &hang_outcome);
  g_assert_cmpuint (tessera_test_h2_get_stats (fixture->h2).sessions, ==, 1);

  tessera_request_cancel (hang);
  g_clear_object (&loader);
}

/* One worker, a list of two hosts: the first requests go to an HTTP/1.1 host whose one
 * connection hangs; the worker passes them over and streams the HTTP/2 host's requests
 * meanwhile, then loads the HTTP/1.1 ones once the hang is cancelled. */
static void
test_busy_host_passed (Fixture *fixture, gconstpointer data)
{
  g_autoptr (TesseraLoader) loader = NULL;
  g_autoptr (GArray) serial = outcomes_new (3);
  g_autoptr (GArray) multiplexed = outcomes_new (N_BEHIND);
  g_autoptr (GPtrArray) requests
      = g_ptr_array_new_with_free_func ((GDestroyNotify) tessera_request_unref);
  g_autoptr (GPtrArray) multiplexed_requests = NULL;
  g_autofree char *hang_url = tessera_test_server_url (fixture->backend, HANG_PATH);
  TesseraTestOutcome hang_outcome = { 0 };
  g_autoptr (TesseraRequest) hang = NULL;

  loader = tessera_loader_new (1, NULL);
  hang = tessera_loader_submit (loader, hang_url, -2, TILE_PX, TESSERA_CACHE_MODE_HTTP,
                                tessera_test_record_outcome, &hang_outcome, NULL);
  for (guint i = 0; i < serial->len; i++)
    {
      g_autofree char *path = g_strdup_printf ("/img/serial-%u.png?w=32&h=32", i);
      g_autofree char *url = tessera_test_server_url (fixture->backend, path);

      g_ptr_array_add (
          requests, tessera_loader_submit (loader, url, -1, TILE_PX, TESSERA_CACHE_MODE_HTTP,
                                           tessera_test_record_outcome,
                                           &g_array_index (serial, TesseraTestOutcome, i), NULL));
    }
  multiplexed_requests = submit_images (loader, fixture->h2, "passing", multiplexed);
  assert_loaded_beside (multiplexed, &hang_outcome);
  for (guint i = 0; i < serial->len; i++)
    g_assert_true (is_waiting (&g_array_index (serial, TesseraTestOutcome, i)));

  tessera_request_cancel (hang);
  g_assert_true (tessera_test_wait_for_outcomes (serial, 10000));
  for (guint i = 0; i < serial->len; i++)
    g_assert_nonnull (g_array_index (serial, TesseraTestOutcome, i).texture);
  g_clear_object (&loader);
}

#define N_HANGS 5

static gboolean
no_stream_open (gpointer data)
{
  return tessera_test_h2_get_stats (data).open_streams == 0;
}

/* Cancelling every request of a worker whose streams all hang (Clear) ends every stream
 * on the server at once, not when the stall timeout would. */
static void
test_cancel_all_hung (Fixture *fixture, gconstpointer data)
{
  g_autoptr (TesseraLoader) loader = NULL;
  g_autoptr (GPtrArray) hangs
      = g_ptr_array_new_with_free_func ((GDestroyNotify) tessera_request_unref);
  TesseraTestOutcome hang_outcomes[N_HANGS] = { 0 };

  loader = warm_loader_new (fixture);
  for (guint i = 0; i < N_HANGS; i++)
    {
      g_autofree char *path = g_strdup_printf ("%s?n=%u", HANG_PATH, i);
      g_autofree char *url = tessera_test_h2_url (fixture->h2, path);

      g_ptr_array_add (
          hangs, tessera_loader_submit (loader, url, (int) i, TILE_PX, TESSERA_CACHE_MODE_HTTP,
                                        tessera_test_record_outcome, &hang_outcomes[i], NULL));
    }
  g_assert_true (tessera_test_wait_for_in_flight (fixture->backend, N_HANGS, 10000));

  for (guint i = 0; i < N_HANGS; i++)
    tessera_request_cancel (hangs->pdata[i]);
  g_assert_true (tessera_test_wait_until (no_stream_open, fixture->h2, 5000));
  for (guint i = 0; i < N_HANGS; i++)
    g_assert_false (hang_outcomes[i].delivered);

  g_clear_object (&loader);
}

/* Every fault of the foundation's table ends over HTTP/2 exactly as over HTTP/1.1, with
 * the same retries at the backend; few workers, so many faults share one connection at
 * once and a fault on one stream must not spoil the others. */
/* Streams that time out end on the server too, once their worker has nothing else to do,
 * not when the app quits. */
static void
test_timed_out_streams_end (Fixture *fixture, gconstpointer data)
{
  g_autoptr (TesseraLoader) loader = tessera_test_loader_new (1);
  g_autoptr (GArray) hangs = outcomes_new (N_HANGS);
  g_autoptr (GPtrArray) requests
      = g_ptr_array_new_with_free_func ((GDestroyNotify) tessera_request_unref);

  for (guint i = 0; i < N_HANGS; i++)
    {
      g_autofree char *path = g_strdup_printf ("%s?timeout=%u", HANG_PATH, i);
      g_autofree char *url = tessera_test_h2_url (fixture->h2, path);

      g_ptr_array_add (requests,
                       tessera_loader_submit (loader, url, (int) i, TILE_PX,
                                              TESSERA_CACHE_MODE_HTTP, tessera_test_record_outcome,
                                              &g_array_index (hangs, TesseraTestOutcome, i), NULL));
    }
  g_assert_true (tessera_test_wait_for_outcomes (hangs, 30000));
  for (guint i = 0; i < N_HANGS; i++)
    g_assert_cmpstr (g_array_index (hangs, TesseraTestOutcome, i).label, ==, "Timed out");
  g_assert_true (tessera_test_wait_until (no_stream_open, fixture->h2, 5000));
}

static void
test_faults (Fixture *fixture, gconstpointer data)
{
  g_autoptr (TesseraLoader) loader = NULL;
  g_autofree char *base = tessera_test_h2_url (fixture->h2, "");
  TesseraTestH2Stats stats;

  loader = tessera_test_loader_new (N_JOBS);
  tessera_test_run_faults (loader, fixture->backend, base);

  stats = multiplexed_stats (fixture->h2);
  /* Every request came over HTTP/2, redirects too; the front cut the truncated body's
   * stream, as a server does, and no other. */
  g_assert_cmpuint (tessera_test_server_get_requests (fixture->backend), ==, stats.streams);
  g_assert_cmpuint (stats.cut_streams, ==, 1);

  g_clear_object (&loader);
}

/* A stream the server resets before its body's end (its backend hung up) is cut short, as
 * a connection closed mid-body is over HTTP/1.1: with a Content-Length, and without one
 * (a whole picture whose chunked body never ended: the transfer decides, not the bytes).
 * One at a time, alone on the connection: libcurl 7.88 may take the reset of a stream
 * without a Content-Length for its clean end when another transfer reads it (curl's
 * pull request 10715, fixed in 8.0.0), so that case is not in the fault table. */
static void
test_cut_stream (Fixture *fixture, gconstpointer data)
{
  const char *paths[] = { "/truncated.png", "/truncated-chunked.png" };
  g_autoptr (TesseraLoader) loader = NULL;

  loader = tessera_test_loader_new (1);
  for (gsize i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      g_autofree char *url = tessera_test_h2_url (fixture->h2, paths[i]);
      TesseraTestOutcome cut = { 0 };

      tessera_request_unref (tessera_loader_submit (loader, url, 0, TILE_PX,
                                                    TESSERA_CACHE_MODE_HTTP,
                                                    tessera_test_record_outcome, &cut, NULL));
      g_assert_true (tessera_test_wait_for_outcome (&cut, 10000));
      g_test_message ("%s → %s", paths[i], cut.label ? cut.label : "loaded");
      g_assert_null (cut.texture);
      g_assert_true (cut.error_domain == TESSERA_ERROR);
      g_assert_cmpint (cut.error_code, ==, TESSERA_ERROR_CUT_SHORT);
      g_assert_cmpstr (cut.label, ==, "Cut short");
      tessera_test_outcome_clear (&cut);
    }
  g_assert_cmpuint (tessera_test_h2_get_stats (fixture->h2).cut_streams, ==, G_N_ELEMENTS (paths));

  g_clear_object (&loader);
}

#define RETRY_PATH     "/retry/429/1/once"
#define RETRY_AFTER_S  2u
#define N_BEHIND_RETRY 20

static gboolean
retry_answered (gpointer backend)
{
  return tessera_test_server_count_path (backend, RETRY_PATH) == 1;
}

/* A 429 with Retry-After waits out of the multi handle and does not hold up the worker's
 * other transfers: with one worker, images asked for while it waits all finish before its
 * retry does (the order of completion, not times). */
static void
test_retry_holds_nothing_up (Fixture *fixture, gconstpointer data)
{
  g_autoptr (TesseraLoader) loader = NULL;
  g_autoptr (GArray) outcomes = outcomes_new (N_BEHIND_RETRY);
  g_autoptr (GPtrArray) requests = NULL;
  guint after_s = RETRY_AFTER_S * tessera_test_slowdown ();
  g_autofree char *path = g_strdup_printf (RETRY_PATH "?after=%u", after_s);
  g_autofree char *url = tessera_test_h2_url (fixture->h2, path);
  TesseraTestOutcome retried = { 0 };
  TesseraFetchLimits limits;

  tessera_test_fast_limits (&limits);
  limits.retry_after_cap_s = after_s;
  loader = tessera_loader_new (1, &limits);
  tessera_request_unref (tessera_loader_submit (loader, url, 0, TILE_PX, TESSERA_CACHE_MODE_HTTP,
                                                tessera_test_record_outcome, &retried, NULL));
  g_assert_true (tessera_test_wait_until (retry_answered, fixture->backend, 10000));
  requests = submit_images (loader, fixture->h2, "behind", outcomes);
  g_assert_true (tessera_test_wait_for_outcomes (outcomes, 10000));
  g_assert_true (tessera_test_wait_for_outcome (&retried, 10000));

  g_assert_nonnull (retried.texture);
  g_assert_cmpuint (tessera_test_server_count_path (fixture->backend, RETRY_PATH), ==, 2);
  for (guint i = 0; i < outcomes->len; i++)
    {
      const TesseraTestOutcome *outcome = &g_array_index (outcomes, TesseraTestOutcome, i);

      g_assert_nonnull (outcome->texture);
      g_assert_cmpint (outcome->finished_us, <, retried.finished_us);
    }
  g_assert_cmpuint (tessera_test_h2_get_stats (fixture->h2).sessions, ==, 1);

  tessera_test_outcome_clear (&retried);
  g_clear_object (&loader);
}

int
main (int argc, char *argv[])
{
  tessera_engine_init ();
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/http2/shared-connections", Fixture, NULL, fixture_set_up_trusted,
              test_shared_connections, fixture_tear_down);
  g_test_add ("/http2/wrong-ca-refused", Fixture, NULL, fixture_set_up, test_wrong_ca_refused,
              fixture_tear_down);
  g_test_add ("/http2/cancel-one", Fixture, NULL, fixture_set_up_trusted, test_cancel_one,
              fixture_tear_down);
  g_test_add ("/http2/hung-first-answer", Fixture, NULL, fixture_set_up_trusted,
              test_hung_first_answer, fixture_tear_down);
  g_test_add ("/http2/busy-host-passed", Fixture, NULL, fixture_set_up_trusted,
              test_busy_host_passed, fixture_tear_down);
  g_test_add ("/http2/cancel-all-hung", Fixture, NULL, fixture_set_up_trusted, test_cancel_all_hung,
              fixture_tear_down);
  g_test_add ("/http2/timed-out-streams-end", Fixture, NULL, fixture_set_up_trusted,
              test_timed_out_streams_end, fixture_tear_down);
  g_test_add ("/http2/faults", Fixture, NULL, fixture_set_up_trusted, test_faults,
              fixture_tear_down);
  g_test_add ("/http2/cut-stream", Fixture, NULL, fixture_set_up_trusted, test_cut_stream,
              fixture_tear_down);
  g_test_add ("/http2/retry-holds-nothing-up", Fixture, NULL, fixture_set_up_trusted,
              test_retry_holds_nothing_up, fixture_tear_down);

  return g_test_run ();
}
