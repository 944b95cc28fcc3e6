/* SPDX-License-Identifier: GPL-3.0-or-later */
/* tessera-gallery-view.h: a scrolling grid of a gallery's tiles */
#pragma once

#include <gtk/gtk.h>

#include "tessera-gallery.h"

G_BEGIN_DECLS

/* Within this distance of the end, the view asks for more ("near-end"). */
#define TESSERA_GALLERY_VIEW_NEAR_END_PX 600

#define TESSERA_TYPE_GALLERY_VIEW (tessera_gallery_view_get_type ())
G_DECLARE_FINAL_TYPE (TesseraGalleryView, tessera_gallery_view, TESSERA, GALLERY_VIEW, GtkWidget)

void tessera_gallery_view_set_gallery (TesseraGalleryView *self, TesseraGallery *gallery);
/* (element-type TesseraTile): the selected tiles, in grid order. */
GPtrArray *tessera_gallery_view_dup_selected (TesseraGalleryView *self);
guint tessera_gallery_view_get_n_selected (TesseraGalleryView *self);

G_END_DECLS
