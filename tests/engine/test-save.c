/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-save.c: saving into a folder: whole files, no overwrites, originals without a second
 * download, failures reported one by one */

#include "config.h"

#include <errno.h>
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "tessera-engine.h"
#include "tessera-error.h"
#include "tessera-gallery.h"
#include "tessera-save.h"
#include "tessera-saver.h"
#include "tessera-test-server.h"
#include "tessera-test-util.h"

#define NOBODY_ID 65534

typedef struct
{
  char *served; /* what the server serves under /files/ */
  char *target; /* the folder saved into */
  TesseraTestServer *server;
  TesseraLoader *loader;
} Fixture;

static void
fixture_set_up (Fixture *fixture, gconstpointer data)
{
  fixture->served = g_dir_make_tmp ("tessera-served-XXXXXX", NULL);
  fixture->target = g_dir_make_tmp ("tessera-target-XXXXXX", NULL);
  g_assert_nonnull (fixture->served);
  g_assert_nonnull (fixture->target);
  fixture->server = tessera_test_server_new ();
  tessera_test_server_set_serve_dir (fixture->server, fixture->served);
  fixture->loader = tessera_test_loader_new (4);
}

static void
fixture_tear_down (Fixture *fixture, gconstpointer data)
{
  g_clear_object (&fixture->loader);
  tessera_test_server_free (fixture->server);
  g_chmod (fixture->target, 0700);
  tessera_test_remove_tree (fixture->served);
  tessera_test_remove_tree (fixture->target);
  g_free (fixture->served);
  g_free (fixture->target);
}

/* Puts @bytes at @relpath under the served folder; returns its URL. */
static char *
serve (Fixture *fixture, const char *relpath, GBytes *bytes)
{
  g_autofree char *path = g_build_filename (fixture->served, relpath, NULL);
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *url_path = g_strconcat ("/files/", relpath, NULL);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  g_assert_true (g_file_set_contents (path, g_bytes_get_data (bytes, NULL),
                                      (gssize) g_bytes_get_size (bytes), NULL));
  return tessera_test_server_url (fixture->server, url_path);
}

static void
assert_file_holds (const char *dir, const char *name, GBytes *expected)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autofree char *contents = NULL;
  gsize len = 0;

  g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
  g_assert_cmpmem (contents, len, g_bytes_get_data (expected, NULL), g_bytes_get_size (expected));
}

static void
run_saver (TesseraSaver *saver)
{
  tessera_saver_start (saver);
  g_assert_true (tessera_test_wait_for_saver (saver, 30000));
}

typedef struct
{
  const char *dir;
  const char *name;
  GBytes *bytes;
  GError *error;
} WriteJob;

static gpointer
write_in_thread (gpointer data)
{
  WriteJob *job = data;

  return tessera_save_write_unique (job->dir, job->name, job->bytes, NULL, &job->error);
}

/* The writer is for workers, never the main thread: tests call it from a thread too. */
static char *
write_unique (const char *dir, const char *name, GBytes *bytes, GError **error)
{
  WriteJob job = { dir, name, bytes, NULL };
  char *used = g_thread_join (g_thread_new ("write", write_in_thread, &job));

  if (job.error != NULL)
    g_propagate_error (error, job.error);
  return used;
}

/* A name taken by a file already there, or by one just saved, gets the next number; the
 * file that was there is untouched and nothing else is left in the folder. */
static void
test_never_overwrites (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GBytes) old = g_bytes_new_static ("old picture", 11);
  g_autoptr (GBytes) first = tessera_test_make_jpeg (40, 30, 1);
  g_autoptr (GBytes) second = tessera_test_make_jpeg (40, 30, 2);
  g_autofree char *existing = g_build_filename (fixture->target, "cat.jpg", NULL);
  g_autofree char *name_2 = NULL;
  g_autofree char *name_3 = NULL;
  g_autofree char *listing = NULL;

  g_assert_true (g_file_set_contents (existing, "old picture", -1, NULL));
  name_2 = write_unique (fixture->target, "cat.jpg", first, NULL);
  name_3 = write_unique (fixture->target, "cat.jpg", second, NULL);

  g_assert_cmpstr (name_2, ==, "cat (2).jpg");
  g_assert_cmpstr (name_3, ==, "cat (3).jpg");
  assert_file_holds (fixture->target, "cat.jpg", old);
  assert_file_holds (fixture->target, "cat (2).jpg", first);
  assert_file_holds (fixture->target, "cat (3).jpg", second);
  listing = tessera_test_list_folder (fixture->target);
  g_assert_cmpstr (listing, ==, "cat (2).jpg|cat (3).jpg|cat.jpg");
}

/* Two selected images with the same name both get saved, byte for byte as served. */
static void
test_batch_collisions_and_bytes (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GBytes) a = tessera_test_make_jpeg (64, 48, 3);
  g_autoptr (GBytes) b = tessera_test_make_png (30, 20, 4);
  g_autofree char *url_a = serve (fixture, "a/cat.jpg", a);
  g_autofree char *url_b = serve (fixture, "b/cat.jpg", b);
  g_autoptr (TesseraSaver) saver = tessera_saver_new (fixture->loader, fixture->target);
  g_autofree char *listing = NULL;

  tessera_saver_add (saver, &(TesseraSaveItem){ .uri = url_a });
  tessera_saver_add (saver, &(TesseraSaveItem){ .uri = url_b });
  run_saver (saver);

  g_assert_cmpuint (tessera_saver_get_n_saved (saver), ==, 2);
  g_assert_cmpuint (tessera_saver_get_failures (saver)->len, ==, 0);
  /* b/cat.jpg holds PNG bytes: its extension follows what it is. */
  listing = tessera_test_list_folder (fixture->target);
  g_assert_cmpstr (listing, ==, "cat.jpg|cat.png");
  assert_file_holds (fixture->target, "cat.jpg", a);
  assert_file_holds (fixture->target, "cat.png", b);
}

/* An image already downloaded for its tile is saved from the kept bytes: no second request. */
static void
test_no_second_download (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GBytes) jpeg = tessera_test_make_jpeg (300, 200, 5);
  g_autofree char *url = serve (fixture, "photo.jpg", jpeg);
  g_autoptr (TesseraGallery) gallery = NULL;
  g_autoptr (TesseraSaver) saver = NULL;
  g_autoptr (TesseraTile) tile = NULL;
  const char *uris[] = { url };

  g_assert_true (tessera_loader_keep_originals (fixture->loader, NULL));
  gallery = tessera_gallery_new (fixture->loader);
  tessera_gallery_add_uris (gallery, uris, 1, NULL);
  g_assert_true (tessera_test_wait_for_gallery (gallery, 20000));
  tile = g_list_model_get_item (tessera_gallery_get_model (gallery), 0);
  g_assert_nonnull (tessera_tile_get_original_path (tile));

  saver = tessera_saver_new (fixture->loader, fixture->target);
  tessera_saver_add (
      saver, &(TesseraSaveItem){ .uri = url, .path = tessera_tile_get_original_path (tile) });
  run_saver (saver);

  g_assert_cmpuint (tessera_saver_get_n_saved (saver), ==, 1);
  assert_file_holds (fixture->target, "photo.jpg", jpeg);
  g_assert_cmpuint (tessera_test_server_count_path (fixture->server, "/files/photo.jpg"), ==, 1);
}

/* One failure never stops the others, and each says why. */
static void
test_failures_reported (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GBytes) png = tessera_test_make_png (20, 20, 6);
  g_autofree char *good = serve (fixture, "good.png", png);
  g_autofree char *missing = tessera_test_server_url (fixture->server, "/status/404");
  g_autofree char *page = tessera_test_server_url (fixture->server, "/page.html");
  g_autoptr (TesseraSaver) saver = tessera_saver_new (fixture->loader, fixture->target);
  GPtrArray *failures;
  g_autofree char *listing = NULL;

  tessera_saver_add (saver, &(TesseraSaveItem){ .uri = missing });
  tessera_saver_add (saver, &(TesseraSaveItem){ .uri = good });
  tessera_saver_add (saver, &(TesseraSaveItem){ .uri = page });
  run_saver (saver);

  failures = tessera_saver_get_failures (saver);
  g_assert_cmpuint (tessera_saver_get_n_saved (saver), ==, 1);
  g_assert_cmpuint (failures->len, ==, 2);
  for (guint i = 0; i < failures->len; i++)
    g_test_message ("%s", (const char *) failures->pdata[i]);
  g_assert_true (strstr (failures->pdata[0], "status 404")
                 || strstr (failures->pdata[1], "status 404"));
  g_assert_true (strstr (failures->pdata[0], "Not an image")
                 || strstr (failures->pdata[1], "Not an image"));
  listing = tessera_test_list_folder (fixture->target);
  g_assert_cmpstr (listing, ==, "good.png");
}

/* An album's images go into its folder: made when missing, reused when there; a file or a
 * link with the folder's name is not written through. Failures known beforehand count. */
static void
test_into_folders (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GBytes) png = tessera_test_make_png (40, 30, 7);
  g_autofree char *url = serve (fixture, "a.png", png);
  g_autofree char *elsewhere = g_dir_make_tmp ("tessera-elsewhere-XXXXXX", NULL);
  g_autofree char *in_the_way = g_build_filename (fixture->target, "Blocked (b1)", NULL);
  g_autofree char *link = g_build_filename (fixture->target, "Linked (l1)", NULL);
  g_autofree char *album = g_build_filename (fixture->target, "Album (a1)", NULL);
  g_autoptr (GBytes) mine = g_bytes_new_static ("mine", 4);
  g_autoptr (TesseraSaver) saver = tessera_saver_new (fixture->loader, fixture->target);
  g_autofree char *listing = NULL;
  g_autofree char *outside = NULL;
  GPtrArray *failures;
  GPtrArray *saved;

  g_assert_true (g_file_set_contents (in_the_way, "mine", -1, NULL));
  g_assert_cmpint (symlink (elsewhere, link), ==, 0);
  tessera_saver_add (saver, &(TesseraSaveItem){ .uri = url, .folder = "Album (a1)" });
  tessera_saver_add (saver, &(TesseraSaveItem){ .uri = url, .folder = "Album (a1)" });
  tessera_saver_add (saver, &(TesseraSaveItem){ .uri = url, .folder = "Blocked (b1)" });
  tessera_saver_add (saver, &(TesseraSaveItem){ .uri = url, .folder = "Linked (l1)" });
  tessera_saver_add_failure (saver, "Album “x”", "Imgur said no");
  run_saver (saver);

  saved = tessera_saver_get_saved_names (saver);
  failures = tessera_saver_get_failures (saver);
  g_assert_cmpuint (tessera_saver_get_n_items (saver), ==, 5);
  g_assert_cmpuint (saved->len, ==, 2);
  g_assert_cmpuint (failures->len, ==, 3);
  g_assert_true (
      g_ptr_array_find_with_equal_func (failures, "Album “x”: Imgur said no", g_str_equal, NULL));
  listing = tessera_test_list_folder (album);
  g_assert_cmpstr (listing, ==, "a (2).png|a.png");
  g_assert_true (g_str_equal (saved->pdata[0], "Album (a1)/a.png")
                 || g_str_equal (saved->pdata[1], "Album (a1)/a.png"));
  assert_file_holds (album, "a.png", png);
  assert_file_holds (fixture->target, "Blocked (b1)", mine);
  outside = tessera_test_list_folder (elsewhere);
  g_assert_cmpstr (outside, ==, "");
  g_rmdir (elsewhere);

  /* A second save reuses the folder and numbers on. */
  g_clear_object (&saver);
  saver = tessera_saver_new (fixture->loader, fixture->target);
  tessera_saver_add (saver, &(TesseraSaveItem){ .uri = url, .folder = "Album (a1)" });
  run_saver (saver);
  g_clear_pointer (&listing, g_free);
  listing = tessera_test_list_folder (album);
  g_assert_cmpstr (listing, ==, "a (2).png|a (3).png|a.png");
}

/* Cancelled mid-batch: whatever is in the folder is whole, nothing half written. */
static void
test_cancel_leaves_whole_files (Fixture *fixture, gconstpointer data)
{
  g_autoptr (TesseraSaver) saver = tessera_saver_new (fixture->loader, fixture->target);
  g_autoptr (GPtrArray) served = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autoptr (GDir) dir = NULL;
  const char *name;

  tessera_test_server_set_latency_ms (fixture->server, 100);
  for (guint i = 0; i < 20; i++)
    {
      g_autofree char *relpath = g_strdup_printf ("pic-%02u.jpg", i);
      GBytes *jpeg = tessera_test_make_jpeg (200, 150, 10 + i);
      g_autofree char *url = serve (fixture, relpath, jpeg);

      g_ptr_array_add (served, jpeg);
      tessera_saver_add (saver, &(TesseraSaveItem){ .uri = url });
    }
  tessera_saver_start (saver);
  tessera_saver_cancel (saver);
  g_assert_true (tessera_test_wait_for_saver (saver, 30000));

  g_assert_cmpuint (tessera_saver_get_n_saved (saver) + tessera_saver_get_failures (saver)->len, ==,
                    20);
  g_assert_cmpuint (tessera_saver_get_n_saved (saver), <, 20);
  dir = g_dir_open (fixture->target, 0, NULL);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      guint index = 0;

      /* No hidden temporary left, and each file is the whole of what was served. */
      g_assert_cmpint (sscanf (name, "pic-%2u.jpg", &index), ==, 1);
      g_assert_cmpuint (index, <, 20);
      assert_file_holds (fixture->target, name, served->pdata[index]);
    }
}

#define LOCKED_ENV "TESSERA_TEST_SAVE_DIR"

/* A folder for a subprocess test, made by the parent (which also removes it). */
static char *
make_shared_folder (guint mode)
{
  char *dir = g_dir_make_tmp ("tessera-save-XXXXXX", NULL);

  g_assert_nonnull (dir);
  g_assert_cmpint (g_chmod (dir, mode), ==, 0);
  g_setenv (LOCKED_ENV, dir, TRUE);
  return dir;
}

/* A folder that cannot be written: the save fails with the reason and no file appears. The
 * write runs as an unprivileged user, since root writes anywhere. */
static void
test_read_only_folder (void)
{
  g_autofree char *dir = NULL;
  g_autofree char *listing = NULL;

  if (g_test_subprocess ())
    {
      g_autoptr (GBytes) png = tessera_test_make_png (10, 10, 7);
      GError *error = NULL;

      if (geteuid () == 0)
        g_assert_true (setgid (NOBODY_ID) == 0 && setuid (NOBODY_ID) == 0);
      g_assert_null (write_unique (g_getenv (LOCKED_ENV), "x.png", png, &error));
      g_assert_error (error, TESSERA_ERROR, TESSERA_ERROR_FILE);
      g_assert_nonnull (strstr (error->message, "permission denied"));
      g_error_free (error);
      return;
    }
  dir = make_shared_folder (0555);
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
  listing = tessera_test_list_folder (dir);
  g_assert_cmpstr (listing, ==, "");
  g_rmdir (dir);
}

/* Out of room mid-file (a file size limit stands in for a full disk): the failure is
 * reported and no partial or temporary file is left. */
static void
test_no_room_leaves_nothing (void)
{
  g_autofree char *dir = NULL;
  g_autofree char *listing = NULL;

  if (g_test_subprocess ())
    {
      g_autoptr (GBytes) big = g_bytes_new_take (g_malloc0 (64 * 1024), 64 * 1024);
      struct rlimit limit = { 4096, 4096 };
      GError *error = NULL;

      signal (SIGXFSZ, SIG_IGN);
      g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &limit), ==, 0);
      g_assert_null (write_unique (g_getenv (LOCKED_ENV), "big.png", big, &error));
      g_assert_error (error, TESSERA_ERROR, TESSERA_ERROR_FILE);
      g_error_free (error);
      return;
    }
  dir = make_shared_folder (0700);
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
  listing = tessera_test_list_folder (dir);
  g_assert_cmpstr (listing, ==, "");
  g_rmdir (dir);
}

int
main (int argc, char *argv[])
{
  tessera_engine_init ();
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/save/never-overwrites", test_never_overwrites);
  ADD ("/save/batch-collisions-and-bytes", test_batch_collisions_and_bytes);
  ADD ("/save/no-second-download", test_no_second_download);
  ADD ("/save/failures-reported", test_failures_reported);
  ADD ("/save/cancel-leaves-whole-files", test_cancel_leaves_whole_files);
  ADD ("/save/into-folders", test_into_folders);
#undef ADD
  g_test_add_func ("/save/read-only-folder", test_read_only_folder);
  g_test_add_func ("/save/no-room-leaves-nothing", test_no_room_leaves_nothing);

  return g_test_run ();
}
