/* SPDX-License-Identifier: GPL-3.0-or-later */
/* tessera-bench-decode.c: `make bench`'s decode row, the workers' decode path on N threads
 *
 *   tessera-bench-decode --threads=N --tile=PX [--rounds=R] FILE...
 *
 * Each of N threads takes the next file (every file R times), reads it and hands the bytes to
 * tessera_image_decode_tile(), as a pool worker does with a download. No network, no window:
 * what is timed is the decode path alone, so it can be set against vipsthumbnail on the same
 * files. The driver takes the CPU time from wait4(); this prints one line,
 *
 *   thumbnails DONE failed FAILED wall_us MICROSECONDS
 *
 * and fails (status 1) when any file could not be read or decoded.
 */

#define G_LOG_DOMAIN "tessera-bench-decode"

#include "config.h"

#include <stdio.h>

#include "tessera-engine.h"
#include "tessera-image.h"

#define MAX_THREADS 256
#define MAX_ROUNDS  1000
#define MAX_TILE_PX 4096

typedef struct
{
  char **files;
  guint n_files;
  guint n_jobs;
  guint tile_px;
  gint next; /* atomic: the next job */
  gint done; /* atomic */
  gint failed;
} Work;

static gboolean
decode_one (const char *path, guint tile_px)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GdkTexture) texture = NULL;
  g_autoptr (GBytes) bytes = NULL;
  char *data = NULL;
  gsize len = 0;

  if (!g_file_get_contents (path, &data, &len, &error))
    {
      g_printerr ("%s\n", error->message);
      return FALSE;
    }
  bytes = g_bytes_new_take (data, len);
  texture = tessera_image_decode_tile (bytes, tile_px, NULL, &error);
  if (texture == NULL)
    {
      g_printerr ("%s: %s\n", path, error->message);
      return FALSE;
    }
  return TRUE;
}

static gpointer
run_worker (gpointer data)
{
  Work *work = data;
  guint job;

  while ((job = (guint) g_atomic_int_add (&work->next, 1)) < work->n_jobs)
    {
      gboolean decoded = decode_one (work->files[job % work->n_files], work->tile_px);

      g_atomic_int_inc (decoded ? &work->done : &work->failed);
    }
  return NULL;
}

static gboolean
check_options (int n_threads, int tile_px, int rounds, int n_files, GError **error)
{
  if (n_threads < 1 || n_threads > MAX_THREADS || tile_px < 1 || tile_px > MAX_TILE_PX || rounds < 1
      || rounds > MAX_ROUNDS || n_files < 1)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "Give --threads (1 to %d), --tile (1 to %d), --rounds (1 to %d) and files",
                   MAX_THREADS, MAX_TILE_PX, MAX_ROUNDS);
      return FALSE;
    }
  return TRUE;
}

int
main (int argc, char **argv)
{
  g_autoptr (GOptionContext) context = g_option_context_new ("FILE… — decode each to a tile");
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) threads = g_ptr_array_new ();
  g_auto (GStrv) files = NULL;
  int n_threads = 0, tile_px = 0, rounds = 1;
  GOptionEntry entries[] = {
    { "threads", 0, 0, G_OPTION_ARG_INT, &n_threads, "Decoding threads", "N" },
    { "tile", 0, 0, G_OPTION_ARG_INT, &tile_px, "Tile side in pixels", "PX" },
    { "rounds", 0, 0, G_OPTION_ARG_INT, &rounds, "Times each file is decoded", "R" },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &files, NULL, "FILE…" },
    { NULL },
  };
  Work work = { 0 };
  gint64 started_us;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error)
      || !check_options (n_threads, tile_px, rounds,
                         files == NULL ? 0 : (int) g_strv_length (files), &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }

  tessera_engine_init ();
  work.files = files;
  work.n_files = g_strv_length (files);
  work.n_jobs = work.n_files * (guint) rounds;
  work.tile_px = (guint) tile_px;
  started_us = g_get_monotonic_time ();
  for (int i = 0; i < n_threads; i++)
    g_ptr_array_add (threads, g_thread_new ("decode", run_worker, &work));
  for (guint i = 0; i < threads->len; i++)
    g_thread_join (g_ptr_array_index (threads, i));

  printf ("thumbnails %d failed %d wall_us %" G_GINT64_FORMAT "\n", work.done, work.failed,
          g_get_monotonic_time () - started_us);
  return work.failed == 0 ? 0 : 1;
}
