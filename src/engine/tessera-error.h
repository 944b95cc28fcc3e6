/* SPDX-License-Identifier: GPL-3.0-or-later */
/* tessera-error.h: the error domain shared by the engine and the app */
#pragma once

#include <glib.h>

#include "tessera-enum-types.h"
#include "tessera-types.h"

G_BEGIN_DECLS

#define TESSERA_ERROR (tessera_error_quark ())

/* The domain of the engine's failures, "tessera-error-quark"; codes are TesseraErrorCode.
 * Any thread. */
GQuark tessera_error_quark (void);

/* The short text a failed tile shows ("Not an image", "Timed out") for @error, translated
 * and static (transfer none): "Cancelled" for G_IO_ERROR_CANCELLED, the one way the engine
 * reports a cancel, and "Failed" for any other domain. Any thread. */
const char *tessera_error_label (const GError *error);

G_END_DECLS
