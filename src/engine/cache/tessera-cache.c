/* SPDX-License-Identifier: GPL-3.0-or-later */
/* tessera-cache.c: entries written whole (temporary file, rename) and checked on read */

#define G_LOG_DOMAIN "tessera-cache"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <utime.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "tessera-cache.h"
#include "tessera-engine.h"
#include "tessera-error.h"
#include "tessera-util.h"

/* An entry's file: this line, "key value" lines, an empty line, then the body. */
#define ENTRY_MAGIC      "TESSERA-CACHE 1"
#define KEY_URL          "url"
#define KEY_TIME         "time"
#define KEY_LENGTH       "length"
#define KEY_SHA256       "sha256"
#define KEY_HEADER       "header"
#define TEMP_PREFIX      ".tmp-"
#define TEMP_TEMPLATE    TEMP_PREFIX "XXXXXX"
#define DIR_MODE         0700
#define ENTRY_MODE       0600
/* The largest body kept: past it an entry is not written, and a file in the folder this
 * large is not read. */
#define MAX_BODY_BYTES   (64u * 1024u * 1024u)
#define ENTRY_NAME_CHARS 64 /* the URL's SHA-256 in hex */

struct _TesseraCache
{
  GObject parent_instance;

  char *dir;

  GMutex lock; /* guards what follows */
  guint64 max_bytes;
  guint64 size;      /* bytes on disk as last counted, plus what was written since */
  gboolean trimming; /* a trim thread runs */
};

G_DEFINE_FINAL_TYPE (TesseraCache, tessera_cache, G_TYPE_OBJECT)

TesseraCacheEntry *
tessera_cache_entry_new (const char *url, gint64 response_time, GHashTable *headers, GBytes *body)
{
  TesseraCacheEntry *entry;

  g_return_val_if_fail (url != NULL, NULL);
  g_return_val_if_fail (body != NULL, NULL);

  entry = g_new0 (TesseraCacheEntry, 1);
  entry->url = g_strdup (url);
  entry->response_time = response_time;
  entry->headers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  if (headers != NULL)
    {
      GHashTableIter iter;
      gpointer name, value;

      g_hash_table_iter_init (&iter, headers);
      while (g_hash_table_iter_next (&iter, &name, &value))
        g_hash_table_insert (entry->headers, g_strdup (name), g_strdup (value));
    }
  entry->body = g_bytes_ref (body);
  return entry;
}

void
tessera_cache_entry_free (TesseraCacheEntry *entry)
{
  if (entry == NULL)
    return;
  g_free (entry->url);
  g_clear_pointer (&entry->headers, g_hash_table_unref);
  g_clear_pointer (&entry->body, g_bytes_unref);
  g_free (entry);
}

static char *
entry_path (TesseraCache *self, const char *url)
{
  g_autofree char *name = g_compute_checksum_for_string (G_CHECKSUM_SHA256, url, -1);

  return g_build_filename (self->dir, name, NULL);
}

static char *
body_checksum (GBytes *body)
{
  return g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, body);
}

/* A value that would break the head's lines is not kept. */
static gboolean
is_one_line (const char *text)
{
  return strpbrk (text, "\r\n") == NULL;
}

/* The entry's file, or NULL when its head would be too long to read back. */
static GBytes *
encode_entry (const TesseraCacheEntry *entry)
{
  g_autoptr (GString) text = g_string_new (ENTRY_MAGIC "\n");
  g_autofree char *checksum = body_checksum (entry->body);
  GHashTableIter iter;
  gpointer name, value;

  g_string_append_printf (text, KEY_URL " %s\n", entry->url);
  g_string_append_printf (text, KEY_TIME " %" G_GINT64_FORMAT "\n", entry->response_time);
  g_string_append_printf (text, KEY_LENGTH " %" G_GSIZE_FORMAT "\n",
                          g_bytes_get_size (entry->body));
  g_string_append_printf (text, KEY_SHA256 " %s\n", checksum);
  g_hash_table_iter_init (&iter, entry->headers);
  while (g_hash_table_iter_next (&iter, &name, &value))
    if (is_one_line (name) && is_one_line (value) && strchr (name, ':') == NULL)
      g_string_append_printf (text, KEY_HEADER " %s: %s\n", (char *) name, (char *) value);
  g_string_append_c (text, '\n');
  if (text->len > TESSERA_CACHE_MAX_HEAD_BYTES)
    return NULL;
  g_string_append_len (text, g_bytes_get_data (entry->body, NULL),
                       (gssize) g_bytes_get_size (entry->body));
  return g_string_free_to_bytes (g_steal_pointer (&text));
}

/* What the head says about the body, checked once the head is read. */
typedef struct
{
  guint64 length;
  char *checksum;
} BodyClaim;

static gboolean
parse_head_line (TesseraCacheEntry *entry, BodyClaim *claim, const char *line)
{
  const char *space = strchr (line, ' ');
  g_autofree char *key = NULL;
  const char *value;

  if (space == NULL)
    return FALSE;
  key = g_strndup (line, (gsize) (space - line));
  value = space + 1;
  if (g_str_equal (key, KEY_URL))
    {
      g_free (entry->url);
      entry->url = g_strdup (value);
    }
  else if (g_str_equal (key, KEY_TIME))
    return g_ascii_string_to_signed (value, 10, 0, G_MAXINT64, &entry->response_time, NULL);
  else if (g_str_equal (key, KEY_LENGTH))
    return g_ascii_string_to_unsigned (value, 10, 0, MAX_BODY_BYTES, &claim->length, NULL);
  else if (g_str_equal (key, KEY_SHA256))
    {
      g_free (claim->checksum);
      claim->checksum = g_strdup (value);
    }
  else if (g_str_equal (key, KEY_HEADER))
    {
      const char *colon = strstr (value, ": ");

      if (colon == NULL)
        return FALSE;
      g_hash_table_insert (entry->headers, g_strndup (value, (gsize) (colon - value)),
                           g_strdup (colon + 2));
    }
  return TRUE;
}

/* The entry in @contents, or NULL when it is not whole and sound. */
static TesseraCacheEntry *
decode_entry (GBytes *contents)
{
  g_autoptr (TesseraCacheEntry) entry = NULL;
  g_autofree char *head = NULL;
  g_autofree char *checksum = NULL;
  g_auto (GStrv) lines = NULL;
  BodyClaim claim = { G_MAXUINT64, NULL };
  gsize len = 0;
  const char *data = g_bytes_get_data (contents, &len);
  const char *end = g_strstr_len (data, (gssize) MIN (len, TESSERA_CACHE_MAX_HEAD_BYTES), "\n\n");
  gsize head_len;

  if (end == NULL)
    return NULL;
  head_len = (gsize) (end - data) + 2;
  head = g_strndup (data, head_len - 2);
  lines = g_strsplit (head, "\n", -1);
  if (lines[0] == NULL || !g_str_equal (lines[0], ENTRY_MAGIC))
    return NULL;

  entry = g_new0 (TesseraCacheEntry, 1);
  entry->headers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  for (guint i = 1; lines[i] != NULL; i++)
    if (!parse_head_line (entry, &claim, lines[i]))
      {
        g_free (claim.checksum);
        return NULL;
      }
  checksum = g_steal_pointer (&claim.checksum);
  if (entry->url == NULL || checksum == NULL || claim.length != len - head_len)
    return NULL;
  entry->body = g_bytes_new_from_bytes (contents, head_len, len - head_len);
  {
    g_autofree char *actual = body_checksum (entry->body);

    if (!g_str_equal (actual, checksum))
      return NULL;
  }
  return g_steal_pointer (&entry);
}

TesseraCacheEntry *
tessera_cache_lookup (TesseraCache *self, const char *url)
{
  g_autofree char *path = NULL;
  g_autoptr (GBytes) contents = NULL;
  g_autoptr (GError) error = NULL;
  TesseraCacheEntry *entry;

  g_return_val_if_fail (TESSERA_IS_CACHE (self), NULL);
  g_return_val_if_fail (url != NULL, NULL);

  TESSERA_ASSERT_WORKER_THREAD ();

  path = entry_path (self, url);
  contents = tessera_read_file_bounded (path, TESSERA_CACHE_MAX_HEAD_BYTES + MAX_BODY_BYTES, NULL,
                                        &error);
  if (contents == NULL)
    return NULL; /* none: the usual case */

  entry = decode_entry (contents);
  if (entry == NULL)
    {
      g_debug ("Discarding the broken cache entry %s for %s", path, url);
      g_unlink (path);
      return NULL;
    }
  if (!g_str_equal (entry->url, url))
    {
      tessera_cache_entry_free (entry);
      return NULL; /* another URL with the same SHA-256: never seen, but not ours */
    }
  /* The file's time is its last use: the trim removes the oldest first. */
  if (g_utime (path, NULL) != 0)
    g_debug ("Could not mark %s as used: %s", path, g_strerror (errno));
  return entry;
}

/* Makes the folder when missing (at start, or removed since by hand); FALSE with errno. */
static gboolean
ensure_folder (TesseraCache *self)
{
  return g_mkdir_with_parents (self->dir, DIR_MODE) == 0;
}

/* @error (G_FILE_ERROR) from errno, saying the cache could not be written. */
static void
set_write_error (TesseraCache *self, GError **error, int saved_errno)
{
  g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
               _ ("Could not write to the cache in “%s”: %s"), self->dir, g_strerror (saved_errno));
}

static guint64
file_size (const char *path)
{
  GStatBuf info;

  return g_lstat (path, &info) == 0 ? (guint64) info.st_size : 0;
}

static gpointer trim_thread (gpointer data);

/* Starts a trim unless one runs; @self's lock held. */
static void
start_trim_locked (TesseraCache *self)
{
  if (self->trimming)
    return;
  self->trimming = TRUE;
  g_thread_unref (g_thread_new ("tessera-cache-trim", trim_thread, g_object_ref (self)));
}

/* Counts @added bytes written and @removed replaced, and trims when over the cap. */
static void
account (TesseraCache *self, guint64 added, guint64 removed)
{
  g_autoptr (GMutexLocker) locker = g_mutex_locker_new (&self->lock);

  self->size = self->size + added - MIN (removed, self->size + added);
  if (self->size > self->max_bytes)
    start_trim_locked (self);
}

gboolean
tessera_cache_store (TesseraCache *self, const TesseraCacheEntry *entry, GError **error)
{
  g_autofree char *path = NULL;
  g_autofree char *temp = NULL;
  g_autoptr (GBytes) contents = NULL;
  guint64 replaced;
  int saved_errno;

  g_return_val_if_fail (TESSERA_IS_CACHE (self), FALSE);
  g_return_val_if_fail (entry != NULL && entry->url != NULL && entry->body != NULL, FALSE);

  TESSERA_ASSERT_WORKER_THREAD ();

  if (!is_one_line (entry->url) || g_bytes_get_size (entry->body) > MAX_BODY_BYTES
      || g_bytes_get_size (entry->body) > tessera_cache_get_max_bytes (self)
      || (contents = encode_entry (entry)) == NULL)
    return FALSE;

  /* No fsync: a read checks the entry's length and checksum, so what a crash tears costs a
   * download, while a flush per entry would hold the worker's other transfers each time. */
  temp = tessera_write_temporary (self->dir, TEMP_TEMPLATE, contents, ENTRY_MODE, FALSE, NULL);
  if (temp == NULL && errno == ENOENT && ensure_folder (self))
    temp = tessera_write_temporary (self->dir, TEMP_TEMPLATE, contents, ENTRY_MODE, FALSE, NULL);
  if (temp == NULL)
    {
      set_write_error (self, error, errno);
      return FALSE;
    }
  path = entry_path (self, entry->url);
  replaced = file_size (path);
  /* Atomic: a reader opens the old entry or the new one, never a mix. */
  if (g_rename (temp, path) != 0)
    {
      saved_errno = errno;
      g_unlink (temp);
      set_write_error (self, error, saved_errno);
      return FALSE;
    }
  account (self, g_bytes_get_size (contents), replaced);
  return TRUE;
}

void
tessera_cache_remove (TesseraCache *self, const char *url)
{
  g_autofree char *path = NULL;
  guint64 size;

  g_return_if_fail (TESSERA_IS_CACHE (self));
  g_return_if_fail (url != NULL);

  TESSERA_ASSERT_WORKER_THREAD ();

  path = entry_path (self, url);
  size = file_size (path);
  if (g_unlink (path) == 0)
    account (self, 0, size);
}

/* One file of the folder, as the trim sees it. */
typedef struct
{
  char *name;
  guint64 size;
  gint64 used; /* modification time, seconds */
} FileInfo;

static void
file_info_clear (FileInfo *info)
{
  g_free (info->name);
}

static gboolean
is_entry_name (const char *name)
{
  if (strlen (name) != ENTRY_NAME_CHARS)
    return FALSE;
  for (const char *c = name; *c != '\0'; c++)
    if (!g_ascii_isxdigit (*c))
      return FALSE;
  return TRUE;
}

/* The entries of the folder (and abandoned temporary files, removed on the way). */
static GArray *
list_entries (TesseraCache *self, GError **error)
{
  g_autoptr (GDir) dir = g_dir_open (self->dir, 0, error);
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  GArray *entries;
  const char *name;

  if (dir == NULL)
    return NULL;
  entries = g_array_new (FALSE, FALSE, sizeof (FileInfo));
  g_array_set_clear_func (entries, (GDestroyNotify) file_info_clear);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (self->dir, name, NULL);
      GStatBuf info;

      if (g_lstat (path, &info) != 0 || !S_ISREG (info.st_mode))
        continue;
      if (g_str_has_prefix (name, TEMP_PREFIX))
        {
          if (now - (gint64) info.st_mtime > TESSERA_CACHE_ABANDONED_S)
            g_unlink (path);
          continue;
        }
      if (is_entry_name (name))
        g_array_append_val (entries, ((FileInfo){ g_strdup (name), (guint64) info.st_size,
                                                  (gint64) info.st_mtime }));
    }
  return entries;
}

static int
compare_used (gconstpointer a, gconstpointer b)
{
  const FileInfo *first = a, *second = b;

  return (first->used > second->used) - (first->used < second->used);
}

guint64
tessera_cache_trim (TesseraCache *self, guint64 max_bytes)
{
  g_autoptr (GArray) entries = NULL;
  g_autoptr (GError) error = NULL;
  guint64 total = 0;

  g_return_val_if_fail (TESSERA_IS_CACHE (self), 0);

  TESSERA_ASSERT_WORKER_THREAD ();

  entries = list_entries (self, &error);
  if (entries == NULL)
    {
      g_debug ("Could not read the cache folder: %s", error->message);
      return 0;
    }
  for (guint i = 0; i < entries->len; i++)
    total += g_array_index (entries, FileInfo, i).size;
  g_array_sort (entries, compare_used);
  for (guint i = 0; i < entries->len && total > max_bytes; i++)
    {
      const FileInfo *info = &g_array_index (entries, FileInfo, i);
      g_autofree char *path = g_build_filename (self->dir, info->name, NULL);

      /* Another instance may have removed it already: it is gone either way. */
      if (g_unlink (path) == 0 || errno == ENOENT)
        total -= info->size;
    }
  {
    g_autoptr (GMutexLocker) locker = g_mutex_locker_new (&self->lock);

    self->size = total;
  }
  return total;
}

static gpointer
trim_thread (gpointer data)
{
  g_autoptr (TesseraCache) self = data;
  guint64 max_bytes = tessera_cache_get_max_bytes (self);

  if (!ensure_folder (self))
    g_warning ("Downloaded images will not be kept: cannot make %s: %s", self->dir,
               g_strerror (errno));
  tessera_cache_trim (self, max_bytes / 100 * TESSERA_CACHE_TRIM_PERCENT);
  {
    g_autoptr (GMutexLocker) locker = g_mutex_locker_new (&self->lock);

    self->trimming = FALSE;
  }
  return NULL;
}

/* Empties the folder; FALSE with @error when it cannot be read. Blocks: a thread's. */
static gboolean
clear_folder (TesseraCache *self, guint64 *freed, GError **error)
{
  g_autoptr (GArray) entries = NULL;
  guint64 removed = 0;

  TESSERA_ASSERT_WORKER_THREAD ();

  entries = list_entries (self, error);
  if (entries == NULL)
    return FALSE;
  for (guint i = 0; i < entries->len; i++)
    {
      const FileInfo *info = &g_array_index (entries, FileInfo, i);
      g_autofree char *path = g_build_filename (self->dir, info->name, NULL);

      if (g_unlink (path) == 0)
        removed += info->size;
    }
  account (self, 0, removed);
  if (freed != NULL)
    *freed = removed;
  return TRUE;
}

static void
clear_in_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  GError *error = NULL;
  guint64 freed = 0;

  if (!clear_folder (source, &freed, &error))
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, g_memdup2 (&freed, sizeof freed), g_free);
}

void
tessera_cache_clear_async (TesseraCache *self, GCancellable *cancellable,
                           GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (GTask) task = NULL;

  g_return_if_fail (TESSERA_IS_CACHE (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tessera_cache_clear_async);
  g_task_run_in_thread (task, clear_in_thread);
}

gboolean
tessera_cache_clear_finish (TesseraCache *self, GAsyncResult *result, guint64 *freed,
                            GError **error)
{
  g_autofree guint64 *value = NULL;

  g_return_val_if_fail (TESSERA_IS_CACHE (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  value = g_task_propagate_pointer (G_TASK (result), error);
  if (value == NULL)
    return FALSE;
  if (freed != NULL)
    *freed = *value;
  return TRUE;
}

const char *
tessera_cache_get_dir (TesseraCache *self)
{
  g_return_val_if_fail (TESSERA_IS_CACHE (self), NULL);
  return self->dir;
}

void
tessera_cache_set_max_bytes (TesseraCache *self, guint64 max_bytes)
{
  g_autoptr (GMutexLocker) locker = NULL;

  g_return_if_fail (TESSERA_IS_CACHE (self));

  locker = g_mutex_locker_new (&self->lock);
  self->max_bytes = max_bytes;
  if (self->size > self->max_bytes)
    start_trim_locked (self);
}

guint64
tessera_cache_get_max_bytes (TesseraCache *self)
{
  g_autoptr (GMutexLocker) locker = NULL;

  g_return_val_if_fail (TESSERA_IS_CACHE (self), 0);

  locker = g_mutex_locker_new (&self->lock);
  return self->max_bytes;
}

static void
tessera_cache_finalize (GObject *object)
{
  TesseraCache *self = TESSERA_CACHE (object);

  g_free (self->dir);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (tessera_cache_parent_class)->finalize (object);
}

static void
tessera_cache_class_init (TesseraCacheClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = tessera_cache_finalize;
}

static void
tessera_cache_init (TesseraCache *self)
{
  g_mutex_init (&self->lock);
}

TesseraCache *
tessera_cache_new (const char *dir, guint64 max_bytes)
{
  TesseraCache *self;

  g_return_val_if_fail (dir != NULL, NULL);

  self = g_object_new (TESSERA_TYPE_CACHE, NULL);
  self->dir = g_strdup (dir);
  self->max_bytes = max_bytes;
  /* The folder is made, and its size counted, off this thread. */
  g_mutex_lock (&self->lock);
  start_trim_locked (self);
  g_mutex_unlock (&self->lock);
  return self;
}
