/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-server-selftest.c: checks the test HTTP server's routes, counters and shutdown,
 * talking to it with libcurl easy handles as the real downloader would. */

#define G_LOG_DOMAIN "test-server-selftest"

#include "config.h"

#include "tessera-test-server.h"
#include "tessera-test-util.h"

#include <curl/curl.h>
#include <gdk-pixbuf/gdk-pixbuf.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>

/* Limits for a server that hangs or is slow to stop, times tessera_test_slowdown(). */
#define CLIENT_TIMEOUT_MS       10000
#define WAIT_POLL_US            (10 * G_TIME_SPAN_MILLISECOND)
#define WAIT_LIMIT_US           (5 * G_TIME_SPAN_SECOND)
#define FREE_LIMIT_US           G_TIME_SPAN_SECOND
#define CONCURRENT_CLIENTS      4
#define CONCURRENT_DELAY_MS     300
#define LATENCY_MS              250
#define TRICKLE_TIMEOUT_MS      2500
/* Not scaled: it must stay below the trickle's 1 s between bytes, whatever the build. */
#define TRICKLE_NOTICE_LIMIT_US (400 * G_TIME_SPAN_MILLISECOND)
#define ENDLESS_WANTED_BYTES    (1024 * 1024 + 1)
#define HEAD_BYTES_LIMIT        (16 * 1024)
#define HUGE_SIDE               100000
#define DEFAULT_SIDE_W          64
#define DEFAULT_SIDE_H          48
#define CAPPED_SIDE             4000
#define GIF_FIRST_FRAME_RGB     0xff0000
#define GIF_SECOND_FRAME_RGB    0x0000ff
#define LIST_LINES              5

#define SET_OPT(handle, option, value)                                                             \
  g_assert_cmpint (curl_easy_setopt ((handle), (option), (value)), ==, CURLE_OK)

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CURL, curl_easy_cleanup)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CURLM, curl_multi_cleanup)

/* @us times the slow-down factor. */
static gint64
scaled_us (gint64 us)
{
  return us * tessera_test_slowdown ();
}

static const guint8 png_signature[] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };

typedef struct
{
  CURLcode result;
  long status;
  GByteArray *body;
  gsize abort_after; /* fail the transfer once this many bytes came; 0: never */
} Fetch;

static void
fetch_clear (Fetch *fetch)
{
  g_clear_pointer (&fetch->body, g_byte_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Fetch, fetch_clear)

static size_t
collect_body (char *data, size_t size, size_t n_items, void *user_data)
{
  Fetch *fetch = user_data;

  g_byte_array_append (fetch->body, (const guint8 *) data, size * n_items);
  if (fetch->abort_after > 0 && fetch->body->len >= fetch->abort_after)
    return 0;
  return size * n_items;
}

static CURL *
client_new (void)
{
  CURL *curl = curl_easy_init ();

  g_assert_nonnull (curl);
  SET_OPT (curl, CURLOPT_NOSIGNAL, 1L);
  SET_OPT (curl, CURLOPT_NOPROXY, "*");
  SET_OPT (curl, CURLOPT_TIMEOUT_MS, (long) (CLIENT_TIMEOUT_MS * tessera_test_slowdown ()));
  SET_OPT (curl, CURLOPT_WRITEFUNCTION, collect_body);
  return curl;
}

/* GETs @path with @curl into @fetch, whose previous body is dropped. */
static void
fetch_path (CURL *curl, TesseraTestServer *server, const char *path, Fetch *fetch)
{
  g_autofree char *url = tessera_test_server_url (server, path);

  g_clear_pointer (&fetch->body, g_byte_array_unref);
  fetch->body = g_byte_array_new ();
  fetch->status = 0;
  SET_OPT (curl, CURLOPT_URL, url);
  SET_OPT (curl, CURLOPT_WRITEDATA, fetch);
  fetch->result = curl_easy_perform (curl);
  g_assert_cmpint (curl_easy_getinfo (curl, CURLINFO_RESPONSE_CODE, &fetch->status), ==, CURLE_OK);
}

static void
assert_fetch_ok (Fetch *fetch, long status)
{
  g_assert_cmpint (fetch->result, ==, CURLE_OK);
  g_assert_cmpint (fetch->status, ==, status);
}

static void
assert_content_type (CURL *curl, const char *expected)
{
  const char *content_type = NULL;

  g_assert_cmpint (curl_easy_getinfo (curl, CURLINFO_CONTENT_TYPE, &content_type), ==, CURLE_OK);
  g_assert_cmpstr (content_type, ==, expected);
}

static void
assert_body_is (Fetch *fetch, GBytes *expected)
{
  gsize size;
  const guint8 *data = g_bytes_get_data (expected, &size);

  g_assert_cmpmem (fetch->body->data, fetch->body->len, data, size);
}

static void
assert_starts_with_png_signature (const guint8 *data, gsize len)
{
  g_assert_cmpuint (len, >=, sizeof png_signature);
  g_assert_cmpmem (data, sizeof png_signature, png_signature, sizeof png_signature);
}

static GdkPixbufLoader *
load_bytes (const guint8 *data, gsize len, GError **error)
{
  g_autoptr (GdkPixbufLoader) loader = gdk_pixbuf_loader_new ();
  gboolean written = gdk_pixbuf_loader_write (loader, data, len, error);

  /* Close even after a failed write, as GdkPixbufLoader wants; keep the first error. */
  if (!gdk_pixbuf_loader_close (loader, written ? error : NULL) || !written)
    return NULL;
  return g_steal_pointer (&loader);
}

static GdkPixbuf *
decode_image (GBytes *bytes)
{
  g_autoptr (GError) error = NULL;
  gsize size;
  const guint8 *data = g_bytes_get_data (bytes, &size);
  g_autoptr (GdkPixbufLoader) loader = load_bytes (data, size, &error);

  g_assert_no_error (error);
  return g_object_ref (gdk_pixbuf_loader_get_pixbuf (loader));
}

/* Polls until @path was requested @count times. */
static void
wait_for_requests (TesseraTestServer *server, const char *path, guint count)
{
  gint64 deadline = g_get_monotonic_time () + scaled_us (WAIT_LIMIT_US);

  while (tessera_test_server_count_path (server, path) < count)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (WAIT_POLL_US);
    }
}

/* Polls until no request is being answered, for at most @limit_us. */
static void
wait_for_idle (TesseraTestServer *server, gint64 limit_us)
{
  gint64 deadline = g_get_monotonic_time () + limit_us;

  while (tessera_test_server_get_in_flight (server) > 0)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (WAIT_POLL_US);
    }
}

/* A fetch on a thread of its own, for clients that stay busy while the test goes on. */
typedef struct
{
  TesseraTestServer *server;
  const char *path;
  GThread *thread;
  Fetch fetch;
} ClientJob;

static gpointer
client_job_run (gpointer data)
{
  ClientJob *job = data;
  g_autoptr (CURL) curl = client_new ();

  fetch_path (curl, job->server, job->path, &job->fetch);
  return NULL;
}

static void
client_job_start (ClientJob *job, TesseraTestServer *server, const char *path)
{
  job->server = server;
  job->path = path;
  job->thread = g_thread_new ("selftest-client", client_job_run, job);
}

static void
client_job_join (ClientJob *job)
{
  g_thread_join (g_steal_pointer (&job->thread));
}

static void
client_job_clear (ClientJob *job)
{
  if (job->thread != NULL)
    client_job_join (job);
  fetch_clear (&job->fetch);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ClientJob, client_job_clear)

static gint64
free_server_timed (TesseraTestServer *server)
{
  gint64 start = g_get_monotonic_time ();

  tessera_test_server_free (server);
  return g_get_monotonic_time () - start;
}

/* CRC-32 from zlib, independent of the server's: it is in the trailer of GIO's gzip output. */
static guint32
reference_crc32 (const guint8 *data, gsize len)
{
  g_autoptr (GZlibCompressor) compressor
      = g_zlib_compressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP, -1);
  g_autoptr (GError) error = NULL;
  guint8 out[1024];
  gsize bytes_read, bytes_written;
  guint32 crc;

  g_assert_cmpint (g_converter_convert (G_CONVERTER (compressor), data, len, out, sizeof out,
                                        G_CONVERTER_INPUT_AT_END, &bytes_read, &bytes_written,
                                        &error),
                   ==, G_CONVERTER_FINISHED);
  g_assert_no_error (error);
  g_assert_cmpuint (bytes_written, >=, 8);
  memcpy (&crc, out + bytes_written - 8, sizeof crc);
  return GUINT32_FROM_LE (crc);
}

static guint32
read_be32 (const guint8 *data)
{
  guint32 value;

  memcpy (&value, data, sizeof value);
  return GUINT32_FROM_BE (value);
}

static void
test_png_route (void)
{
  g_autoptr (TesseraTestServer) server = tessera_test_server_new ();
  g_autoptr (CURL) curl = client_new ();
  g_autoptr (GBytes) expected = tessera_test_make_png (32, 24, 5);
  g_autoptr (GBytes) other_seed = tessera_test_make_png (32, 24, 6);
  g_autoptr (GBytes) served = NULL;
  g_autoptr (GdkPixbuf) pixbuf = NULL;
  g_auto (Fetch) fetch = { 0 };

  g_assert_false (g_bytes_equal (expected, other_seed));

  fetch_path (curl, server, "/img/cat.png?w=32&h=24&seed=5", &fetch);
  assert_fetch_ok (&fetch, 200);
  assert_content_type (curl, "image/png");
  assert_starts_with_png_signature (fetch.body->data, fetch.body->len);
  assert_body_is (&fetch, expected);

  served = g_bytes_new (fetch.body->data, fetch.body->len);
  pixbuf = decode_image (served);
  g_assert_cmpint (gdk_pixbuf_get_width (pixbuf), ==, 32);
  g_assert_cmpint (gdk_pixbuf_get_height (pixbuf), ==, 24);
}

static void
test_jpeg_route (void)
{
  g_autoptr (TesseraTestServer) server = tessera_test_server_new ();
  g_autoptr (CURL) curl = client_new ();
  g_autoptr (GBytes) first = NULL;
  g_autoptr (GdkPixbuf) pixbuf = NULL;
  g_auto (Fetch) fetch = { 0 };

  fetch_path (curl, server, "/img/dog.jpg", &fetch);
  assert_fetch_ok (&fetch, 200);
  assert_content_type (curl, "image/jpeg");
  first = g_bytes_new (fetch.body->data, fetch.body->len);
  pixbuf = decode_image (first);
  g_assert_cmpint (gdk_pixbuf_get_width (pixbuf), ==, DEFAULT_SIDE_W);
  g_assert_cmpint (gdk_pixbuf_get_height (pixbuf), ==, DEFAULT_SIDE_H);

  /* The same URL serves the same bytes. */
  fetch_path (curl, server, "/img/dog.jpg", &fetch);
  assert_fetch_ok (&fetch, 200);
  assert_body_is (&fetch, first);

  /* Sizes are capped. */
  fetch_path (curl, server, "/img/wide.jpg?w=99999&h=3", &fetch);
  assert_fetch_ok (&fetch, 200);
  g_clear_object (&pixbuf);
  g_clear_pointer (&first, g_bytes_unref);
  first = g_bytes_new (fetch.body->data, fetch.body->len);
  pixbuf = decode_image (first);
  g_assert_cmpint (gdk_pixbuf_get_width (pixbuf), ==, CAPPED_SIDE);

  fetch_path (curl, server, "/img/dog.jpg?w=many", &fetch);
  assert_fetch_ok (&fetch, 400);
}

static guint32
first_pixel_rgb (GdkPixbufAnimationIter *iter)
{
  const guint8 *pixel = gdk_pixbuf_read_pixels (gdk_pixbuf_animation_iter_get_pixbuf (iter));

  return (guint32) pixel[0] << 16 | pixel[1] << 8 | pixel[2];
}

/* Advances @iter in real time until its first pixel turns @rgb. */
static void
wait_for_frame_colour (GdkPixbufAnimationIter *iter, guint32 rgb)
{
  gint64 deadline = g_get_monotonic_time () + scaled_us (WAIT_LIMIT_US);

  while (first_pixel_rgb (iter) != rgb)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (WAIT_POLL_US);
      gdk_pixbuf_animation_iter_advance (iter, NULL);
    }
}

static void
test_gif (void)
{
  g_autoptr (TesseraTestServer) server = tessera_test_server_new ();
  g_autoptr (CURL) curl = client_new ();
  g_autoptr (GBytes) gif = tessera_test_make_gif ();
  g_autoptr (GError) error = NULL;
  g_autoptr (GdkPixbufLoader) loader = NULL;
  g_autoptr (GdkPixbufAnimationIter) iter = NULL;
  g_auto (Fetch) fetch = { 0 };
  GdkPixbufAnimation *animation;
  gsize size;
  const guint8 *data = g_bytes_get_data (gif, &size);

  g_assert_cmpmem (data, 6, "GIF89a", 6);
  loader = load_bytes (data, size, &error);
  g_assert_no_error (error);
  animation = gdk_pixbuf_loader_get_animation (loader);
  g_assert_false (gdk_pixbuf_animation_is_static_image (animation));
  g_assert_cmpint (gdk_pixbuf_animation_get_width (animation), ==, 4);

  /* First frame red, then blue. */
  iter = gdk_pixbuf_animation_get_iter (animation, NULL);
  g_assert_cmphex (first_pixel_rgb (iter), ==, GIF_FIRST_FRAME_RGB);
  g_assert_cmpint (gdk_pixbuf_animation_iter_get_delay_time (iter), >, 0);
  wait_for_frame_colour (iter, GIF_SECOND_FRAME_RGB);

  fetch_path (curl, server, "/img/anim.gif", &fetch);
  assert_fetch_ok (&fetch, 200);
  assert_content_type (curl, "image/gif");
  assert_body_is (&fetch, gif);
}

static void
test_status_routes (void)
{
  g_autoptr (TesseraTestServer) server = tessera_test_server_new ();
  g_autoptr (CURL) curl = client_new ();
  g_auto (Fetch) fetch = { 0 };

  fetch_path (curl, server, "/status/404", &fetch);
  assert_fetch_ok (&fetch, 404);
  fetch_path (curl, server, "/status/503", &fetch);
  assert_fetch_ok (&fetch, 503);
  fetch_path (curl, server, "/status/abc", &fetch);
  assert_fetch_ok (&fetch, 400);
  fetch_path (curl, server, "/no/such/route", &fetch);
  assert_fetch_ok (&fetch, 404);
  g_assert_cmpuint (tessera_test_server_count_path (server, "/status/404"), ==, 1);
}

static void
test_retry (void)
{
  g_autoptr (TesseraTestServer) server = tessera_test_server_new ();
  g_autoptr (CURL) curl = client_new ();
  g_auto (Fetch) fetch = { 0 };
  curl_off_t retry_after = 0;

  for (guint i = 0; i < 2; i++)
    {
      fetch_path (curl, server, "/retry/429/2/key-a?after=3", &fetch);
      assert_fetch_ok (&fetch, 429);
      g_assert_cmpint (curl_easy_getinfo (curl, CURLINFO_RETRY_AFTER, &retry_after), ==, CURLE_OK);
      g_assert_cmpint (retry_after, ==, 3);
    }
  fetch_path (curl, server, "/retry/429/2/key-a?after=3", &fetch);
  assert_fetch_ok (&fetch, 200);
  assert_starts_with_png_signature (fetch.body->data, fetch.body->len);
  g_assert_cmpuint (tessera_test_server_count_path (server, "/retry/429/2/key-a"), ==, 3);

  /* Keys count apart; the default Retry-After is one second. */
  fetch_path (curl, server, "/retry/503/1/key-b", &fetch);
  assert_fetch_ok (&fetch, 503);
  g_assert_cmpint (curl_easy_getinfo (curl, CURLINFO_RETRY_AFTER, &retry_after), ==, CURLE_OK);
  g_assert_cmpint (retry_after, ==, 1);

  /* Resetting the counters starts the keys over. */
  tessera_test_server_reset_counters (server);
  fetch_path (curl, server, "/retry/429/2/key-a", &fetch);
  assert_fetch_ok (&fetch, 429);
}

static void
test_redirects (void)
{
  g_autoptr (TesseraTestServer) server = tessera_test_server_new ();
  g_autoptr (CURL) curl = client_new ();
  g_auto (Fetch) fetch = { 0 };
  const char *effective_url = NULL;
  const char *redirect_url = NULL;
  long redirects = 0;

  SET_OPT (curl, CURLOPT_FOLLOWLOCATION, 1L);
  fetch_path (curl, server, "/redirect/3", &fetch);
  assert_fetch_ok (&fetch, 200);
  assert_starts_with_png_signature (fetch.body->data, fetch.body->len);
  g_assert_cmpint (curl_easy_getinfo (curl, CURLINFO_REDIRECT_COUNT, &redirects), ==, CURLE_OK);
  g_assert_cmpint (redirects, ==, 4);
  g_assert_cmpint (curl_easy_getinfo (curl, CURLINFO_EFFECTIVE_URL, &effective_url), ==, CURLE_OK);
  g_assert_true (g_str_has_suffix (effective_url, "/img/redirected.png"));
  g_assert_cmpuint (tessera_test_server_count_path (server, "/redirect/0"), ==, 1);

  SET_OPT (curl, CURLOPT_MAXREDIRS, 5L);
  fetch_path (curl, server, "/redirect-loop", &fetch);
  g_assert_cmpint (fetch.result, ==, CURLE_TOO_MANY_REDIRECTS);
  g_assert_cmpuint (tessera_test_server_count_path (server, "/redirect-loop"), ==, 6);

  SET_OPT (curl, CURLOPT_FOLLOWLOCATION, 0L);
  fetch_path (curl, server, "/redirect-file", &fetch);
  assert_fetch_ok (&fetch, 302);
  g_assert_cmpint (curl_easy_getinfo (curl, CURLINFO_REDIRECT_URL, &redirect_url), ==, CURLE_OK);
  g_assert_cmpstr (redirect_url, ==, "file:///etc/passwd");
}

static void
test_keep_alive (void)
{
  g_autoptr (TesseraTestServer) server = tessera_test_server_new ();
  g_autoptr (CURL) curl = client_new ();
  g_auto (Fetch) fetch = { 0 };
  struct curl_slist *close_header = curl_slist_append (NULL, "Connection: close");
  struct curl_header *connection = NULL;
  curl_off_t content_length = 0;

  fetch_path (curl, server, "/img/a.png", &fetch);
  assert_fetch_ok (&fetch, 200);
  /* Said in the standard header, as a client reads it. */
  g_assert_cmpint (curl_easy_header (curl, "Connection", 0, CURLH_HEADER, -1, &connection), ==,
                   CURLHE_OK);
  g_assert_cmpstr (connection->value, ==, "keep-alive");
  fetch_path (curl, server, "/img/b.jpg", &fetch);
  assert_fetch_ok (&fetch, 200);
  g_assert_cmpuint (tessera_test_server_get_connections (server), ==, 1);
  g_assert_cmpuint (tessera_test_server_get_requests (server), ==, 2);
  g_assert_cmpuint (tessera_test_server_get_max_in_flight (server), ==, 1);

  /* HEAD keeps the connection too, and declares the GET's length. */
  SET_OPT (curl, CURLOPT_NOBODY, 1L);
  fetch_path (curl, server, "/img/b.jpg", &fetch);
  assert_fetch_ok (&fetch, 200);
  g_assert_cmpuint (fetch.body->len, ==, 0);
  g_assert_cmpint (curl_easy_getinfo (curl, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &content_length),
                   ==, CURLE_OK);
  g_assert_cmpint (content_length, >, 0);
  SET_OPT (curl, CURLOPT_NOBODY, 0L);
  g_assert_cmpuint (tessera_test_server_get_connections (server), ==, 1);

  /* "Connection: close" ends it: the next request needs a new connection. */
  g_assert_nonnull (close_header);
  SET_OPT (curl, CURLOPT_HTTPHEADER, close_header);
  fetch_path (curl, server, "/page.html", &fetch);
  assert_fetch_ok (&fetch, 200);
  SET_OPT (curl, CURLOPT_HTTPHEADER, NULL);
  curl_slist_free_all (close_header);
  fetch_path (curl, server, "/page.html", &fetch);
  assert_fetch_ok (&fetch, 200);
  g_assert_cmpuint (tessera_test_server_get_connections (server), ==, 2);

  tessera_test_server_reset_counters (server);
  g_assert_cmpuint (tessera_test_server_get_connections (server), ==, 0);
  g_assert_cmpuint (tessera_test_server_get_requests (server), ==, 0);
  g_assert_cmpuint (tessera_test_server_count_path (server, "/page.html"), ==, 0);
}

static void
test_max_in_flight (void)
{
  g_autoptr (TesseraTestServer) server = tessera_test_server_new ();
  g_autofree char *path = g_strdup_printf ("/img/c.png?delay=%d", CONCURRENT_DELAY_MS);
  ClientJob jobs[CONCURRENT_CLIENTS] = { {
      0,
  } };
  gint64 start = g_get_monotonic_time ();

  for (guint i = 0; i < CONCURRENT_CLIENTS; i++)
    client_job_start (&jobs[i], server, path);
  for (guint i = 0; i < CONCURRENT_CLIENTS; i++)
    {
      client_job_join (&jobs[i]);
      assert_fetch_ok (&jobs[i].fetch, 200);
      client_job_clear (&jobs[i]);
    }

  g_assert_cmpint (g_get_monotonic_time () - start, >=,
                   CONCURRENT_DELAY_MS * G_TIME_SPAN_MILLISECOND);
  g_assert_cmpuint (tessera_test_server_get_max_in_flight (server), ==, CONCURRENT_CLIENTS);
  g_assert_cmpuint (tessera_test_server_get_connections (server), ==, CONCURRENT_CLIENTS);
  /* A request stops counting once its answer is sent, which the client may see first. */
  wait_for_idle (server, scaled_us (WAIT_LIMIT_US));
  tessera_test_server_reset_counters (server);
  g_assert_cmpuint (tessera_test_server_get_max_in_flight (server), ==, 0);
}

static void
test_latency (void)
{
  g_autoptr (TesseraTestServer) server = tessera_test_server_new ();
  g_autoptr (CURL) curl = client_new ();
  g_auto (Fetch) fetch = { 0 };
  gint64 start;

  tessera_test_server_set_latency_ms (server, LATENCY_MS);
  start = g_get_monotonic_time ();
  fetch_path (curl, server, "/page.html?delay=100", &fetch);
  assert_fetch_ok (&fetch, 200);
  g_assert_cmpint (g_get_monotonic_time () - start, >=,
                   (LATENCY_MS + 100) * G_TIME_SPAN_MILLISECOND);

  tessera_test_server_set_latency_ms (server, 0);
  fetch_path (curl, server, "/page.html?delay=soon", &fetch);
  assert_fetch_ok (&fetch, 400);
}

static gboolean
echo_user_agent (const char *path, const char *query, GHashTable *request_headers, guint *status,
                 const char **content_type, GString *headers, GBytes **body, gpointer user_data)
{
  const char *agent = g_hash_table_lookup (request_headers, "user-agent");

  *status = 201;
  *content_type = "text/x-agent";
  g_string_append (headers, "X-Handler: echo\r\n");
  *body = g_bytes_new (agent, strlen (agent));
  return TRUE;
}

static gboolean
answer_teapot (const char *path, const char *query, GHashTable *request_headers, guint *status,
               const char **content_type, GString *headers, GBytes **body, gpointer user_data)
{
  guint *calls = user_data;

  g_atomic_int_inc (calls);
  *status = 418;
  return g_strcmp0 (query, "pass") != 0;
}

static void
test_custom_handlers (void)
{
  g_autoptr (TesseraTestServer) server = tessera_test_server_new ();
  g_autoptr (CURL) curl = client_new ();
  g_auto (Fetch) fetch = { 0 };
  guint teapot_calls = 0;

  tessera_test_server_add_handler (server, "/status/", answer_teapot, &teapot_calls);
  tessera_test_server_add_handler (server, "/status/2", echo_user_agent, NULL);
  SET_OPT (curl, CURLOPT_USERAGENT, "selftest-agent");

  /* The longer prefix wins. */
  fetch_path (curl, server, "/status/200", &fetch);
  assert_fetch_ok (&fetch, 201);
  assert_content_type (curl, "text/x-agent");
  g_assert_cmpmem (fetch.body->data, fetch.body->len, "selftest-agent", strlen ("selftest-agent"));

  fetch_path (curl, server, "/status/404", &fetch);
  assert_fetch_ok (&fetch, 418);
  g_assert_cmpuint (fetch.body->len, ==, 0);

  /* A handler returning FALSE falls through to the built-in route. */
  fetch_path (curl, server, "/status/404?pass", &fetch);
  assert_fetch_ok (&fetch, 404);
  g_assert_cmpuint (g_atomic_int_get (&teapot_calls), ==, 2);
}

static void
test_hang_does_not_block_free (void)
{
  TesseraTestServer *server = tessera_test_server_new ();
  g_auto (ClientJob) job = { 0 };

  client_job_start (&job, server, "/hang");
  wait_for_requests (server, "/hang", 1);
  g_assert_cmpuint (tessera_test_server_get_in_flight (server), ==, 1);

  g_assert_cmpint (free_server_timed (server), <, scaled_us (FREE_LIMIT_US));
  client_job_join (&job);
  g_assert_cmpint (job.fetch.result, ==, CURLE_GOT_NOTHING);
}

static void
test_trickle (void)
{
  g_autoptr (TesseraTestServer) server = tessera_test_server_new ();
  g_autoptr (CURL) curl = client_new ();
  g_auto (Fetch) fetch = { 0 };
  guint64 max_bytes = TRICKLE_TIMEOUT_MS / 1000 + 1;

  SET_OPT (curl, CURLOPT_TIMEOUT_MS, (long) TRICKLE_TIMEOUT_MS);
  fetch_path (curl, server, "/trickle", &fetch);
  g_assert_cmpint (fetch.result, ==, CURLE_OPERATION_TIMEDOUT);
  g_assert_cmpint (fetch.status, ==, 200);
  g_assert_cmpuint (fetch.body->len, >=, 2);
  g_assert_cmpuint (fetch.body->len, <=, max_bytes);
  g_assert_cmpmem (fetch.body->data, 2, png_signature, 2);

  /* The server notices the client left without waiting to send its next byte. */
  wait_for_idle (server, TRICKLE_NOTICE_LIMIT_US);
}

static void
test_trickle_does_not_block_free (void)
{
  TesseraTestServer *server = tessera_test_server_new ();
  g_auto (ClientJob) job = { 0 };

  client_job_start (&job, server, "/trickle");
  wait_for_requests (server, "/trickle", 1);

  g_assert_cmpint (free_server_timed (server), <, scaled_us (FREE_LIMIT_US));
  client_job_join (&job);
  g_assert_cmpint (job.fetch.result, ==, CURLE_PARTIAL_FILE);
}

static void
test_endless (void)
{
  g_autoptr (TesseraTestServer) server = tessera_test_server_new ();
  g_autoptr (CURL) curl = client_new ();
  g_auto (Fetch) fetch = { .abort_after = ENDLESS_WANTED_BYTES };

  fetch_path (curl, server, "/endless", &fetch);
  g_assert_cmpint (fetch.result, ==, CURLE_WRITE_ERROR);
  g_assert_cmpint (fetch.status, ==, 200);
  g_assert_cmpuint (fetch.body->len, >=, ENDLESS_WANTED_BYTES);
  assert_starts_with_png_signature (fetch.body->data, fetch.body->len);
  g_assert_cmpuint (fetch.body->data[fetch.body->len - 1], ==, 0);

  g_clear_pointer (&curl, curl_easy_cleanup);
  wait_for_idle (server, scaled_us (WAIT_LIMIT_US));
}

static void
test_endless_does_not_block_free (void)
{
  TesseraTestServer *server = tessera_test_server_new ();
  g_autoptr (CURL) curl = client_new ();
  g_autoptr (CURLM) multi = curl_multi_init ();
  g_autofree char *url = tessera_test_server_url (server, "/endless");
  /* Whatever arrives before the client stops reading goes here (client_new's write
   * callback takes a Fetch). */
  g_auto (Fetch) fetch = { .body = g_byte_array_new () };
  int running = 1;

  /* A client that stops reading: the server blocks in send() until it is freed. */
  g_assert_nonnull (multi);
  SET_OPT (curl, CURLOPT_URL, url);
  SET_OPT (curl, CURLOPT_WRITEDATA, &fetch);
  g_assert_cmpint (curl_multi_add_handle (multi, curl), ==, CURLM_OK);
  while (tessera_test_server_count_path (server, "/endless") == 0)
    {
      g_assert_cmpint (curl_multi_perform (multi, &running), ==, CURLM_OK);
      g_assert_cmpint (curl_multi_poll (multi, NULL, 0, 10, NULL), ==, CURLM_OK);
    }
  g_usleep (WAIT_POLL_US);

  g_assert_cmpint (free_server_timed (server), <, scaled_us (FREE_LIMIT_US));
  g_assert_cmpint (curl_multi_remove_handle (multi, curl), ==, CURLM_OK);
}

static void
test_truncated (void)
{
  g_autoptr (TesseraTestServer) server = tessera_test_server_new ();
  g_autoptr (CURL) curl = client_new ();
  g_auto (Fetch) fetch = { 0 };
  curl_off_t declared = 0;

  fetch_path (curl, server, "/truncated.png", &fetch);
  g_assert_cmpint (fetch.result, ==, CURLE_PARTIAL_FILE);
  g_assert_cmpint (curl_easy_getinfo (curl, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &declared), ==,
                   CURLE_OK);
  g_assert_cmpint (declared, ==, 20000);
  g_assert_cmpuint (fetch.body->len, ==, 100);
  assert_starts_with_png_signature (fetch.body->data, fetch.body->len);
}

static void
test_huge_png (void)
{
  g_autoptr (TesseraTestServer) server = tessera_test_server_new ();
  g_autoptr (CURL) curl = client_new ();
  g_auto (Fetch) fetch = { 0 };
  static const guint8 iend[] = { 0, 0, 0, 0, 'I', 'E', 'N', 'D', 0xae, 0x42, 0x60, 0x82 };
  const guint8 *ihdr;

  fetch_path (curl, server, "/huge.png", &fetch);
  assert_fetch_ok (&fetch, 200);
  assert_content_type (curl, "image/png");
  assert_starts_with_png_signature (fetch.body->data, fetch.body->len);
  g_assert_cmpuint (fetch.body->len, >, 8 + 25 + sizeof iend);

  ihdr = fetch.body->data + 8;
  g_assert_cmpuint (read_be32 (ihdr), ==, 13);
  g_assert_cmpmem (ihdr + 4, 4, "IHDR", 4);
  g_assert_cmpuint (read_be32 (ihdr + 8), ==, HUGE_SIDE);
  g_assert_cmpuint (read_be32 (ihdr + 12), ==, HUGE_SIDE);
  g_assert_cmpuint (ihdr[16], ==, 8);
  g_assert_cmpuint (ihdr[17], ==, 6);
  g_assert_cmpuint (read_be32 (ihdr + 21), ==, reference_crc32 (ihdr + 4, 4 + 13));
  g_assert_cmpmem (ihdr + 25, 4, "\0\0\0\x1b", 4);
  g_assert_cmpmem (ihdr + 29, 4, "IDAT", 4);
  g_assert_cmpmem (fetch.body->data + fetch.body->len - sizeof iend, sizeof iend, iend,
                   sizeof iend);
}

static void
test_bad_content (void)
{
  g_autoptr (TesseraTestServer) server = tessera_test_server_new ();
  g_autoptr (CURL) curl = client_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (GdkPixbufLoader) loader = NULL;
  g_auto (Fetch) fetch = { 0 };

  fetch_path (curl, server, "/corrupt.jpg", &fetch);
  assert_fetch_ok (&fetch, 200);
  assert_content_type (curl, "image/jpeg");
  g_assert_cmpmem (fetch.body->data, 3, "\xff\xd8\xff", 3);
  loader = load_bytes (fetch.body->data, fetch.body->len, &error);
  g_assert_null (loader);
  g_assert_nonnull (error);
  g_clear_error (&error);

  fetch_path (curl, server, "/text.jpg", &fetch);
  assert_fetch_ok (&fetch, 200);
  assert_content_type (curl, "image/jpeg");
  g_assert_cmpuint (fetch.body->data[0], !=, 0xff);

  fetch_path (curl, server, "/page.html", &fetch);
  assert_fetch_ok (&fetch, 200);
  assert_content_type (curl, "text/html; charset=utf-8");
  g_assert_nonnull (g_strstr_len ((const char *) fetch.body->data, fetch.body->len, "<html"));
}

static void
test_oversized_head (void)
{
  g_autoptr (TesseraTestServer) server = tessera_test_server_new ();
  g_autoptr (CURL) curl = client_new ();
  g_auto (Fetch) fetch = { 0 };
  g_autofree char *filler = g_strnfill (HEAD_BYTES_LIMIT, 'a');
  g_autofree char *header = g_strconcat ("X-Filler: ", filler, NULL);
  struct curl_slist *headers = curl_slist_append (NULL, header);

  g_assert_nonnull (headers);
  SET_OPT (curl, CURLOPT_HTTPHEADER, headers);
  fetch_path (curl, server, "/page.html", &fetch);
  curl_slist_free_all (headers);
  assert_fetch_ok (&fetch, 431);
  g_assert_cmpuint (tessera_test_server_get_requests (server), ==, 0);
}

static void
test_list (void)
{
  g_autoptr (TesseraTestServer) server = tessera_test_server_new ();
  g_autoptr (CURL) curl = client_new ();
  g_auto (Fetch) fetch = { 0 };
  g_autofree char *path = g_strdup_printf ("/list?n=%d&prefix=p&each=delay%%3D300", LIST_LINES);
  g_autofree char *text = NULL;
  g_auto (GStrv) lines = NULL;

  fetch_path (curl, server, path, &fetch);
  assert_fetch_ok (&fetch, 200);
  text = g_strndup ((const char *) fetch.body->data, fetch.body->len);
  lines = g_strsplit (text, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, LIST_LINES + 1);
  g_assert_cmpstr (lines[LIST_LINES], ==, "");
  for (guint i = 0; i < LIST_LINES; i++)
    {
      g_autofree char *expected_path
          = g_strdup_printf ("/img/p%u.jpg?w=640&h=480&seed=%u&delay=300", i, i);
      g_autofree char *expected = tessera_test_server_url (server, expected_path);

      g_assert_cmpstr (lines[i], ==, expected);
    }
}

static void
write_file (const char *dir, const char *name, const char *contents)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr (GError) error = NULL;

  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
}

static void
remove_file (const char *dir, const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);

  g_assert_cmpint (g_remove (path), ==, 0);
}

static void
test_serve_dir (void)
{
  g_autoptr (TesseraTestServer) server = tessera_test_server_new ();
  g_autoptr (CURL) curl = client_new ();
  g_autoptr (GError) error = NULL;
  g_auto (Fetch) fetch = { 0 };
  g_autofree char *root = g_dir_make_tmp ("tessera-selftest-XXXXXX", &error);
  g_autofree char *dir = NULL;

  g_assert_no_error (error);
  dir = g_build_filename (root, "served", NULL);
  g_assert_cmpint (g_mkdir (dir, 0700), ==, 0);
  write_file (dir, "note.txt", "hello");
  write_file (root, "secret.txt", "not for you");

  fetch_path (curl, server, "/files/note.txt", &fetch);
  assert_fetch_ok (&fetch, 404);

  tessera_test_server_set_serve_dir (server, dir);
  fetch_path (curl, server, "/files/note.txt", &fetch);
  assert_fetch_ok (&fetch, 200);
  assert_content_type (curl, "text/plain");
  g_assert_cmpmem (fetch.body->data, fetch.body->len, "hello", 5);

  SET_OPT (curl, CURLOPT_PATH_AS_IS, 1L);
  fetch_path (curl, server, "/files/../secret.txt", &fetch);
  assert_fetch_ok (&fetch, 403);
  fetch_path (curl, server, "/files/%2e%2e/secret.txt", &fetch);
  assert_fetch_ok (&fetch, 403);
  fetch_path (curl, server, "/files/missing.png", &fetch);
  assert_fetch_ok (&fetch, 404);

  remove_file (dir, "note.txt");
  remove_file (root, "secret.txt");
  g_assert_cmpint (g_rmdir (dir), ==, 0);
  g_assert_cmpint (g_rmdir (root), ==, 0);
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  g_assert_cmpint (curl_global_init (CURL_GLOBAL_DEFAULT), ==, CURLE_OK);

  g_test_add_func ("/test-server/png", test_png_route);
  g_test_add_func ("/test-server/jpeg", test_jpeg_route);
  g_test_add_func ("/test-server/gif", test_gif);
  g_test_add_func ("/test-server/status", test_status_routes);
  g_test_add_func ("/test-server/retry", test_retry);
  g_test_add_func ("/test-server/redirects", test_redirects);
  g_test_add_func ("/test-server/keep-alive", test_keep_alive);
  g_test_add_func ("/test-server/max-in-flight", test_max_in_flight);
  g_test_add_func ("/test-server/latency", test_latency);
  g_test_add_func ("/test-server/custom-handlers", test_custom_handlers);
  g_test_add_func ("/test-server/hang-free", test_hang_does_not_block_free);
  g_test_add_func ("/test-server/trickle", test_trickle);
  g_test_add_func ("/test-server/trickle-free", test_trickle_does_not_block_free);
  g_test_add_func ("/test-server/endless", test_endless);
  g_test_add_func ("/test-server/endless-free", test_endless_does_not_block_free);
  g_test_add_func ("/test-server/truncated", test_truncated);
  g_test_add_func ("/test-server/huge-png", test_huge_png);
  g_test_add_func ("/test-server/bad-content", test_bad_content);
  g_test_add_func ("/test-server/oversized-head", test_oversized_head);
  g_test_add_func ("/test-server/list", test_list);
  g_test_add_func ("/test-server/serve-dir", test_serve_dir);

  status = g_test_run ();
  curl_global_cleanup ();
  return status;
}
