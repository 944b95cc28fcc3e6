/* SPDX-License-Identifier: GPL-3.0-or-later */
/* tessera-window.c: construction, the galleries shown, the header's progress and notices */

#define G_LOG_DOMAIN "tessera-window"

#include "config.h"

#include <glib/gi18n.h>

#include "tessera-window-private.h"

#define PROGRESS_INTERVAL_US (250 * G_TIME_SPAN_MILLISECOND)

/* How long a notice stays before it hides itself. */
#define NOTICE_TIMEOUT_MS  6000
/* How long the full progress bar stays once the last tile has finished. */
#define PROGRESS_LINGER_MS 1200

G_DEFINE_FINAL_TYPE (TesseraWindow, tessera_window, GTK_TYPE_APPLICATION_WINDOW)

enum
{
  PROP_0,
  PROP_GALLERY,
  PROP_IMGUR_GALLERY,
  PROP_SETTINGS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

void
_tessera_window_hide_notice (TesseraWindow *self)
{
  g_clear_handle_id (&self->notice_timeout, g_source_remove);
  gtk_revealer_set_reveal_child (self->notice_revealer, FALSE);
}

static void
on_notice_timeout (gpointer user_data)
{
  TesseraWindow *self = user_data;

  self->notice_timeout = 0;
  _tessera_window_hide_notice (self);
}

void
_tessera_window_show_notice (TesseraWindow *self, const char *text)
{
  gtk_label_set_text (self->notice_label, text);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->notice_label), NULL);
  gtk_widget_set_visible (self->open_folder_button, FALSE);
  gtk_revealer_set_reveal_child (self->notice_revealer, TRUE);
  g_clear_handle_id (&self->notice_timeout, g_source_remove);
  self->notice_timeout = g_timeout_add_once (NOTICE_TIMEOUT_MS, on_notice_timeout, self);
}

void
_tessera_window_set_notice_details (TesseraWindow *self, const char *details)
{
  g_clear_handle_id (&self->notice_timeout, g_source_remove);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->notice_label), details);
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

static gboolean
update_progress_on_tick (GtkWidget *widget, GdkFrameClock *frame_clock, gpointer user_data)
{
  TesseraWindow *self = TESSERA_WINDOW (widget);
  TesseraGallery *gallery = self->shown_gallery;
  gint64 now_us = gdk_frame_clock_get_frame_time (frame_clock);
  gboolean all_done
      = tessera_gallery_get_n_finished (gallery) == tessera_gallery_get_n_tiles (gallery);

  if (!all_done && now_us - self->progress_shown_us < PROGRESS_INTERVAL_US)
    return G_SOURCE_CONTINUE;
  self->progress_shown_us = now_us;
  self->progress_tick = 0;
  update_progress (self);
  return G_SOURCE_REMOVE;
}

/* Hundreds of tiles may finish between two frames, and every new text in the header makes
 * the whole window measure itself again (on X11 with a round trip to the server): the
 * header follows the counts a few times a second, and at once when the last tile is in. */
static void
on_counts_changed (TesseraWindow *self)
{
  if (self->progress_tick == 0)
    self->progress_tick
        = gtk_widget_add_tick_callback (GTK_WIDGET (self), update_progress_on_tick, NULL, NULL);
}

void
_tessera_window_update_selection (TesseraWindow *self)
{
  guint n_selected = self->shown_view ? tessera_gallery_view_get_n_selected (self->shown_view) : 0;
  g_autofree char *text
      = g_strdup_printf (ngettext ("%u selected", "%u selected", n_selected), n_selected);

  gtk_label_set_text (self->selected_label, text);
  gtk_widget_set_visible (GTK_WIDGET (self->selected_label), n_selected > 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.save",
                                 n_selected > 0 && self->save_cancellable == NULL);
}

static void
on_selection_changed (TesseraWindow *self)
{
  _tessera_window_update_selection (self);
}

/* The header's progress and the selection count follow the gallery on screen. */
static void
update_shown_gallery (TesseraWindow *self)
{
  gboolean imgur = g_strcmp0 (gtk_stack_get_visible_child_name (self->sources_stack), "imgur") == 0;
  TesseraGallery *gallery
      = imgur ? tessera_imgur_view_get_shown_gallery (self->imgur_view) : self->gallery;
  TesseraGalleryView *view
      = imgur ? tessera_imgur_view_get_shown_view (self->imgur_view) : self->links_view;

  g_set_object (&self->shown_gallery, gallery);
  g_signal_group_set_target (self->shown_gallery_signals, gallery);
  update_progress (self);
  g_set_object (&self->shown_view, view);
  g_signal_group_set_target (self->shown_view_signals, view);
  _tessera_window_update_selection (self);
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
bind_window_size (TesseraWindow *self, GSettings *settings)
{
  g_settings_bind (settings, "window-width", self, "default-width", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (settings, "window-height", self, "default-height", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (settings, "window-maximized", self, "maximized", G_SETTINGS_BIND_DEFAULT);
}

static void
tessera_window_constructed (GObject *object)
{
  TesseraWindow *self = TESSERA_WINDOW (object);

  G_OBJECT_CLASS (tessera_window_parent_class)->constructed (object);

  tessera_gallery_view_set_gallery (self->links_view, self->gallery);
  _tessera_window_dnd_init (self);
  /* The links page shows its empty state or its grid whichever gallery is shown. */
  g_signal_connect_object (self->gallery, "notify::n-tiles", G_CALLBACK (on_counts_changed), self,
                           G_CONNECT_SWAPPED);
  add_imgur_page (self);
  update_shown_gallery (self);
  if (self->settings != NULL)
    bind_window_size (self, self->settings);
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

static void
tessera_window_dispose (GObject *object)
{
  TesseraWindow *self = TESSERA_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  g_signal_group_set_target (self->shown_gallery_signals, NULL);
  g_signal_group_set_target (self->shown_view_signals, NULL);
  g_cancellable_cancel (self->save_cancellable);
  g_clear_handle_id (&self->notice_timeout, g_source_remove);
  g_clear_handle_id (&self->progress_timeout, g_source_remove);
  if (self->progress_tick != 0)
    gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->progress_tick);
  self->progress_tick = 0;
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
  g_clear_object (&self->shown_gallery_signals);
  g_clear_object (&self->shown_view_signals);
  g_clear_object (&self->save_cancellable);
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
    case PROP_SETTINGS:
      self->settings = g_value_dup_object (value);
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
  /* NULL when the schema is not installed: nothing is kept then. */
  properties[PROP_SETTINGS]
      = g_param_spec_object ("settings", NULL, NULL, G_TYPE_SETTINGS,
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

  _tessera_window_class_actions_init (klass);
  _tessera_window_class_dnd_init (klass);
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

/* Connected once; update_shown_gallery moves them to whichever gallery and view are shown. */
static void
watch_shown (TesseraWindow *self)
{
  const char *const counts[] = { "notify::n-finished", "notify::n-tiles", "notify::n-failed" };

  self->shown_gallery_signals = g_signal_group_new (TESSERA_TYPE_GALLERY);
  for (gsize i = 0; i < G_N_ELEMENTS (counts); i++)
    g_signal_group_connect_object (self->shown_gallery_signals, counts[i],
                                   G_CALLBACK (on_counts_changed), self, G_CONNECT_SWAPPED);
  self->shown_view_signals = g_signal_group_new (TESSERA_TYPE_GALLERY_VIEW);
  g_signal_group_connect_object (self->shown_view_signals, "selection-changed",
                                 G_CALLBACK (on_selection_changed), self, G_CONNECT_SWAPPED);
}

static void
tessera_window_init (TesseraWindow *self)
{
  self->cancellable = g_cancellable_new ();
  watch_shown (self);
  ensure_app_style (gtk_widget_get_display (GTK_WIDGET (self)));
  gtk_widget_init_template (GTK_WIDGET (self));
}

TesseraWindow *
tessera_window_new (GtkApplication *application, TesseraGallery *gallery,
                    TesseraGallery *imgur_gallery, GSettings *settings)
{
  g_return_val_if_fail (GTK_IS_APPLICATION (application), NULL);
  g_return_val_if_fail (TESSERA_IS_GALLERY (gallery), NULL);
  g_return_val_if_fail (TESSERA_IS_GALLERY (imgur_gallery), NULL);
  g_return_val_if_fail (settings == NULL || G_IS_SETTINGS (settings), NULL);

  return g_object_new (TESSERA_TYPE_WINDOW, "application", application, "gallery", gallery,
                       "imgur-gallery", imgur_gallery, "settings", settings, NULL);
}
