/* SPDX-License-Identifier: GPL-3.0-or-later */
/* tessera-preferences.h: the Preferences window */
#pragma once

#include <gtk/gtk.h>

#include "tessera-cache.h"

G_BEGIN_DECLS

/* The disk cache's cap, in MiB (0: nothing is kept). */
#define TESSERA_CACHE_SIZE_KEY "cache-size"

#define TESSERA_TYPE_PREFERENCES (tessera_preferences_get_type ())
G_DECLARE_FINAL_TYPE (TesseraPreferences, tessera_preferences, TESSERA, PREFERENCES, GtkWindow)

/* Changes reach @settings when the window closes, so the gallery reloads once, not for
 * every key typed into the Client ID. "Empty Cache" empties @cache (may be NULL: the
 * button is then insensitive) at once, off the main thread. */
GtkWidget *tessera_preferences_new (GtkWindow *parent, GSettings *settings, TesseraCache *cache);

G_END_DECLS
