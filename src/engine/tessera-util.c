/* SPDX-License-Identifier: GPL-3.0-or-later */
/* tessera-util.c: schemes, URL sets, UTF-8 cuts and bounded reads, each written once */

#define G_LOG_DOMAIN "tessera-util"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gio/gunixinputstream.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "tessera-error.h"
#include "tessera-util.h"

/* Reads go in steps of this many bytes at most, so a short file costs a small buffer. */
#define READ_STEP_BYTES   (64u * 1024u)
/* A cancel is noticed between chunks: a big file stops within one. */
#define WRITE_CHUNK_BYTES (1024 * 1024)

static const char *const web_schemes[] = { "http", "https" };
static const char file_scheme[] = "file";

static gboolean
scheme_equal (const char *scheme, gsize len, const char *name)
{
  return strlen (name) == len && g_ascii_strncasecmp (scheme, name, len) == 0;
}

static gsize
scheme_len (const char *scheme, gssize len)
{
  return len < 0 ? strlen (scheme) : (gsize) len;
}

gboolean
tessera_scheme_is_web (const char *scheme, gssize len)
{
  if (scheme == NULL)
    return FALSE;

  for (gsize i = 0; i < G_N_ELEMENTS (web_schemes); i++)
    if (scheme_equal (scheme, scheme_len (scheme, len), web_schemes[i]))
      return TRUE;
  return FALSE;
}

gboolean
tessera_scheme_is_file (const char *scheme, gssize len)
{
  return scheme != NULL && scheme_equal (scheme, scheme_len (scheme, len), file_scheme);
}

gboolean
tessera_uri_is_web (const char *uri)
{
  g_return_val_if_fail (uri != NULL, FALSE);

  return tessera_scheme_is_web (g_uri_peek_scheme (uri), -1);
}

gboolean
tessera_uri_is_file (const char *uri)
{
  g_return_val_if_fail (uri != NULL, FALSE);

  return tessera_scheme_is_file (g_uri_peek_scheme (uri), -1);
}

GHashTable *
tessera_url_set_new (void)
{
  return g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

gboolean
tessera_url_set_add (GHashTable *set, const char *url)
{
  g_return_val_if_fail (set != NULL, FALSE);
  g_return_val_if_fail (url != NULL, FALSE);

  if (g_hash_table_contains (set, url))
    return FALSE;
  return g_hash_table_add (set, g_strdup (url));
}

gsize
tessera_utf8_prefix_len (const char *text, gssize len, gsize max_bytes)
{
  const char *start;

  g_return_val_if_fail (text != NULL || len == 0, 0);

  if (len < 0)
    len = (gssize) strlen (text);
  if ((gsize) len <= max_bytes)
    return (gsize) len;
  /* The character that the byte just past the prefix belongs to starts the cut. */
  start = g_utf8_find_prev_char (text, text + max_bytes + 1);
  return start != NULL ? (gsize) (start - text) : 0;
}

GBytes *
tessera_read_stream_head (GInputStream *stream, gsize max_bytes, GCancellable *cancellable,
                          GError **error)
{
  g_autoptr (GByteArray) buffer = g_byte_array_new ();
  guint8 *data;
  gsize len;

  g_return_val_if_fail (G_IS_INPUT_STREAM (stream), NULL);
  g_return_val_if_fail (max_bytes <= G_MAXUINT, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  while (buffer->len < max_bytes)
    {
      guint start = buffer->len;
      gsize step = MIN (READ_STEP_BYTES, max_bytes - start);
      gssize n_read;

      g_byte_array_set_size (buffer, (guint) (start + step));
      n_read = g_input_stream_read (stream, buffer->data + start, step, cancellable, error);
      g_byte_array_set_size (buffer, start + (guint) MAX (n_read, 0));
      if (n_read < 0)
        return NULL;
      if (n_read == 0)
        break;
    }

  /* The buffer grew a step at a time: what is kept (thousands of originals during a save)
   * holds its bytes and no slack. */
  len = buffer->len;
  data = g_byte_array_steal (buffer, &len);
  return g_bytes_new_take (g_realloc (data, len), len);
}

static void
set_too_large_error (GError **error, const char *path, gsize max_bytes)
{
  g_autofree char *cap = g_format_size (max_bytes);

  g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_TOO_LARGE, _ ("“%s” is larger than %s"), path,
               cap);
}

/* @reason: why, as g_strerror () or a GError message gives it. */
static void
set_read_error (GError **error, const char *path, const char *reason)
{
  g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_FILE, _ ("Can't read “%s”: %s"), path, reason);
}

/* The open file's own type and size decide, not a name that may point elsewhere by now. */
static GInputStream *
open_regular_file (const char *path, gsize max_bytes, GError **error)
{
  g_autoptr (GInputStream) stream = NULL;
  struct stat info;
  int fd;

  /* Non-blocking, so that a FIFO is refused below instead of waiting for a writer. */
  fd = g_open (path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC, 0);
  if (fd < 0)
    {
      int saved_errno = errno;

      g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_FILE, _ ("Can't open “%s”: %s"), path,
                   g_strerror (saved_errno));
      return NULL;
    }
  stream = g_unix_input_stream_new (fd, TRUE);

  if (fstat (fd, &info) != 0)
    {
      int saved_errno = errno;

      set_read_error (error, path, g_strerror (saved_errno));
      return NULL;
    }
  if (!S_ISREG (info.st_mode))
    {
      g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_FILE, _ ("“%s” is not a regular file"),
                   path);
      return NULL;
    }
  /* Saves reading what is known to be too much; the read below is bounded all the same. */
  if ((guint64) info.st_size > max_bytes)
    {
      set_too_large_error (error, path, max_bytes);
      return NULL;
    }

  return g_steal_pointer (&stream);
}

GBytes *
tessera_read_file_bounded (const char *path, gsize max_bytes, GCancellable *cancellable,
                           GError **error)
{
  g_autoptr (GInputStream) stream = NULL;
  g_autoptr (GBytes) contents = NULL;
  g_autoptr (GError) read_error = NULL;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (max_bytes < G_MAXUINT, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  stream = open_regular_file (path, max_bytes, error);
  if (stream == NULL)
    return NULL;

  /* One byte more than allowed tells a file at the bound from one past it. */
  contents = tessera_read_stream_head (stream, max_bytes + 1, cancellable, &read_error);
  if (contents == NULL)
    {
      if (g_error_matches (read_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_propagate_error (error, g_steal_pointer (&read_error));
      else
        set_read_error (error, path, read_error->message);
      return NULL;
    }
  if (g_bytes_get_size (contents) > max_bytes)
    {
      set_too_large_error (error, path, max_bytes);
      return NULL;
    }

  return g_steal_pointer (&contents);
}

/* Every byte, or FALSE with errno set (ECANCELED, which the caller reports as
 * G_IO_ERROR_CANCELLED, when @cancellable is cancelled). */
static gboolean
write_all (int fd, const guint8 *data, gsize len, GCancellable *cancellable)
{
  while (len > 0)
    {
      ssize_t written;

      if (g_cancellable_is_cancelled (cancellable))
        {
          errno = ECANCELED;
          return FALSE;
        }
      written = write (fd, data, MIN (len, WRITE_CHUNK_BYTES));
      if (written < 0 && errno == EINTR)
        continue;
      if (written <= 0)
        {
          if (written == 0)
            errno = EIO;
          return FALSE;
        }
      data += written;
      len -= (gsize) written;
    }
  return TRUE;
}

char *
tessera_write_temporary (const char *dir, const char *template, GBytes *bytes, int mode,
                         gboolean durable, GCancellable *cancellable)
{
  g_autofree char *path = NULL;
  const guint8 *data;
  gsize len = 0;
  gboolean written;
  int saved_errno;
  int fd;

  g_return_val_if_fail (dir != NULL && template != NULL && bytes != NULL, NULL);

  data = g_bytes_get_data (bytes, &len);
  path = g_build_filename (dir, template, NULL);
  fd = g_mkstemp_full (path, O_WRONLY | O_CLOEXEC, mode);
  if (fd < 0)
    return NULL;
  written = write_all (fd, data, len, cancellable) && (!durable || fsync (fd) == 0);
  saved_errno = errno;
  /* Closed once whatever happens: after a failed close the number may already belong to
   * another thread's new socket or file. A failed close can mean lost data, so the file
   * does not count then. */
  if (close (fd) != 0 && written)
    {
      written = FALSE;
      saved_errno = errno;
    }
  if (written)
    return g_steal_pointer (&path);
  g_unlink (path);
  errno = saved_errno;
  return NULL;
}
