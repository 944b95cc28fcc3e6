/* SPDX-License-Identifier: GPL-3.0-or-later */
/* tessera-input.h: turn what a person gives (arguments, files, stdin, pasted text) into URLs,
 * off the main thread */
#pragma once

#include <gio/gio.h>

#include "tessera-url-list.h"

G_BEGIN_DECLS

/* Each of @args may be a URL, "-" (standard input), a text file of URLs, an image file or
 * a folder of images. Relative paths are taken from @cwd. Unusable arguments count as
 * not-URLs in the result; they, and files in a folder that cannot be read, are in its
 * skipped list with the reason. Nothing is printed. */
void tessera_input_from_args_async (const char *const *args, GFile *cwd, GCancellable *cancellable,
                                    GAsyncReadyCallback callback, gpointer user_data);

/* Finds the URLs in @text (any bytes; need not be UTF-8). */
void tessera_input_from_text_async (GBytes *text, GCancellable *cancellable,
                                    GAsyncReadyCallback callback, gpointer user_data);

/* Finishes either call above, on the thread that made it: the URLs found (transfer full),
 * or NULL with @error (G_IO_ERROR_CANCELLED when cancelled). */
TesseraUrlList *tessera_input_finish (GAsyncResult *result, GError **error);

G_END_DECLS
