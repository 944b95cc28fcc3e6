/* SPDX-License-Identifier: GPL-3.0-or-later */
/* tessera-window.c */

#define G_LOG_DOMAIN "tessera-window"

#include "config.h"

#include <glib/gi18n.h>

#include "tessera-add-dialog.h"
#include "tessera-gallery-view.h"
#include "tessera-imgur-view.h"
#include "tessera-imgur-collect.h"
#include "tessera-saver.h"
#include "tessera-input.h"
#include "tessera-tile-widget.h"
#include "tessera-window.h"

/* How long a notice stays before it hides itself. */
#define NOTICE_TIMEOUT_MS  6000
/* How long the full progress bar stays once the last tile has finished. */
#define PROGRESS_LINGER_MS 1200

struct _TesseraWindow
{
  GtkApplicationWindow parent_instance;

  TesseraGallery *gallery;       /* the links: pasted, dropped, given */
  TesseraGallery *imgur_gallery; /* Imgur's posts */
  TesseraGallery *shown_gallery; /* whichever the header's progress is about */
  GSettings *settings;
  TesseraImgurView *imgur_view;
  TesseraGalleryView *shown_view; /* whose selection Save takes */
  TesseraSaver *saver;            /* while saving */
  TesseraImgurCollect *collect;   /* while listing the albums to save */
  char *saved_folder;             /* of the last save, for Open Folder */
  GCancellable *cancellable;
  guint notice_timeout;
  guint progress_timeout;

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

G_DEFINE_FINAL_TYPE (TesseraWindow, tessera_window, GTK_TYPE_APPLICATION_WINDOW)

enum
{
  PROP_0,
  PROP_GALLERY,
  PROP_IMGUR_GALLERY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
hide_notice (gpointer user_data)
{
  TesseraWindow *self = user_data;

  self->notice_timeout = 0;
  gtk_revealer_set_reveal_child (self->notice_revealer, FALSE);
}

void
tessera_window_show_notice (TesseraWindow *self, const char *text)
{
  g_return_if_fail (TESSERA_IS_WINDOW (self));
  g_return_if_fail (text != NULL);

  gtk_label_set_text (self->notice_label, text);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->notice_label), NULL);
  gtk_widget_set_visible (self->open_folder_button, FALSE);
  gtk_revealer_set_reveal_child (self->notice_revealer, TRUE);
  g_clear_handle_id (&self->notice_timeout, g_source_remove);
  self->notice_timeout = g_timeout_add_once (NOTICE_TIMEOUT_MS, hide_notice, self);
}

static void
hide_progress_bar (gpointer user_data)
{
  TesseraWindow *self = user_data;

  self->progress_timeout = 0;
  gtk_widget_set_visible (GTK_WIDGET (self->progress_bar), FALSE);
}

static void
update_progress (TesseraWindow *self)
{
  TesseraGallery *gallery = self->shown_gallery;
  guint n_tiles = tessera_gallery_get_n_tiles (gallery);
  guint n_finished = tessera_gallery_get_n_finished (gallery);
  guint n_failed = tessera_gallery_get_n_failed (gallery);
  g_autofree char *progress = g_strdup_printf (_ ("%u of %u"), n_finished, n_tiles);
  g_autofree char *failed
      = g_strdup_printf (ngettext ("%u failed", "%u failed", n_failed), n_failed);

  gtk_stack_set_visible_child_name (
      self->stack, tessera_gallery_get_n_tiles (self->gallery) > 0 ? "grid" : "empty");
  gtk_label_set_text (self->progress_label, progress);
  gtk_widget_set_visible (GTK_WIDGET (self->progress_label), n_tiles > 0);
  gtk_label_set_text (self->failed_label, failed);
  gtk_widget_set_visible (GTK_WIDGET (self->failed_label), n_failed > 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.retry-failed", n_failed > 0);

  /* Integer counts: the bar is full only when the last tile has finished. */
  gtk_progress_bar_set_fraction (self->progress_bar,
                                 n_tiles > 0 ? (double) n_finished / n_tiles : 0.0);
  g_clear_handle_id (&self->progress_timeout, g_source_remove);
  if (n_tiles > 0 && n_finished == n_tiles)
    self->progress_timeout = g_timeout_add_once (PROGRESS_LINGER_MS, hide_progress_bar, self);
  else
    gtk_widget_set_visible (GTK_WIDGET (self->progress_bar), n_tiles > 0);
}

static void
on_gallery_changed (TesseraGallery *gallery, GParamSpec *pspec, gpointer user_data)
{
  update_progress (TESSERA_WINDOW (user_data));
}

void
tessera_window_add_url_list (TesseraWindow *self, TesseraUrlList *list)
{
  guint n_present = 0;
  guint n_added;
  g_autofree char *summary = NULL;

  g_return_if_fail (TESSERA_IS_WINDOW (self));
  g_return_if_fail (list != NULL);

  gtk_stack_set_visible_child_name (self->sources_stack, "links");
  n_added = tessera_gallery_add_uris (self->gallery, (const char *const *) list->urls->pdata,
                                      list->urls->len, &n_present);
  summary = tessera_url_list_summary (n_added, list->n_not_urls, list->n_duplicates + n_present,
                                      list->not_utf8, list->truncated);
  tessera_window_show_notice (self, summary);
}

static void
on_url_list_ready (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (TesseraWindow) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (TesseraUrlList) list = NULL;

  /* Both producers finish the same way: a GTask holding a TesseraUrlList. */
  list = g_task_propagate_pointer (G_TASK (result), &error);
  if (list == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        tessera_window_show_notice (self, error->message);
      return;
    }
  tessera_window_add_url_list (self, list);
}

void
tessera_window_add_args (TesseraWindow *self, const char *const *args, GFile *cwd)
{
  g_return_if_fail (TESSERA_IS_WINDOW (self));

  tessera_input_from_args_async (args, cwd, self->cancellable, on_url_list_ready,
                                 g_object_ref (self));
}

static void
add_text (TesseraWindow *self, const char *text)
{
  g_autoptr (GBytes) bytes = NULL;

  if (text == NULL || text[0] == '\0')
    {
      tessera_window_show_notice (self, _ ("There is no text to take URLs from"));
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
  tessera_window_add_args (self, (const char *const *) args, cwd);
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
      tessera_window_show_notice (self, _ ("The clipboard holds no text"));
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
      tessera_window_show_notice (self, _ ("The copied files could not be read"));
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

static void
clear_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  tessera_gallery_clear (TESSERA_WINDOW (widget)->gallery);
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
  TesseraWindow *self = TESSERA_WINDOW (widget);

  g_clear_handle_id (&self->notice_timeout, g_source_remove);
  hide_notice (self);
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

static void
setup_drop_target (TesseraWindow *self)
{
  GtkDropTarget *target = gtk_drop_target_new (G_TYPE_INVALID, GDK_ACTION_COPY);
  GType types[] = { GDK_TYPE_FILE_LIST, G_TYPE_STRING };

  gtk_drop_target_set_gtypes (target, types, G_N_ELEMENTS (types));
  g_signal_connect (target, "drop", G_CALLBACK (on_drop), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (target));
}

static void
on_links_changed (TesseraWindow *self)
{
  update_progress (self);
}

static void
watch_gallery (TesseraWindow *self, TesseraGallery *gallery)
{
  const char *const signals[] = { "notify::n-finished", "notify::n-tiles", "notify::n-failed" };

  for (gsize i = 0; i < G_N_ELEMENTS (signals); i++)
    g_signal_connect_object (gallery, signals[i], G_CALLBACK (on_gallery_changed), self, 0);
}

static void
update_selection (TesseraWindow *self)
{
  guint n_selected = self->shown_view ? tessera_gallery_view_get_n_selected (self->shown_view) : 0;
  g_autofree char *text
      = g_strdup_printf (ngettext ("%u selected", "%u selected", n_selected), n_selected);

  gtk_label_set_text (self->selected_label, text);
  gtk_widget_set_visible (GTK_WIDGET (self->selected_label), n_selected > 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.save",
                                 n_selected > 0 && self->saver == NULL);
}

static void
on_selection_changed (TesseraWindow *self)
{
  update_selection (self);
}

static void
watch_selection (TesseraWindow *self, TesseraGalleryView *view)
{
  if (self->shown_view != NULL)
    g_signal_handlers_disconnect_by_func (self->shown_view, on_selection_changed, self);
  g_set_object (&self->shown_view, view);
  g_signal_connect_object (view, "selection-changed", G_CALLBACK (on_selection_changed), self,
                           G_CONNECT_SWAPPED);
  update_selection (self);
}

/* The header's progress follows the gallery on screen. */
static void
update_shown_gallery (TesseraWindow *self)
{
  const char *page = gtk_stack_get_visible_child_name (self->sources_stack);
  TesseraGallery *shown = g_strcmp0 (page, "imgur") == 0
                              ? tessera_imgur_view_get_shown_gallery (self->imgur_view)
                              : self->gallery;

  if (self->shown_gallery != NULL)
    g_signal_handlers_disconnect_by_func (self->shown_gallery, on_gallery_changed, self);
  g_set_object (&self->shown_gallery, shown);
  watch_gallery (self, shown);
  update_progress (self);
  watch_selection (self, g_strcmp0 (page, "imgur") == 0
                             ? tessera_imgur_view_get_shown_view (self->imgur_view)
                             : self->links_view);
}

static void
on_shown_gallery_changed (GObject *object, GParamSpec *pspec, gpointer user_data)
{
  TesseraWindow *self = user_data;

  update_shown_gallery (self);
  /* The first visit to Imgur opens its front page. */
  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->sources_stack), "imgur") == 0
      && tessera_imgur_view_get_source (self->imgur_view) == NULL)
    {
      TesseraImgurQuery query = { 0 };

      tessera_imgur_view_open (self->imgur_view, &query);
    }
}

static void
add_imgur_page (TesseraWindow *self)
{
  self->imgur_view
      = TESSERA_IMGUR_VIEW (tessera_imgur_view_new (self->imgur_gallery, self->settings));
  gtk_stack_add_titled (self->sources_stack, GTK_WIDGET (self->imgur_view), "imgur", _ ("Imgur"));
  g_signal_connect_object (self->imgur_view, "notify::shown-gallery",
                           G_CALLBACK (on_shown_gallery_changed), self, 0);
  g_signal_connect_object (self->sources_stack, "notify::visible-child",
                           G_CALLBACK (on_shown_gallery_changed), self, 0);
}

static void
tessera_window_constructed (GObject *object)
{
  TesseraWindow *self = TESSERA_WINDOW (object);

  G_OBJECT_CLASS (tessera_window_parent_class)->constructed (object);

  tessera_gallery_view_set_gallery (self->links_view, self->gallery);
  setup_drop_target (self);
  /* The links page shows its empty state or its grid whichever gallery is shown. */
  g_signal_connect_object (self->gallery, "notify::n-tiles", G_CALLBACK (on_links_changed), self,
                           G_CONNECT_SWAPPED);
  add_imgur_page (self);
  update_shown_gallery (self);
}

void
tessera_window_open_imgur (TesseraWindow *self, const TesseraImgurQuery *query)
{
  g_return_if_fail (TESSERA_IS_WINDOW (self));
  g_return_if_fail (query != NULL);

  tessera_imgur_view_open (self->imgur_view, query);
  gtk_stack_set_visible_child_name (self->sources_stack, "imgur");
}

TesseraImgurView *
tessera_window_get_imgur_view (TesseraWindow *self)
{
  g_return_val_if_fail (TESSERA_IS_WINDOW (self), NULL);
  return self->imgur_view;
}

/* What a tile's original is: the kept download, the local file, or Imgur's full image. An
 * Imgur album has none of its own: its images are listed first (see save_selected). */
static gboolean
fill_save_item (TesseraTile *tile, gboolean thumbnails, TesseraSaveItem *item)
{
  const char *id = tessera_tile_get_id (tile);

  *item = (TesseraSaveItem){ .uri = tessera_tile_get_uri (tile),
                             .path = tessera_tile_get_original_path (tile) };
  if (thumbnails)
    {
      item->texture = tessera_tile_get_texture (tile);
      item->path = NULL;
      return item->texture != NULL;
    }
  if (id != NULL)
    {
      if (tessera_tile_get_link (tile) == NULL)
        return FALSE;
      item->uri = tessera_tile_get_link (tile);
      item->path = NULL;
      item->title = tessera_tile_get_title (tile);
      item->id = id;
    }
  return TRUE;
}

static gboolean
is_album (TesseraTile *tile)
{
  return tessera_tile_get_id (tile) != NULL && tessera_tile_get_kind (tile) == TESSERA_TILE_ALBUM;
}

static void
on_save_progress (TesseraSaver *saver, gpointer user_data)
{
  TesseraWindow *self = user_data;
  guint n_items = tessera_saver_get_n_items (saver);
  guint n_done = tessera_saver_get_n_done (saver);
  g_autofree char *text = g_strdup_printf (_ ("Saving %u of %u"), n_done, n_items);

  gtk_label_set_text (self->save_label, text);
  gtk_progress_bar_set_fraction (self->save_progress, n_items ? (double) n_done / n_items : 0);
}

static void
on_save_finished (TesseraSaver *saver, gpointer user_data)
{
  TesseraWindow *self = user_data;
  GPtrArray *failures = tessera_saver_get_failures (saver);
  guint n_saved = tessera_saver_get_n_saved (saver);
  g_autofree char *folder = g_path_get_basename (tessera_saver_get_dir (saver));
  g_autofree char *summary = NULL;

  if (failures->len == 0)
    summary = g_strdup_printf (ngettext ("Saved %u image to %s", "Saved %u images to %s", n_saved),
                               n_saved, folder);
  else
    summary = g_strdup_printf (_ ("Saved %u of %u · %u failed"), n_saved,
                               tessera_saver_get_n_items (saver), failures->len);
  gtk_revealer_set_reveal_child (self->save_revealer, FALSE);
  tessera_window_show_notice (self, summary);
  if (failures->len > 0)
    {
      g_autoptr (GString) reasons = g_string_new (NULL);

      /* What failed stays on screen until dismissed, not for a few seconds. */
      g_clear_handle_id (&self->notice_timeout, g_source_remove);

      for (guint i = 0; i < failures->len; i++)
        g_string_append_printf (reasons, "%s%s", i ? "\n" : "", (char *) failures->pdata[i]);
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->notice_label), reasons->str);
    }
  g_free (self->saved_folder);
  self->saved_folder = g_strdup (tessera_saver_get_dir (saver));
  gtk_widget_set_visible (self->open_folder_button, n_saved > 0);
  g_clear_object (&self->saver);
  update_selection (self);
}

static void
start_saver (TesseraWindow *self)
{
  g_signal_connect_object (self->saver, "progress", G_CALLBACK (on_save_progress), self, 0);
  g_signal_connect_object (self->saver, "finished", G_CALLBACK (on_save_finished), self, 0);
  on_save_progress (self->saver, self);
  tessera_saver_start (self->saver);
}

static void
on_albums_listed (TesseraImgurCollect *collect, gpointer user_data)
{
  TesseraWindow *self = user_data;
  gboolean cancelled = tessera_imgur_collect_is_cancelled (collect);

  tessera_imgur_collect_fill_saver (collect, self->saver);
  g_clear_object (&self->collect);
  if (!cancelled)
    {
      start_saver (self);
      return;
    }
  gtk_revealer_set_reveal_child (self->save_revealer, FALSE);
  g_clear_object (&self->saver);
  tessera_window_show_notice (self, _ ("Saving cancelled; nothing was saved"));
  update_selection (self);
}

static void
list_albums (TesseraWindow *self, GPtrArray *albums)
{
  g_autofree char *client_id = tessera_imgur_client_id (self->settings);
  gboolean show_nsfw
      = self->settings != NULL && g_settings_get_boolean (self->settings, "imgur-show-nsfw");

  self->collect = tessera_imgur_collect_new (tessera_gallery_get_loader (self->gallery), client_id,
                                             show_nsfw);
  for (guint i = 0; i < albums->len; i++)
    tessera_imgur_collect_add_post (self->collect, albums->pdata[i]);
  g_signal_connect_object (self->collect, "finished", G_CALLBACK (on_albums_listed), self, 0);
  gtk_label_set_text (self->save_label, _ ("Listing the albums’ images…"));
  gtk_progress_bar_set_fraction (self->save_progress, 0);
  tessera_imgur_collect_start (self->collect);
}

static void
save_selected (TesseraWindow *self, const char *folder, gboolean thumbnails)
{
  g_autoptr (GPtrArray) tiles = tessera_gallery_view_dup_selected (self->shown_view);
  g_autoptr (GPtrArray) albums = g_ptr_array_new ();

  self->saver = tessera_saver_new (tessera_gallery_get_loader (self->gallery), folder);
  for (guint i = 0; i < tiles->len; i++)
    {
      TesseraSaveItem item;

      if (!thumbnails && is_album (tiles->pdata[i]))
        g_ptr_array_add (albums, tiles->pdata[i]);
      else if (fill_save_item (tiles->pdata[i], thumbnails, &item))
        tessera_saver_add (self->saver, &item);
    }
  if (albums->len == 0 && tessera_saver_get_n_items (self->saver) == 0)
    {
      g_clear_object (&self->saver);
      tessera_window_show_notice (self, _ ("Nothing to save yet: wait for the thumbnails to load"));
      return;
    }
  gtk_revealer_set_reveal_child (self->save_revealer, TRUE);
  update_selection (self);
  if (albums->len > 0)
    list_albums (self, albums);
  else
    start_saver (self);
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

  if (self->saver != NULL || self->shown_view == NULL)
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
  TesseraWindow *self = TESSERA_WINDOW (widget);

  if (self->collect != NULL)
    tessera_imgur_collect_cancel (self->collect);
  else if (self->saver != NULL)
    tessera_saver_cancel (self->saver);
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

static void
tessera_window_dispose (GObject *object)
{
  TesseraWindow *self = TESSERA_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  if (self->collect != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->collect, self);
      tessera_imgur_collect_cancel (self->collect);
    }
  g_clear_object (&self->collect);
  if (self->saver != NULL)
    tessera_saver_cancel (self->saver);
  g_clear_handle_id (&self->notice_timeout, g_source_remove);
  g_clear_handle_id (&self->progress_timeout, g_source_remove);
  gtk_widget_dispose_template (GTK_WIDGET (self), TESSERA_TYPE_WINDOW);

  G_OBJECT_CLASS (tessera_window_parent_class)->dispose (object);
}

static void
tessera_window_finalize (GObject *object)
{
  TesseraWindow *self = TESSERA_WINDOW (object);

  g_clear_object (&self->cancellable);
  g_clear_object (&self->gallery);
  g_clear_object (&self->imgur_gallery);
  g_clear_object (&self->shown_gallery);
  g_clear_object (&self->shown_view);
  g_clear_object (&self->saver);
  g_free (self->saved_folder);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (tessera_window_parent_class)->finalize (object);
}

static void
tessera_window_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  TesseraWindow *self = TESSERA_WINDOW (object);

  switch (prop_id)
    {
    case PROP_GALLERY:
      self->gallery = g_value_dup_object (value);
      break;
    case PROP_IMGUR_GALLERY:
      self->imgur_gallery = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tessera_window_class_init (TesseraWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = tessera_window_constructed;
  object_class->dispose = tessera_window_dispose;
  object_class->finalize = tessera_window_finalize;
  object_class->set_property = tessera_window_set_property;

  properties[PROP_GALLERY]
      = g_param_spec_object ("gallery", NULL, NULL, TESSERA_TYPE_GALLERY,
                             G_PARAM_WRITABLE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_IMGUR_GALLERY]
      = g_param_spec_object ("imgur-gallery", NULL, NULL, TESSERA_TYPE_GALLERY,
                             G_PARAM_WRITABLE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (TESSERA_TYPE_GALLERY_VIEW);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/tessera/Tessera/tessera-window.ui");
  gtk_widget_class_bind_template_child (widget_class, TesseraWindow, progress_label);
  gtk_widget_class_bind_template_child (widget_class, TesseraWindow, failed_label);
  gtk_widget_class_bind_template_child (widget_class, TesseraWindow, selected_label);
  gtk_widget_class_bind_template_child (widget_class, TesseraWindow, save_button);
  gtk_widget_class_bind_template_child (widget_class, TesseraWindow, save_revealer);
  gtk_widget_class_bind_template_child (widget_class, TesseraWindow, save_label);
  gtk_widget_class_bind_template_child (widget_class, TesseraWindow, save_progress);
  gtk_widget_class_bind_template_child (widget_class, TesseraWindow, open_folder_button);
  gtk_widget_class_bind_template_child (widget_class, TesseraWindow, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, TesseraWindow, notice_revealer);
  gtk_widget_class_bind_template_child (widget_class, TesseraWindow, notice_label);
  gtk_widget_class_bind_template_child (widget_class, TesseraWindow, sources_stack);
  gtk_widget_class_bind_template_child (widget_class, TesseraWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, TesseraWindow, links_view);

  gtk_widget_class_install_action (widget_class, "win.paste", NULL, paste_activated);
  gtk_widget_class_install_action (widget_class, "win.add-urls", NULL, add_urls_activated);
  gtk_widget_class_install_action (widget_class, "win.clear", NULL, clear_activated);
  gtk_widget_class_install_action (widget_class, "win.retry-failed", NULL, retry_failed_activated);
  gtk_widget_class_install_action (widget_class, "win.dismiss-notice", NULL,
                                   dismiss_notice_activated);
  gtk_widget_class_install_action (widget_class, "win.save", NULL, save_activated);
  gtk_widget_class_install_action (widget_class, "win.cancel-save", NULL, cancel_save_activated);
  gtk_widget_class_install_action (widget_class, "win.open-save-folder", NULL,
                                   open_save_folder_activated);
}

/* GtkApplication (unlike libadwaita's) does not load an app's style.css, so the first
 * window on a display does; tests that build a window get the same look as the app. */
static void
ensure_app_style (GdkDisplay *display)
{
  static const char key[] = "tessera-style-provider";
  g_autoptr (GtkCssProvider) provider = NULL;

  if (g_object_get_data (G_OBJECT (display), key) != NULL)
    return;
  provider = gtk_css_provider_new ();
  gtk_css_provider_load_from_resource (provider, "/io/github/tessera/Tessera/style.css");
  gtk_style_context_add_provider_for_display (display, GTK_STYLE_PROVIDER (provider),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
  g_object_set_data_full (G_OBJECT (display), key, g_steal_pointer (&provider), g_object_unref);
}

static void
tessera_window_init (TesseraWindow *self)
{
  self->cancellable = g_cancellable_new ();
  ensure_app_style (gtk_widget_get_display (GTK_WIDGET (self)));
  gtk_widget_init_template (GTK_WIDGET (self));
}

static void
bind_window_size (TesseraWindow *self, GSettings *settings)
{
  g_settings_bind (settings, "window-width", self, "default-width", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (settings, "window-height", self, "default-height", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (settings, "window-maximized", self, "maximized", G_SETTINGS_BIND_DEFAULT);
}

TesseraWindow *
tessera_window_new (GtkApplication *application, TesseraGallery *gallery,
                    TesseraGallery *imgur_gallery, GSettings *settings)
{
  TesseraWindow *self;

  g_return_val_if_fail (GTK_IS_APPLICATION (application), NULL);
  g_return_val_if_fail (TESSERA_IS_GALLERY (gallery), NULL);
  g_return_val_if_fail (TESSERA_IS_GALLERY (imgur_gallery), NULL);

  /* Set before construction: the Imgur page is built then and reads it. */
  self = g_object_new (TESSERA_TYPE_WINDOW, "application", application, "gallery", gallery,
                       "imgur-gallery", imgur_gallery, NULL);
  if (settings != NULL)
    {
      g_set_object (&self->settings, settings);
      tessera_imgur_view_set_settings (self->imgur_view, settings);
      bind_window_size (self, settings);
    }
  return self;
}

TesseraGallery *
tessera_window_get_gallery (TesseraWindow *self)
{
  g_return_val_if_fail (TESSERA_IS_WINDOW (self), NULL);
  return self->gallery;
}
