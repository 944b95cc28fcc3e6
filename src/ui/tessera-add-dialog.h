/* SPDX-License-Identifier: GPL-3.0-or-later */
/* tessera-add-dialog.h: a window with a text box to paste or type URLs into */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define TESSERA_TYPE_ADD_DIALOG (tessera_add_dialog_get_type ())
G_DECLARE_FINAL_TYPE (TesseraAddDialog, tessera_add_dialog, TESSERA, ADD_DIALOG, GtkWindow)

/* Emits "add" with the text when the person presses Add, then closes. */
GtkWidget *tessera_add_dialog_new (GtkWindow *parent);

G_END_DECLS
