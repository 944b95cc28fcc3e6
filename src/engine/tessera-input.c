/* SPDX-License-Identifier: GPL-3.0-or-later */
/* tessera-input.c: arguments, files, folders, stdin and pasted text become URLs, on a GTask thread */

#define G_LOG_DOMAIN "tessera-input"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <gio/gunixinputstream.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "tessera-engine.h"
#include "tessera-image.h"
#include "tessera-input.h"
#include "tessera-util.h"

/* Enough leading bytes to tell every accepted image format. */
#define SNIFF_BYTES 16

static void
merge_list (TesseraUrlList *list, TesseraUrlList *part)
{
  for (guint i = 0; i < part->urls->len; i++)
    tessera_url_list_add (list, part->urls->pdata[i]);
  list->n_not_urls += part->n_not_urls;
  list->n_duplicates += part->n_duplicates;
  list->not_utf8 |= part->not_utf8;
  list->truncated |= part->truncated;
}

static void
merge_text (TesseraUrlList *list, const char *text, gsize length)
{
  g_autoptr (TesseraUrlList) part = tessera_url_list_extract (text, (gssize) length);

  merge_list (list, part);
}

/* An argument that cannot be used is recorded with its reason, and counted. */
static void
skip_argument (TesseraUrlList *list, const char *arg, const GError *error)
{
  tessera_url_list_add_skipped (list, arg, error);
  list->n_not_urls++;
}

/* Reads at most TESSERA_URL_TEXT_MAX_BYTES + 1 bytes, so the extractor can tell it was cut. */
static gboolean
merge_text_stream (TesseraUrlList *list, GInputStream *stream, GCancellable *cancellable,
                   GError **error)
{
  g_autoptr (GBytes) text
      = tessera_read_stream_head (stream, TESSERA_URL_TEXT_MAX_BYTES + 1, cancellable, error);
  gsize length = 0;
  const char *data;

  if (text == NULL)
    return FALSE;
  data = g_bytes_get_data (text, &length);
  merge_text (list, data, length);
  return TRUE;
}

/* Whether @file starts as an image does; FALSE with @error when it cannot be read. */
static gboolean
sniff_file (GFile *file, gboolean *is_image, GCancellable *cancellable, GError **error)
{
  g_autoptr (GFileInputStream) stream = g_file_read (file, cancellable, error);
  guint8 head[SNIFF_BYTES];
  gsize n_read = 0;

  if (stream == NULL
      || !g_input_stream_read_all (G_INPUT_STREAM (stream), head, sizeof head, &n_read, cancellable,
                                   error))
    return FALSE;
  *is_image = tessera_image_sniff (head, n_read) != TESSERA_IMAGE_FORMAT_UNKNOWN;
  return TRUE;
}

static void
add_file_uri (TesseraUrlList *list, GFile *file)
{
  g_autofree char *uri = g_file_get_uri (file);

  tessera_url_list_add (list, uri);
}

static int
compare_names (gconstpointer a, gconstpointer b)
{
  return g_utf8_collate (*(const char *const *) a, *(const char *const *) b);
}

/* The names of the regular files in @folder, sorted; NULL with @error when it cannot be
 * listed to its end. */
static GPtrArray *
list_folder (GFile *folder, GCancellable *cancellable, GError **error)
{
  g_autoptr (GFileEnumerator) children = NULL;
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  GFileInfo *info = NULL;

  children = g_file_enumerate_children (
      folder, G_FILE_ATTRIBUTE_STANDARD_NAME "," G_FILE_ATTRIBUTE_STANDARD_TYPE,
      G_FILE_QUERY_INFO_NONE, cancellable, error);
  if (children == NULL)
    return NULL;

  while (g_file_enumerator_iterate (children, &info, NULL, cancellable, error))
    {
      if (info == NULL)
        {
          g_ptr_array_sort (names, compare_names);
          return g_steal_pointer (&names);
        }
      if (g_file_info_get_file_type (info) == G_FILE_TYPE_REGULAR)
        g_ptr_array_add (names, g_strdup (g_file_info_get_name (info)));
    }
  return NULL;
}

/* A folder contributes its image files, sorted by name; not its subfolders. A file in it
 * that cannot be read is recorded with its reason and skipped. */
static gboolean
merge_folder (TesseraUrlList *list, GFile *folder, GCancellable *cancellable, GError **error)
{
  g_autoptr (GPtrArray) names = list_folder (folder, cancellable, error);

  if (names == NULL)
    return FALSE;

  for (guint i = 0; i < names->len; i++)
    {
      g_autoptr (GFile) child = g_file_get_child (folder, names->pdata[i]);
      g_autoptr (GError) child_error = NULL;
      gboolean is_image = FALSE;

      if (!sniff_file (child, &is_image, cancellable, &child_error))
        {
          g_autofree char *name = g_file_get_parse_name (child);
          tessera_url_list_add_skipped (list, name, child_error);
        }
      else if (is_image)
        add_file_uri (list, child);
    }
  return TRUE;
}

/* Reads a named pipe (a shell's `<(command)`, or one made with mkfifo) as text, as `cat`
 * does: until its writer closes it, waiting for a writer that is not there yet. The open
 * itself does not wait (that could not be cancelled); the stream polls with @cancellable. */
static gboolean
merge_pipe (TesseraUrlList *list, GFile *file, GCancellable *cancellable, GError **error)
{
  g_autofree char *path = g_file_get_path (file);
  g_autoptr (GInputStream) stream = NULL;
  int fd = path != NULL ? g_open (path, O_RDONLY | O_NONBLOCK | O_CLOEXEC, 0) : -1;

  if (fd < 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno), "%s",
                   g_strerror (saved_errno));
      return FALSE;
    }
  stream = g_unix_input_stream_new (fd, TRUE);
  return merge_text_stream (list, stream, cancellable, error);
}

static gboolean
is_pipe (GFileInfo *info)
{
  return g_file_info_get_file_type (info) == G_FILE_TYPE_SPECIAL
         && S_ISFIFO (g_file_info_get_attribute_uint32 (info, G_FILE_ATTRIBUTE_UNIX_MODE));
}

static gboolean
merge_local_file (TesseraUrlList *list, GFile *file, GCancellable *cancellable, GError **error)
{
  g_autoptr (GFileInputStream) stream = NULL;
  g_autoptr (GFileInfo) info = NULL;
  g_autoptr (GError) query_error = NULL;
  gboolean is_image = FALSE;

  info = g_file_query_info (file, G_FILE_ATTRIBUTE_STANDARD_TYPE "," G_FILE_ATTRIBUTE_UNIX_MODE,
                            G_FILE_QUERY_INFO_NONE, cancellable, &query_error);
  if (info == NULL && !g_error_matches (query_error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    {
      g_propagate_error (error, g_steal_pointer (&query_error));
      return FALSE;
    }
  switch (info != NULL ? g_file_info_get_file_type (info) : G_FILE_TYPE_UNKNOWN)
    {
    case G_FILE_TYPE_DIRECTORY:
      return merge_folder (list, file, cancellable, error);
    case G_FILE_TYPE_REGULAR:
      break;
    case G_FILE_TYPE_UNKNOWN:
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, _ ("No such file or URL"));
      return FALSE;
    case G_FILE_TYPE_SPECIAL:
      if (is_pipe (info))
        return merge_pipe (list, file, cancellable, error);
      G_GNUC_FALLTHROUGH;
    default:
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_REGULAR_FILE,
                   _ ("Not a regular file or folder"));
      return FALSE;
    }

  if (!sniff_file (file, &is_image, cancellable, error))
    return FALSE;
  if (is_image)
    {
      add_file_uri (list, file);
      return TRUE;
    }

  stream = g_file_read (file, cancellable, error);
  return stream != NULL && merge_text_stream (list, G_INPUT_STREAM (stream), cancellable, error);
}

static gboolean
merge_stdin (TesseraUrlList *list, GCancellable *cancellable, GError **error)
{
  g_autoptr (GInputStream) stream = g_unix_input_stream_new (fileno (stdin), FALSE);

  return merge_text_stream (list, stream, cancellable, error);
}

/* One argument is one URL ("https://host/my cat.png" is one picture); an argument with line
 * breaks in it is text, as a paste is. */
static void
merge_url_argument (TesseraUrlList *list, const char *arg)
{
  g_autofree char *url = NULL;
  g_autoptr (GError) error = NULL;

  if (strpbrk (arg, "\r\n") != NULL)
    {
      merge_text (list, arg, strlen (arg));
      return;
    }
  url = tessera_url_from_argument (arg);
  if (url == NULL)
    {
      g_set_error (&error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _ ("Not a valid address"));
      skip_argument (list, arg, error);
      return;
    }
  tessera_url_list_add (list, url);
}

static void
merge_argument (TesseraUrlList *list, const char *arg, GFile *cwd, GCancellable *cancellable)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GFile) file = NULL;
  g_autofree char *bare_url = NULL;
  gboolean ok;

  if (tessera_uri_is_web (arg) || tessera_uri_is_file (arg))
    {
      merge_url_argument (list, arg);
      return;
    }

  if (g_str_equal (arg, "-"))
    ok = merge_stdin (list, cancellable, &error);
  else
    {
      file = g_file_resolve_relative_path (cwd, arg);
      ok = merge_local_file (list, file, cancellable, &error);
    }
  if (!ok && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    {
      /* "i.imgur.com/abc.jpg" that is no file here is a link without its scheme. */
      bare_url = tessera_url_from_argument (arg);
      if (bare_url != NULL)
        {
          tessera_url_list_add (list, bare_url);
          return;
        }
      /* "ftp://…", "data:…": an address of a kind that does not load, not a missing file. */
      if (g_uri_peek_scheme (arg) != NULL)
        {
          g_clear_error (&error);
          g_set_error (&error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                       _ ("Only http, https and file addresses can be loaded"));
        }
    }

  if (!ok)
    skip_argument (list, arg, error);
}

static void
resolve_args_in_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  const char *const *args = task_data;
  GFile *cwd = g_object_get_data (G_OBJECT (task), "cwd");
  TesseraUrlList *list = tessera_url_list_new ();

  TESSERA_ASSERT_WORKER_THREAD ();

  for (guint i = 0; args[i] != NULL; i++)
    merge_argument (list, args[i], cwd, cancellable);
  g_task_return_pointer (task, list, (GDestroyNotify) tessera_url_list_free);
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
tessera_input_finish (GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == tessera_input_from_args_async
                            || g_task_get_source_tag (G_TASK (result))
                                   == tessera_input_from_text_async,
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
