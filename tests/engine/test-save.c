/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-save.c: saving into a folder: whole files, no overwrites, originals without a second
 * download, failures reported one by one */

#define G_LOG_DOMAIN "test-save"

#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <poll.h>
#include <sys/inotify.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <fcntl.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "tessera-engine.h"
#include "tessera-error.h"
#include "tessera-gallery.h"
#include "tessera-save.h"
#include "tessera-save-item.h"
#include "tessera-saver.h"
#include "tessera-test-server.h"
#include "tessera-test-util.h"

#define NOBODY_ID        65534
#define TEMPORARY_PREFIX ".tessera-save-"

/* The cancel test: big files keep the writer busy (several of its 1 MiB chunks each), the
 * cancel comes as it starts on one of them, and trickling downloads are still coming. */
#define CANCEL_BIG_FILES      6
#define CANCEL_BIG_FILE_BYTES (8 * 1024 * 1024)
#define CANCEL_AT_TEMPORARY   3
#define CANCEL_TRICKLES       2
#define CANCEL_POLL_MS        100

/* close() fails on demand for the writer's temporary file. This definition stands in for
 * libc's in the whole test program, the engine's writer included; unarmed, it only closes. */
static int close_fail_armed;
/* Set: every close of a save temporary fails with ENOSPC, as NFS reports a full disk. */
static int close_disk_full;
static int close_failed_fd = -1;
static pthread_t close_failed_thread;
static guint n_closed_again;

static gboolean
is_save_temporary (int fd)
{
  g_autofree char *link = g_strdup_printf ("/proc/self/fd/%d", fd);
  char target[PATH_MAX] = "";

  return readlink (link, target, sizeof target - 1) > 0 && strstr (target, "/" TEMPORARY_PREFIX);
}

int
close (int fd)
{
  if (g_atomic_int_get (&close_disk_full) && is_save_temporary (fd))
    {
      syscall (SYS_close, fd);
      errno = ENOSPC;
      return -1;
    }
  if (g_atomic_int_compare_and_exchange (&close_fail_armed, TRUE, FALSE))
    {
      if (is_save_temporary (fd))
        {
          /* As on NFS: the descriptor is gone, and the data may not have reached the disk. */
          syscall (SYS_close, fd);
          close_failed_thread = pthread_self ();
          g_atomic_int_set (&close_failed_fd, fd);
          errno = EIO;
          return -1;
        }
      g_atomic_int_set (&close_fail_armed, TRUE);
    }
  /* The same number closed again by the same thread: once another thread has opened a file or
   * a socket, it would have been theirs. */
  if (fd == g_atomic_int_get (&close_failed_fd)
      && pthread_equal (pthread_self (), close_failed_thread))
    n_closed_again++;
  return (int) syscall (SYS_close, fd);
}

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

static GPtrArray *
new_items (void)
{
  return g_ptr_array_new_with_free_func ((GDestroyNotify) tessera_save_item_free);
}

/* Adds the original at @uri, into the subfolder @folder when not NULL. */
static void
add_uri (GPtrArray *items, const char *uri, const char *folder)
{
  TesseraSaveItem *item = tessera_save_item_new_for_uri (uri);

  item->folder = g_strdup (folder);
  g_ptr_array_add (items, item);
}

/* Saves @items into @folder and waits for the end: the report, with @error set when the
 * save did not run to its end. */
static TesseraSaveReport *
save_and_wait (TesseraSaver *saver, GPtrArray *items, const char *folder, GCancellable *cancellable,
               GError **error)
{
  g_autoptr (GAsyncResult) result = NULL;
  TesseraSaveReport *report = NULL;
  gboolean ended;

  tessera_saver_save_async (saver, items, folder, cancellable, tessera_test_store_result, &result);
  g_assert_true (tessera_test_wait_for_result (&result, 30000));
  ended = tessera_saver_save_finish (saver, result, &report, error);
  g_assert_true (ended == (*error == NULL));
  g_assert_nonnull (report);
  g_assert_cmpstr (report->folder, ==, folder);
  g_assert_cmpuint (report->n_items, ==, items->len);
  g_assert_cmpuint (report->saved_names->len + report->failures->len, ==, items->len);
  return report;
}

/* A save that runs to its end, with a saver of its own. */
static TesseraSaveReport *
save (TesseraLoader *loader, GPtrArray *items, const char *folder)
{
  g_autoptr (TesseraSaver) saver = tessera_saver_new (loader);
  g_autoptr (GError) error = NULL;
  TesseraSaveReport *report = save_and_wait (saver, items, folder, NULL, &error);

  g_assert_no_error (error);
  return report;
}

/* What the writer is asked to do, on a thread of its own as in the saver: with @bytes, write
 * them as @name into @dir; without, make the folder @name there. */
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

  if (job->bytes == NULL)
    return tessera_save_make_folder (job->dir, job->name, &job->error);
  return tessera_save_write_unique (job->dir, job->name, job->bytes, NULL, &job->error);
}

/* The writer is for workers, never the main thread: tests call it from a thread too. */
static char *
run_write_job (const char *dir, const char *name, GBytes *bytes, GError **error)
{
  WriteJob job = { dir, name, bytes, NULL };
  char *result = g_thread_join (g_thread_new ("write", write_in_thread, &job));

  /* Success and an error together would be a bug of its own. */
  g_assert_true ((result == NULL) == (job.error != NULL));
  if (job.error != NULL)
    g_propagate_error (error, job.error);
  return result;
}

static char *
write_unique (const char *dir, const char *name, GBytes *bytes, GError **error)
{
  return run_write_job (dir, name, bytes, error);
}

static char *
make_folder (const char *dir, const char *name, GError **error)
{
  return run_write_job (dir, name, NULL, error);
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
  g_autoptr (GPtrArray) items = new_items ();
  g_autoptr (TesseraSaveReport) report = NULL;
  g_autofree char *listing = NULL;

  add_uri (items, url_a, NULL);
  add_uri (items, url_b, NULL);
  report = save (fixture->loader, items, fixture->target);

  g_assert_cmpuint (report->saved_names->len, ==, 2);
  g_assert_cmpuint (report->failures->len, ==, 0);
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
  g_autoptr (GPtrArray) items = new_items ();
  g_autoptr (TesseraSaveReport) report = NULL;
  g_autoptr (TesseraTile) tile = NULL;
  g_autoptr (TesseraCache) cache = tessera_test_cache_new ();
  const char *uris[] = { url };

  tessera_loader_set_cache (fixture->loader, cache);
  gallery = tessera_gallery_new (fixture->loader);
  tessera_gallery_add_uris (gallery, uris, 1, NULL);
  g_assert_true (tessera_test_wait_for_gallery (gallery, 20000));
  tile = g_list_model_get_item (tessera_gallery_get_model (gallery), 0);
  g_assert_true (tessera_tile_get_original_kept (tile));

  g_ptr_array_add (items, tessera_save_item_new_for_tile (tile, FALSE));
  report = save (fixture->loader, items, fixture->target);

  g_assert_cmpuint (report->saved_names->len, ==, 1);
  assert_file_holds (fixture->target, "photo.jpg", jpeg);
  g_assert_cmpuint (tessera_test_server_count_path (fixture->server, "/files/photo.jpg"), ==, 1);
}

/* A thumbnail whose picture was dropped to save memory is still saved as shown: its
 * original, from the cache and not downloaded again, decoded again at the same size. */
static void
test_dropped_thumbnail (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GBytes) original = tessera_test_make_png (64, 48, 3);
  g_autofree char *url = serve (fixture, "seen.png", original);
  g_autoptr (TesseraCache) cache = tessera_test_cache_new ();
  g_autoptr (TesseraGallery) gallery = NULL;
  g_autoptr (TesseraTile) tile = NULL;
  g_autoptr (GPtrArray) items = new_items ();
  g_autoptr (TesseraSaveReport) report = NULL;
  g_autoptr (GdkPixbuf) saved = NULL;
  g_autofree char *saved_path = NULL;
  g_autoptr (GError) error = NULL;
  const char *uris[] = { url };

  tessera_loader_set_cache (fixture->loader, cache);
  gallery = tessera_gallery_new (fixture->loader);
  /* As the gallery showed it: 20 pixels a side, then dropped. */
  tessera_gallery_set_tile_px (gallery, 20);
  tessera_gallery_add_uris (gallery, uris, 1, NULL);
  g_assert_true (tessera_test_wait_for_gallery (gallery, 20000));
  tile = g_list_model_get_item (tessera_gallery_get_model (gallery), 0);
  tessera_tile_set_texture (tile, NULL);

  g_ptr_array_add (items, tessera_save_item_new_for_tile (tile, TRUE));
  g_assert_nonnull (items->pdata[0]);
  report = save (fixture->loader, items, fixture->target);

  g_assert_cmpuint (report->failures->len, ==, 0);
  g_assert_cmpuint (report->saved_names->len, ==, 1);
  g_assert_cmpstr (report->saved_names->pdata[0], ==, "seen.png");
  saved_path = g_build_filename (fixture->target, "seen.png", NULL);
  saved = gdk_pixbuf_new_from_file (saved_path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gdk_pixbuf_get_width (saved), ==, 20);
  g_assert_cmpint (gdk_pixbuf_get_height (saved), ==, 20);
  g_assert_cmpuint (tessera_test_server_count_path (fixture->server, "/files/seen.png"), ==, 1);
}

/* A local original is read with the same bound as a download: one byte over it fails the
 * item, and nothing is written. */
static void
test_local_original_bounded (Fixture *fixture, gconstpointer data)
{
  g_autofree char *path = g_build_filename (fixture->served, "huge.png", NULL);
  g_autofree char *uri = g_filename_to_uri (path, NULL, NULL);
  g_autoptr (GPtrArray) items = new_items ();
  g_autoptr (TesseraSaveReport) report = NULL;
  g_autofree char *listing = NULL;
  int fd = open (path, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
  int truncated, closed;

  g_assert_cmpint (fd, >=, 0);
  /* Sparse: costs no disk. */
  truncated = ftruncate (fd, TESSERA_FETCH_MAX_BYTES + 1);
  closed = close (fd);
  g_assert_cmpint (truncated, ==, 0);
  g_assert_cmpint (closed, ==, 0);
  g_ptr_array_add (items, tessera_save_item_new_for_uri (uri));
  report = save (fixture->loader, items, fixture->target);

  g_assert_cmpuint (report->saved_names->len, ==, 0);
  g_assert_cmpuint (report->failures->len, ==, 1);
  g_test_message ("%s", (const char *) report->failures->pdata[0]);
  g_assert_nonnull (strstr (report->failures->pdata[0], "larger than"));
  listing = tessera_test_list_folder (fixture->target);
  g_assert_cmpstr (listing, ==, "");
}

static void
test_failures_reported (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GBytes) png = tessera_test_make_png (20, 20, 6);
  g_autofree char *good = serve (fixture, "good.png", png);
  g_autofree char *missing = tessera_test_server_url (fixture->server, "/status/404");
  g_autofree char *page = tessera_test_server_url (fixture->server, "/page.html");
  g_autoptr (GPtrArray) items = new_items ();
  g_autoptr (TesseraSaveReport) report = NULL;
  GPtrArray *failures;
  g_autofree char *listing = NULL;

  add_uri (items, missing, NULL);
  add_uri (items, good, NULL);
  add_uri (items, page, NULL);
  report = save (fixture->loader, items, fixture->target);

  failures = report->failures;
  g_assert_cmpuint (report->saved_names->len, ==, 1);
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

/* An original the gallery would show as cut short or too large is not saved as if whole:
 * the save says why, as the tile does. */
static void
test_unusable_originals_refused (Fixture *fixture, gconstpointer data)
{
  static const struct
  {
    const char *path;
    const char *reason;
  } cases[] = {
    { "/huge.png", "the limit is" },
    { "/progressive/cut.jpg?keep=60", "ends before the picture is complete" },
    { "/gzip/huge.png", "the limit is" },
  };
  g_autoptr (GPtrArray) items = new_items ();
  g_autoptr (TesseraSaveReport) report = NULL;
  g_autofree char *listing = NULL;

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *url = tessera_test_server_url (fixture->server, cases[i].path);

      add_uri (items, url, NULL);
    }
  report = save (fixture->loader, items, fixture->target);

  g_assert_cmpuint (report->saved_names->len, ==, 0);
  g_assert_cmpuint (report->failures->len, ==, G_N_ELEMENTS (cases));
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      gboolean found = FALSE;

      for (guint j = 0; j < report->failures->len; j++)
        found = found
                || (strstr (report->failures->pdata[j], cases[i].path)
                    && strstr (report->failures->pdata[j], cases[i].reason));
      g_test_message ("%s", (const char *) report->failures->pdata[i]);
      g_assert_true (found);
    }
  listing = tessera_test_list_folder (fixture->target);
  g_assert_cmpstr (listing, ==, "");
}

/* A video is saved where one is expected (a URL naming an .mp4, as an Imgur video post's
 * link does) when its bytes open with an MP4 "ftyp" box; anything else there is refused, and
 * an MP4 where an image is expected is still not an image. */
static void
test_videos (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GBytes) mp4 = tessera_test_make_mp4 ("isom");
  g_autoptr (GBytes) heif = tessera_test_make_mp4 ("heic");
  g_autoptr (GBytes) png = tessera_test_make_png (8, 8, 3);
  g_autoptr (GBytes) html
      = g_bytes_new_static ("<!DOCTYPE html><html><body>Gone</body></html>",
                            strlen ("<!DOCTYPE html><html><body>Gone</body></html>"));
  g_autoptr (GBytes) cut = g_bytes_new_from_bytes (mp4, 0, 12);
  const struct
  {
    const char *relpath;
    GBytes *bytes;
    const char *title; /* with an id: an Imgur post */
    const char *id;
    const char *saved; /* NULL: refused with @reason */
    const char *reason;
  } cases[] = {
    { "clip.mp4", mp4, NULL, NULL, "clip.mp4", NULL },
    { "RwVid01.mp4", mp4, "A dog learns to surf", "RwVid01", "A dog learns to surf (RwVid01).mp4",
      NULL },
    { "RwGmp41.mp4", mp4, NULL, "RwGmp41", "RwGmp41.mp4", NULL },
    { "UPPER.MP4", mp4, NULL, NULL, "UPPER.MP4", NULL },
    /* An image is an image, whatever the name says. */
    { "still.mp4", png, NULL, NULL, "still.png", NULL },
    { "gone.mp4", html, NULL, NULL, NULL, "Not a video" },
    { "photo.mp4", heif, NULL, NULL, NULL, "Not a video" },
    { "short.mp4", cut, NULL, NULL, NULL, "Not a video" },
    { "clip.bin", mp4, NULL, NULL, NULL, "Not an image" },
    { "clip.mp4.html", mp4, NULL, NULL, NULL, "Not an image" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *url = serve (fixture, cases[i].relpath, cases[i].bytes);
      g_autoptr (GPtrArray) items = new_items ();
      g_autoptr (TesseraSaveReport) report = NULL;
      TesseraSaveItem *item = tessera_save_item_new_for_uri (url);

      g_test_message ("%s", cases[i].relpath);
      item->title = g_strdup (cases[i].title);
      item->id = g_strdup (cases[i].id);
      g_ptr_array_add (items, item);
      report = save (fixture->loader, items, fixture->target);
      if (cases[i].saved == NULL)
        {
          g_assert_cmpuint (report->failures->len, ==, 1);
          g_assert_true (g_str_has_suffix (report->failures->pdata[0], cases[i].reason));
          g_assert_cmpuint (tessera_test_count_files (fixture->target), ==, 0);
          continue;
        }
      g_assert_cmpuint (report->saved_names->len, ==, 1);
      g_assert_cmpstr (report->saved_names->pdata[0], ==, cases[i].saved);
      assert_file_holds (fixture->target, cases[i].saved, cases[i].bytes);
      tessera_test_remove_tree (fixture->target);
      g_assert_cmpint (g_mkdir (fixture->target, 0700), ==, 0);
    }
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
  g_autoptr (GPtrArray) items = new_items ();
  g_autoptr (TesseraSaveReport) report = NULL;
  g_autofree char *listing = NULL;
  g_autofree char *outside = NULL;
  GPtrArray *failures;
  GPtrArray *saved;

  g_assert_true (g_file_set_contents (in_the_way, "mine", -1, NULL));
  g_assert_cmpint (symlink (elsewhere, link), ==, 0);
  add_uri (items, url, "Album (a1)");
  add_uri (items, url, "Album (a1)");
  add_uri (items, url, "Blocked (b1)");
  add_uri (items, url, "Linked (l1)");
  g_ptr_array_add (items, tessera_save_item_new_failure ("Album “x”", "Imgur said no"));
  report = save (fixture->loader, items, fixture->target);

  saved = report->saved_names;
  failures = report->failures;
  g_assert_cmpuint (report->n_items, ==, 5);
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
  g_clear_pointer (&report, tessera_save_report_unref);
  g_ptr_array_set_size (items, 0);
  add_uri (items, url, "Album (a1)");
  report = save (fixture->loader, items, fixture->target);
  g_clear_pointer (&listing, g_free);
  listing = tessera_test_list_folder (album);
  g_assert_cmpstr (listing, ==, "a (2).png|a (3).png|a.png");
}

/* Cancels @cancellable from a thread of its own the moment the writer makes its
 * @n_temporaries-th temporary file in the watched folder, so the cancel finds it writing. */
typedef struct
{
  int inotify_fd;
  guint n_temporaries;
  GCancellable *cancellable;
  int stop;
} CancelWatch;

static guint
count_temporaries (const char *events, gssize len)
{
  guint n_temporaries = 0;

  for (gssize at = 0; at < len;)
    {
      const struct inotify_event *event = (const struct inotify_event *) (events + at);

      if (event->len > 0 && g_str_has_prefix (event->name, TEMPORARY_PREFIX))
        n_temporaries++;
      at += (gssize) (sizeof *event + event->len);
    }
  return n_temporaries;
}

static gpointer
cancel_at_temporary (gpointer data)
{
  CancelWatch *watch = data;
  guint seen = 0;

  while (seen < watch->n_temporaries && !g_atomic_int_get (&watch->stop))
    {
      struct pollfd ready = { watch->inotify_fd, POLLIN, 0 };
      char events[4096] __attribute__ ((aligned (__alignof__(struct inotify_event))));
      gssize len;

      if (poll (&ready, 1, CANCEL_POLL_MS) <= 0)
        continue;
      len = read (watch->inotify_fd, events, sizeof events);
      if (len > 0)
        seen += count_temporaries (events, len);
    }
  if (seen >= watch->n_temporaries)
    g_cancellable_cancel (watch->cancellable);
  return NULL;
}

/* A real JPEG's bytes padded to @size, so that writing it takes the writer a while. */
static GBytes *
make_big_jpeg (guint seed, gsize size)
{
  g_autoptr (GBytes) jpeg = tessera_test_make_jpeg (64, 48, seed);
  gsize jpeg_size = g_bytes_get_size (jpeg);
  guint8 *data = g_malloc (size);

  g_assert_cmpuint (jpeg_size, <, size);
  memcpy (data, g_bytes_get_data (jpeg, NULL), jpeg_size);
  for (gsize i = jpeg_size; i < size; i++)
    data[i] = (guint8) (i * seed);
  return g_bytes_new_take (data, size);
}

/* Cancelled while the writer is at work (as it starts writing the third big file, with more
 * downloaded behind it and two downloads still trickling in): the save says it was
 * cancelled, the trickles end unsaved, every file in the folder is one the report names and
 * byte for byte what the server sent, and no hidden temporary is left. */
static void
test_cancel_leaves_whole_files (Fixture *fixture, gconstpointer data)
{
  /* A worker for every item, so that the big files arrive together and queue at the writer;
   * the default limits, so that a trickle stalls only after 20 s and is still coming. */
  g_autoptr (TesseraLoader) loader = tessera_loader_new (CANCEL_BIG_FILES + CANCEL_TRICKLES, NULL);
  g_autoptr (TesseraSaver) saver = tessera_saver_new (loader);
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  g_autoptr (GPtrArray) items = new_items ();
  g_autoptr (GPtrArray) served = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autofree char *trickle = tessera_test_server_url (fixture->server, "/trickle");
  g_autoptr (TesseraSaveReport) report = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GDir) dir = NULL;
  int closed;
  CancelWatch watch = { inotify_init1 (IN_CLOEXEC), CANCEL_AT_TEMPORARY, cancellable, FALSE };
  GThread *watcher;
  const char *name;
  guint n_files = 0;

  g_assert_cmpint (watch.inotify_fd, >=, 0);
  g_assert_cmpint (inotify_add_watch (watch.inotify_fd, fixture->target, IN_CREATE), >=, 0);
  for (guint i = 0; i < CANCEL_TRICKLES; i++)
    add_uri (items, trickle, NULL);
  for (guint i = 0; i < CANCEL_BIG_FILES; i++)
    {
      g_autofree char *relpath = g_strdup_printf ("big-%02u.jpg", i);
      GBytes *jpeg = make_big_jpeg (10 + i, CANCEL_BIG_FILE_BYTES);
      g_autofree char *url = serve (fixture, relpath, jpeg);

      g_ptr_array_add (served, jpeg);
      add_uri (items, url, NULL);
    }
  watcher = g_thread_new ("cancel", cancel_at_temporary, &watch);
  report = save_and_wait (saver, items, fixture->target, cancellable, &error);
  g_atomic_int_set (&watch.stop, TRUE);
  g_thread_join (watcher);
  closed = close (watch.inotify_fd);
  g_assert_cmpint (closed, ==, 0);

  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_true (report->cancelled);
  /* Whether it was downloading, queued at the writer or being written, an item says so
   * one way. */
  for (guint i = 0; i < report->failures->len; i++)
    {
      g_test_message ("%s", (const char *) report->failures->pdata[i]);
      g_assert_true (g_str_has_suffix (report->failures->pdata[i], ": Cancelled"));
    }
  /* The writer takes one file at a time: those before the third were written whole. */
  g_assert_cmpuint (report->saved_names->len, >=, CANCEL_AT_TEMPORARY - 1);
  g_assert_cmpuint (report->failures->len, >=, CANCEL_TRICKLES);
  dir = g_dir_open (fixture->target, 0, NULL);
  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      guint index = G_MAXUINT;
      g_autofree char *expected = NULL;

      /* Only the files saved, no hidden temporary, each the whole of what was served. */
      g_assert_true (
          g_ptr_array_find_with_equal_func (report->saved_names, name, g_str_equal, NULL));
      g_assert_cmpint (sscanf (name, "big-%2u.jpg", &index), ==, 1);
      g_assert_cmpuint (index, <, CANCEL_BIG_FILES);
      expected = g_strdup_printf ("big-%02u.jpg", index);
      g_assert_cmpstr (name, ==, expected);
      assert_file_holds (fixture->target, name, served->pdata[index]);
      n_files++;
    }
  g_assert_cmpuint (n_files, ==, report->saved_names->len);
}

/* An album's folder is made, or reused when it is a real folder: a path and no error. Anything
 * else in the way (a file, a link to a folder, a dangling link) or no parent: no path, and the
 * reason. Never both. */
static void
test_make_folder (Fixture *fixture, gconstpointer data)
{
  g_autofree char *elsewhere = g_dir_make_tmp ("tessera-elsewhere-XXXXXX", NULL);
  g_autofree char *expected = g_build_filename (fixture->target, "Album (a1)", NULL);
  g_autofree char *file = g_build_filename (fixture->target, "Blocked (b1)", NULL);
  g_autofree char *link = g_build_filename (fixture->target, "Linked (l1)", NULL);
  g_autofree char *dangling = g_build_filename (fixture->target, "Dangling (d1)", NULL);
  g_autofree char *missing = g_build_filename (fixture->target, "missing", NULL);
  const char *refused[][2] = {
    { fixture->target, "Blocked (b1)" },
    { fixture->target, "Linked (l1)" },
    { fixture->target, "Dangling (d1)" },
    { missing, "Album (a1)" },
  };

  g_assert_true (g_file_set_contents (file, "mine", -1, NULL));
  g_assert_cmpint (symlink (elsewhere, link), ==, 0);
  g_assert_cmpint (symlink ("/nonexistent/tessera", dangling), ==, 0);

  /* Made, then reused as it is. */
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr (GError) error = NULL;
      g_autofree char *made = make_folder (fixture->target, "Album (a1)", &error);

      g_assert_no_error (error);
      g_assert_cmpstr (made, ==, expected);
      g_assert_true (g_file_test (made, G_FILE_TEST_IS_DIR));
    }
  for (gsize i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autofree char *made = make_folder (refused[i][0], refused[i][1], &error);

      g_test_message ("%s: %s", refused[i][1], error ? error->message : "(no error)");
      g_assert_null (made);
      g_assert_error (error, TESSERA_ERROR, TESSERA_ERROR_FILE);
    }
  g_assert_false (g_file_test (missing, G_FILE_TEST_EXISTS));
  g_rmdir (elsewhere);
}

/* A close that fails means the file may not be whole: the save fails with the reason, no
 * file or temporary is left, and the descriptor is closed once, never again. */
static void
test_failed_close (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GBytes) png = tessera_test_make_png (20, 20, 8);
  g_autoptr (GError) error = NULL;
  g_autofree char *used = NULL;
  g_autofree char *listing = NULL;

  g_atomic_int_set (&close_fail_armed, TRUE);
  used = write_unique (fixture->target, "x.png", png, &error);
  g_atomic_int_set (&close_fail_armed, FALSE);

  g_assert_cmpint (g_atomic_int_get (&close_failed_fd), >=, 0);
  g_assert_null (used);
  g_assert_error (error, TESSERA_ERROR, TESSERA_ERROR_FILE);
  g_assert_cmpuint (n_closed_again, ==, 0);
  listing = tessera_test_list_folder (fixture->target);
  g_assert_cmpstr (listing, ==, "");
  g_atomic_int_set (&close_failed_fd, -1);
}

/* A full disk stops the save: the first write says why, the rest are not even tried, the
 * summary says so, and nothing partial is left. */
static void
test_disk_full_stops (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GPtrArray) items = new_items ();
  g_autoptr (TesseraSaveReport) report = NULL;
  g_autofree char *summary = NULL;
  g_autofree char *listing = NULL;
  guint n_not_tried = 0;

  for (guint i = 0; i < 6; i++)
    {
      g_autofree char *name = g_strdup_printf ("full-%u.png", i);
      g_autoptr (GBytes) png = tessera_test_make_png (20, 20, i);
      g_autofree char *url = serve (fixture, name, png);

      add_uri (items, url, NULL);
    }
  g_atomic_int_set (&close_disk_full, TRUE);
  report = save (fixture->loader, items, fixture->target);
  g_atomic_int_set (&close_disk_full, FALSE);

  g_assert_true (report->disk_full);
  g_assert_cmpuint (report->saved_names->len, ==, 0);
  g_assert_cmpuint (report->failures->len, ==, 6);
  for (guint i = 0; i < report->failures->len; i++)
    n_not_tried += strstr (report->failures->pdata[i], "Not tried: the disk is full") != NULL;
  /* One tried and failed (the writer is one thread); what was still to come was not tried. */
  g_assert_cmpuint (n_not_tried, ==, 5);
  summary = tessera_save_report_summarize (report, "Pictures");
  g_assert_cmpstr (summary, ==, "The disk is full · saved 0 of 6");
  listing = tessera_test_list_folder (fixture->target);
  g_assert_cmpstr (listing, ==, "");
}

/* What saving a tile means, for the window and the Imgur listing alike: a pasted URL's kept
 * download or local file, else its URL; an Imgur post's full link, named after the post;
 * the thumbnail as shown when asked; nothing for what has nothing to save yet. */
static void
test_item_for_tile (void)
{
  TesseraTilePost picture = {
    .kind = TESSERA_TILE_PICTURE, .id = "Pic1", .title = "Cat", .link = "https://h/Pic1.jpg"
  };
  TesseraTilePost no_link = { .kind = TESSERA_TILE_PICTURE, .id = "Pic2" };
  TesseraTilePost album
      = { .kind = TESSERA_TILE_ALBUM, .id = "Alb1", .link = "https://h/a/Alb1", .n_images = 3 };
  g_autoptr (TesseraTile) pasted = tessera_tile_new ("https://h/cat.jpg");
  g_autoptr (TesseraTile) local = tessera_tile_new ("file:///srv/pics/dog.png");
  g_autoptr (TesseraTile) post = tessera_tile_new_for_post ("https://h/Pic1m.jpg", &picture);
  g_autoptr (TesseraTile) linkless = tessera_tile_new_for_post ("https://h/Pic2m.jpg", &no_link);
  g_autoptr (TesseraTile) cover = tessera_tile_new_for_post ("https://h/Cov1m.jpg", &album);
  g_autoptr (GBytes) pixels = g_bytes_new_take (g_malloc0 (4 * 4 * 4), 4 * 4 * 4);
  g_autoptr (GdkTexture) texture = gdk_memory_texture_new (4, 4, GDK_MEMORY_DEFAULT, pixels, 4 * 4);
  g_autoptr (TesseraSaveItem) item = NULL;

  item = tessera_save_item_new_for_tile (pasted, FALSE);
  g_assert_cmpstr (item->uri, ==, "https://h/cat.jpg");
  g_assert_null (item->path);
  g_clear_pointer (&item, tessera_save_item_free);

  item = tessera_save_item_new_for_tile (local, FALSE);
  g_assert_cmpstr (item->path, ==, "/srv/pics/dog.png");
  g_clear_pointer (&item, tessera_save_item_free);

  item = tessera_save_item_new_for_tile (post, FALSE);
  g_assert_cmpstr (item->uri, ==, "https://h/Pic1.jpg");
  g_assert_null (item->path);
  g_assert_cmpstr (item->title, ==, "Cat");
  g_assert_cmpstr (item->id, ==, "Pic1");
  g_clear_pointer (&item, tessera_save_item_free);

  g_assert_null (tessera_save_item_new_for_tile (linkless, FALSE));
  g_assert_null (tessera_save_item_new_for_tile (cover, FALSE));
  g_assert_null (tessera_save_item_new_for_tile (cover, TRUE));

  tessera_tile_set_loaded (cover, texture, 0);
  item = tessera_save_item_new_for_tile (cover, TRUE);
  g_assert_true (item->texture == texture);
  g_assert_null (item->path);
  g_assert_null (item->id);
}

/* The line both front ends end a save with. */
static void
test_summary (void)
{
  g_autoptr (GPtrArray) saved = g_ptr_array_new ();
  g_autoptr (GPtrArray) failures = g_ptr_array_new ();
  TesseraSaveReport report = { (char *) "/home/me/Pictures", 1, saved, failures };
  g_autofree char *one = NULL;
  g_autofree char *all = NULL;
  g_autofree char *some = NULL;
  g_autofree char *cancelled = NULL;

  g_ptr_array_add (saved, (char *) "cat.jpg");
  one = tessera_save_report_summarize (&report, "Pictures");
  g_assert_cmpstr (one, ==, "Saved 1 image to Pictures");

  report.n_items = 12;
  for (guint i = 1; i < 12; i++)
    g_ptr_array_add (saved, (char *) "cat.jpg");
  all = tessera_save_report_summarize (&report, "Pictures");
  g_assert_cmpstr (all, ==, "Saved 12 images to Pictures");

  g_ptr_array_set_size (saved, 10);
  g_ptr_array_add (failures, (char *) "https://h/a.jpg: Not an image");
  g_ptr_array_add (failures, (char *) "https://h/b.jpg: Cancelled");
  some = tessera_save_report_summarize (&report, "Pictures");
  g_assert_cmpstr (some, ==, "Saved 10 of 12 · 2 failed");

  /* Items a cancel stopped did not fail. */
  report.cancelled = TRUE;
  cancelled = tessera_save_report_summarize (&report, "Pictures");
  g_assert_cmpstr (cancelled, ==, "Cancelled · saved 10 of 12");
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
  ADD ("/save/videos", test_videos);
  ADD ("/save/unusable-originals-refused", test_unusable_originals_refused);
  ADD ("/save/local-original-bounded", test_local_original_bounded);
  ADD ("/save/dropped-thumbnail", test_dropped_thumbnail);
  ADD ("/save/cancel-leaves-whole-files", test_cancel_leaves_whole_files);
  ADD ("/save/into-folders", test_into_folders);
  ADD ("/save/make-folder", test_make_folder);
  ADD ("/save/failed-close", test_failed_close);
  ADD ("/save/disk-full-stops", test_disk_full_stops);
#undef ADD
  g_test_add_func ("/save/item-for-tile", test_item_for_tile);
  g_test_add_func ("/save/summary", test_summary);
  g_test_add_func ("/save/read-only-folder", test_read_only_folder);
  g_test_add_func ("/save/no-room-leaves-nothing", test_no_room_leaves_nothing);

  return g_test_run ();
}
