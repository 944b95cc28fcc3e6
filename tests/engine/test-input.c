/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-input.c: arguments, files, folders and standard input become URLs */

#define G_LOG_DOMAIN "test-input"

#include "config.h"

#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#include <grp.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "tessera-engine.h"
#include "tessera-input.h"
#include "tessera-test-server.h"
#include "tessera-test-util.h"

static void
on_finished (GObject *source, GAsyncResult *result, gpointer user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static gboolean
has_result (gpointer data)
{
  return *(GAsyncResult **) data != NULL;
}

static TesseraUrlList *
resolve (const char *const *args, GFile *cwd)
{
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  TesseraUrlList *list;

  tessera_input_from_args_async (args, cwd, NULL, on_finished, &result);
  g_assert_true (tessera_test_wait_until (has_result, &result, 10000));
  list = tessera_input_finish (result, &error);
  g_assert_no_error (error);
  return list;
}

static void
write_file (const char *dir, const char *name, GBytes *bytes)
{
  g_free (tessera_test_write_file (dir, name, bytes));
}

static void
test_args (void)
{
  g_autofree char *dir = g_dir_make_tmp ("tessera-input-XXXXXX", NULL);
  g_autofree char *folder = g_build_filename (dir, "pictures", NULL);
  g_autoptr (GFile) cwd = g_file_new_for_path (dir);
  g_autoptr (GBytes) png = tessera_test_make_png (10, 10, 1);
  g_autoptr (GBytes) jpeg = tessera_test_make_jpeg (10, 10, 2);
  static const char list_text[] = "https://example.com/a.jpg\nnot a "
                                  "url\nhttps://example.com/b.png, https://example.com/a.jpg\n";
  g_autoptr (GBytes) list_bytes = g_bytes_new_static (list_text, sizeof list_text - 1);
  g_autoptr (GBytes) readme = g_bytes_new_static ("hello", 5);
  g_autoptr (TesseraUrlList) list = NULL;
  g_autofree char *b_uri = NULL;
  g_autofree char *a_uri = NULL;
  const char *args[] = { "https://example.com/first.gif", "list.txt", "pictures", "missing.txt",
                         "https://example.com/b.png",     NULL };

  g_assert_cmpint (g_mkdir (folder, 0700), ==, 0);
  write_file (folder, "b.jpg", jpeg);
  write_file (folder, "a.png", png);
  write_file (folder, "readme.txt", readme);
  write_file (dir, "list.txt", list_bytes);

  list = resolve (args, cwd);

  a_uri = g_strconcat ("file://", folder, "/a.png", NULL);
  b_uri = g_strconcat ("file://", folder, "/b.jpg", NULL);
  g_assert_cmpuint (list->urls->len, ==, 5);
  g_assert_cmpstr (list->urls->pdata[0], ==, "https://example.com/first.gif");
  g_assert_cmpstr (list->urls->pdata[1], ==, "https://example.com/a.jpg");
  g_assert_cmpstr (list->urls->pdata[2], ==, "https://example.com/b.png");
  /* Folder contents sorted by name; the text file in it is not an image. */
  g_assert_cmpstr (list->urls->pdata[3], ==, a_uri);
  g_assert_cmpstr (list->urls->pdata[4], ==, b_uri);
  /* "not a url" line, and the missing file. */
  g_assert_cmpuint (list->n_not_urls, ==, 2);
  /* a.jpg twice in list.txt, b.png in the file and as an argument. */
  g_assert_cmpuint (list->n_duplicates, ==, 2);
  tessera_test_remove_tree (dir);
}

/* The @index'th skipped input is @what, for a reason matching @reason (a glob pattern). */
static void
assert_skipped (const TesseraUrlList *list, guint index, const char *what, const char *reason)
{
  const TesseraUrlSkip *skip;

  g_assert_cmpuint (index, <, list->skipped->len);
  skip = list->skipped->pdata[index];
  g_test_message ("skipped %s: %s", skip->what, skip->reason);
  g_assert_cmpstr (skip->what, ==, what);
  g_assert_true (g_pattern_match_simple (reason, skip->reason));
}

/* An argument that cannot be used says why, not a guess: "list.txt/x" is not missing, its
 * parent is not a folder. The reasons are in the result, for the front ends to tell. */
static void
test_unusable_argument_says_why (void)
{
  g_autofree char *dir = g_dir_make_tmp ("tessera-input-XXXXXX", NULL);
  g_autofree char *list_path = g_build_filename (dir, "list.txt", NULL);
  g_autoptr (GFile) cwd = g_file_new_for_path (dir);
  g_autoptr (GBytes) text = g_bytes_new_static ("https://example.com/a.jpg\n", 26);
  g_autoptr (TesseraUrlList) list = NULL;
  const char *args[]
      = { "list.txt/x", "missing.txt", "list.txt", "ftp://host/a.png", "data:image/png;base64,AAAA",
          NULL };

  write_file (dir, "list.txt", text);
  list = resolve (args, cwd);

  g_assert_cmpuint (list->urls->len, ==, 1);
  g_assert_cmpuint (list->n_not_urls, ==, 4);
  assert_skipped (list, 0, "list.txt/x", "*Not a directory*");
  assert_skipped (list, 1, "missing.txt", "No such file or URL");
  /* An address of a kind that does not load is not a missing file. */
  assert_skipped (list, 2, "ftp://host/a.png", "Only http, https and file addresses*");
  assert_skipped (list, 3, "data:image/png;base64,AAAA", "Only http, https and file addresses*");
  g_assert_cmpuint (list->skipped->len, ==, 4);
  g_unlink (list_path);
  g_rmdir (dir);
}

#define PIPED_LIST "https://example.com/piped-1.jpg\nhttps://example.com/piped-2.jpg\n"

/* A writer that comes to the pipe a little after the reader, as a slow command would. */
static gpointer
write_pipe_later (gpointer path)
{
  int fd;

  g_usleep (100 * G_TIME_SPAN_MILLISECOND);
  fd = g_open (path, O_WRONLY | O_CLOEXEC, 0);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (write (fd, PIPED_LIST, strlen (PIPED_LIST)), ==, (gssize) strlen (PIPED_LIST));
  g_assert_true (g_close (fd, NULL));
  return NULL;
}

/* A named pipe is read as a list, as `cat` reads it: its writer may come later. */
static void
test_pipe_writer_comes_later (void)
{
  g_autofree char *dir = g_dir_make_tmp ("tessera-input-XXXXXX", NULL);
  g_autofree char *fifo_path = g_build_filename (dir, "fifo", NULL);
  g_autoptr (GFile) cwd = g_file_new_for_path (dir);
  g_autoptr (TesseraUrlList) list = NULL;
  const char *args[] = { "fifo", NULL };
  GThread *writer;

  g_assert_cmpint (mkfifo (fifo_path, 0600), ==, 0);
  writer = g_thread_new ("pipe-writer", write_pipe_later, fifo_path);
  list = resolve (args, cwd);
  g_thread_join (writer);

  g_assert_cmpuint (list->urls->len, ==, 2);
  g_assert_cmpstr (list->urls->pdata[1], ==, "https://example.com/piped-2.jpg");
  g_assert_cmpuint (list->skipped->len, ==, 0);
  g_unlink (fifo_path);
  g_rmdir (dir);
  /* cppcheck-suppress memleak ; g_thread_join () frees the writer */
}

/* One argument is one URL, spaces and all; an argument with line breaks is text; a link
 * without a scheme is one when no file of that name is there. */
static void
test_one_argument_one_url (void)
{
  g_autofree char *dir = g_dir_make_tmp ("tessera-input-XXXXXX", NULL);
  g_autofree char *host_folder = g_build_filename (dir, "www.example.com", NULL);
  g_autoptr (GFile) cwd = g_file_new_for_path (dir);
  g_autoptr (GBytes) png = tessera_test_make_png (10, 10, 1);
  g_autoptr (TesseraUrlList) list = NULL;
  g_autofree char *local_uri = NULL;
  const char *args[] = { "https://host.example/files/my cat.png?size=large",
                         " https://a.b/x.png\t",
                         "https://a.b/it's (1),2.png",
                         "file:///tmp/my cat.png",
                         "https://a.b/1.png\nhttps://a.b/2 x.png\n",
                         "i.imgur.com/abc123.jpg",
                         "www.example.com/cat.png",
                         "node.js/x.png",
                         "http://",
                         NULL };
  const char *expected[] = { "https://host.example/files/my%20cat.png?size=large",
                             "https://a.b/x.png",
                             "https://a.b/it's%20(1),2.png",
                             "file:///tmp/my%20cat.png",
                             "https://a.b/1.png",
                             "https://a.b/2%20x.png",
                             "https://i.imgur.com/abc123.jpg",
                             NULL };

  g_assert_cmpint (g_mkdir (host_folder, 0700), ==, 0);
  write_file (host_folder, "cat.png", png);
  list = resolve (args, cwd);

  for (guint i = 0; expected[i] != NULL; i++)
    {
      g_assert_cmpuint (i, <, list->urls->len);
      g_assert_cmpstr (list->urls->pdata[i], ==, expected[i]);
    }
  /* A file by that name is there: the file, not a link. */
  local_uri = g_strconcat ("file://", host_folder, "/cat.png", NULL);
  g_assert_cmpuint (list->urls->len, ==, g_strv_length ((char **) expected) + 1);
  g_assert_cmpstr (list->urls->pdata[list->urls->len - 1], ==, local_uri);
  assert_skipped (list, 0, "node.js/x.png", "No such file or URL");
  assert_skipped (list, 1, "http://", "Not a valid address");
  g_assert_cmpuint (list->skipped->len, ==, 2);
  g_assert_cmpuint (list->n_not_urls, ==, 2);
  tessera_test_remove_tree (dir);
}

/* Root reads a file or lists a folder of mode 000 all the same, so as root the subprocess
 * that resolves the arguments runs as this user and group instead ("nobody"). */
#define UNPRIVILEGED_ID 65534
#define LOCKED_ENV      "TESSERA_TEST_INPUT_DIR"

static void
drop_root (void)
{
  if (getuid () != 0)
    return;
  g_assert_cmpint (setgroups (0, NULL), ==, 0);
  g_assert_cmpint (setgid (UNPRIVILEGED_ID), ==, 0);
  g_assert_cmpint (setuid (UNPRIVILEGED_ID), ==, 0);
  /* Changing user makes the process undumpable, which the leak sanitizer cannot work in. */
  g_assert_cmpint (prctl (PR_SET_DUMPABLE, 1, 0, 0, 0), ==, 0);
}

static void
resolve_locked_as_unprivileged (const char *dir)
{
  g_autoptr (GFile) cwd = g_file_new_for_path (dir);
  g_autofree char *a_uri = g_strconcat ("file://", dir, "/pictures/a.png", NULL);
  g_autofree char *b_path = g_build_filename (dir, "pictures", "b.png", NULL);
  g_autoptr (TesseraUrlList) list = NULL;
  const char *args[] = { "pictures", "locked", NULL };

  drop_root ();
  list = resolve (args, cwd);

  g_assert_cmpuint (list->urls->len, ==, 1);
  g_assert_cmpstr (list->urls->pdata[0], ==, a_uri);
  assert_skipped (list, 0, b_path, "*Permission denied*");
  assert_skipped (list, 1, "locked", "*Permission denied*");
  g_assert_cmpuint (list->skipped->len, ==, 2);
  /* The folder that could not be listed was an argument of no use; the file was not. */
  g_assert_cmpuint (list->n_not_urls, ==, 1);
}

/* A folder argument that cannot be listed, and a file in a folder that cannot be read, are
 * not dropped in silence: each is skipped with the system's reason, and the rest of the
 * input still counts. */
static void
test_unreadable_folder_and_file (void)
{
  g_autofree char *dir = NULL;
  g_autofree char *pictures = NULL;
  g_autofree char *locked = NULL;
  g_autofree char *a_path = NULL;
  g_autofree char *b_path = NULL;
  g_autoptr (GBytes) png = NULL;

  if (g_test_subprocess ())
    {
      resolve_locked_as_unprivileged (g_getenv (LOCKED_ENV));
      return;
    }

  dir = g_dir_make_tmp ("tessera-input-XXXXXX", NULL);
  pictures = g_build_filename (dir, "pictures", NULL);
  locked = g_build_filename (dir, "locked", NULL);
  png = tessera_test_make_png (10, 10, 1);
  g_assert_cmpint (g_mkdir (pictures, 0700), ==, 0);
  g_assert_cmpint (g_mkdir (locked, 0700), ==, 0);
  a_path = tessera_test_write_file (pictures, "a.png", png);
  b_path = tessera_test_write_file (pictures, "b.png", png);
  g_free (tessera_test_write_file (locked, "c.png", png));
  /* Whatever the umask: open to the subprocess but for the two that must fail. */
  g_assert_cmpint (g_chmod (dir, 0755), ==, 0);
  g_assert_cmpint (g_chmod (pictures, 0755), ==, 0);
  g_assert_cmpint (g_chmod (a_path, 0644), ==, 0);
  g_assert_cmpint (g_chmod (b_path, 0), ==, 0);
  g_assert_cmpint (g_chmod (locked, 0), ==, 0);

  g_setenv (LOCKED_ENV, dir, TRUE);
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_assert_cmpint (g_chmod (locked, 0755), ==, 0);
  tessera_test_remove_tree (dir);
  g_test_trap_assert_passed ();
}

int
main (int argc, char *argv[])
{
  tessera_engine_init ();
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/input/args", test_args);
  g_test_add_func ("/input/unusable-argument-says-why", test_unusable_argument_says_why);
  g_test_add_func ("/input/one-argument-one-url", test_one_argument_one_url);
  g_test_add_func ("/input/unreadable-folder-and-file", test_unreadable_folder_and_file);
  g_test_add_func ("/input/pipe-writer-comes-later", test_pipe_writer_comes_later);

  return g_test_run ();
}
