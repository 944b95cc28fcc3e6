/* SPDX-License-Identifier: GPL-3.0-or-later */
/* tessera-window.h: the gallery window: grid, progress, paste and drop */
#pragma once

#include <gtk/gtk.h>

#include "tessera-gallery.h"
#include "tessera-imgur-view.h"
#include "tessera-url-list.h"

G_BEGIN_DECLS

#define TESSERA_TYPE_WINDOW (tessera_window_get_type ())
G_DECLARE_FINAL_TYPE (TesseraWindow, tessera_window, TESSERA, WINDOW, GtkApplicationWindow)

/* Main thread. @gallery holds the links given; @imgur_gallery Imgur's posts; the window
 * takes a reference to both and to @settings, which may be NULL (nothing is kept then).
 * Returns: (transfer none) a window owned by GTK's window list, like gtk_window_new. */
TesseraWindow *tessera_window_new (GtkApplication *application, TesseraGallery *gallery,
                                   TesseraGallery *imgur_gallery, GSettings *settings);
/* Main thread. Shows the Imgur page and opens @query there. */
void tessera_window_open_imgur (TesseraWindow *self, const TesseraImgurQuery *query);
/* Returns: (transfer none) the Imgur page. */
TesseraImgurView *tessera_window_get_imgur_view (TesseraWindow *self);

/* Main thread. Adds the URLs of @list (not taken) to the links and tells the person what
 * happened. */
void tessera_window_add_url_list (TesseraWindow *self, TesseraUrlList *list);

G_END_DECLS
