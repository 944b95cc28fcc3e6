/* SPDX-License-Identifier: GPL-3.0-or-later */
/* tessera-add-dialog.c */

#define G_LOG_DOMAIN "tessera-add-dialog"

#include "config.h"

#include "tessera-add-dialog.h"

struct _TesseraAddDialog
{
  GtkWindow parent_instance;

  GtkTextView *text_view;
};

G_DEFINE_FINAL_TYPE (TesseraAddDialog, tessera_add_dialog, GTK_TYPE_WINDOW)

enum
{
  SIGNAL_ADD,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
add_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TesseraAddDialog *self = TESSERA_ADD_DIALOG (widget);
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->text_view);
  GtkTextIter start, end;
  g_autofree char *text = NULL;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  text = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
  g_signal_emit (self, signals[SIGNAL_ADD], 0, text);
  gtk_window_close (GTK_WINDOW (self));
}

static void
tessera_add_dialog_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), TESSERA_TYPE_ADD_DIALOG);

  G_OBJECT_CLASS (tessera_add_dialog_parent_class)->dispose (object);
}

static void
tessera_add_dialog_class_init (TesseraAddDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tessera_add_dialog_dispose;

  signals[SIGNAL_ADD] = g_signal_new ("add", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                                      NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (
      widget_class, "/io/github/tessera/Tessera/tessera-add-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, TesseraAddDialog, text_view);
  gtk_widget_class_install_action (widget_class, "dialog.add", NULL, add_activated);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
tessera_add_dialog_init (TesseraAddDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
tessera_add_dialog_new (GtkWindow *parent)
{
  return g_object_new (TESSERA_TYPE_ADD_DIALOG, "transient-for", parent, NULL);
}
