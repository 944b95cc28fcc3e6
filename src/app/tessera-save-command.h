/* SPDX-License-Identifier: GPL-3.0-or-later */
/* tessera-save-command.h: saving from the command line, without a window */
#pragma once

#include <gio/gio.h>

#include "tessera-imgur-source.h"

G_BEGIN_DECLS

/* Downloads the originals of @args (URLs, text files of URLs, image files, folders, "-")
 * into the folder @dir through @loader (its cache first), printing one line per failure
 * and a summary;
 * a progress line only when stderr is a terminal. Returns the exit status: 0 when every
 * image was saved, 1 when any failed or none was found, 2 when @dir does not exist or is not a folder. */
int tessera_save_command_run (const char *dir, const char *const *args, GFile *cwd,
                              TesseraLoader *loader);

/* The same for the posts of @query's first page on Imgur: pictures, GIFs and videos as
 * "{title} ({id}).ext", each album's images in a folder named after it; mature and promoted
 * posts only as @show says. */
int tessera_save_command_run_imgur (const char *dir, const TesseraImgurQuery *query,
                                    const char *client_id, TesseraImgurShow show,
                                    TesseraLoader *loader);

G_END_DECLS
