/* SPDX-License-Identifier: GPL-3.0-or-later */
/* tessera-window-dnd.c: what comes into the window: paste, drop, the add dialog, arguments */

#define G_LOG_DOMAIN "tessera-window"

#include "config.h"

#include <glib/gi18n.h>

#include "tessera-add-dialog.h"
#include "tessera-input-ui.h"
#include "tessera-input.h"
#include "tessera-window-private.h"

void
tessera_window_add_url_list (TesseraWindow *self, TesseraUrlList *list)
{
  guint n_present = 0;
  guint n_added;
  g_autofree char *summary = NULL;
  g_autofree char *skipped = NULL;

  g_return_if_fail (TESSERA_IS_WINDOW (self));
  g_return_if_fail (list != NULL);

  gtk_stack_set_visible_child_name (self->sources_stack, "links");
  n_added = tessera_gallery_add_uris (self->gallery, (const char *const *) list->urls->pdata,
                                      list->urls->len, &n_present);
  summary = tessera_url_list_summary (n_added, list->n_not_urls, list->n_duplicates + n_present,
                                      list->not_utf8, list->truncated);
  /* The first thing skipped, in so many words: a list file that is not there is not a
   * line that was not a URL. */
  if (list->skipped->len > 0)
    {
      const TesseraUrlSkip *first = list->skipped->pdata[0];
      char *longer = g_strdup_printf (_ ("%s · “%s”: %s"), summary, first->what, first->reason);

      g_free (summary);
      summary = longer;
    }
  _tessera_window_show_notice (self, summary);
  /* Unusable arguments are in the summary's count; hovering says which and why. */
  skipped = tessera_input_describe_skipped (list);
  if (skipped != NULL)
    _tessera_window_set_notice_details (self, skipped);
}

static void
on_url_list_ready (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (TesseraWindow) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (TesseraUrlList) list = NULL;

  list = tessera_input_finish (result, &error);
  if (list == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        _tessera_window_show_notice (self, error->message);
      return;
    }
  tessera_window_add_url_list (self, list);
}

/* Resolves @args (URLs, files, folders) off the main thread, then adds them. */
static void
add_args (TesseraWindow *self, const char *const *args, GFile *cwd)
{
  tessera_input_from_args_async (args, cwd, self->cancellable, on_url_list_ready,
                                 g_object_ref (self));
}

static void
add_text (TesseraWindow *self, const char *text)
{
  g_autoptr (GBytes) bytes = NULL;

  if (text == NULL || text[0] == '\0')
    {
      _tessera_window_show_notice (self, _ ("There is no text to take URLs from"));
      return;
    }
  bytes = g_bytes_new (text, strlen (text));
  tessera_input_from_text_async (bytes, self->cancellable, on_url_list_ready, g_object_ref (self));
}

static void
add_files (TesseraWindow *self, GSList *files)
{
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr (GFile) cwd = g_file_new_for_path (g_get_home_dir ());
  g_auto (GStrv) args = NULL;

  for (GSList *l = files; l != NULL; l = l->next)
    {
      g_autofree char *path = g_file_get_path (l->data);
      g_autofree char *uri = path ? NULL : g_file_get_uri (l->data);
      g_strv_builder_add (builder, path ? path : uri);
    }
  args = g_strv_builder_end (builder);
  add_args (self, (const char *const *) args, cwd);
}

static void
on_clipboard_text (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (TesseraWindow) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autofree char *text = gdk_clipboard_read_text_finish (GDK_CLIPBOARD (source), result, &error);

  if (text == NULL && error != NULL)
    g_debug ("Clipboard: %s", error->message);
  if (text == NULL)
    {
      _tessera_window_show_notice (self, _ ("The clipboard holds no text"));
      return;
    }
  add_text (self, text);
}

static void
on_clipboard_files (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (TesseraWindow) self = user_data;
  g_autoptr (GError) error = NULL;
  const GValue *value = gdk_clipboard_read_value_finish (GDK_CLIPBOARD (source), result, &error);

  if (value == NULL)
    {
      _tessera_window_show_notice (self, _ ("The copied files could not be read"));
      return;
    }
  add_files (self, g_value_get_boxed (value));
}

static void
paste_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TesseraWindow *self = TESSERA_WINDOW (widget);
  GdkClipboard *clipboard = gtk_widget_get_clipboard (widget);
  GdkContentFormats *formats = gdk_clipboard_get_formats (clipboard);

  if (gdk_content_formats_contain_gtype (formats, GDK_TYPE_FILE_LIST))
    gdk_clipboard_read_value_async (clipboard, GDK_TYPE_FILE_LIST, G_PRIORITY_DEFAULT,
                                    self->cancellable, on_clipboard_files, g_object_ref (self));
  else
    gdk_clipboard_read_text_async (clipboard, self->cancellable, on_clipboard_text,
                                   g_object_ref (self));
}

static void
on_dialog_add (TesseraAddDialog *dialog, const char *text, gpointer user_data)
{
  add_text (TESSERA_WINDOW (user_data), text);
}

static void
add_urls_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  GtkWidget *dialog = tessera_add_dialog_new (GTK_WINDOW (widget));

  g_signal_connect_object (dialog, "add", G_CALLBACK (on_dialog_add), widget, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static gboolean
on_drop (GtkDropTarget *target, const GValue *value, double x, double y, gpointer user_data)
{
  TesseraWindow *self = user_data;

  if (G_VALUE_HOLDS (value, GDK_TYPE_FILE_LIST))
    add_files (self, g_value_get_boxed (value));
  else if (G_VALUE_HOLDS_STRING (value))
    add_text (self, g_value_get_string (value));
  else
    return FALSE;
  return TRUE;
}

void
_tessera_window_dnd_init (TesseraWindow *self)
{
  GtkDropTarget *target = gtk_drop_target_new (G_TYPE_INVALID, GDK_ACTION_COPY);
  GType types[] = { GDK_TYPE_FILE_LIST, G_TYPE_STRING };

  gtk_drop_target_set_gtypes (target, types, G_N_ELEMENTS (types));
  g_signal_connect (target, "drop", G_CALLBACK (on_drop), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (target));
}

void
_tessera_window_class_dnd_init (TesseraWindowClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  gtk_widget_class_install_action (widget_class, "win.paste", NULL, paste_activated);
  gtk_widget_class_install_action (widget_class, "win.add-urls", NULL, add_urls_activated);
}
