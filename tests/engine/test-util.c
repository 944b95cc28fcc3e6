/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-util.c: schemes, URL sets, UTF-8 cuts and bounded reads */

#define G_LOG_DOMAIN "test-util"

#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gio/gunixinputstream.h>
#include <glib/gstdio.h>

#include "tessera-engine.h"
#include "tessera-error.h"
#include "tessera-test-util.h"
#include "tessera-util.h"

/* Small enough that /proc files pass it, large enough for a few lines. */
#define SMALL_CAP 64

static void
test_schemes (void)
{
  g_assert_true (tessera_scheme_is_web ("http", -1));
  g_assert_true (tessera_scheme_is_web ("HTTPS", -1));
  g_assert_true (tessera_scheme_is_web ("https://a.b/", 5));
  g_assert_false (tessera_scheme_is_web ("https://a.b/", 6));
  g_assert_false (tessera_scheme_is_web ("httpx", -1));
  g_assert_false (tessera_scheme_is_web ("ftp", -1));
  g_assert_false (tessera_scheme_is_web ("file", -1));
  g_assert_false (tessera_scheme_is_web (NULL, -1));
  g_assert_true (tessera_scheme_is_file ("File", -1));
  g_assert_false (tessera_scheme_is_file ("http", -1));

  g_assert_true (tessera_uri_is_web ("http://a.b/c.png"));
  g_assert_true (tessera_uri_is_web ("HTTPS://A.B/"));
  g_assert_false (tessera_uri_is_web ("ftp://a.b/c.png"));
  g_assert_false (tessera_uri_is_web ("/tmp/c.png"));
  g_assert_true (tessera_uri_is_file ("file:///tmp/c.png"));
  g_assert_false (tessera_uri_is_file ("filex:///tmp/c.png"));
  g_assert_false (tessera_uri_is_file ("tmp/file:/c.png"));
}

static void
test_url_set (void)
{
  g_autoptr (GHashTable) set = tessera_url_set_new ();
  char url[] = "https://a.b/c.png";

  g_assert_true (tessera_url_set_add (set, url));
  /* The set keeps its own copy. */
  url[0] = 'H';
  g_assert_true (tessera_url_set_add (set, url));
  g_assert_false (tessera_url_set_add (set, "https://a.b/c.png"));
  g_assert_true (tessera_url_set_add (set, "https://a.b/C.png"));
  g_assert_cmpuint (g_hash_table_size (set), ==, 3);
}

typedef struct
{
  const char *text;
  gsize max_bytes;
  gsize expected;
} PrefixCase;

static void
test_utf8_prefix (void)
{
  /* "a", "é" (2 bytes), "€" (3 bytes), "😀" (4 bytes), "z" */
  static const char text[] = "a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80z";
  static const PrefixCase cases[] = {
    { text, 0, 0 },   { text, 1, 1 },   { text, 2, 1 },  { text, 3, 3 }, { text, 4, 3 },
    { text, 5, 3 },   { text, 6, 6 },   { text, 7, 6 },  { text, 9, 6 }, { text, 10, 10 },
    { text, 11, 11 }, { text, 99, 11 }, { "abc", 2, 2 }, { "", 0, 0 },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      gsize cut = tessera_utf8_prefix_len (cases[i].text, -1, cases[i].max_bytes);

      g_test_message ("max %zu → %zu", cases[i].max_bytes, cut);
      g_assert_cmpuint (cut, ==, cases[i].expected);
      g_assert_true (g_utf8_validate (cases[i].text, (gssize) cut, NULL));
    }
}

/* The head of a stream, and what follows stays there to be read. */
static void
test_read_stream_head (void)
{
  g_autoptr (GInputStream) stream = g_memory_input_stream_new_from_data ("0123456789", 10, NULL);
  g_autoptr (GBytes) head = NULL;
  g_autoptr (GBytes) rest = NULL;
  g_autoptr (GError) error = NULL;

  head = tessera_read_stream_head (stream, 4, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (g_bytes_get_data (head, NULL), g_bytes_get_size (head), "0123", 4);
  rest = tessera_read_stream_head (stream, 100, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (g_bytes_get_data (rest, NULL), g_bytes_get_size (rest), "456789", 6);
}

typedef struct
{
  int fd;
  gsize n_bytes;
} Writer;

static gpointer
write_and_close (gpointer data)
{
  Writer *writer = data;
  g_autofree char *block = g_malloc (writer->n_bytes);

  memset (block, 'x', writer->n_bytes);
  /* Fails with EPIPE once the reader has closed its end: that is the point. */
  if (write (writer->fd, block, writer->n_bytes) < 0)
    g_assert_cmpint (errno, ==, EPIPE);
  close (writer->fd);
  return NULL;
}

/* A pipe has no size to check first: the read itself stops at the bound. */
static void
test_read_stream_head_pipe (void)
{
  int fds[2];
  Writer writer;
  GThread *thread;
  g_autoptr (GInputStream) stream = NULL;
  g_autoptr (GBytes) head = NULL;
  g_autoptr (GError) error = NULL;

  g_assert_cmpint (pipe (fds), ==, 0);
  writer = (Writer){ fds[1], 1024 * 1024 };
  thread = g_thread_new ("writer", write_and_close, &writer);
  stream = g_unix_input_stream_new (fds[0], TRUE);

  head = tessera_read_stream_head (stream, SMALL_CAP, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (head), ==, SMALL_CAP);

  g_clear_object (&stream); /* closes the read end: the writer stops */
  g_thread_join (thread);
  /* cppcheck-suppress memleak ; g_thread_join() drops the thread's reference */
}

/* A file of @n_bytes bytes; returns its path. */
static char *
write_temp_file (const char *dir, const char *name, gsize n_bytes)
{
  g_autoptr (GBytes) contents = g_bytes_new_take (g_strnfill (n_bytes, 'x'), n_bytes);

  return tessera_test_write_file (dir, name, contents);
}

static void
assert_refused (const char *path, gsize max_bytes, int code)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) bytes = tessera_read_file_bounded (path, max_bytes, NULL, &error);

  g_assert_null (bytes);
  g_assert_error (error, TESSERA_ERROR, code);
  g_test_message ("%s: %s", path, error->message);
}

/* A file at the bound is read; one byte more is refused; so is what is not a file. */
static void
test_read_file_bounded (void)
{
  g_autofree char *dir = g_dir_make_tmp ("tessera-util-XXXXXX", NULL);
  g_autofree char *at_cap = write_temp_file (dir, "at-cap", SMALL_CAP);
  g_autofree char *over_cap = write_temp_file (dir, "over-cap", SMALL_CAP + 1);
  g_autofree char *missing = g_build_filename (dir, "missing", NULL);
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (GError) error = NULL;

  bytes = tessera_read_file_bounded (at_cap, SMALL_CAP, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (bytes), ==, SMALL_CAP);

  assert_refused (over_cap, SMALL_CAP, TESSERA_ERROR_TOO_LARGE);
  assert_refused (missing, SMALL_CAP, TESSERA_ERROR_FILE);
  assert_refused (dir, SMALL_CAP, TESSERA_ERROR_FILE);

  g_unlink (at_cap);
  g_unlink (over_cap);
  g_rmdir (dir);
}

/* The defect this replaces: the size a stat gives is not a bound on what a read returns.
 * /proc files say 0 bytes and hold more; a FIFO says 0 and never ends; a device likewise. */
static void
test_read_file_bound_is_on_the_read (void)
{
  g_autofree char *dir = g_dir_make_tmp ("tessera-util-XXXXXX", NULL);
  g_autofree char *fifo = g_build_filename (dir, "fifo", NULL);
  g_autoptr (GBytes) status = NULL;
  g_autoptr (GError) error = NULL;
  GStatBuf info;

  g_assert_cmpint (g_stat ("/proc/self/status", &info), ==, 0);
  g_assert_cmpint (info.st_size, <=, SMALL_CAP);
  assert_refused ("/proc/self/status", SMALL_CAP, TESSERA_ERROR_TOO_LARGE);
  status = tessera_read_file_bounded ("/proc/self/status", 1024 * 1024, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (status), >, SMALL_CAP);

  /* Refused at once, not after waiting for a writer that never comes. */
  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  assert_refused (fifo, SMALL_CAP, TESSERA_ERROR_FILE);
  assert_refused ("/dev/zero", SMALL_CAP, TESSERA_ERROR_FILE);

  g_unlink (fifo);
  g_rmdir (dir);
}

static void
test_read_file_cancelled (void)
{
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) bytes = NULL;

  g_cancellable_cancel (cancellable);
  bytes = tessera_read_file_bounded ("/proc/self/status", 1024 * 1024, cancellable, &error);
  g_assert_null (bytes);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

int
main (int argc, char *argv[])
{
  tessera_engine_init (); /* a write to a closed pipe must not end the test */
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/util/schemes", test_schemes);
  g_test_add_func ("/util/url-set", test_url_set);
  g_test_add_func ("/util/utf8-prefix", test_utf8_prefix);
  g_test_add_func ("/util/read-stream-head", test_read_stream_head);
  g_test_add_func ("/util/read-stream-head-pipe", test_read_stream_head_pipe);
  g_test_add_func ("/util/read-file-bounded", test_read_file_bounded);
  g_test_add_func ("/util/read-file-bound-is-on-the-read", test_read_file_bound_is_on_the_read);
  g_test_add_func ("/util/read-file-cancelled", test_read_file_cancelled);

  return g_test_run ();
}
