/* SPDX-License-Identifier: GPL-3.0-or-later */
/* tessera-test-server-main.c: runs the test server by hand, to point the app at its routes
 *
 *   tessera-test-server [--port N] [--latency MS] [--serve-dir DIR]
 *                       [--imgur-fixtures DIR [--imgur-client-id ID] [--imgur-rate-limited]]
 *
 * The first line on stdout is the base URL; the server runs until SIGINT or SIGTERM,
 * then prints what it served (connections, requests, most in flight) on stderr. While it
 * runs, /server-stats answers "requests N": every request so far, that one included.
 * A developer tool, so its messages are not translated.
 */

#define G_LOG_DOMAIN "tessera-test-server"

#include "config.h"

#include "tessera-test-server.h"
#include "tessera-test-util.h"

#include <glib-unix.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PORT       65535
#define MAX_LATENCY_MS (10 * 60 * 1000)

static gboolean
quit_on_signal (gpointer data)
{
  GMainLoop *loop = data;

  g_main_loop_quit (loop);
  return G_SOURCE_CONTINUE;
}

static gboolean
check_options (int port, int latency_ms, const char *serve_dir, GError **error)
{
  if (port < 0 || port > MAX_PORT)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--port must be between 0 and %d", MAX_PORT);
      return FALSE;
    }
  if (latency_ms < 0 || latency_ms > MAX_LATENCY_MS)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--latency must be between 0 and %d ms", MAX_LATENCY_MS);
      return FALSE;
    }
  if (serve_dir != NULL && !g_file_test (serve_dir, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_NOTDIR, "%s is not a directory", serve_dir);
      return FALSE;
    }
  return TRUE;
}

/* Prints the base URL as the first line, flushed, for scripts waiting on it. */
static gboolean
announce_url (TesseraTestServer *server)
{
  g_autofree char *url = tessera_test_server_url (server, "");

  return printf ("%s\n", url) > 0 && fflush (stdout) == 0;
}

static void
serve_until_signalled (void)
{
  g_autoptr (GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  guint sigint_id = g_unix_signal_add (SIGINT, quit_on_signal, loop);
  guint sigterm_id = g_unix_signal_add (SIGTERM, quit_on_signal, loop);

  g_main_loop_run (loop);
  g_source_remove (sigint_id);
  g_source_remove (sigterm_id);
}

#define RATE_LIMIT_RESET_S 1800

/* Imgur's API from the fixtures, as the tests serve it; optionally out of requests. */
static void
serve_imgur (TesseraTestServer *server, const char *fixtures, const char *client_id,
             gboolean rate_limited)
{
  g_autofree char *refusal = NULL;
  g_autofree char *headers = NULL;

  tessera_test_serve_imgur (server, fixtures, client_id ? client_id : "tesserademo");
  if (!rate_limited)
    return;
  refusal = g_build_filename (fixtures, "own-error-object-429.json", NULL);
  headers = g_strdup_printf (
      "X-RateLimit-UserRemaining: 0\r\nX-RateLimit-UserReset: %" G_GINT64_FORMAT "\r\n",
      g_get_real_time () / G_USEC_PER_SEC + RATE_LIMIT_RESET_S);
  tessera_test_server_add_fixture (server, TESSERA_TEST_IMGUR_PAGE (0), refusal, 429, headers,
                                   NULL);
}

/* /server-stats, for a benchmark that counts what the app asked for. */
static gboolean
answer_stats (const char *path, const char *query, GHashTable *request_headers, guint *status,
              const char **content_type, GString *headers, GBytes **body, gpointer user_data)
{
  g_autofree char *text
      = g_strdup_printf ("requests %u\n", tessera_test_server_get_requests (user_data));

  *content_type = "text/plain";
  *body = g_bytes_new (text, strlen (text));
  return TRUE;
}

int
main (int argc, char **argv)
{
  int port = 0;
  int latency_ms = 0;
  g_autofree char *serve_dir = NULL;
  g_autofree char *imgur_fixtures = NULL;
  g_autofree char *imgur_client_id = NULL;
  gboolean imgur_rate_limited = FALSE;
  const GOptionEntry entries[] = {
    { "imgur-fixtures", 0, 0, G_OPTION_ARG_FILENAME, &imgur_fixtures,
      "Serve Imgur's API at /3/ from the fixtures in DIR", "DIR" },
    { "imgur-client-id", 0, 0, G_OPTION_ARG_STRING, &imgur_client_id,
      "The Client ID the API expects (default: tesserademo)", "ID" },
    { "imgur-rate-limited", 0, 0, G_OPTION_ARG_NONE, &imgur_rate_limited,
      "Answer the first gallery page with Imgur's 429", NULL },
    { "port", 'p', 0, G_OPTION_ARG_INT, &port, "Port to listen on (default: a free one)", "N" },
    { "latency", 'l', 0, G_OPTION_ARG_INT, &latency_ms, "Delay before every response", "MS" },
    { "serve-dir", 'd', 0, G_OPTION_ARG_FILENAME, &serve_dir, "Serve DIR's files as /files/…",
      "DIR" },
    { NULL },
  };
  g_autoptr (GOptionContext) context = g_option_context_new ("— Tessera's test HTTP server");
  g_autoptr (TesseraTestServer) server = NULL;
  g_autoptr (GError) error = NULL;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error)
      || !check_options (port, latency_ms, serve_dir, &error))
    {
      g_printerr ("%s\n", error->message);
      return EXIT_FAILURE;
    }

  server = tessera_test_server_new_full (port, &error);
  if (server == NULL)
    {
      g_printerr ("Cannot start the server: %s\n", error->message);
      return EXIT_FAILURE;
    }
  tessera_test_server_set_latency_ms (server, latency_ms);
  tessera_test_server_set_serve_dir (server, serve_dir);
  if (imgur_fixtures != NULL)
    serve_imgur (server, imgur_fixtures, imgur_client_id, imgur_rate_limited);
  tessera_test_server_add_handler (server, "/server-stats", answer_stats, server);

  if (!announce_url (server))
    return EXIT_FAILURE;
  serve_until_signalled ();
  g_printerr ("connections %u, requests %u, at most %u in flight\n",
              tessera_test_server_get_connections (server),
              tessera_test_server_get_requests (server),
              tessera_test_server_get_max_in_flight (server));

  return EXIT_SUCCESS;
}
