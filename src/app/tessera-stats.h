/* SPDX-License-Identifier: GPL-3.0-or-later */
/* tessera-stats.h: the --stats document, written at exit from a gallery's counts and tiles */
#pragma once

#include "tessera-gallery.h"

G_BEGIN_DECLS

/* Writes tessera_stats_dup_json (@gallery) to the file @path (a filename), replacing it
 * atomically. FALSE with a G_FILE_ERROR when it cannot be written. Main thread. */
gboolean tessera_stats_write (TesseraGallery *gallery, const char *path, GError **error);

G_END_DECLS
