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

/* @gallery holds the links given; @imgur_gallery Imgur's posts. @settings may be NULL. */
TesseraWindow *tessera_window_new (GtkApplication *application, TesseraGallery *gallery,
                                   TesseraGallery *imgur_gallery, GSettings *settings);
/* Shows the Imgur page with @query. */
void tessera_window_open_imgur (TesseraWindow *self, const TesseraImgurQuery *query);
TesseraImgurView *tessera_window_get_imgur_view (TesseraWindow *self);
TesseraGallery *tessera_window_get_gallery (TesseraWindow *self);

/* Adds the URLs of @list to the gallery and tells the person what happened. */
void tessera_window_add_url_list (TesseraWindow *self, TesseraUrlList *list);
/* Resolves @args (URLs, files, folders, "-") off the main thread, then adds them. */
void tessera_window_add_args (TesseraWindow *self, const char *const *args, GFile *cwd);
void tessera_window_show_notice (TesseraWindow *self, const char *text);

G_END_DECLS
