/* SPDX-License-Identifier: GPL-3.0-or-later */
/* tessera-imgur-view.h: Imgur's gallery in the window: choices, the grid, albums, problems */
#pragma once

#include <gtk/gtk.h>

#include "tessera-gallery-view.h"
#include "tessera-imgur-source.h"

G_BEGIN_DECLS

#define TESSERA_TYPE_IMGUR_VIEW (tessera_imgur_view_get_type ())
G_DECLARE_FINAL_TYPE (TesseraImgurView, tessera_imgur_view, TESSERA, IMGUR_VIEW, GtkWidget)

/* Posts go to @gallery. @settings (may be NULL) holds the Client ID and the NSFW choice;
 * the environment takes precedence over it (see tessera_imgur_client_id). */
GtkWidget *tessera_imgur_view_new (TesseraGallery *gallery, GSettings *settings);
/* Starts over with @query: clears the gallery and requests its first page. */
void tessera_imgur_view_open (TesseraImgurView *self, const TesseraImgurQuery *query);
/* The gallery's source, or NULL before anything was opened. */
TesseraImgurSource *tessera_imgur_view_get_source (TesseraImgurView *self);
/* (transfer none) The gallery on screen, the posts or the open album's images, and the
 * grid that shows it. */
TesseraGallery *tessera_imgur_view_get_shown_gallery (TesseraImgurView *self);
TesseraGalleryView *tessera_imgur_view_get_shown_view (TesseraImgurView *self);

G_END_DECLS
