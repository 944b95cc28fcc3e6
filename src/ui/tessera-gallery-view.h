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

/* Shows @gallery's tiles (a reference is taken; NULL shows none) with nothing selected,
 * and has them decoded at TESSERA_TILE_SIZE × the view's scale factor from now on (also
 * when that changes). Emits "selection-changed" and notifies "gallery" when @gallery is
 * another. Main thread, like every call here. */
void tessera_gallery_view_set_gallery (TesseraGalleryView *self, TesseraGallery *gallery);
/* (element-type TesseraTile) (transfer full): a new array of the selected tiles, in grid
 * order; empty without a gallery. */
GPtrArray *tessera_gallery_view_dup_selected (TesseraGalleryView *self);
/* Selects every tile (@select) or none, as Ctrl+A and Shift+Ctrl+A do in the grid.
 * Main thread. */
void tessera_gallery_view_select_all (TesseraGalleryView *self, gboolean select);
/* How many tiles are selected. */
guint tessera_gallery_view_get_n_selected (TesseraGalleryView *self);

/* Emits "near-end" after the next layout when the tiles then end within reach of the view
 * (or do not fill it): for a paged source that has just added a page, which a person
 * cannot scroll to ask for more when it is short. Main thread. */
void tessera_gallery_view_check_near_end (TesseraGalleryView *self);

G_END_DECLS
