/* SPDX-License-Identifier: GPL-3.0-or-later */
/* tessera-saver.h: saving originals into a folder, off the main thread, with progress */
#pragma once

#include "tessera-loader.h"
#include "tessera-save-item.h"

G_BEGIN_DECLS

/* What became of the items of one save. Only the main thread changes it, while the save
 * runs; it is whole once the save has finished. */
typedef struct
{
  char *folder;           /* the folder saved into, as given */
  guint n_items;          /* items asked for, failures known beforehand included */
  GPtrArray *saved_names; /* (element-type filename): relative to @folder ("album/a.jpg") */
  GPtrArray *failures;    /* (element-type utf8): "what: why" for each item not saved */
  gboolean cancelled;     /* the save was cancelled before every item was over */
  gboolean disk_full;     /* the disk filled up: what came after was not tried */
  gboolean made_folder;   /* the save made its folder (see tessera_saver_set_make_folder) */
} TesseraSaveReport;

/* Any thread; the last unref frees the report. */
TesseraSaveReport *tessera_save_report_ref (TesseraSaveReport *report);
void tessera_save_report_unref (TesseraSaveReport *report);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TesseraSaveReport, tessera_save_report_unref)

/* One line saying how a finished save went: "Saved 12 images to Pictures" when every item
 * was saved, "Cancelled · saved 10 of 12" when it was cancelled, "The disk is full ·
 * saved 10 of 12" when it filled up, else "Saved 10 of 12 · 2 failed". @folder_label names the folder: its base
 * name in a window, the path as typed on a terminal. Returns a new string (transfer
 * full). Any thread. */
char *tessera_save_report_summarize (const TesseraSaveReport *report, const char *folder_label);

#define TESSERA_TYPE_SAVER (tessera_saver_get_type ())
G_DECLARE_FINAL_TYPE (TesseraSaver, tessera_saver, TESSERA, SAVER, GObject)

/* Downloads go through @loader's workers; files are written by one thread of the saver's
 * own, so names are claimed in order. Main thread. Emits "progress" (guint n_done, guint
 * n_items) on the main thread each time an item of a save is saved or has failed. */
TesseraSaver *tessera_saver_new (TesseraLoader *loader);

/* Saves @items (element-type TesseraSaveItem) into the folder @folder (a path): each file
 * whole under a name nothing else has there (see tessera-save.h), in the order given. An
 * item that fails is reported in the save's TesseraSaveReport and never stops the others,
 * but a full disk stops them all: the items not written yet fail as "Disk full" without
 * being tried (or downloaded).
 * The saver keeps a reference to @items (transfer none): do not change them until the
 * save has finished. Cancelling @cancellable stops the downloads and the writing: the
 * files written so far stay, whole; nothing half written is left. @callback runs once,
 * in the thread-default main context of the caller, when every item is saved or has
 * failed; call tessera_saver_save_finish() there. Main thread. */
void tessera_saver_save_async (TesseraSaver *self, GPtrArray *items, const char *folder,
                               GCancellable *cancellable, GAsyncReadyCallback callback,
                               gpointer user_data);

/* Whether the saves started from now on make their folder when it is missing (FALSE by
 * default: each item fails). The folder is made, its parent must exist, just before the
 * first file is written into it, so a save that writes nothing (every item failed) leaves
 * no empty folder behind; TesseraSaveReport.made_folder says whether it was. Main thread. */
void tessera_saver_set_make_folder (TesseraSaver *self, gboolean make_folder);

/* The end of tessera_saver_save_async(): TRUE when the save ran to its end (items that
 * failed are in @report, they are not an error), FALSE with G_IO_ERROR_CANCELLED when it
 * was cancelled. Either way @report, when not NULL, receives (transfer full) what became of
 * each item, as g_output_stream_write_all_finish() reports the bytes written before an
 * error: the items not reached on a cancel are failures. Main thread. */
gboolean tessera_saver_save_finish (TesseraSaver *self, GAsyncResult *result,
                                    TesseraSaveReport **report, GError **error);

G_END_DECLS
