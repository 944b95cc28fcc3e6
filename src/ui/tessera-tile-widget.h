/* SPDX-License-Identifier: GPL-3.0-or-later */
/* tessera-tile-widget.h: the grid cell that shows one TesseraTile */
#pragma once

#include <gtk/gtk.h>

#include "tessera-tile.h"

G_BEGIN_DECLS

/* Logical pixels; every tile is this size, loaded or not. */
#define TESSERA_TILE_SIZE 180

#define TESSERA_TYPE_TILE_WIDGET (tessera_tile_widget_get_type ())
G_DECLARE_FINAL_TYPE (TesseraTileWidget, tessera_tile_widget, TESSERA, TILE_WIDGET, GtkWidget)

/* Returns (transfer floating) an empty cell. Main thread, like every call here. */
GtkWidget *tessera_tile_widget_new (void);
/* Shows @tile (a reference is taken; NULL for none) and follows its state. */
void tessera_tile_widget_set_tile (TesseraTileWidget *self, TesseraTile *tile);
/* (transfer none) The tile shown, or NULL. */
TesseraTile *tessera_tile_widget_get_tile (TesseraTileWidget *self);

G_END_DECLS
