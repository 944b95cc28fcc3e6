/* SPDX-License-Identifier: GPL-3.0-or-later */
/* tessera-preferences.h: the Preferences window */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define TESSERA_TYPE_PREFERENCES (tessera_preferences_get_type ())
G_DECLARE_FINAL_TYPE (TesseraPreferences, tessera_preferences, TESSERA, PREFERENCES, GtkWindow)

/* Changes reach @settings when the window closes, so the gallery reloads once, not for
 * every key typed into the Client ID. */
GtkWidget *tessera_preferences_new (GtkWindow *parent, GSettings *settings);

G_END_DECLS
