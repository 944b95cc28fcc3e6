/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-cli.c: the tessera binary end to end, as a script would run it (under Xvfb) */

#define G_LOG_DOMAIN "test-cli"

#include "config.h"

#include <signal.h>

#include <cjson/cJSON.h>
#include <gio/gio.h>
#include <glib-unix.h>
#include <glib/gstdio.h>

#include "tessera-engine.h"
#include "tessera-loader.h"
#include "tessera-test-server.h"
#include "tessera-test-util.h"

typedef struct
{
  const char *cache_home; /* set before the run: XDG_CACHE_HOME; NULL: a new empty one */
  int list_fd;            /* set before the run: given to the app as /dev/fd/3; 0: none */
  int exit_status;
  char *stdout_text;
  char *stderr_text;
  char *stats_text;
  cJSON *stats;
} Run;

static void
run_clear (Run *run)
{
  g_free (run->stdout_text);
  g_free (run->stderr_text);
  g_free (run->stats_text);
  g_clear_pointer (&run->stats, cJSON_Delete);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Run, run_clear)

/* Long enough for a loaded machine, short enough that a tessera that never quits fails
 * the test instead of hanging it until meson's timeout (times tessera_test_slowdown). */
#define RUN_TIMEOUT_SECONDS 60

typedef struct
{
  GMainLoop *loop;
  GAsyncResult *result;
} Waiter;

static void
on_communicated (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Waiter *waiter = user_data;

  waiter->result = g_object_ref (result);
  g_main_loop_quit (waiter->loop);
}

static gboolean
on_run_timeout (gpointer user_data)
{
  g_main_loop_quit (((Waiter *) user_data)->loop);
  return G_SOURCE_REMOVE;
}

/* Feeds @input to @process and collects its output; kills it and fails if it runs too long. */
static void
communicate_with_timeout (GSubprocess *process, const char *input, Run *run)
{
  g_autoptr (GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  Waiter waiter = { loop, NULL };
  g_autoptr (GError) error = NULL;
  guint limit_s = RUN_TIMEOUT_SECONDS * tessera_test_slowdown ();
  guint timeout_id;

  g_subprocess_communicate_utf8_async (process, input ? input : "", NULL, on_communicated, &waiter);
  timeout_id = g_timeout_add_seconds (limit_s, on_run_timeout, &waiter);
  g_main_loop_run (loop);
  if (waiter.result == NULL)
    {
      g_subprocess_force_exit (process);
      g_error ("tessera did not exit within %u s", limit_s);
    }
  g_source_remove (timeout_id);
  g_assert_true (g_subprocess_communicate_utf8_finish (process, waiter.result, &run->stdout_text,
                                                       &run->stderr_text, &error));
  g_assert_no_error (error);
  g_object_unref (waiter.result);
}

/* Called once tessera has started, to act on it while it runs. */
typedef void (*WhileRunning) (GSubprocess *process, gpointer data);

/* The descriptor a run's list_fd becomes in the app. */
#define LIST_FD 3

/* Runs tessera with @args (NULL-terminated) and --stats, feeding @input on stdin. */
static void
run_tessera_with (Run *run, const char *input, const char *const *args, WhileRunning while_running,
                  gpointer data)
{
  g_autofree char *dir = g_dir_make_tmp ("tessera-cli-XXXXXX", NULL);
  g_autofree char *stats_path = g_build_filename (dir, "stats.json", NULL);
  g_autofree char *stats_arg = g_strconcat ("--stats=", stats_path, NULL);
  g_autofree char *cache_home = g_build_filename (dir, "cache", NULL);
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr (GSubprocessLauncher) launcher = NULL;
  g_auto (GStrv) argv = NULL;
  g_autoptr (GSubprocess) process = NULL;
  g_autoptr (GError) error = NULL;

  g_strv_builder_add (builder, g_getenv ("TESSERA_BINARY"));
  g_strv_builder_add (builder, stats_arg);
  g_strv_builder_addv (builder, (const char **) args);
  argv = g_strv_builder_end (builder);

  launcher
      = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE
                                   | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  /* Each run starts with an empty disk cache unless the test says which to share. */
  g_subprocess_launcher_setenv (launcher, "XDG_CACHE_HOME",
                                run->cache_home ? run->cache_home : cache_home, TRUE);
  if (run->list_fd > 0)
    g_subprocess_launcher_take_fd (launcher, run->list_fd, LIST_FD);
  process = g_subprocess_launcher_spawnv (launcher, (const char *const *) argv, &error);
  g_assert_no_error (error);
  if (while_running != NULL)
    while_running (process, data);
  communicate_with_timeout (process, input, run);
  g_assert_true (g_subprocess_get_if_exited (process));
  run->exit_status = g_subprocess_get_exit_status (process);
  g_test_message ("exit %d, stderr: %s", run->exit_status, run->stderr_text);

  if (g_file_get_contents (stats_path, &run->stats_text, NULL, NULL))
    run->stats = cJSON_Parse (run->stats_text);
  tessera_test_remove_tree (dir);
}

static void
run_tessera (Run *run, const char *input, const char *const *args)
{
  run_tessera_with (run, input, args, NULL, NULL);
}

static int
stats_int (const Run *run, const char *name)
{
  const cJSON *item = cJSON_GetObjectItemCaseSensitive (run->stats, name);

  g_assert_true (cJSON_IsNumber (item));
  return item->valueint;
}

/* URLs on the command line and on stdin; quits when done; stats say what happened. */
static void
test_exit_when_done_with_stats (void)
{
  TesseraTestServer *server = tessera_test_server_new ();
  g_autofree char *a = tessera_test_server_url (server, "/img/cli-a.png");
  g_autofree char *b = tessera_test_server_url (server, "/img/cli-b.jpg");
  g_autofree char *missing = tessera_test_server_url (server, "/status/404");
  g_autofree char *input = g_strdup_printf ("%s\n%s\n", b, missing);
  const char *args[] = { "--exit-when-done", a, "-", NULL };
  g_auto (Run) run = { 0 };
  const cJSON *items;

  run_tessera (&run, input, args);

  g_assert_nonnull (run.stats);
  g_assert_cmpint (stats_int (&run, "tiles"), ==, 3);
  g_assert_cmpint (stats_int (&run, "loaded"), ==, 2);
  g_assert_cmpint (stats_int (&run, "failed"), ==, 1);
  g_assert_cmpint (stats_int (&run, "first_tile_ms"), <=, stats_int (&run, "all_tiles_ms"));
  items = cJSON_GetObjectItem (run.stats, "items");
  g_assert_cmpstr (cJSON_GetObjectItem (cJSON_GetArrayItem (items, 0), "url")->valuestring, ==, a);
  g_assert_cmpstr (cJSON_GetObjectItem (cJSON_GetArrayItem (items, 2), "error")->valuestring, ==,
                   "HTTP 404");
  /* One tile failed, so a script is told. */
  g_assert_cmpint (run.exit_status, ==, 1);

  tessera_test_server_free (server);
}

static void
test_all_loaded_exits_zero (void)
{
  TesseraTestServer *server = tessera_test_server_new ();
  g_autofree char *a = tessera_test_server_url (server, "/img/zero-a.png");
  g_autofree char *b = tessera_test_server_url (server, "/img/zero-b.png");
  const char *args[] = { "--exit-when-done", "--jobs=2", a, b, NULL };
  g_auto (Run) run = { 0 };

  run_tessera (&run, NULL, args);

  g_assert_cmpint (run.exit_status, ==, 0);
  g_assert_cmpint (stats_int (&run, "loaded"), ==, 2);
  tessera_test_server_free (server);
}

/* A person opens a list, quits and opens it again: every tile comes from the disk cache
 * with no request. --empty-cache then empties it, and the next run downloads again. */
static void
test_second_run_from_cache (void)
{
  g_autoptr (TesseraTestServer) server = tessera_test_server_new ();
  g_autofree char *cache_home = g_dir_make_tmp ("tessera-cli-cache-XXXXXX", NULL);
  g_autofree char *cache_dir = g_build_filename (cache_home, "tessera", NULL);
  g_autofree char *a = tessera_test_server_url (server, "/img/again-a.png?cc=max-age%3D3600");
  g_autofree char *b = tessera_test_server_url (server, "/img/again-b.jpg?cc=max-age%3D3600");
  const char *args[] = { "--exit-when-done", a, b, NULL };
  const char *empty_args[] = { "--empty-cache", NULL };

  for (guint visit = 1; visit <= 2; visit++)
    {
      g_auto (Run) run = { cache_home };

      run_tessera (&run, NULL, args);
      g_assert_cmpint (run.exit_status, ==, 0);
      g_assert_cmpint (stats_int (&run, "loaded"), ==, 2);
      g_assert_cmpuint (tessera_test_server_get_requests (server), ==, 2);
    }
  g_assert_cmpuint (tessera_test_count_files (cache_dir), ==, 2);

  {
    g_auto (Run) run = { cache_home };

    run_tessera (&run, NULL, empty_args);
    g_assert_cmpint (run.exit_status, ==, 0);
    g_assert_nonnull (strstr (run.stdout_text, "Freed"));
    g_assert_nonnull (strstr (run.stdout_text, cache_dir));
    g_assert_cmpuint (tessera_test_count_files (cache_dir), ==, 0);
  }
  {
    g_auto (Run) run = { cache_home };

    run_tessera (&run, NULL, args);
    g_assert_cmpint (stats_int (&run, "loaded"), ==, 2);
    g_assert_cmpuint (tessera_test_server_get_requests (server), ==, 4);
  }
  tessera_test_remove_tree (cache_home);
}

/* A command line GApplication cannot parse is a usage error too, with or without
 * --save-to, and what is wrong is said. */
static void
test_unparsable_is_usage_error (void)
{
  static const struct
  {
    const char *args[3];
    const char *said;
  } cases[] = {
    { { "--bogus", "http://127.0.0.1:9/a.png", NULL }, "Unknown option --bogus" },
    { { "--save-to", NULL }, "Missing argument for --save-to" },
    { { "--save-to=/tmp", "--bogus", NULL }, "Unknown option --bogus" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_auto (Run) run = { 0 };

      run_tessera (&run, NULL, cases[i].args);

      g_assert_cmpint (run.exit_status, ==, 2);
      g_assert_nonnull (strstr (run.stderr_text, cases[i].said));
      g_assert_null (run.stats);
    }
}

/* Out of range or not a number: refused before any window opens. 0 matters most, since
 * GApplication silently drops an integer option that is 0. */
static void
test_bad_jobs_is_usage_error (void)
{
  const char *bad_values[] = { "--jobs=0", "--jobs=33", "--jobs=-1", "--jobs=many" };

  for (gsize i = 0; i < G_N_ELEMENTS (bad_values); i++)
    {
      const char *args[] = { bad_values[i], "--exit-when-done", "http://127.0.0.1:9/a.png", NULL };
      g_auto (Run) run = { 0 };

      run_tessera (&run, NULL, args);

      g_assert_cmpint (run.exit_status, ==, 2);
      g_assert_nonnull (strstr (run.stderr_text, "--jobs must be between 1 and 32"));
      /* Refused at once: no tiles were made, so no stats were written. */
      g_assert_null (run.stats);
    }
}

/* One argument with a space in it is one picture: the space is encoded, not a split into
 * a 404 for "…/my" and "cat.png" dropped. */
static void
test_argument_with_a_space (void)
{
  g_autoptr (TesseraTestServer) server = tessera_test_server_new ();
  /* Not a line of text that ends in an image extension: an argument, whatever it ends in. */
  g_autofree char *spaced = tessera_test_server_url (server, "/img/my cat.png?w=40");
  g_autofree char *encoded = tessera_test_server_url (server, "/img/my%20cat.png?w=40");
  const char *args[] = { "--exit-when-done", spaced, NULL };
  g_auto (Run) run = { 0 };
  const cJSON *items;

  run_tessera (&run, NULL, args);

  g_assert_cmpint (run.exit_status, ==, 0);
  g_assert_cmpint (stats_int (&run, "tiles"), ==, 1);
  g_assert_cmpint (stats_int (&run, "loaded"), ==, 1);
  items = cJSON_GetObjectItem (run.stats, "items");
  g_assert_cmpstr (cJSON_GetObjectItem (cJSON_GetArrayItem (items, 0), "url")->valuestring, ==,
                   encoded);
  g_assert_cmpuint (tessera_test_server_count_path (server, "/img/my%20cat.png"), ==, 1);
  g_assert_cmpuint (tessera_test_server_get_requests (server), ==, 1);
}

/* Nothing usable given: say so, and why each argument was no use, and quit instead of
 * waiting for ever. */
static void
test_nothing_to_load (void)
{
  const char *args[] = { "--exit-when-done", "/nonexistent/list.txt", "not-a-url", NULL };
  g_auto (Run) run = { 0 };

  run_tessera (&run, NULL, args);

  g_assert_cmpint (run.exit_status, ==, 1);
  g_assert_nonnull (strstr (run.stderr_text, "No image URLs were found"));
  g_assert_nonnull (
      strstr (run.stderr_text, "Skipping “/nonexistent/list.txt”: No such file or URL\n"));
  g_assert_nonnull (strstr (run.stderr_text, "Skipping “not-a-url”: No such file or URL\n"));
  g_assert_cmpint (stats_int (&run, "tiles"), ==, 0);
}

#define N_HANGING     300
/* Far below the 20 s a stalled transfer takes to time out on its own: only cancelling the
 * transfers under way lets tessera quit within it. Not multiplied by the slow-down, since
 * the stall clock it must beat runs at the same speed in every build. */
#define QUIT_WITHIN_S 10

typedef struct
{
  TesseraTestServer *server;
  gint64 signalled_us;
} QuitWhileLoading;

static void
terminate_mid_download (GSubprocess *process, gpointer data)
{
  QuitWhileLoading *quit = data;

  /* Every worker has a download under way. */
  g_assert_true (
      tessera_test_wait_for_in_flight (quit->server, TESSERA_LOADER_DEFAULT_JOBS, 30000));
  quit->signalled_us = g_get_monotonic_time ();
  g_subprocess_send_signal (process, SIGTERM);
}

/* Told to quit with hundreds of downloads queued or stalled, tessera stops them all, writes
 * its stats and exits promptly. */
static void
test_quit_with_downloads_in_flight (void)
{
  g_autoptr (TesseraTestServer) server = tessera_test_server_new ();
  g_autoptr (GPtrArray) args = g_ptr_array_new_with_free_func (g_free);
  QuitWhileLoading quit = { server, 0 };
  g_auto (Run) run = { 0 };
  gint64 quit_us;

  /* Distinct URLs: the gallery skips duplicates. */
  for (guint i = 0; i < N_HANGING; i++)
    {
      g_autofree char *path = g_strdup_printf ("/hang?n=%u", i);

      g_ptr_array_add (args, tessera_test_server_url (server, path));
    }
  g_ptr_array_add (args, NULL);

  run_tessera_with (&run, NULL, (const char *const *) args->pdata, terminate_mid_download, &quit);
  quit_us = g_get_monotonic_time () - quit.signalled_us;

  g_test_message ("quit %" G_GINT64_FORMAT " ms after SIGTERM", quit_us / 1000);
  g_assert_cmpint (quit_us, <, QUIT_WITHIN_S * G_USEC_PER_SEC);
  g_assert_nonnull (run.stats);
  g_assert_cmpint (stats_int (&run, "tiles"), ==, N_HANGING);
  g_assert_cmpint (stats_int (&run, "loaded"), ==, 0);
  g_assert_cmpint (stats_int (&run, "failed"), ==, 0);
}

#define CLIENT_ID "cli0test0id"

/* Points tessera at @server for Imgur's API and images, with @client_id (NULL: none). */
static void
set_imgur_env (TesseraTestServer *server, const char *client_id)
{
  g_autofree char *api = tessera_test_server_url (server, "");
  g_autofree char *images = tessera_test_server_url (server, "/img");

  g_setenv ("TESSERA_IMGUR_API", api, TRUE);
  g_setenv ("TESSERA_IMGUR_IMAGES", images, TRUE);
  if (client_id != NULL)
    g_setenv ("IMGUR_CLIENT_ID", client_id, TRUE);
  else
    g_unsetenv ("IMGUR_CLIENT_ID");
}

static const char *
first_source_error (const Run *run)
{
  const cJSON *errors = cJSON_GetObjectItemCaseSensitive (run->stats, "source_errors");
  const cJSON *first = cJSON_GetArrayItem (errors, 0);

  return cJSON_IsString (first) ? first->valuestring : NULL;
}

/* A whole page of the captured gallery, as thumbnails: stills of GIFs, covers of albums,
 * all at the size letter for a 180 px tile, never an original. */
static void
test_imgur_page_end_to_end (void)
{
  g_autoptr (TesseraTestServer) server = tessera_test_server_new ();
  const char *args[] = { "--imgur", "--exit-when-done", NULL };
  g_auto (Run) run = { 0 };

  tessera_test_serve_imgur (server, tessera_test_imgur_fixtures (), CLIENT_ID);
  set_imgur_env (server, CLIENT_ID);
  run_tessera (&run, NULL, args);

  g_assert_cmpint (run.exit_status, ==, 0);
  g_assert_cmpint (stats_int (&run, "tiles"), ==, 183);
  g_assert_cmpint (stats_int (&run, "loaded"), ==, 183);
  g_assert_null (first_source_error (&run));
  g_assert_cmpuint (tessera_test_server_count_path (server, TESSERA_TEST_IMGUR_PAGE (0)), ==, 1);
  /* g2RXrlZ is an animated GIF: its still, not the GIF. */
  g_assert_cmpuint (tessera_test_server_count_path (server, "/img/g2RXrlZm.jpg"), ==, 1);
  g_assert_cmpuint (tessera_test_server_count_path (server, "/img/g2RXrlZ.gif"), ==, 0);
  /* XlaGd is an album whose cover is ckwRGs8; its link is a page, never requested. */
  g_assert_cmpuint (tessera_test_server_count_path (server, "/img/ckwRGs8m.jpg"), ==, 1);
  g_assert_cmpuint (tessera_test_server_count_path (server, "/a/XlaGd"), ==, 0);
  /* The last post, a PNG, as a JPEG thumbnail. */
  g_assert_cmpuint (tessera_test_server_count_path (server, "/img/i96K3YNm.jpg"), ==, 1);
}

/* Imgur's 403: its message reaches the person and the stats, the Client ID never does. */
static void
test_imgur_refused_client_id (void)
{
  g_autoptr (TesseraTestServer) server = tessera_test_server_new ();
  const char *args[] = { "--imgur", "--exit-when-done", NULL };
  const char *wrong = "wrong0client0id";
  g_auto (Run) run = { 0 };

  tessera_test_serve_imgur (server, tessera_test_imgur_fixtures (), CLIENT_ID);
  set_imgur_env (server, wrong);
  run_tessera (&run, NULL, args);

  g_assert_cmpint (run.exit_status, ==, 1);
  g_assert_cmpint (stats_int (&run, "tiles"), ==, 0);
  g_assert_nonnull (strstr (first_source_error (&run), "Invalid client_id"));
  g_assert_nonnull (strstr (run.stderr_text, "Invalid client_id"));
  g_assert_null (strstr (run.stats_text, wrong));
  g_assert_null (strstr (run.stderr_text, wrong));
  g_assert_null (strstr (run.stdout_text, wrong));
}

/* Without a Client ID nothing is requested, and the person is told how to set one. */
static void
test_imgur_no_client_id (void)
{
  g_autoptr (TesseraTestServer) server = tessera_test_server_new ();
  const char *args[] = { "--imgur", "--exit-when-done", NULL };
  g_auto (Run) run = { 0 };

  tessera_test_serve_imgur (server, tessera_test_imgur_fixtures (), CLIENT_ID);
  set_imgur_env (server, NULL);
  run_tessera (&run, NULL, args);

  g_assert_cmpint (run.exit_status, ==, 1);
  g_assert_nonnull (strstr (first_source_error (&run), "IMGUR_CLIENT_ID"));
  g_assert_cmpuint (tessera_test_server_get_requests (server), ==, 0);
}

/* --save-to --imgur without a Client ID says where to set one, asks nothing and writes
 * nothing. */
static void
test_save_to_imgur_no_client_id (void)
{
  g_autoptr (TesseraTestServer) server = tessera_test_server_new ();
  g_autofree char *target = g_dir_make_tmp ("tessera-cli-save-XXXXXX", NULL);
  g_autofree char *save_arg = g_strconcat ("--save-to=", target, NULL);
  const char *args[] = { save_arg, "--imgur", NULL };
  g_auto (Run) run = { 0 };

  tessera_test_serve_imgur (server, tessera_test_imgur_fixtures (), CLIENT_ID);
  set_imgur_env (server, NULL);
  run_tessera (&run, NULL, args);

  g_assert_cmpint (run.exit_status, ==, 1);
  g_assert_nonnull (strstr (run.stderr_text, "IMGUR_CLIENT_ID"));
  g_assert_cmpuint (tessera_test_server_get_requests (server), ==, 0);
  g_assert_cmpuint (tessera_test_count_files (target), ==, 0);
  tessera_test_remove_tree (target);
}

/* Out of requests: one request, no retry, and the time the limit resets. */
static void
test_imgur_rate_limited (void)
{
  g_autoptr (TesseraTestServer) server = tessera_test_server_new ();
  g_autofree char *refusal
      = g_build_filename (tessera_test_imgur_fixtures (), "own-error-object-429.json", NULL);
  g_autofree char *headers = g_strdup_printf (
      "X-RateLimit-UserRemaining: 0\r\nX-RateLimit-UserReset: %" G_GINT64_FORMAT "\r\n",
      g_get_real_time () / G_USEC_PER_SEC + 600);
  const char *args[] = { "--imgur", "--exit-when-done", NULL };
  g_auto (Run) run = { 0 };

  tessera_test_serve_imgur (server, tessera_test_imgur_fixtures (), CLIENT_ID);
  tessera_test_server_add_fixture (server, TESSERA_TEST_IMGUR_PAGE (0), refusal, 429, headers,
                                   NULL);
  set_imgur_env (server, CLIENT_ID);
  run_tessera (&run, NULL, args);

  g_assert_cmpint (run.exit_status, ==, 1);
  g_assert_nonnull (strstr (first_source_error (&run), "rate limit is reached; resets at "));
  g_assert_cmpuint (tessera_test_server_count_path (server, TESSERA_TEST_IMGUR_PAGE (0)), ==, 1);
}

static void
test_imgur_bad_query (void)
{
  const char *args[] = { "--imgur=sideways/viral", "--exit-when-done", NULL };
  g_auto (Run) run = { 0 };

  run_tessera (&run, NULL, args);

  g_assert_cmpint (run.exit_status, ==, 2);
  g_assert_nonnull (strstr (run.stderr_text, "“sideways” is not an Imgur section"));
}

/* --save-to downloads the originals with no window and no display at all, says what it
 * did in one line and which argument it skipped, and fails (exit 1) when one image could
 * not be saved. */
static void
test_save_to_without_display (void)
{
  g_autoptr (TesseraTestServer) server = tessera_test_server_new ();
  g_autofree char *dir = g_dir_make_tmp ("tessera-save-to-XXXXXX", NULL);
  g_autofree char *save_to = g_strconcat ("--save-to=", dir, NULL);
  g_autofree char *a = tessera_test_server_url (server, "/img/sunset.png?w=80&h=60");
  g_autofree char *b = tessera_test_server_url (server, "/img/beach.jpg?w=80&h=60");
  g_autofree char *missing = tessera_test_server_url (server, "/status/404");
  g_autofree char *display = g_strdup (g_getenv ("DISPLAY"));
  g_autofree char *existing = g_build_filename (dir, "sunset.png", NULL);
  g_autofree char *input = g_strdup_printf ("%s\n", b);
  const char *all_good[] = { save_to, a, "-", NULL };
  const char *one_bad[] = { save_to, missing, "/nonexistent/list.txt", b, NULL };
  g_auto (Run) first = { 0 };
  g_auto (Run) second = { 0 };

  g_assert_true (g_file_set_contents (existing, "keep me", -1, NULL));
  g_unsetenv ("DISPLAY");
  run_tessera (&first, input, all_good);
  run_tessera (&second, NULL, one_bad);
  g_setenv ("DISPLAY", display, TRUE);

  g_assert_cmpint (first.exit_status, ==, 0);
  g_assert_nonnull (strstr (first.stdout_text, "Saved 2 images to "));
  /* Not a terminal: no progress line. */
  g_assert_null (strstr (first.stderr_text, "Saving"));
  g_assert_cmpint (second.exit_status, ==, 1);
  g_assert_nonnull (strstr (second.stderr_text, "Failed: "));
  g_assert_nonnull (strstr (second.stderr_text, "404"));
  g_assert_nonnull (
      strstr (second.stderr_text, "Skipping “/nonexistent/list.txt”: No such file or URL\n"));
  g_assert_nonnull (strstr (second.stdout_text, "Saved 1 of 2"));
  /* sunset.png was there: kept, the new one numbered; beach.jpg twice: two files. */
  g_assert_cmpuint (tessera_test_count_files (dir), ==, 4);
  {
    g_autofree char *kept = NULL;
    g_autofree char *numbered = g_build_filename (dir, "sunset (2).png", NULL);
    g_autofree char *beach_2 = g_build_filename (dir, "beach (2).jpg", NULL);

    g_assert_true (g_file_get_contents (existing, &kept, NULL, NULL));
    g_assert_cmpstr (kept, ==, "keep me");
    g_assert_true (g_file_test (numbered, G_FILE_TEST_IS_REGULAR));
    g_assert_true (g_file_test (beach_2, G_FILE_TEST_IS_REGULAR));
  }
  tessera_test_remove_tree (dir);
}

static void
assert_saved_file (const char *dir, const char *relpath)
{
  g_autofree char *path = g_build_filename (dir, relpath, NULL);

  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
    g_error ("Not saved: %s", relpath);
}

/* A list from a pipe, as a shell's `<(command)` gives it (/dev/fd/N): read as a file. */
static void
test_save_to_list_from_pipe (void)
{
  g_autoptr (TesseraTestServer) server = tessera_test_server_new ();
  g_autofree char *dir = g_dir_make_tmp ("tessera-save-pipe-XXXXXX", NULL);
  g_autofree char *save_to = g_strconcat ("--save-to=", dir, NULL);
  g_autofree char *url = tessera_test_server_url (server, "/img/piped.png");
  g_autofree char *list = g_strconcat (url, "\n", NULL);
  g_autofree char *list_arg = g_strdup_printf ("/dev/fd/%d", LIST_FD);
  const char *args[] = { save_to, list_arg, NULL };
  g_auto (Run) run = { 0 };
  int fds[2];

  g_assert_true (g_unix_open_pipe (fds, FD_CLOEXEC, NULL));
  g_assert_cmpint (write (fds[1], list, strlen (list)), ==, (gssize) strlen (list));
  g_assert_true (g_close (fds[1], NULL));
  run.list_fd = fds[0];
  run_tessera (&run, NULL, args);

  g_assert_cmpint (run.exit_status, ==, 0);
  g_assert_nonnull (strstr (run.stdout_text, "Saved 1 image"));
  assert_saved_file (dir, "piped.png");
  tessera_test_remove_tree (dir);
}

/* --save-to with a URL whose redirects end at Imgur's "removed" placeholder: a failure that
 * says so (exit 1), and no placeholder saved under the wanted name. A refused connection is
 * told in plain words, not libcurl's. */
static void
test_save_to_removed (void)
{
  g_autoptr (TesseraTestServer) server = tessera_test_server_new ();
  g_autofree char *dir = g_dir_make_tmp ("tessera-save-removed-XXXXXX", NULL);
  g_autofree char *save_to = g_strconcat ("--save-to=", dir, NULL);
  g_autofree char *gone = tessera_test_server_url (server, "/gone/abc123.jpg");
  g_autofree char *kept = tessera_test_server_url (server, "/img/kept.png");
  const char *args[] = { save_to, gone, kept, "http://127.0.0.1:1/refused.png", NULL };
  g_auto (Run) run = { 0 };

  set_imgur_env (server, NULL);
  run_tessera (&run, NULL, args);
  g_unsetenv ("TESSERA_IMGUR_IMAGES");
  g_unsetenv ("TESSERA_IMGUR_API");

  g_assert_cmpint (run.exit_status, ==, 1);
  g_assert_nonnull (strstr (run.stderr_text, "Failed: "));
  g_assert_nonnull (strstr (run.stderr_text, "removed"));
  g_assert_nonnull (strstr (run.stderr_text, "refused.png: The server could not be reached\n"));
  g_assert_null (strstr (run.stderr_text, "Failed to connect"));
  g_assert_nonnull (strstr (run.stdout_text, "Saved 1 of 3"));
  g_assert_cmpuint (tessera_test_count_files (dir), ==, 1);
  assert_saved_file (dir, "kept.png");
  tessera_test_remove_tree (dir);
}

/* --save-to --imgur: the page's originals by post name, an album's images in its folder,
 * an album Imgur will not list reported; no thumbnail is downloaded. */
static void
test_save_to_imgur (void)
{
  g_autoptr (TesseraTestServer) server = tessera_test_server_new ();
  g_autofree char *dir = g_dir_make_tmp ("tessera-save-imgur-XXXXXX", NULL);
  g_autofree char *save_to = g_strconcat ("--save-to=", dir, NULL);
  g_autofree char *page
      = g_build_filename (tessera_test_imgur_fixtures (), "own-gallery-save-page.json", NULL);
  g_autofree char *album
      = g_build_filename (tessera_test_imgur_fixtures (), "own-album-images-list.json", NULL);
  g_autofree char *gone
      = g_build_filename (tessera_test_imgur_fixtures (), "error-404-image-not-found.json", NULL);
  g_autofree char *authorization = g_strdup_printf ("Client-ID %s", CLIENT_ID);
  const char *args[] = { save_to, "--imgur=top/top/week", NULL };
  g_auto (Run) run = { 0 };
  g_auto (Run) without_id = { 0 };

  tessera_test_server_add_fixture (server, "/3/gallery/top/top/week/0", page, 200, NULL,
                                   authorization);
  tessera_test_server_add_fixture (server, "/3/gallery/album/SavAlb1", album, 200, NULL,
                                   authorization);
  tessera_test_server_add_fixture (server, "/3/gallery/album/SavGone", gone, 404, NULL,
                                   authorization);
  set_imgur_env (server, CLIENT_ID);
  run_tessera (&run, NULL, args);

  g_assert_cmpint (run.exit_status, ==, 1);
  g_assert_nonnull (strstr (run.stdout_text, "Saved 6 of 7"));
  g_assert_nonnull (strstr (run.stderr_text, "Failed: Album “An album Imgur took down”: "));
  g_assert_null (strstr (run.stderr_text, CLIENT_ID));
  assert_saved_file (dir, "A harbour at dawn (SavPic1).jpg");
  assert_saved_file (dir, "SavGif1.gif");
  assert_saved_file (dir, "Trip_.._photos (SavAlb1)/First (LstImg1).jpg");
  assert_saved_file (dir, "Trip_.._photos (SavAlb1)/LstGif2.gif");
  assert_saved_file (dir, "Trip_.._photos (SavAlb1)/Last (LstPng5).png");
  assert_saved_file (dir, "Trip_.._photos (SavAlb1)/A short video (LstVid3).mp4");
  g_assert_cmpuint (tessera_test_count_files (dir), ==, 3);
  g_assert_cmpuint (tessera_test_server_count_path (server, "/img/SavPic1.jpg"), ==, 1);
  /* Only originals: no size-lettered thumbnail of any post. */
  g_assert_cmpuint (tessera_test_server_count_path (server, "/img/SavPic1m.jpg"), ==, 0);
  g_assert_cmpuint (tessera_test_server_count_path (server, "/img/SavCov1m.jpg"), ==, 0);

  /* No Client ID: a clear message, no request, nothing saved. */
  set_imgur_env (server, NULL);
  tessera_test_server_reset_counters (server);
  run_tessera (&without_id, NULL, args);
  g_assert_cmpint (without_id.exit_status, ==, 1);
  g_assert_nonnull (strstr (without_id.stderr_text, "Imgur needs a Client ID"));
  g_assert_cmpuint (tessera_test_server_get_requests (server), ==, 0);
  g_assert_cmpuint (tessera_test_count_files (dir), ==, 3);
  tessera_test_remove_tree (dir);
}

/* Serves today's kinds of posts as the first page of @path's gallery: a photo, a video, a
 * .gifv GIF, an .mp4 GIF, an album without a cover (its images listed) and a promoted post. */
static void
serve_real_world (TesseraTestServer *server, const char *path)
{
  g_autofree char *page
      = g_build_filename (tessera_test_imgur_fixtures (), "own-gallery-real-world-page.json", NULL);
  g_autofree char *album
      = g_build_filename (tessera_test_imgur_fixtures (), "own-album-images-list.json", NULL);
  g_autofree char *authorization = g_strdup_printf ("Client-ID %s", CLIENT_ID);

  tessera_test_server_add_fixture (server, path, page, 200, NULL, authorization);
  tessera_test_server_add_fixture (server, "/3/gallery/album/RwAlb01", album, 200, NULL,
                                   authorization);
}

/* --save-to --imgur with videos, a .gifv, an album without a cover and an ad: every original
 * saved (the videos as mp4), the ad left out, exit 0. */
static void
test_save_to_imgur_real_world (void)
{
  g_autoptr (TesseraTestServer) server = tessera_test_server_new ();
  g_autofree char *dir = g_dir_make_tmp ("tessera-save-imgur-XXXXXX", NULL);
  g_autofree char *save_to = g_strconcat ("--save-to=", dir, NULL);
  const char *args[] = { save_to, "--imgur=top/top/week", NULL };
  g_auto (Run) run = { 0 };

  serve_real_world (server, "/3/gallery/top/top/week/0");
  set_imgur_env (server, CLIENT_ID);
  run_tessera (&run, NULL, args);

  g_test_message ("%s%s", run.stdout_text, run.stderr_text);
  g_assert_cmpint (run.exit_status, ==, 0);
  g_assert_nonnull (strstr (run.stdout_text, "Saved 8 images"));
  assert_saved_file (dir, "Morning fog over the bay (RwPic01).jpg");
  assert_saved_file (dir, "A dog learns to surf (RwVid01).mp4");
  assert_saved_file (dir, "Cat vs cucumber (RwGifv1).mp4");
  assert_saved_file (dir, "RwGmp41.mp4");
  assert_saved_file (dir, "Things I found in the attic (RwAlb01)/First (LstImg1).jpg");
  assert_saved_file (dir, "Things I found in the attic (RwAlb01)/A short video (LstVid3).mp4");
  /* Four files and the album's folder; the promoted post is not saved. */
  g_assert_cmpuint (tessera_test_count_files (dir), ==, 5);
  g_assert_cmpuint (tessera_test_server_count_path (server, "/img/RwAd001.jpg"), ==, 0);
  g_assert_cmpuint (tessera_test_server_count_path (server, "/img/RwGifv1.gifv"), ==, 0);
  tessera_test_remove_tree (dir);
}

/* The same page in the window: every post but the ad a finished tile, the album without a
 * cover among them. */
static void
test_imgur_real_world_window (void)
{
  g_autoptr (TesseraTestServer) server = tessera_test_server_new ();
  const char *args[] = { "--imgur", "--exit-when-done", NULL };
  g_auto (Run) run = { 0 };

  g_autofree char *empty
      = g_build_filename (tessera_test_imgur_fixtures (), "own-gallery-empty-page.json", NULL);

  serve_real_world (server, TESSERA_TEST_IMGUR_PAGE (0));
  tessera_test_server_add_fixture (server, TESSERA_TEST_IMGUR_PAGE (1), empty, 200, NULL, NULL);
  set_imgur_env (server, CLIENT_ID);
  run_tessera (&run, NULL, args);

  g_assert_cmpint (run.exit_status, ==, 0);
  g_assert_cmpint (stats_int (&run, "tiles"), ==, 5);
  g_assert_cmpint (stats_int (&run, "loaded"), ==, 5);
  g_assert_null (first_source_error (&run));
  g_assert_cmpuint (tessera_test_server_count_path (server, "/img/RwAd001l.jpg"), ==, 0);
}

/* A folder that is not there, or a file where the folder should be: each said as it is. */
static void
test_save_to_not_a_folder (void)
{
  g_autofree char *file_path = NULL;
  int fd = g_file_open_tmp ("tessera-not-a-folder-XXXXXX", &file_path, NULL);
  g_autofree char *file_arg = NULL;
  g_autofree char *file_said = NULL;
  const char *missing[] = { "--save-to=/nonexistent/folder", "https://example.com/a.png", NULL };
  const char *file[] = { NULL, "https://example.com/a.png", NULL };
  g_auto (Run) missing_run = { 0 };
  g_auto (Run) file_run = { 0 };

  g_assert_cmpint (fd, >=, 0);
  g_close (fd, NULL);
  file_arg = g_strconcat ("--save-to=", file_path, NULL);
  file[0] = file_arg;
  run_tessera (&missing_run, NULL, missing);
  run_tessera (&file_run, NULL, file);
  g_unlink (file_path);

  g_assert_cmpint (missing_run.exit_status, ==, 2);
  g_assert_nonnull (strstr (missing_run.stderr_text, "“/nonexistent/folder” does not exist"));
  g_assert_cmpint (file_run.exit_status, ==, 2);
  file_said = g_strdup_printf ("“%s” is not a folder", file_path);
  g_assert_nonnull (strstr (file_run.stderr_text, file_said));
}

/* A folder that is not there but whose parent is: made when the first file goes in, said,
 * and saved into. Not made when nothing is saved (every URL failed, the arguments held no
 * URL, the list read from stdin was empty), which each run says. */
static void
test_save_to_creates_folder_when_saving (void)
{
  g_autoptr (TesseraTestServer) server = tessera_test_server_new ();
  g_autofree char *parent = g_dir_make_tmp ("tessera-save-new-XXXXXX", NULL);
  g_autofree char *dir = g_build_filename (parent, "new folder", NULL);
  g_autofree char *save_to = g_strconcat ("--save-to=", dir, NULL);
  g_autofree char *said = g_strdup_printf ("Created folder “%s”\n", dir);
  g_autofree char *not_made = g_strdup_printf ("Nothing was saved, so “%s” was not created\n", dir);
  g_autofree char *url = tessera_test_server_url (server, "/img/sunset.png");
  g_autofree char *missing = tessera_test_server_url (server, "/status/404");
  g_autofree char *gone = tessera_test_server_url (server, "/status/410");
  const char *args[] = { save_to, url, NULL };
  const char *failed[] = { save_to, missing, gone, NULL };
  const char *no_urls[] = { save_to, "not-a-file-or-url", NULL };
  const char *empty_list[] = { save_to, "-", NULL };
  const char *const *const nothing_saved[] = { failed, no_urls, empty_list };
  g_auto (Run) first = { 0 };
  g_auto (Run) again = { 0 };

  for (guint i = 0; i < G_N_ELEMENTS (nothing_saved); i++)
    {
      g_auto (Run) run = { 0 };

      run_tessera (&run, "", nothing_saved[i]);
      g_assert_cmpint (run.exit_status, ==, 1);
      g_assert_false (g_file_test (dir, G_FILE_TEST_EXISTS));
      g_assert_nonnull (strstr (run.stderr_text, not_made));
      g_assert_null (strstr (run.stderr_text, "Created folder"));
    }

  run_tessera (&first, NULL, args);
  run_tessera (&again, NULL, args);

  g_assert_cmpint (first.exit_status, ==, 0);
  g_assert_nonnull (strstr (first.stderr_text, said));
  assert_saved_file (dir, "sunset.png");
  /* There now: used as it is, with nothing said about it. */
  g_assert_cmpint (again.exit_status, ==, 0);
  g_assert_null (strstr (again.stderr_text, "Created folder"));
  g_assert_cmpuint (tessera_test_count_files (dir), ==, 2);
  tessera_test_remove_tree (parent);
}

int
main (int argc, char *argv[])
{
  tessera_engine_init ();
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/cli/exit-when-done-with-stats", test_exit_when_done_with_stats);
  g_test_add_func ("/cli/all-loaded-exits-zero", test_all_loaded_exits_zero);
  g_test_add_func ("/cli/second-run-from-cache", test_second_run_from_cache);
  g_test_add_func ("/cli/bad-jobs-is-usage-error", test_bad_jobs_is_usage_error);
  g_test_add_func ("/cli/nothing-to-load", test_nothing_to_load);
  g_test_add_func ("/cli/argument-with-a-space", test_argument_with_a_space);
  g_test_add_func ("/cli/quit-with-downloads-in-flight", test_quit_with_downloads_in_flight);
  g_test_add_func ("/cli/imgur/page-end-to-end", test_imgur_page_end_to_end);
  g_test_add_func ("/cli/imgur/refused-client-id", test_imgur_refused_client_id);
  g_test_add_func ("/cli/imgur/no-client-id", test_imgur_no_client_id);
  g_test_add_func ("/cli/imgur/rate-limited", test_imgur_rate_limited);
  g_test_add_func ("/cli/imgur/bad-query", test_imgur_bad_query);
  g_test_add_func ("/cli/save-to/without-display", test_save_to_without_display);
  g_test_add_func ("/cli/save-to/not-a-folder", test_save_to_not_a_folder);
  g_test_add_func ("/cli/save-to/removed", test_save_to_removed);
  g_test_add_func ("/cli/save-to/list-from-pipe", test_save_to_list_from_pipe);
  g_test_add_func ("/cli/save-to/creates-folder-when-saving",
                   test_save_to_creates_folder_when_saving);
  g_test_add_func ("/cli/save-to/imgur", test_save_to_imgur);
  g_test_add_func ("/cli/unparsable-is-usage-error", test_unparsable_is_usage_error);
  g_test_add_func ("/cli/save-to/imgur-no-client-id", test_save_to_imgur_no_client_id);
  g_test_add_func ("/cli/save-to/imgur-real-world", test_save_to_imgur_real_world);
  g_test_add_func ("/cli/imgur/real-world-window", test_imgur_real_world_window);

  return g_test_run ();
}
