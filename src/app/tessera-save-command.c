/* SPDX-License-Identifier: GPL-3.0-or-later */
/* tessera-save-command.c: `tessera --save-to=DIR …`, without a window */

#define G_LOG_DOMAIN "tessera-save-command"

#include "config.h"

#include <unistd.h>

#include <glib/gi18n.h>

#include "tessera-imgur-collect.h"
#include "tessera-input.h"
#include "tessera-save-command.h"
#include "tessera-saver.h"

typedef struct
{
  GMainLoop *loop;
  TesseraLoader *loader;
  const char *dir;
  TesseraSaver *saver;
  gboolean show_progress;
  int status;
} SaveRun;

static void
on_progress (TesseraSaver *saver, gpointer user_data)
{
  SaveRun *run = user_data;

  if (run->show_progress)
    {
      /* Back to the start of the line, and clear what a longer line left there. */
      g_printerr ("\r\033[K");
      g_printerr (_ ("Saving %u of %u"), tessera_saver_get_n_done (saver),
                  tessera_saver_get_n_items (saver));
    }
}

static void
on_finished (TesseraSaver *saver, gpointer user_data)
{
  SaveRun *run = user_data;
  GPtrArray *failures = tessera_saver_get_failures (saver);
  guint n_saved = tessera_saver_get_n_saved (saver);
  guint n_items = tessera_saver_get_n_items (saver);

  if (run->show_progress)
    g_printerr ("\n");
  for (guint i = 0; i < failures->len; i++)
    g_printerr (_ ("Failed: %s\n"), (const char *) failures->pdata[i]);
  if (failures->len == 0)
    g_print (ngettext ("Saved %u image to %s\n", "Saved %u images to %s\n", n_saved), n_saved,
             run->dir);
  else
    g_print (_ ("Saved %u of %u to %s · %u failed\n"), n_saved, n_items, run->dir, failures->len);
  run->status = failures->len == 0 ? 0 : 1;
  g_main_loop_quit (run->loop);
}

static void
add_item (TesseraSaver *saver, const char *uri)
{
  g_autofree char *path
      = g_str_has_prefix (uri, "file:") ? g_filename_from_uri (uri, NULL, NULL) : NULL;
  TesseraSaveItem item = { path ? NULL : uri, path, NULL, NULL };

  tessera_saver_add (saver, &item);
}

static void
give_up (SaveRun *run, const char *message)
{
  /* Over "Listing Imgur posts…", when that was shown. */
  if (run->show_progress)
    g_printerr ("\r\033[K");
  g_printerr ("%s\n", message);
  run->status = 1;
  g_main_loop_quit (run->loop);
}

static void
start_saving (SaveRun *run)
{
  g_signal_connect (run->saver, "progress", G_CALLBACK (on_progress), run);
  g_signal_connect (run->saver, "finished", G_CALLBACK (on_finished), run);
  tessera_saver_start (run->saver);
}

static void
on_args_resolved (GObject *source, GAsyncResult *result, gpointer user_data)
{
  SaveRun *run = user_data;
  g_autoptr (TesseraUrlList) list = tessera_input_from_args_finish (result, NULL);

  if (list == NULL || list->urls->len == 0)
    {
      give_up (run, _ ("No image URLs were found in the arguments"));
      return;
    }
  run->saver = tessera_saver_new (run->loader, run->dir);
  for (guint i = 0; i < list->urls->len; i++)
    add_item (run->saver, list->urls->pdata[i]);
  start_saving (run);
}

static void
on_collected (TesseraImgurCollect *collect, gpointer user_data)
{
  SaveRun *run = user_data;

  run->saver = tessera_saver_new (run->loader, run->dir);
  tessera_imgur_collect_fill_saver (collect, run->saver);
  if (tessera_saver_get_n_items (run->saver) == 0)
    {
      give_up (run, _ ("Imgur listed no posts to save"));
      return;
    }
  start_saving (run);
}

/* Runs @start with a loop and a loader; returns the exit status it leaves. */
static int
run_save (const char *dir, guint n_jobs, void (*start) (SaveRun *run, gpointer data), gpointer data)
{
  g_autoptr (GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr (TesseraLoader) loader = NULL;
  SaveRun run = { loop, NULL, dir, NULL, isatty (STDERR_FILENO), 1 };

  if (!g_file_test (dir, G_FILE_TEST_IS_DIR))
    {
      g_printerr (_ ("“%s” is not a folder\n"), dir);
      return 2;
    }
  loader = tessera_loader_new (n_jobs, NULL);
  run.loader = loader;
  start (&run, data);
  g_main_loop_run (loop);
  g_clear_object (&run.saver);
  return run.status;
}

typedef struct
{
  const char *const *args;
  GFile *cwd;
} ArgsStart;

static void
start_from_args (SaveRun *run, gpointer data)
{
  const ArgsStart *start = data;

  tessera_input_from_args_async (start->args, start->cwd, NULL, on_args_resolved, run);
}

int
tessera_save_command_run (const char *dir, const char *const *args, GFile *cwd, guint n_jobs)
{
  ArgsStart start = { args, cwd };

  g_return_val_if_fail (dir != NULL && args != NULL, 2);

  return run_save (dir, n_jobs, start_from_args, &start);
}

typedef struct
{
  const TesseraImgurQuery *query;
  const char *client_id;
  gboolean show_nsfw;
  TesseraImgurCollect *collect; /* set by the start */
} ImgurStart;

static void
start_from_imgur (SaveRun *run, gpointer data)
{
  ImgurStart *start = data;

  start->collect = tessera_imgur_collect_new (run->loader, start->client_id, start->show_nsfw);
  tessera_imgur_collect_add_query (start->collect, start->query);
  g_signal_connect (start->collect, "finished", G_CALLBACK (on_collected), run);
  if (run->show_progress)
    g_printerr ("%s", _ ("Listing Imgur posts…"));
  tessera_imgur_collect_start (start->collect);
}

int
tessera_save_command_run_imgur (const char *dir, const TesseraImgurQuery *query,
                                const char *client_id, gboolean show_nsfw, guint n_jobs)
{
  ImgurStart start = { query, client_id, show_nsfw, NULL };
  int status;

  g_return_val_if_fail (dir != NULL && query != NULL, 2);

  status = run_save (dir, n_jobs, start_from_imgur, &start);
  g_clear_object (&start.collect);
  return status;
}
