/* SPDX-License-Identifier: GPL-3.0-or-later */
/* tessera-test-h2.c: starts and reads the HTTP/2 test server, with certificates made for the run */

#define G_LOG_DOMAIN "tessera-test-h2"

#include "config.h"

#include <cJSON.h>
#include <gio/gio.h>
#include <glib/gstdio.h>

#include "tessera-test-h2.h"

#define EC_KEY "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"
#define VALID  "-days", "2"

struct _TesseraTestH2
{
  char *dir;
  char *ca_file;
  char *other_ca_file;
  char *stats_file;
  GSubprocess *process;
  guint16 port;
};

static void
run_openssl (const char *const *argv)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *output = NULL;
  int status = 0;

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL,
                     NULL, NULL, NULL, &output, &status, &error)
      || !g_spawn_check_wait_status (status, &error))
    g_error ("openssl failed: %s\n%s", error->message, output ? output : "");
}

/* A self-signed CA named @name: @stem.pem and @stem.key in @dir. */
static void
make_ca (const char *dir, const char *stem, const char *name)
{
  g_autofree char *key = g_strdup_printf ("%s/%s.key", dir, stem);
  g_autofree char *cert = g_strdup_printf ("%s/%s.pem", dir, stem);
  g_autofree char *subject = g_strdup_printf ("/CN=%s", name);
  const char *const argv[] = { "openssl", "req",  "-x509", EC_KEY,  VALID,   "-keyout",
                               key,       "-out", cert,    "-subj", subject, NULL };

  run_openssl (argv);
}

/* server.pem and server.key: 127.0.0.1, signed by ca.pem. */
static void
make_server_certificate (const char *dir)
{
  g_autofree char *key = g_build_filename (dir, "server.key", NULL);
  g_autofree char *cert = g_build_filename (dir, "server.pem", NULL);
  g_autofree char *ca = g_build_filename (dir, "ca.pem", NULL);
  g_autofree char *ca_key = g_build_filename (dir, "ca.key", NULL);
  const char *const argv[] = { "openssl",
                               "req",
                               "-x509",
                               EC_KEY,
                               VALID,
                               "-keyout",
                               key,
                               "-out",
                               cert,
                               "-subj",
                               "/CN=127.0.0.1",
                               "-addext",
                               "subjectAltName=IP:127.0.0.1",
                               "-addext",
                               "basicConstraints=critical,CA:FALSE",
                               "-CA",
                               ca,
                               "-CAkey",
                               ca_key,
                               NULL };

  run_openssl (argv);
}

static const char *
required_env (const char *name)
{
  const char *value = g_getenv (name);

  if (value == NULL || value[0] == '\0')
    g_error ("%s is not set: run the tests through meson", name);
  return value;
}

/* Reads "port N" from the server's first line. */
static guint16
read_port (GSubprocess *process)
{
  g_autoptr (GDataInputStream) lines
      = g_data_input_stream_new (g_subprocess_get_stdout_pipe (process));
  g_autoptr (GError) error = NULL;
  g_autofree char *line = g_data_input_stream_read_line (lines, NULL, NULL, &error);
  guint64 port = 0;

  if (line == NULL || !g_str_has_prefix (line, "port ")
      || !g_ascii_string_to_unsigned (line + 5, 10, 1, G_MAXUINT16, &port, NULL))
    g_error ("The HTTP/2 test server did not start: %s", error ? error->message : line);
  return (guint16) port;
}

TesseraTestH2 *
tessera_test_h2_new (TesseraTestServer *backend)
{
  TesseraTestH2 *h2 = g_new0 (TesseraTestH2, 1);
  g_autoptr (GError) error = NULL;
  g_autofree char *backend_url = tessera_test_server_url (backend, "");
  g_autofree char *cert = NULL;
  g_autofree char *key = NULL;

  h2->dir = g_dir_make_tmp ("tessera-h2-XXXXXX", &error);
  g_assert_no_error (error);
  make_ca (h2->dir, "ca", "Tessera test CA");
  make_ca (h2->dir, "other-ca", "Someone else");
  make_server_certificate (h2->dir);
  h2->ca_file = g_build_filename (h2->dir, "ca.pem", NULL);
  h2->other_ca_file = g_build_filename (h2->dir, "other-ca.pem", NULL);
  h2->stats_file = g_build_filename (h2->dir, "stats.json", NULL);
  cert = g_build_filename (h2->dir, "server.pem", NULL);
  key = g_build_filename (h2->dir, "server.key", NULL);

  h2->process = g_subprocess_new (
      G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
      required_env ("TESSERA_NODE"), required_env ("TESSERA_H2_SERVER_SCRIPT"), "--backend",
      backend_url, "--cert", cert, "--key", key, "--stats", h2->stats_file, NULL);
  g_assert_no_error (error);
  h2->port = read_port (h2->process);
  return h2;
}

void
tessera_test_h2_free (TesseraTestH2 *h2)
{
  const char *const files[] = { "ca.pem",     "ca.key",     "other-ca.pem", "other-ca.key",
                                "server.pem", "server.key", "stats.json",   NULL };

  if (h2 == NULL)
    return;

  g_subprocess_force_exit (h2->process);
  g_subprocess_wait (h2->process, NULL, NULL);
  g_object_unref (h2->process);
  for (guint i = 0; files[i] != NULL; i++)
    {
      g_autofree char *path = g_build_filename (h2->dir, files[i], NULL);
      g_unlink (path);
    }
  g_rmdir (h2->dir);
  g_free (h2->dir);
  g_free (h2->ca_file);
  g_free (h2->other_ca_file);
  g_free (h2->stats_file);
  g_free (h2);
}

char *
tessera_test_h2_url (TesseraTestH2 *h2, const char *path)
{
  return g_strdup_printf ("https://127.0.0.1:%u%s", h2->port, path);
}

const char *
tessera_test_h2_get_ca_file (TesseraTestH2 *h2)
{
  return h2->ca_file;
}

const char *
tessera_test_h2_get_other_ca_file (TesseraTestH2 *h2)
{
  return h2->other_ca_file;
}

static guint
read_count (const cJSON *stats, const char *name)
{
  const cJSON *item = cJSON_GetObjectItemCaseSensitive (stats, name);

  g_assert_true (cJSON_IsNumber (item));
  return (guint) item->valuedouble;
}

TesseraTestH2Stats
tessera_test_h2_get_stats (TesseraTestH2 *h2)
{
  g_autofree char *text = NULL;
  g_autoptr (GError) error = NULL;
  cJSON *stats;
  TesseraTestH2Stats counts;

  /* The server replaces the file whole (rename), so it is never read half-written. */
  g_file_get_contents (h2->stats_file, &text, NULL, &error);
  g_assert_no_error (error);
  stats = cJSON_Parse (text);
  g_assert_nonnull (stats);
  counts = (TesseraTestH2Stats){
    .sessions = read_count (stats, "sessions"),
    .streams = read_count (stats, "streams"),
    .most_streams_at_once = read_count (stats, "most_streams_at_once"),
    .reset_streams = read_count (stats, "reset_streams"),
    .cut_streams = read_count (stats, "cut_streams"),
    .open_streams = read_count (stats, "open_streams"),
  };
  cJSON_Delete (stats);
  return counts;
}
