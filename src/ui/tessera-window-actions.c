/* SPDX-License-Identifier: GPL-3.0-or-later */
/* tessera-window-actions.c: the window's actions (save, clear, retry…) and its shortcuts */

#define G_LOG_DOMAIN "tessera-window"

#include "config.h"

#include <glib/gi18n.h>

#include "tessera-imgur-ui.h"
#include "tessera-window-private.h"

/* The notice ("Added 3000 images") was about what is gone now. */
static void
clear_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  tessera_gallery_clear (TESSERA_WINDOW (widget)->gallery);
  _tessera_window_hide_notice (TESSERA_WINDOW (widget));
}

/* The grid takes Ctrl+A itself when it has the focus; these make the keys work wherever
 * the focus is (a button after a dialog closed), on the grid on screen. */
static void
select_all_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TesseraWindow *self = TESSERA_WINDOW (widget);

  if (self->shown_view != NULL)
    tessera_gallery_view_select_all (self->shown_view, g_str_equal (action_name, "win.select-all"));
}

static void
retry_failed_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TesseraWindow *self = TESSERA_WINDOW (widget);

  if (self->shown_gallery != NULL)
    tessera_gallery_retry_failed (self->shown_gallery);
}

static void
dismiss_notice_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  _tessera_window_hide_notice (TESSERA_WINDOW (widget));
}

static gboolean
is_album (TesseraTile *tile)
{
  return tessera_tile_get_id (tile) != NULL && tessera_tile_get_kind (tile) == TESSERA_TILE_ALBUM;
}

/* Closing the window cancels a save or a listing, which then ends later: its callbacks still
 * hold the window, but the widgets are gone. */
static gboolean
is_closed (TesseraWindow *self)
{
  return g_cancellable_is_cancelled (self->cancellable);
}

static void
on_save_progress (TesseraSaver *saver, guint n_done, guint n_items, gpointer user_data)
{
  TesseraWindow *self = user_data;
  g_autofree char *text = NULL;

  if (is_closed (self))
    return;
  text = g_strdup_printf (_ ("Saving %u of %u"), n_done, n_items);
  gtk_label_set_text (self->save_label, text);
  gtk_progress_bar_set_fraction (self->save_progress, n_items ? (double) n_done / n_items : 0);
}

/* Save is possible again, and the bar makes way for the notice. */
static void
end_saving (TesseraWindow *self, const char *notice)
{
  g_clear_object (&self->save_cancellable);
  gtk_revealer_set_reveal_child (self->save_revealer, FALSE);
  _tessera_window_show_notice (self, notice);
  _tessera_window_update_selection (self);
}

static void
on_saved (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (TesseraWindow) self = user_data;
  g_autoptr (TesseraSaveReport) report = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *folder = NULL;
  g_autofree char *summary = NULL;

  /* Cancelled or not, the report says what became of each item. */
  if (!tessera_saver_save_finish (TESSERA_SAVER (source), result, &report, &error))
    g_debug ("Saving stopped early: %s", error->message);
  if (is_closed (self))
    return;
  folder = g_path_get_basename (report->folder);
  summary = tessera_save_report_summarize (report, folder);
  end_saving (self, summary);
  if (report->failures->len > 0)
    {
      g_autoptr (GString) reasons = g_string_new (NULL);

      for (guint i = 0; i < report->failures->len; i++)
        g_string_append_printf (reasons, "%s%s", i ? "\n" : "",
                                (char *) report->failures->pdata[i]);
      _tessera_window_set_notice_details (self, reasons->str);
    }
  g_free (self->saved_folder);
  self->saved_folder = g_strdup (report->folder);
  gtk_widget_set_visible (self->open_folder_button, report->saved_names->len > 0);
}

static void
save_items (TesseraWindow *self, GPtrArray *items, const char *folder)
{
  g_autoptr (TesseraSaver) saver = tessera_saver_new (tessera_gallery_get_loader (self->gallery));

  g_signal_connect_object (saver, "progress", G_CALLBACK (on_save_progress), self, 0);
  on_save_progress (saver, 0, items->len, self);
  tessera_saver_save_async (saver, items, folder, self->save_cancellable, on_saved,
                            g_object_ref (self));
}

/* A save waiting for the albums' images to be listed. */
typedef struct
{
  TesseraWindow *window;
  GPtrArray *items; /* (element-type TesseraSaveItem): what is known so far */
  char *folder;
} PendingSave;

static void
pending_save_free (PendingSave *pending)
{
  g_object_unref (pending->window);
  g_ptr_array_unref (pending->items);
  g_free (pending->folder);
  g_free (pending);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PendingSave, pending_save_free)

static void
on_albums_listed (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (PendingSave) pending = user_data;
  TesseraWindow *self = pending->window;
  g_autoptr (GPtrArray) listed
      = tessera_imgur_collect_items_finish (TESSERA_IMGUR_COLLECT (source), result, NULL);

  if (is_closed (self))
    return;
  if (listed == NULL)
    {
      end_saving (self, _ ("Saving cancelled; nothing was saved"));
      return;
    }
  /* After the items known already: the albums' images, then the albums not listed. */
  g_ptr_array_extend_and_steal (pending->items, g_steal_pointer (&listed));
  save_items (self, pending->items, pending->folder);
}

static void
list_albums (TesseraWindow *self, GPtrArray *albums, GPtrArray *items, const char *folder)
{
  g_autofree char *client_id = tessera_imgur_client_id (self->settings);
  g_autoptr (TesseraImgurCollect) collect = tessera_imgur_collect_new (
      tessera_gallery_get_loader (self->gallery), client_id, tessera_imgur_show (self->settings));
  PendingSave *pending = g_new0 (PendingSave, 1);

  pending->window = g_object_ref (self);
  pending->items = g_ptr_array_ref (items);
  pending->folder = g_strdup (folder);
  gtk_label_set_text (self->save_label, _ ("Listing the albums’ images…"));
  gtk_progress_bar_set_fraction (self->save_progress, 0);
  tessera_imgur_collect_items_async (collect, NULL, albums, self->save_cancellable,
                                     on_albums_listed, pending);
}

/* A selected tile with no thumbnail to save is reported, not skipped without a word. */
static TesseraSaveItem *
no_thumbnail (TesseraTile *tile)
{
  return tessera_save_item_new_failure (tessera_tile_get_uri (tile),
                                        tessera_tile_get_state (tile) == TESSERA_TILE_FAILED
                                            ? _ ("No thumbnail: the image did not load")
                                            : _ ("No thumbnail yet: the image is still loading"));
}

static void
save_selected (TesseraWindow *self, const char *folder, gboolean thumbnails)
{
  g_autoptr (GPtrArray) tiles = tessera_gallery_view_dup_selected (self->shown_view);
  g_autoptr (GPtrArray) albums = g_ptr_array_new ();
  g_autoptr (GPtrArray) items
      = g_ptr_array_new_with_free_func ((GDestroyNotify) tessera_save_item_free);
  guint n_saveable = 0;

  for (guint i = 0; i < tiles->len; i++)
    {
      TesseraSaveItem *item;

      if (!thumbnails && is_album (tiles->pdata[i]))
        g_ptr_array_add (albums, tiles->pdata[i]);
      else if ((item = tessera_save_item_new_for_tile (tiles->pdata[i], thumbnails)) != NULL)
        {
          g_ptr_array_add (items, item);
          n_saveable++;
        }
      else if (thumbnails)
        g_ptr_array_add (items, no_thumbnail (tiles->pdata[i]));
    }
  if (albums->len == 0 && n_saveable == 0)
    {
      _tessera_window_show_notice (self,
                                   _ ("Nothing to save yet: wait for the thumbnails to load"));
      return;
    }
  self->save_cancellable = g_cancellable_new ();
  gtk_revealer_set_reveal_child (self->save_revealer, TRUE);
  _tessera_window_update_selection (self);
  if (albums->len > 0)
    list_albums (self, albums, items, folder);
  else
    save_items (self, items, folder);
}

static GFile *
initial_save_folder (TesseraWindow *self)
{
  g_autofree char *last
      = self->settings ? g_settings_get_string (self->settings, "save-folder") : NULL;
  const char *pictures = g_get_user_special_dir (G_USER_DIRECTORY_PICTURES);

  if (last != NULL && *last != '\0' && g_file_test (last, G_FILE_TEST_IS_DIR))
    return g_file_new_for_path (last);
  return g_file_new_for_path (pictures ? pictures : g_get_home_dir ());
}

static void
on_folder_chosen (GtkNativeDialog *dialog, int response, gpointer user_data)
{
  TesseraWindow *self = user_data;
  GtkFileChooser *chooser = GTK_FILE_CHOOSER (dialog);
  g_autoptr (GFile) folder = NULL;
  g_autofree char *path = NULL;

  if (response == GTK_RESPONSE_ACCEPT && (folder = gtk_file_chooser_get_file (chooser))
      && (path = g_file_get_path (folder)))
    {
      if (self->settings != NULL)
        g_settings_set_string (self->settings, "save-folder", path);
      save_selected (self, path,
                     g_strcmp0 (gtk_file_chooser_get_choice (chooser, "what"), "thumbnail") == 0);
    }
  g_object_unref (dialog);
}

static void
save_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TesseraWindow *self = TESSERA_WINDOW (widget);
  const char *options[] = { "original", "thumbnail", NULL };
  const char *labels[] = { _ ("Original images"), _ ("Thumbnails as shown (PNG)"), NULL };
  g_autoptr (GFile) start = initial_save_folder (self);
  g_autoptr (GtkFileFilter) folders = gtk_file_filter_new ();
  GtkFileChooserNative *dialog;

  if (self->save_cancellable != NULL || self->shown_view == NULL)
    return;
  dialog = gtk_file_chooser_native_new (_ ("Save Images To"), GTK_WINDOW (self),
                                        GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER, _ ("_Save"),
                                        _ ("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);
  gtk_file_filter_set_name (folders, _ ("Folders"));
  gtk_file_filter_add_mime_type (folders, "inode/directory");
  gtk_file_chooser_add_choice (GTK_FILE_CHOOSER (dialog), "what", _ ("Save"), options, labels);
  gtk_file_chooser_set_choice (GTK_FILE_CHOOSER (dialog), "what", "original");
  gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (dialog), start, NULL);
  /* GTK 4.8's fallback dialog otherwise shows an empty "(None)" filter beside the choice. */
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (dialog), folders);
  g_signal_connect (dialog, "response", G_CALLBACK (on_folder_chosen), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

static void
cancel_save_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  g_cancellable_cancel (TESSERA_WINDOW (widget)->save_cancellable);
}

static void
open_save_folder_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TesseraWindow *self = TESSERA_WINDOW (widget);
  g_autoptr (GFile) folder = NULL;
  g_autofree char *uri = NULL;

  if (self->saved_folder == NULL)
    return;
  folder = g_file_new_for_path (self->saved_folder);
  uri = g_file_get_uri (folder);
  g_app_info_launch_default_for_uri_async (uri, NULL, NULL, NULL, NULL);
}

/* Bound on the class, so that a widget inside that takes the same key (a text entry's
 * Ctrl+V) has it first; the application keeps only its app.* accelerators. Where an action
 * has two keys, menus show the one added last. */
static void
add_shortcuts (GtkWidgetClass *widget_class)
{
  static const struct
  {
    guint keyval;
    GdkModifierType modifiers;
    const char *action;
  } shortcuts[] = {
    { GDK_KEY_v, GDK_CONTROL_MASK, "win.paste" },
    { GDK_KEY_s, GDK_CONTROL_MASK, "win.save" },
    { GDK_KEY_o, GDK_CONTROL_MASK, "win.add-urls" },
    { GDK_KEY_l, GDK_CONTROL_MASK, "win.add-urls" },
    { GDK_KEY_Delete, GDK_CONTROL_MASK | GDK_SHIFT_MASK, "win.clear" },
    { GDK_KEY_r, GDK_CONTROL_MASK, "win.retry-failed" },
    { GDK_KEY_Escape, 0, "win.dismiss-notice" },
    { GDK_KEY_w, GDK_CONTROL_MASK, "window.close" },
    { GDK_KEY_a, GDK_CONTROL_MASK, "win.select-all" },
    { GDK_KEY_a, GDK_CONTROL_MASK | GDK_SHIFT_MASK, "win.unselect-all" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (shortcuts); i++)
    gtk_widget_class_add_binding_action (widget_class, shortcuts[i].keyval, shortcuts[i].modifiers,
                                         shortcuts[i].action, NULL);
}

void
_tessera_window_class_actions_init (TesseraWindowClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  gtk_widget_class_install_action (widget_class, "win.clear", NULL, clear_activated);
  gtk_widget_class_install_action (widget_class, "win.select-all", NULL, select_all_activated);
  gtk_widget_class_install_action (widget_class, "win.unselect-all", NULL, select_all_activated);
  gtk_widget_class_install_action (widget_class, "win.retry-failed", NULL, retry_failed_activated);
  gtk_widget_class_install_action (widget_class, "win.dismiss-notice", NULL,
                                   dismiss_notice_activated);
  gtk_widget_class_install_action (widget_class, "win.save", NULL, save_activated);
  gtk_widget_class_install_action (widget_class, "win.cancel-save", NULL, cancel_save_activated);
  gtk_widget_class_install_action (widget_class, "win.open-save-folder", NULL,
                                   open_save_folder_activated);
  add_shortcuts (widget_class);
}
