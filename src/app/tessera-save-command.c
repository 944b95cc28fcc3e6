/* SPDX-License-Identifier: GPL-3.0-or-later */
/* tessera-save-command.c: `tessera --save-to=DIR …`, without a window */

#define G_LOG_DOMAIN "tessera-save-command"

#include "config.h"

#include <errno.h>
#include <unistd.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "tessera-imgur-collect.h"
#include "tessera-input-ui.h"
#include "tessera-input.h"
#include "tessera-save-command.h"
#include "tessera-saver.h"

typedef struct
{
  GMainLoop *loop;
  TesseraLoader *loader;
  const char *dir;
  gboolean dir_missing; /* to be made when the first file is written */
  gboolean show_progress;
  int status;
} SaveRun;

/* A folder that was missing stays so when nothing was saved: say so, as its absence
 * surprises who asked for it. */
static void
say_folder_not_made (SaveRun *run)
{
  if (run->dir_missing)
    g_printerr (_ ("Nothing was saved, so “%s” was not created\n"), run->dir);
}

static void
on_progress (TesseraSaver *saver, guint n_done, guint n_items, gpointer user_data)
{
  SaveRun *run = user_data;

  if (run->show_progress)
    {
      /* Back to the start of the line, and clear what a longer line left there. */
      g_printerr ("\r\033[K");
      g_printerr (_ ("Saving %u of %u"), n_done, n_items);
    }
}

static void
on_saved (GObject *source, GAsyncResult *result, gpointer user_data)
{
  SaveRun *run = user_data;
  g_autoptr (TesseraSaveReport) report = NULL;
  g_autofree char *summary = NULL;
  /* Nothing cancels it here: the report says how each item went. */
  gboolean ended = tessera_saver_save_finish (TESSERA_SAVER (source), result, &report, NULL);

  if (run->show_progress)
    g_printerr ("\n");
  /* After a full disk, the first failure says why; the rest were not tried. */
  for (guint i = 0;
       i < (report->disk_full ? MIN (report->failures->len, 1) : report->failures->len); i++)
    g_printerr (_ ("Failed: %s\n"), (const char *) report->failures->pdata[i]);
  if (report->made_folder)
    g_printerr (_ ("Created folder “%s”\n"), run->dir);
  else if (report->saved_names->len == 0)
    say_folder_not_made (run);
  summary = tessera_save_report_summarize (report, run->dir);
  g_print ("%s\n", summary);
  run->status = ended && report->failures->len == 0 ? 0 : 1;
  g_main_loop_quit (run->loop);
}

static void
save_items (SaveRun *run, GPtrArray *items)
{
  g_autoptr (TesseraSaver) saver = tessera_saver_new (run->loader);

  tessera_saver_set_make_folder (saver, TRUE);
  g_signal_connect (saver, "progress", G_CALLBACK (on_progress), run);
  tessera_saver_save_async (saver, items, run->dir, NULL, on_saved, run);
}

static void
give_up (SaveRun *run, const char *message)
{
  /* Over "Listing Imgur posts…", when that was shown. */
  if (run->show_progress)
    g_printerr ("\r\033[K");
  g_printerr ("%s\n", message);
  say_folder_not_made (run);
  run->status = 1;
  g_main_loop_quit (run->loop);
}

static void
on_args_resolved (GObject *source, GAsyncResult *result, gpointer user_data)
{
  SaveRun *run = user_data;
  g_autoptr (TesseraUrlList) list = tessera_input_finish (result, NULL);
  g_autofree char *skipped = list ? tessera_input_describe_skipped (list) : NULL;
  g_autoptr (GPtrArray) items = NULL;

  if (skipped != NULL)
    g_printerr ("%s\n", skipped);
  if (list == NULL || list->urls->len == 0)
    {
      give_up (run, _ ("No image URLs were found"));
      return;
    }
  items = g_ptr_array_new_with_free_func ((GDestroyNotify) tessera_save_item_free);
  for (guint i = 0; i < list->urls->len; i++)
    g_ptr_array_add (items, tessera_save_item_new_for_uri (list->urls->pdata[i]));
  save_items (run, items);
}

static void
on_collected (GObject *source, GAsyncResult *result, gpointer user_data)
{
  SaveRun *run = user_data;
  /* Nothing cancels it here, so there is always a list. */
  g_autoptr (GPtrArray) items
      = tessera_imgur_collect_items_finish (TESSERA_IMGUR_COLLECT (source), result, NULL);

  if (items == NULL || items->len == 0)
    {
      give_up (run, _ ("Imgur listed no posts to save"));
      return;
    }
  save_items (run, items);
}

/* Whether @dir is a folder to save into: one that exists, or one the saver may make, as
 * wget -P and gallery-dl do, when its parent is there and takes new folders (@missing set);
 * a missing parent is more likely a typing mistake than a wish for a tree of folders. Said
 * before anything is downloaded; the folder itself is made only for a first file. */
static gboolean
check_folder (const char *dir, gboolean *missing)
{
  g_autoptr (GFile) file = g_file_new_for_path (dir);
  g_autoptr (GFile) parent = g_file_get_parent (file);
  g_autofree char *parent_path = parent ? g_file_get_path (parent) : NULL;
  GStatBuf info;

  *missing = g_stat (dir, &info) != 0 && errno == ENOENT;
  if (!*missing)
    {
      if (g_file_test (dir, G_FILE_TEST_IS_DIR))
        return TRUE;
      g_printerr (_ ("“%s” is not a folder\n"), dir);
      return FALSE;
    }
  if (*dir == '\0' || parent_path == NULL || !g_file_test (parent_path, G_FILE_TEST_IS_DIR))
    {
      g_printerr (_ ("“%s” does not exist\n"), dir);
      return FALSE;
    }
  if (g_access (parent_path, W_OK | X_OK) != 0)
    {
      g_printerr (_ ("Could not create folder “%s”: %s\n"), dir, g_strerror (errno));
      return FALSE;
    }
  return TRUE;
}

/* Runs @start with a loop and a loader; returns the exit status it leaves. */
static int
run_save (const char *dir, TesseraLoader *loader, void (*start) (SaveRun *run, gpointer data),
          gpointer data)
{
  g_autoptr (GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  SaveRun run = { loop, loader, dir, FALSE, isatty (STDERR_FILENO), 1 };

  if (!check_folder (dir, &run.dir_missing))
    return 2;
  start (&run, data);
  g_main_loop_run (loop);
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
tessera_save_command_run (const char *dir, const char *const *args, GFile *cwd,
                          TesseraLoader *loader)
{
  ArgsStart start = { args, cwd };

  g_return_val_if_fail (dir != NULL && args != NULL, 2);
  g_return_val_if_fail (TESSERA_IS_LOADER (loader), 2);

  return run_save (dir, loader, start_from_args, &start);
}

typedef struct
{
  const TesseraImgurQuery *query;
  const char *client_id;
  TesseraImgurShow show;
} ImgurStart;

static void
start_from_imgur (SaveRun *run, gpointer data)
{
  const ImgurStart *start = data;
  g_autoptr (TesseraImgurCollect) collect
      = tessera_imgur_collect_new (run->loader, start->client_id, start->show);

  if (run->show_progress)
    g_printerr ("%s", _ ("Listing Imgur posts…"));
  tessera_imgur_collect_items_async (collect, start->query, NULL, NULL, on_collected, run);
}

int
tessera_save_command_run_imgur (const char *dir, const TesseraImgurQuery *query,
                                const char *client_id, TesseraImgurShow show, TesseraLoader *loader)
{
  ImgurStart start = { query, client_id, show };

  g_return_val_if_fail (dir != NULL && query != NULL, 2);
  g_return_val_if_fail (TESSERA_IS_LOADER (loader), 2);

  return run_save (dir, loader, start_from_imgur, &start);
}
