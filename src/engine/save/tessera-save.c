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
#include "tessera-util.h"

#define TEMP_TEMPLATE ".tessera-save-XXXXXX"
#define FILE_MODE     0644
#define FOLDER_MODE   0755

static void
set_errno_error (GError **error, int saved_errno, const char *name)
{
  TesseraErrorCode code = TESSERA_ERROR_FILE;
  const char *why;

  switch (saved_errno)
    {
    case ENOSPC:
    case EDQUOT:
      why = _ ("the disk is full");
      code = TESSERA_ERROR_DISK_FULL;
      break;
    case EACCES:
    case EPERM:
    case EROFS:
      why = _ ("permission denied");
      break;
    default:
      why = g_strerror (saved_errno);
    }
  g_set_error (error, TESSERA_ERROR, code, _ ("Could not save “%s”: %s"), name, why);
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

  if ((temp = tessera_write_temporary (dir, TEMP_TEMPLATE, bytes, FILE_MODE, TRUE, cancellable)) == NULL)
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
