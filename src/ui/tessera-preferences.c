/* SPDX-License-Identifier: GPL-3.0-or-later */
/* tessera-preferences.c */

#define G_LOG_DOMAIN "tessera-preferences"

#include "config.h"

#include <glib/gi18n.h>

#include "tessera-imgur-ui.h"
#include "tessera-preferences.h"

struct _TesseraPreferences
{
  GtkWindow parent_instance;

  GSettings *settings; /* delayed: applied on close */
  GtkWidget *client_id_entry;
  GtkLabel *env_note;
  GtkWidget *nsfw_switch;
  GtkWidget *promoted_switch;
  GtkSpinButton *cache_size_spin;
  GtkWidget *empty_cache_button;
  GtkLabel *cache_note;

  TesseraCache *cache;
  GCancellable *cancellable; /* the clearing, stopped when the window goes */
};

G_DEFINE_FINAL_TYPE (TesseraPreferences, tessera_preferences, GTK_TYPE_WINDOW)

static gboolean
tessera_preferences_close_request (GtkWindow *window)
{
  TesseraPreferences *self = TESSERA_PREFERENCES (window);

  if (self->settings != NULL)
    g_settings_apply (self->settings);
  return GTK_WINDOW_CLASS (tessera_preferences_parent_class)->close_request (window);
}

static void
tessera_preferences_dispose (GObject *object)
{
  TesseraPreferences *self = TESSERA_PREFERENCES (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->cache);
  g_clear_object (&self->settings);
  gtk_widget_dispose_template (GTK_WIDGET (self), TESSERA_TYPE_PREFERENCES);

  G_OBJECT_CLASS (tessera_preferences_parent_class)->dispose (object);
}

static void
on_cache_emptied (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *text = NULL;
  g_autofree char *size = NULL;
  guint64 freed = 0;
  TesseraPreferences *self;

  if (!tessera_cache_clear_finish (TESSERA_CACHE (source), result, &freed, &error)
      && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = TESSERA_PREFERENCES (user_data);
  gtk_widget_set_sensitive (self->empty_cache_button, TRUE);
  if (error != NULL)
    {
      gtk_label_set_text (self->cache_note, error->message);
      return;
    }
  size = g_format_size (freed);
  /* Translators: %s is a size such as "12.3 MB" */
  text = g_strdup_printf (_ ("Freed %s"), size);
  gtk_label_set_text (self->cache_note, text);
}

static void
empty_cache_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TesseraPreferences *self = TESSERA_PREFERENCES (widget);

  gtk_widget_set_sensitive (self->empty_cache_button, FALSE);
  gtk_label_set_text (self->cache_note, _ ("Emptying…"));
  tessera_cache_clear_async (self->cache, self->cancellable, on_cache_emptied, self);
}

static void
tessera_preferences_class_init (TesseraPreferencesClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tessera_preferences_dispose;
  GTK_WINDOW_CLASS (klass)->close_request = tessera_preferences_close_request;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/tessera/Tessera/tessera-preferences.ui");
  gtk_widget_class_bind_template_child (widget_class, TesseraPreferences, client_id_entry);
  gtk_widget_class_bind_template_child (widget_class, TesseraPreferences, env_note);
  gtk_widget_class_bind_template_child (widget_class, TesseraPreferences, nsfw_switch);
  gtk_widget_class_bind_template_child (widget_class, TesseraPreferences, promoted_switch);
  gtk_widget_class_bind_template_child (widget_class, TesseraPreferences, cache_size_spin);
  gtk_widget_class_bind_template_child (widget_class, TesseraPreferences, empty_cache_button);
  gtk_widget_class_bind_template_child (widget_class, TesseraPreferences, cache_note);
  gtk_widget_class_install_action (widget_class, "preferences.empty-cache", NULL,
                                   empty_cache_activated);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
tessera_preferences_init (TesseraPreferences *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
}

GtkWidget *
tessera_preferences_new (GtkWindow *parent, GSettings *settings, TesseraCache *cache)
{
  TesseraPreferences *self;
  g_autoptr (GSettingsSchema) schema = NULL;
  g_autofree char *env_note = NULL;

  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);
  g_return_val_if_fail (cache == NULL || TESSERA_IS_CACHE (cache), NULL);

  self = g_object_new (TESSERA_TYPE_PREFERENCES, "transient-for", parent, NULL);
  /* A settings object of its own, delayed, so the app's sees one change on close. */
  g_object_get (settings, "settings-schema", &schema, NULL);
  self->settings = g_settings_new_full (schema, NULL, NULL);
  g_settings_delay (self->settings);
  g_settings_bind (self->settings, TESSERA_IMGUR_CLIENT_ID_KEY, self->client_id_entry, "text",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, TESSERA_IMGUR_SHOW_NSFW_KEY, self->nsfw_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, TESSERA_IMGUR_SHOW_PROMOTED_KEY, self->promoted_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, TESSERA_CACHE_SIZE_KEY, self->cache_size_spin, "value",
                   G_SETTINGS_BIND_DEFAULT);
  self->cache = cache != NULL ? g_object_ref (cache) : NULL;
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "preferences.empty-cache", cache != NULL);
  env_note = g_strdup_printf (_ ("%s is set in the environment and takes precedence."),
                              TESSERA_IMGUR_CLIENT_ID_ENV);
  gtk_label_set_text (self->env_note, env_note);
  gtk_widget_set_visible (GTK_WIDGET (self->env_note), tessera_imgur_client_id_from_env () != NULL);
  return GTK_WIDGET (self);
}
