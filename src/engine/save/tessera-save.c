/* SPDX-License-Identifier: GPL-3.0-or-later */
/* tessera-save.c: whole files, under names no other file has, in the chosen folder */

#define G_LOG_DOMAIN "tessera-save"

#include "config.h"

/* renameat2 () and RENAME_NOREPLACE */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <stdio.h>
#include <unistd.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "tessera-engine.h"
#include "tessera-error.h"
#include "tessera-save-name.h"
#include "tessera-save.h"

#define TEMP_TEMPLATE     ".tessera-save-XXXXXX"
#define FILE_MODE         0644
#define FOLDER_MODE       0755
/* A cancel is noticed between chunks: a big file stops within one. */
#define WRITE_CHUNK_BYTES (1024 * 1024)

static void
set_errno_error (GError **error, int saved_errno, const char *name)
{
  const char *why;

  switch (saved_errno)
    {
    case ENOSPC:
    case EDQUOT:
      why = _ ("the disk is full");
      break;
    case EACCES:
    case EPERM:
    case EROFS:
      why = _ ("permission denied");
      break;
    default:
      why = g_strerror (saved_errno);
    }
  g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_FILE, _ ("Could not save “%s”: %s"), name, why);
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

/* The bytes in a hidden file of @dir, flushed and closed; its path, or NULL with errno set
 * and no file left. */
static char *
write_temporary (const char *dir, GBytes *bytes, GCancellable *cancellable)
{
  g_autofree char *path = g_build_filename (dir, TEMP_TEMPLATE, NULL);
  gsize len = 0;
  const guint8 *data = g_bytes_get_data (bytes, &len);
  int fd = g_mkstemp_full (path, O_WRONLY | O_CLOEXEC, FILE_MODE);
  gboolean written;
  int saved_errno;

  if (fd < 0)
    return NULL;
  written = write_all (fd, data, len, cancellable) && fsync (fd) == 0;
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

/* Links @temp to @target unless @target exists: 0, or -1 with errno (EEXIST when taken). */
static int
link_no_replace (const char *temp, const char *target)
{
  if (link (temp, target) == 0)
    return 0;
  /* File systems without hard links (FAT): a rename that refuses to replace. */
  if (errno == EPERM || errno == ENOSYS || errno == EOPNOTSUPP)
    return renameat2 (AT_FDCWD, temp, AT_FDCWD, target, RENAME_NOREPLACE);
  return -1;
}

/* Gives @temp the first free name of @name's series; the name used, or NULL with errno. */
static char *
claim_name (const char *dir, const char *temp, const char *name)
{
  for (guint n = 1; n <= TESSERA_SAVE_MAX_NUMBERED; n++)
    {
      g_autofree char *candidate = n == 1 ? g_strdup (name) : tessera_save_name_numbered (name, n);
      g_autofree char *target = g_build_filename (dir, candidate, NULL);

      if (link_no_replace (temp, target) == 0)
        return g_steal_pointer (&candidate);
      if (errno != EEXIST)
        return NULL;
    }
  errno = EEXIST;
  return NULL;
}

char *
tessera_save_write_unique (const char *dir, const char *name, GBytes *bytes,
                           GCancellable *cancellable, GError **error)
{
  g_autofree char *temp = NULL;
  char *used;
  int saved_errno;

  g_return_val_if_fail (dir != NULL, NULL);
  g_return_val_if_fail (name != NULL && *name != '\0' && strchr (name, '/') == NULL, NULL);
  g_return_val_if_fail (bytes != NULL, NULL);

  TESSERA_ASSERT_WORKER_THREAD ();

  if ((temp = write_temporary (dir, bytes, cancellable)) == NULL)
    {
      saved_errno = errno;
      if (!g_cancellable_set_error_if_cancelled (cancellable, error))
        set_errno_error (error, saved_errno, name);
      return NULL;
    }
  used = claim_name (dir, temp, name);
  saved_errno = errno;
  /* Linked: the name holds the file now. Renamed: the temporary is gone already. */
  if (g_file_test (temp, G_FILE_TEST_EXISTS))
    g_unlink (temp);
  if (used == NULL)
    set_errno_error (error, saved_errno, name);
  return used;
}

char *
tessera_save_make_folder (const char *dir, const char *name, GError **error)
{
  g_autofree char *path = NULL;
  GStatBuf info;

  g_return_val_if_fail (dir != NULL, NULL);
  g_return_val_if_fail (name != NULL && *name != '\0' && strchr (name, '/') == NULL, NULL);

  TESSERA_ASSERT_WORKER_THREAD ();

  path = g_build_filename (dir, name, NULL);
  if (g_mkdir (path, FOLDER_MODE) == 0)
    return g_steal_pointer (&path);
  if (errno != EEXIST)
    {
      set_errno_error (error, errno, name);
      return NULL;
    }
  /* lstat: a link named like the album is not followed out of the chosen folder. */
  if (g_lstat (path, &info) != 0 || !S_ISDIR (info.st_mode))
    {
      g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_FILE,
                   _ ("Could not save into “%s”: something else has that name"), name);
      return NULL;
    }
  return g_steal_pointer (&path);
}
