/* SPDX-License-Identifier: GPL-3.0-or-later */
/* tessera-input-ui.h: what the input left out, told to a person in the window and on the
 * terminal */
#pragma once

#include <glib.h>

#include "tessera-url-list.h"

G_BEGIN_DECLS

/* Returns (transfer full) one line per entry of @list's skipped list ("Skipping “x.txt”:
 * No such file or URL"), joined with newlines, or NULL when nothing was skipped. Any
 * thread. */
char *tessera_input_describe_skipped (const TesseraUrlList *list);

G_END_DECLS
