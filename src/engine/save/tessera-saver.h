/* SPDX-License-Identifier: GPL-3.0-or-later */
/* tessera-saver.h: saving originals into a folder, off the main thread, with progress */
#pragma once

#include "tessera-loader.h"

G_BEGIN_DECLS

#define TESSERA_TYPE_SAVER (tessera_saver_get_type ())
G_DECLARE_FINAL_TYPE (TesseraSaver, tessera_saver, TESSERA, SAVER, GObject)

/* One image to save. */
typedef struct
{
  const char *uri;   /* the original: downloaded through the loader unless @path is set */
  const char *path;  /* the original's bytes already on disk (a cache file, a local file) */
  const char *title; /* with @id: named "{title} ({id}).ext" as an Imgur post */
  const char *id;
  GdkTexture *texture; /* set: save this, the thumbnail as shown, as PNG instead */
  const char *folder;  /* set: into this subfolder (made when missing), a safe name */
} TesseraSaveItem;

/* Saves into the folder @dir; downloads go through @loader's workers, files are written
 * by one thread of the saver's own. */
TesseraSaver *tessera_saver_new (TesseraLoader *loader, const char *dir);
void tessera_saver_add (TesseraSaver *self, const TesseraSaveItem *item);
/* Something that was to be saved but cannot be (an album whose images could not be
 * listed): counted and reported with the other failures. */
void tessera_saver_add_failure (TesseraSaver *self, const char *what, const char *why);
/* Starts; "progress" follows each item, "finished" comes once. Call once. */
void tessera_saver_start (TesseraSaver *self);
/* Stops downloads and writes; files already written stay, none is left half written. */
void tessera_saver_cancel (TesseraSaver *self);

guint tessera_saver_get_n_items (TesseraSaver *self);
guint tessera_saver_get_n_done (TesseraSaver *self);
guint tessera_saver_get_n_saved (TesseraSaver *self);
/* (element-type utf8): "what: why" for each item that failed. */
GPtrArray *tessera_saver_get_failures (TesseraSaver *self);
/* (element-type utf8): the names written, relative to the folder ("album/a.jpg"). */
GPtrArray *tessera_saver_get_saved_names (TesseraSaver *self);
const char *tessera_saver_get_dir (TesseraSaver *self);
gboolean tessera_saver_is_finished (TesseraSaver *self);

G_END_DECLS
