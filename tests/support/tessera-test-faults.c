/* SPDX-License-Identifier: GPL-3.0-or-later */
/* tessera-test-faults.c: the foundation's fault table and its check, over any front of the test server */

#define G_LOG_DOMAIN "tessera-test-faults"

#include "config.h"

#include "tessera-error.h"
#include "tessera-fetch.h"
#include "tessera-loader-private.h"
#include "tessera-test-faults.h"
#include "tessera-test-util.h"

#define FAULT_TILE_PX  64
#define FAULTS_WAIT_MS 30000

typedef struct
{
  const char *path; /* on the test server, or a whole URL when it has a scheme */
  int error_code;   /* -1: loads */
  const char *label;
} FaultCase;

static const FaultCase fault_cases[] = {
  { "/img/ok.png", -1, NULL },
  { "/img/ok.jpg?w=1200&h=800", -1, NULL },
  { "/img/anim.gif", -1, NULL },
  { "/status/404", TESSERA_ERROR_HTTP, "HTTP 404" },
  { "/status/500", TESSERA_ERROR_HTTP, "HTTP 500" },
  { "/status/403", TESSERA_ERROR_HTTP, "HTTP 403" },
  { "/retry/429/99/always?after=0", TESSERA_ERROR_HTTP, "HTTP 429" },
  { "/retry/503/2/twice?after=1", -1, NULL },
  { "/retry/429/1/once?after=1", -1, NULL },
  { "/redirect/2", -1, NULL },
  { "/redirect/2?absolute", -1, NULL },
  { "/redirect-file", TESSERA_ERROR_REDIRECT, "Bad redirect" },
  { "/redirect-loop", TESSERA_ERROR_REDIRECT, "Too many redirects" },
  { "/truncated.png", TESSERA_ERROR_CUT_SHORT, "Cut short" },
  { "/hang", TESSERA_ERROR_TIMED_OUT, "Timed out" },
  { "/trickle", TESSERA_ERROR_TIMED_OUT, "Timed out" },
  { "/endless", TESSERA_ERROR_TOO_LARGE, "Too large" },
  { "/page.html", TESSERA_ERROR_NOT_IMAGE, "Not an image" },
  { "/text.jpg", TESSERA_ERROR_NOT_IMAGE, "Not an image" },
  { "/huge.png", TESSERA_ERROR_TOO_LARGE, "Too large" },
  { "/corrupt.jpg", TESSERA_ERROR_BROKEN, "Broken image" },
  /* What servers and hosts do: a redirect to a "removed" placeholder (where it ended
   * decides, not the picture; the placeholder asked for itself is only a picture);
   * compressed bodies whatever the request said, and a bomb that stops at the byte cap;
   * progressive JPEGs cut short, shown as far as decoded or, with no coded data, failed. */
  { "/gone/abc123.jpg", TESSERA_ERROR_REMOVED, "Removed" },
  { "/img/removed.png", -1, NULL },
  { "/gzip/img/zipped.png?w=80&h=60", -1, NULL },
  { "/deflate/img/deflated.jpg?w=80&h=60", -1, NULL },
  { "/gzip/progressive/zipped.jpg?w=320&h=240", -1, NULL },
  { "/gzip-bomb.png", TESSERA_ERROR_TOO_LARGE, "Too large" },
  { "/progressive/whole.jpg?w=320&h=240", -1, NULL },
  { "/progressive/most.jpg?w=320&h=240&keep=80", -1, NULL },
  { "/progressive/half.jpg?w=320&h=240&keep=50", -1, NULL },
  { "/progressive/bit.jpg?w=320&h=240&keep=10", -1, NULL },
  { "/progressive/headers.jpg?w=320&h=240&keep=0", TESSERA_ERROR_CUT_SHORT, "Cut short" },
  { "http://127.0.0.1:1/refused.png", TESSERA_ERROR_NETWORK, "Can't connect" },
  { "ftp://127.0.0.1/file.png", TESSERA_ERROR_BAD_URL, "Bad URL" },
  { "file:///nonexistent/tessera.png", TESSERA_ERROR_FILE, "Can't read file" },
};

void
tessera_test_point_imgur_at (const char *base_url)
{
  g_autofree char *images = g_strconcat (base_url, "/img", NULL);

  g_setenv ("TESSERA_IMGUR_IMAGES", images, TRUE);
}

static void
assert_outcome (const FaultCase *expected, const TesseraTestOutcome *outcome)
{
  g_assert_cmpuint (outcome->n_deliveries, ==, 1);
  if (expected->error_code < 0)
    {
      g_assert_null (outcome->label);
      g_assert_nonnull (outcome->texture);
      return;
    }
  g_assert_null (outcome->texture);
  g_assert_true (outcome->error_domain == TESSERA_ERROR);
  g_assert_cmpint (outcome->error_code, ==, expected->error_code);
  g_assert_cmpstr (outcome->label, ==, expected->label);
}

void
tessera_test_run_faults (TesseraLoader *loader, TesseraTestServer *backend, const char *base_url)
{
  g_autoptr (GArray) outcomes = g_array_new (FALSE, TRUE, sizeof (TesseraTestOutcome));
  g_autoptr (GPtrArray) requests
      = g_ptr_array_new_with_free_func ((GDestroyNotify) tessera_request_unref);

  g_array_set_clear_func (outcomes, (GDestroyNotify) tessera_test_outcome_clear);
  g_array_set_size (outcomes, G_N_ELEMENTS (fault_cases));
  tessera_test_point_imgur_at (base_url);
  for (guint i = 0; i < G_N_ELEMENTS (fault_cases); i++)
    {
      const char *path = fault_cases[i].path;
      g_autofree char *url
          = g_uri_peek_scheme (path) ? g_strdup (path) : g_strconcat (base_url, path, NULL);

      g_ptr_array_add (
          requests, tessera_loader_submit (loader, url, 0, FAULT_TILE_PX, TESSERA_CACHE_MODE_HTTP,
                                           tessera_test_record_outcome,
                                           &g_array_index (outcomes, TesseraTestOutcome, i), NULL));
    }

  g_assert_true (tessera_test_wait_for_outcomes (outcomes, FAULTS_WAIT_MS));
  g_unsetenv ("TESSERA_IMGUR_IMAGES");

  /* Every row's ending first, so a failure shows them all. */
  for (guint i = 0; i < G_N_ELEMENTS (fault_cases); i++)
    {
      const TesseraTestOutcome *outcome = &g_array_index (outcomes, TesseraTestOutcome, i);

      g_test_message ("%s → %s", fault_cases[i].path, outcome->label ? outcome->label : "loaded");
    }
  for (guint i = 0; i < G_N_ELEMENTS (fault_cases); i++)
    assert_outcome (&fault_cases[i], &g_array_index (outcomes, TesseraTestOutcome, i));

  /* Retries: 429 "always" is tried once plus three retries; "twice" succeeds on the third. */
  g_assert_cmpuint (tessera_test_server_count_path (backend, "/retry/429/99/always"), ==,
                    1 + TESSERA_FETCH_MAX_RETRIES);
  g_assert_cmpuint (tessera_test_server_count_path (backend, "/retry/503/2/twice"), ==, 3);
  g_assert_cmpuint (tessera_loader_get_n_pending (loader), ==, 0);
}
