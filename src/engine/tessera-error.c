/* SPDX-License-Identifier: GPL-3.0-or-later */
/* tessera-error.c */

#define G_LOG_DOMAIN "tessera-error"

#include "config.h"

#include <gio/gio.h>
#include <glib/gi18n.h>

#include "tessera-error.h"

/* The formatter would space out the quark's name; it only knows "clang-format off" alone. */
/* clang-format off */
G_DEFINE_QUARK (tessera-error-quark, tessera_error)
/* clang-format on */

const char *
tessera_error_label (const GError *error)
{
  g_return_val_if_fail (error != NULL, NULL);

  /* The engine reports every cancel this way (g_cancellable_set_error_if_cancelled). */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return _ ("Cancelled");
  if (error->domain != TESSERA_ERROR)
    return _ ("Failed");

  switch ((TesseraErrorCode) error->code)
    {
    case TESSERA_ERROR_HTTP:
      /* The fetcher labels these itself with the status ("HTTP 404"). */
      return _ ("Server error");
    case TESSERA_ERROR_NOT_IMAGE:
      return _ ("Not an image");
    case TESSERA_ERROR_TOO_LARGE:
      return _ ("Too large");
    case TESSERA_ERROR_BROKEN:
      return _ ("Broken image");
    case TESSERA_ERROR_TIMED_OUT:
      return _ ("Timed out");
    case TESSERA_ERROR_CUT_SHORT:
      return _ ("Cut short");
    case TESSERA_ERROR_REDIRECT:
      return _ ("Bad redirect");
    case TESSERA_ERROR_NETWORK:
      return _ ("No connection");
    case TESSERA_ERROR_FILE:
      return _ ("Can't read file");
    case TESSERA_ERROR_BAD_URL:
      return _ ("Bad URL");
    case TESSERA_ERROR_BAD_REPLY:
      return _ ("Bad reply");
    case TESSERA_ERROR_REMOVED:
      return _ ("Removed");
    case TESSERA_ERROR_DISK_FULL:
      return _ ("Disk full");
    default:
      return _ ("Failed");
    }
}
