/* SPDX-License-Identifier: GPL-3.0-or-later */
/* tessera-util.h: what several parts of the engine need to agree on, written once: which
 * schemes load, what makes two URLs the same, where UTF-8 may be cut, how far a read goes */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* TRUE when the @len bytes at @scheme (-1: NUL-terminated; NULL: no scheme) name, in any
 * case, a scheme the workers download: http or https. Any thread. */
gboolean tessera_scheme_is_web (const char *scheme, gssize len);
/* The same for file, which the workers read from disk. */
gboolean tessera_scheme_is_file (const char *scheme, gssize len);
/* The same for the scheme of @uri. */
gboolean tessera_uri_is_web (const char *uri);
gboolean tessera_uri_is_file (const char *uri);

/* A set of URLs, each kept as a copy. URLs are the same when their strings are: every URL
 * is normalised before it gets here (tessera_url_list_extract), so equal strings are what
 * "duplicate" means everywhere. Free with g_hash_table_unref. */
GHashTable *tessera_url_set_new (void);
/* Adds a copy of @url. Returns FALSE, adding nothing, when @url is there already. */
gboolean tessera_url_set_add (GHashTable *set, const char *url);

/* The length in bytes of the longest prefix of the @len bytes at @text (-1: NUL-terminated)
 * that is at most @max_bytes long and does not end inside a UTF-8 sequence. Any thread. */
gsize tessera_utf8_prefix_len (const char *text, gssize len, gsize max_bytes);

/* Reads @stream until its end, but never more than @max_bytes bytes (at most G_MAXUINT): what
 * follows stays unread. Returns (transfer full) the bytes read, or NULL with @error from
 * the stream (G_IO_ERROR_CANCELLED when @cancellable is). Blocks: never on the main
 * thread. */
GBytes *tessera_read_stream_head (GInputStream *stream, gsize max_bytes, GCancellable *cancellable,
                                  GError **error);

/* Reads the regular file at @path (a filename, not a URI), at most @max_bytes bytes
 * (< G_MAXUINT). The bound is on the read itself, whatever the file's size said when it
 * was opened: a file that grows, or whose size is not its length (/proc), is refused as
 * soon as one byte more than @max_bytes arrives. Returns (transfer full) the contents, or
 * NULL with @error: TESSERA_ERROR_TOO_LARGE past the bound, TESSERA_ERROR_FILE when the
 * file cannot be opened or read or is not a regular file (a FIFO, a device or a folder is
 * refused at once, without waiting for a writer), G_IO_ERROR_CANCELLED. Blocks: never on
 * the main thread. */
GBytes *tessera_read_file_bounded (const char *path, gsize max_bytes, GCancellable *cancellable,
                                   GError **error);

/* Writes @bytes to a new file in the folder @dir named after @template (a file name ending
 * in "XXXXXX", as for g_mkstemp), with permissions @mode, when @durable flushes it to the
 * disk (fsync), and closes it. Returns (transfer full) its path, for the caller to rename or link into
 * place, or NULL with errno set and no file left: ECANCELED when @cancellable was
 * cancelled between chunks. Blocks: never on the main thread. */
char *tessera_write_temporary (const char *dir, const char *template, GBytes *bytes, int mode,
                               gboolean durable, GCancellable *cancellable);

G_END_DECLS
