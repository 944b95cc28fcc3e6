/* SPDX-License-Identifier: GPL-3.0-or-later */
/* tessera-error.h: the error domain shared by the engine and the app */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define TESSERA_ERROR (tessera_error_quark ())

typedef enum
{
  TESSERA_ERROR_HTTP,      /* a non-2xx status; the label is "HTTP <status>" */
  TESSERA_ERROR_NOT_IMAGE, /* bytes are not JPEG, PNG, GIF or WebP */
  TESSERA_ERROR_TOO_LARGE, /* byte cap or pixel limit exceeded */
  TESSERA_ERROR_BROKEN,    /* an image format we accept, but undecodable */
  TESSERA_ERROR_TIMED_OUT,
  TESSERA_ERROR_CUT_SHORT, /* the body ended before its declared length */
  TESSERA_ERROR_REDIRECT,  /* too many redirects or one to a forbidden scheme */
  TESSERA_ERROR_NETWORK,   /* could not resolve, connect, TLS failure */
  TESSERA_ERROR_FILE,      /* a local file could not be read */
  TESSERA_ERROR_BAD_URL,
  TESSERA_ERROR_CANCELLED,
  TESSERA_ERROR_BAD_REPLY, /* a service's answer (JSON) could not be read */
} TesseraErrorCode;

GQuark tessera_error_quark (void);

/* The short text a failed tile shows ("Not an image", "Timed out"). */
const char *tessera_error_label (const GError *error);

G_END_DECLS
