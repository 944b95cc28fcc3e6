/* SPDX-License-Identifier: GPL-3.0-or-later */
/* tessera-input.c */

#define G_LOG_DOMAIN "tessera-input"

#include "config.h"

#include <stdio.h>

#include <gio/gunixinputstream.h>
#include <glib/gi18n.h>

#include "tessera-engine.h"
#include "tessera-image.h"
#include "tessera-input.h"

/* Enough leading bytes to tell every accepted image format. */
#define SNIFF_BYTES 16

typedef struct
{
  TesseraUrlList *list;
  GHashTable *seen;
} Collector;

static void
collector_init (Collector *collector)
{
  collector->list = g_new0 (TesseraUrlList, 1);
  collector->list->urls = g_ptr_array_new_with_free_func (g_free);
  collector->seen = g_hash_table_new (g_str_hash, g_str_equal);
}

static void
collector_add_uri (Collector *collector, const char *uri)
{
  char *copy;

  if (g_hash_table_contains (collector->seen, uri))
    {
      collector->list->n_duplicates++;
      return;
    }
  copy = g_strdup (uri);
  g_ptr_array_add (collector->list->urls, copy);
  g_hash_table_add (collector->seen, copy);
}

static void
collector_merge (Collector *collector, TesseraUrlList *part)
{
  for (guint i = 0; i < part->urls->len; i++)
    collector_add_uri (collector, part->urls->pdata[i]);
  collector->list->n_not_urls += part->n_not_urls;
  collector->list->n_duplicates += part->n_duplicates;
  collector->list->not_utf8 |= part->not_utf8;
  collector->list->truncated |= part->truncated;
}

static void
collector_merge_text (Collector *collector, const char *text, gsize length)
{
  g_autoptr (TesseraUrlList) part = tessera_url_list_extract (text, (gssize) length);

  collector_merge (collector, part);
}

static TesseraUrlList *
collector_finish (Collector *collector)
{
  g_hash_table_unref (collector->seen);
  return collector->list;
}

/* Reads at most TESSERA_URL_TEXT_MAX_BYTES (+1, so the extractor can tell it was cut). */
static GBytes *
read_text_stream (GInputStream *stream, GCancellable *cancellable, GError **error)
{
  g_autoptr (GByteArray) buffer = g_byte_array_new ();
  guint8 chunk[64 * 1024];

  while (buffer->len <= TESSERA_URL_TEXT_MAX_BYTES)
    {
      gssize n_read = g_input_stream_read (stream, chunk, sizeof chunk, cancellable, error);

      if (n_read < 0)
        return NULL;
      if (n_read == 0)
        break;
      g_byte_array_append (buffer, chunk, (guint) n_read);
    }

  return g_byte_array_free_to_bytes (g_steal_pointer (&buffer));
}

static gboolean
merge_text_stream (Collector *collector, GInputStream *stream, GCancellable *cancellable,
                   GError **error)
{
  g_autoptr (GBytes) text = read_text_stream (stream, cancellable, error);
  gsize length = 0;
  const char *data;

  if (text == NULL)
    return FALSE;
  data = g_bytes_get_data (text, &length);
  collector_merge_text (collector, data, length);
  return TRUE;
}

static gboolean
file_is_image (GFile *file, GCancellable *cancellable)
{
  g_autoptr (GFileInputStream) stream = g_file_read (file, cancellable, NULL);
  guint8 head[SNIFF_BYTES];
  gsize n_read = 0;

  if (stream == NULL
      || !g_input_stream_read_all (G_INPUT_STREAM (stream), head, sizeof head, &n_read, cancellable,
                                   NULL))
    return FALSE;
  return tessera_image_sniff (head, n_read) != TESSERA_IMAGE_FORMAT_UNKNOWN;
}

static int
compare_names (gconstpointer a, gconstpointer b)
{
  return g_utf8_collate (*(const char *const *) a, *(const char *const *) b);
}

/* A folder contributes its image files, sorted by name; not its subfolders. */
static gboolean
merge_folder (Collector *collector, GFile *folder, GCancellable *cancellable, GError **error)
{
  g_autoptr (GFileEnumerator) children = NULL;
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  GFileInfo *info = NULL;

  children = g_file_enumerate_children (
      folder, G_FILE_ATTRIBUTE_STANDARD_NAME "," G_FILE_ATTRIBUTE_STANDARD_TYPE,
      G_FILE_QUERY_INFO_NONE, cancellable, error);
  if (children == NULL)
    return FALSE;

  while (g_file_enumerator_iterate (children, &info, NULL, cancellable, error) && info != NULL)
    if (g_file_info_get_file_type (info) == G_FILE_TYPE_REGULAR)
      g_ptr_array_add (names, g_strdup (g_file_info_get_name (info)));
  g_ptr_array_sort (names, compare_names);

  for (guint i = 0; i < names->len; i++)
    {
      g_autoptr (GFile) child = g_file_get_child (folder, names->pdata[i]);

      if (file_is_image (child, cancellable))
        {
          g_autofree char *uri = g_file_get_uri (child);
          collector_add_uri (collector, uri);
        }
    }
  return TRUE;
}

static gboolean
merge_local_file (Collector *collector, GFile *file, GCancellable *cancellable, GError **error)
{
  g_autoptr (GFileInputStream) stream = NULL;

  switch (g_file_query_file_type (file, G_FILE_QUERY_INFO_NONE, cancellable))
    {
    case G_FILE_TYPE_DIRECTORY:
      return merge_folder (collector, file, cancellable, error);
    case G_FILE_TYPE_REGULAR:
      break;
    default:
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, _ ("No such file or URL"));
      return FALSE;
    }

  if (file_is_image (file, cancellable))
    {
      g_autofree char *uri = g_file_get_uri (file);
      collector_add_uri (collector, uri);
      return TRUE;
    }

  stream = g_file_read (file, cancellable, error);
  return stream != NULL
         && merge_text_stream (collector, G_INPUT_STREAM (stream), cancellable, error);
}

static gboolean
merge_stdin (Collector *collector, GCancellable *cancellable, GError **error)
{
  g_autoptr (GInputStream) stream = g_unix_input_stream_new (fileno (stdin), FALSE);

  return merge_text_stream (collector, stream, cancellable, error);
}

static void
merge_argument (Collector *collector, const char *arg, GFile *cwd, GCancellable *cancellable)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GFile) file = NULL;
  const char *scheme = g_uri_peek_scheme (arg);
  gboolean ok;

  if (g_strcmp0 (scheme, "http") == 0 || g_strcmp0 (scheme, "https") == 0
      || g_strcmp0 (scheme, "file") == 0)
    {
      collector_merge_text (collector, arg, strlen (arg));
      return;
    }

  if (g_str_equal (arg, "-"))
    ok = merge_stdin (collector, cancellable, &error);
  else
    {
      file = g_file_resolve_relative_path (cwd, arg);
      ok = merge_local_file (collector, file, cancellable, &error);
    }

  if (!ok)
    {
      g_message (_ ("Skipping “%s”: %s"), arg, error->message);
      collector->list->n_not_urls++;
    }
}

static void
resolve_args_in_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  const char *const *args = task_data;
  GFile *cwd = g_object_get_data (G_OBJECT (task), "cwd");
  Collector collector;

  TESSERA_ASSERT_WORKER_THREAD ();

  collector_init (&collector);
  for (guint i = 0; args[i] != NULL; i++)
    merge_argument (&collector, args[i], cwd, cancellable);
  g_task_return_pointer (task, collector_finish (&collector),
                         (GDestroyNotify) tessera_url_list_free);
}

void
tessera_input_from_args_async (const char *const *args, GFile *cwd, GCancellable *cancellable,
                               GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (GTask) task = NULL;

  g_return_if_fail (args != NULL);
  g_return_if_fail (G_IS_FILE (cwd));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, tessera_input_from_args_async);
  g_task_set_task_data (task, g_strdupv ((char **) args), (GDestroyNotify) g_strfreev);
  g_object_set_data_full (G_OBJECT (task), "cwd", g_object_ref (cwd), g_object_unref);
  g_task_run_in_thread (task, resolve_args_in_thread);
}

TesseraUrlList *
tessera_input_from_args_finish (GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
extract_text_in_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  GBytes *text = task_data;
  gsize length = 0;
  const char *data = g_bytes_get_data (text, &length);

  TESSERA_ASSERT_WORKER_THREAD ();

  g_task_return_pointer (task, tessera_url_list_extract (data, (gssize) length),
                         (GDestroyNotify) tessera_url_list_free);
}

void
tessera_input_from_text_async (GBytes *text, GCancellable *cancellable,
                               GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (GTask) task = NULL;

  g_return_if_fail (text != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, tessera_input_from_text_async);
  g_task_set_task_data (task, g_bytes_ref (text), (GDestroyNotify) g_bytes_unref);
  g_task_run_in_thread (task, extract_text_in_thread);
}

TesseraUrlList *
tessera_input_from_text_finish (GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
