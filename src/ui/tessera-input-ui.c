/* SPDX-License-Identifier: GPL-3.0-or-later */
/* tessera-input-ui.c: the wording for input that could not be used */

#define G_LOG_DOMAIN "tessera-input-ui"

#include "config.h"

#include <glib/gi18n.h>

#include "tessera-input-ui.h"

char *
tessera_input_describe_skipped (const TesseraUrlList *list)
{
  g_autoptr (GString) text = NULL;

  g_return_val_if_fail (list != NULL, NULL);

  if (list->skipped->len == 0)
    return NULL;
  text = g_string_new (NULL);
  for (guint i = 0; i < list->skipped->len; i++)
    {
      const TesseraUrlSkip *skip = list->skipped->pdata[i];

      if (i > 0)
        g_string_append_c (text, '\n');
      g_string_append_printf (text, _ ("Skipping “%s”: %s"), skip->what, skip->reason);
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}
