/* SPDX-License-Identifier: GPL-3.0-or-later */
/* tessera-gallery-view-private.h: what the window tests reach inside the view */
#pragma once

#include "tessera-gallery-view.h"

G_BEGIN_DECLS

/* (transfer none) The grid's vertical scrolling, for a test to scroll it. Main thread. */
GtkAdjustment *tessera_gallery_view_get_vadjustment (TesseraGalleryView *self);

G_END_DECLS
