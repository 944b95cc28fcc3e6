/* SPDX-License-Identifier: GPL-3.0-or-later */
/* tessera-cache.h: downloaded bytes kept on disk, one file per URL, shared by every instance */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Where the cache lives under g_get_user_cache_dir (), and its default size cap. */
#define TESSERA_CACHE_DIR_NAME          "tessera"
#define TESSERA_CACHE_DEFAULT_MAX_BYTES ((guint64) 512 * 1024 * 1024)
/* Over the cap, the least recently used entries go until this share of it is left, so
 * that one new entry does not start a trim of its own. */
#define TESSERA_CACHE_TRIM_PERCENT      90
/* An entry's head (its URL and headers) is at most this long. */
#define TESSERA_CACHE_MAX_HEAD_BYTES    (16 * 1024)
/* A temporary file this old was left by an instance that died while writing it. */
#define TESSERA_CACHE_ABANDONED_S       (60 * 60)

/* One cached response: the URL it answers, when it came, the headers HTTP's caching rules
 * need (tessera_http_cache_kept_headers) and the body. */
typedef struct
{
  char *url;
  gint64 response_time; /* seconds since the Unix epoch */
  GHashTable *headers;  /* lower-case names to values */
  GBytes *body;
} TesseraCacheEntry;

/* Returns (transfer full) an entry of copies of @url and @headers' kept names (may be
 * NULL) and a reference to @body. Any thread. */
TesseraCacheEntry *tessera_cache_entry_new (const char *url, gint64 response_time,
                                            GHashTable *headers, GBytes *body);
/* NULL does nothing. Any thread. */
void tessera_cache_entry_free (TesseraCacheEntry *entry);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TesseraCacheEntry, tessera_cache_entry_free)

#define TESSERA_TYPE_CACHE (tessera_cache_get_type ())
G_DECLARE_FINAL_TYPE (TesseraCache, tessera_cache, TESSERA, CACHE, GObject)

/* Returns (transfer full) the cache kept in the folder @dir (a filename), holding at most
 * @max_bytes (0: no entry is ever written). Touches no disk here: a thread of its own makes
 * the folder (mode 0700) when missing, counts what it holds, trims it to the cap and clears
 * temporary files abandoned by crashed instances. Every function below may be called from
 * any thread at the same time, and several processes may share @dir: a reader sees a whole
 * entry or none. Any thread. */
TesseraCache *tessera_cache_new (const char *dir, guint64 max_bytes);
/* The folder (transfer none). */
const char *tessera_cache_get_dir (TesseraCache *self);
/* The cap in bytes; a lower one trims at the next write. */
void tessera_cache_set_max_bytes (TesseraCache *self, guint64 max_bytes);
guint64 tessera_cache_get_max_bytes (TesseraCache *self);

/* Returns (transfer full) the entry for @url, or NULL when there is none. An entry that is
 * cut short or garbled (its length or SHA-256 checksum does not match) is removed and
 * NULL returned. A hit counts as a use for the least-recently-used order. Blocks on the
 * disk: never on the main thread. */
TesseraCacheEntry *tessera_cache_lookup (TesseraCache *self, const char *url);
/* Writes @entry, replacing any entry for its URL: a temporary file in the folder, fsync,
 * then rename, so a reader or another instance never sees half of it. Starts a trim on a
 * thread of its own when the cache grows over its cap. Returns TRUE when the entry is on
 * disk; FALSE with @error (G_FILE_ERROR) when the disk refuses, and FALSE without an
 * error when the entry is not kept at all: a body over the cap (or over 64 MiB), or a
 * head (URL and headers) over TESSERA_CACHE_MAX_HEAD_BYTES. Blocks: never on the main
 * thread. */
gboolean tessera_cache_store (TesseraCache *self, const TesseraCacheEntry *entry, GError **error);
/* Removes the entry for @url, if any. Blocks: never on the main thread. */
void tessera_cache_remove (TesseraCache *self, const char *url);

/* Removes the least recently used entries until the cache is within @max_bytes, and
 * temporary files abandoned for TESSERA_CACHE_ABANDONED_S. Returns the bytes the cache
 * holds afterwards. Blocks: never on the main thread. */
guint64 tessera_cache_trim (TesseraCache *self, guint64 max_bytes);

/* Empties the cache on a thread of its own and calls @callback on the thread-default main
 * context of the caller; tessera_cache_clear_finish () gives the bytes freed. */
void tessera_cache_clear_async (TesseraCache *self, GCancellable *cancellable,
                                GAsyncReadyCallback callback, gpointer user_data);
/* TRUE with the bytes freed in *@freed (may be NULL), or FALSE with @error (G_FILE_ERROR)
 * when the folder cannot be read; entries that could not be removed are left and not
 * counted. */
gboolean tessera_cache_clear_finish (TesseraCache *self, GAsyncResult *result, guint64 *freed,
                                     GError **error);

G_END_DECLS
