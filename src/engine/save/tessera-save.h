/* SPDX-License-Identifier: GPL-3.0-or-later */
/* tessera-save.h: writing files into a chosen folder, whole or not at all, never over another */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* How far "cat (2).jpg", "cat (3).jpg"… goes before giving up on a name. */
#define TESSERA_SAVE_MAX_NUMBERED 10000

/* Writes @bytes into the folder @dir as @name, or "name (2)…" when that exists, and
 * returns the name used. The bytes go to a hidden temporary file in @dir first, are
 * flushed to disk, and only then linked to their name, so a crash, a full disk or a
 * cancel leaves no partial file, and no existing file is ever replaced. @name must be a
 * single safe component (see tessera-save-name.h). Never call on the main thread. */
char *tessera_save_write_unique (const char *dir, const char *name, GBytes *bytes,
                                 GCancellable *cancellable, GError **error);

/* The folder @name inside @dir, made when missing (an album's images go there). One that
 * exists is used as it is, unless it is not a real folder (a file, or a link that could
 * lead outside @dir): NULL with @error then. Returns the folder's path. Never call on the
 * main thread. */
char *tessera_save_make_folder (const char *dir, const char *name, GError **error);

G_END_DECLS
