/* SPDX-License-Identifier: GPL-3.0-or-later */
/* tessera-window-private.h: what tessera-window.c, -actions.c and -dnd.c share */
#pragma once

#include "tessera-gallery-view.h"
#include "tessera-imgur-collect.h"
#include "tessera-saver.h"
#include "tessera-window.h"

G_BEGIN_DECLS

struct _TesseraWindow
{
  GtkApplicationWindow parent_instance;

  TesseraGallery *gallery;       /* the links: pasted, dropped, given */
  TesseraGallery *imgur_gallery; /* Imgur's posts */
  TesseraGallery *shown_gallery; /* whichever the header's progress is about */
  GSettings *settings;
  TesseraImgurView *imgur_view;
  TesseraGalleryView *shown_view;      /* whose selection Save takes */
  GSignalGroup *shown_gallery_signals; /* the progress counts of shown_gallery */
  GSignalGroup *shown_view_signals;    /* the selection of shown_view */
  GCancellable *save_cancellable;      /* while listing or saving: Cancel */
  char *saved_folder;                  /* of the last save, for Open Folder */
  GCancellable *cancellable;           /* cancelled when the window closes */
  guint notice_timeout;
  guint progress_timeout;
  guint progress_tick;      /* a tick callback: the counts changed since the header did */
  gint64 progress_shown_us; /* frame time of the header's last update */

  GtkLabel *progress_label;
  GtkLabel *failed_label;
  GtkLabel *selected_label;
  GtkWidget *save_button;
  GtkRevealer *save_revealer;
  GtkLabel *save_label;
  GtkProgressBar *save_progress;
  GtkWidget *open_folder_button;
  GtkProgressBar *progress_bar;
  GtkRevealer *notice_revealer;
  GtkLabel *notice_label;
  GtkStack *sources_stack;
  GtkStack *stack;
  TesseraGalleryView *links_view;
};

/* tessera-window.c */
void _tessera_window_show_notice (TesseraWindow *self, const char *text);
/* Puts @details (lines) on the notice shown, for hovering, and keeps it on screen until
 * dismissed, so there is time to read them. */
void _tessera_window_set_notice_details (TesseraWindow *self, const char *details);
void _tessera_window_hide_notice (TesseraWindow *self);
void _tessera_window_update_selection (TesseraWindow *self);

/* tessera-window-actions.c: the win.* actions but paste and add-urls, and every
 * shortcut of the window */
void _tessera_window_class_actions_init (TesseraWindowClass *klass);

/* tessera-window-dnd.c: paste, drop and the add dialog */
void _tessera_window_class_dnd_init (TesseraWindowClass *klass);
void _tessera_window_dnd_init (TesseraWindow *self);

G_END_DECLS
