/* SPDX-License-Identifier: GPL-3.0-or-later */
/* tessera-imgur-view.c */

#define G_LOG_DOMAIN "tessera-imgur-view"

#include "config.h"

#include <glib/gi18n.h>

#include "tessera-gallery-view.h"
#include "tessera-imgur-ui.h"
#include "tessera-imgur-view.h"

struct _TesseraImgurView
{
  GtkWidget parent_instance;

  GSettings *settings;
  TesseraGallery *gallery;
  TesseraImgurSource *source;
  TesseraGallery *album_gallery; /* while an album is open */
  TesseraImgurSource *album_source;
  gboolean syncing_controls;

  GtkDropDown *section_dropdown;
  GtkDropDown *sort_dropdown;
  GtkDropDown *window_dropdown;
  GtkSearchEntry *search_entry;
  GtkLabel *remaining_label;
  GtkRevealer *problem_revealer;
  GtkLabel *problem_label;
  GtkWidget *retry_button;
  GtkWidget *change_id_button;
  GtkStack *content_stack;
  TesseraGalleryView *gallery_view;
  TesseraGalleryView *album_view;
  GtkLabel *album_title;
  GtkLabel *setup_label;
  GtkEditable *client_id_entry;
};

G_DEFINE_FINAL_TYPE (TesseraImgurView, tessera_imgur_view, GTK_TYPE_WIDGET)

enum
{
  PROP_0,
  PROP_SHOWN_GALLERY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

typedef struct
{
  const char *id; /* as the engine's tables name it */
  const char *label;
} ChoiceLabel;

/* The dropdowns' words for the engine's choices (tessera_imgur_choices), which set the
 * order; a choice missing here shows its id. */
/* clang-format off */
static const ChoiceLabel section_labels[] = {
  { "hot", N_ ("Most Viral") },
  { "top", N_ ("Top") },
  { "user", N_ ("User Submitted") },
  { NULL },
};
static const ChoiceLabel sort_labels[] = {
  { "viral", N_ ("Popular") },
  { "top", N_ ("Top Scoring") },
  { "time", N_ ("Newest") },
  { "rising", N_ ("Rising") },
  { NULL },
};
static const ChoiceLabel window_labels[] = {
  { "day", N_ ("Today") },
  { "week", N_ ("This Week") },
  { "month", N_ ("This Month") },
  { "year", N_ ("This Year") },
  { "all", N_ ("All Time") },
  { NULL },
};
/* clang-format on */

static TesseraImgurSource *
shown_source (TesseraImgurView *self)
{
  return self->album_source != NULL ? self->album_source : self->source;
}

static void
show_problem (TesseraImgurView *self, TesseraImgurSource *source)
{
  TesseraImgurProblem problem = tessera_imgur_source_get_problem (source);
  g_autofree char *text = tessera_imgur_describe_problem (source);

  if (text != NULL && problem == TESSERA_IMGUR_PROBLEM_NO_CLIENT_ID)
    {
      gtk_stack_set_visible_child_name (self->content_stack, "setup");
      gtk_revealer_set_reveal_child (self->problem_revealer, FALSE);
      return;
    }
  if (text != NULL)
    gtk_label_set_text (self->problem_label, text);
  /* Only a refused Client ID is the Client ID's doing; another refusal (a search Imgur does
   * not know) may pass on a second try. */
  gtk_widget_set_visible (self->retry_button, problem == TESSERA_IMGUR_PROBLEM_UNAVAILABLE
                                                  || problem == TESSERA_IMGUR_PROBLEM_REJECTED);
  gtk_widget_set_visible (self->change_id_button, problem == TESSERA_IMGUR_PROBLEM_REFUSED);
  gtk_revealer_set_reveal_child (self->problem_revealer, text != NULL);
}

static void
on_source_state (TesseraImgurSource *source, GParamSpec *pspec, gpointer user_data)
{
  TesseraImgurView *self = user_data;
  g_autofree char *problem = tessera_imgur_describe_problem (source);

  /* Every failure, shown or not, goes into the gallery's record for --stats. */
  if (problem != NULL)
    tessera_gallery_add_source_error (tessera_imgur_source_get_gallery (source), problem);
  if (source == shown_source (self))
    show_problem (self, source);
  /* A page came: if the tiles do not reach the end of the view, the next one is due. */
  if (source == self->source && self->album_source == NULL
      && tessera_imgur_source_get_state (source) == TESSERA_IMGUR_IDLE)
    tessera_gallery_view_check_near_end (self->gallery_view);
}

static void
on_remaining (TesseraImgurSource *source, GParamSpec *pspec, gpointer user_data)
{
  TesseraImgurView *self = user_data;
  gint64 remaining = tessera_imgur_source_get_remaining (source);
  g_autofree char *text = NULL;

  gtk_widget_set_visible (GTK_WIDGET (self->remaining_label),
                          remaining >= 0 && remaining < TESSERA_IMGUR_LOW_REMAINING);
  /* Shown only below TESSERA_IMGUR_LOW_REMAINING, so it fits an int; gettext cannot read
   * G_GINT64_FORMAT in a message. */
  text = g_strdup_printf (ngettext ("%d request left", "%d requests left", (gulong) remaining),
                          (int) remaining);
  gtk_label_set_text (self->remaining_label, text);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->remaining_label),
                               _ ("Requests Imgur still allows this Client ID before its limit"));
}

static TesseraImgurSource *
new_source (TesseraImgurView *self, TesseraGallery *gallery, const TesseraImgurQuery *query)
{
  g_autofree char *client_id = tessera_imgur_client_id (self->settings);
  TesseraImgurSource *source
      = tessera_imgur_source_new (gallery, query, client_id, tessera_imgur_show (self->settings));

  g_signal_connect_object (source, "notify::state", G_CALLBACK (on_source_state), self, 0);
  g_signal_connect_object (source, "notify::remaining", G_CALLBACK (on_remaining), self, 0);
  return source;
}

static void
close_album (TesseraImgurView *self)
{
  if (self->album_source == NULL)
    return;
  g_clear_object (&self->album_source);
  tessera_gallery_view_set_gallery (self->album_view, NULL);
  g_clear_object (&self->album_gallery);
  gtk_stack_set_visible_child_name (self->content_stack, "gallery");
  if (self->source != NULL)
    show_problem (self, self->source);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SHOWN_GALLERY]);
}

static void
select_value (GtkDropDown *dropdown, TesseraImgurChoice choice, const char *value)
{
  const char *const *values = tessera_imgur_choices (choice);

  for (guint i = 0; values[i] != NULL; i++)
    if (g_strcmp0 (values[i], value) == 0)
      gtk_drop_down_set_selected (dropdown, i);
}

static void
sync_controls (TesseraImgurView *self, const TesseraImgurQuery *query)
{
  self->syncing_controls = TRUE;
  select_value (self->section_dropdown, TESSERA_IMGUR_CHOICE_SECTION, query->section);
  select_value (self->sort_dropdown, TESSERA_IMGUR_CHOICE_SORT, query->sort);
  select_value (self->window_dropdown, TESSERA_IMGUR_CHOICE_WINDOW, query->window);
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), query->search ? query->search : "");
  self->syncing_controls = FALSE;
}

void
tessera_imgur_view_open (TesseraImgurView *self, const TesseraImgurQuery *query)
{
  g_return_if_fail (TESSERA_IS_IMGUR_VIEW (self));
  g_return_if_fail (query != NULL);

  close_album (self);
  g_clear_object (&self->source);
  tessera_gallery_clear (self->gallery);
  sync_controls (self, query);
  gtk_stack_set_visible_child_name (self->content_stack, "gallery");
  gtk_revealer_set_reveal_child (self->problem_revealer, FALSE);

  self->source = new_source (self, self->gallery, query);
  tessera_imgur_source_load_more (self->source);
}

static const char *
selected_value (GtkDropDown *dropdown, TesseraImgurChoice choice)
{
  const char *const *values = tessera_imgur_choices (choice);
  guint selected = gtk_drop_down_get_selected (dropdown);

  return selected < g_strv_length ((char **) values) ? values[selected] : values[0];
}

/* The query the controls show; a sort the section does not have falls back to the default. */
static void
query_from_controls (TesseraImgurView *self, TesseraImgurQuery *query)
{
  const char *search = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));
  const char *section = selected_value (self->section_dropdown, TESSERA_IMGUR_CHOICE_SECTION);
  const char *sort = selected_value (self->sort_dropdown, TESSERA_IMGUR_CHOICE_SORT);

  if (!tessera_imgur_sort_fits_section (section, sort))
    sort = tessera_imgur_choice_default (TESSERA_IMGUR_CHOICE_SORT);
  query->section = g_strdup (section);
  query->sort = g_strdup (sort);
  query->window = g_strdup (selected_value (self->window_dropdown, TESSERA_IMGUR_CHOICE_WINDOW));
  query->search = *search != '\0' ? g_strstrip (g_strdup (search)) : NULL;
}

static void
reopen_from_controls (TesseraImgurView *self)
{
  g_auto (TesseraImgurQuery) query = { 0 };

  if (self->syncing_controls)
    return;
  query_from_controls (self, &query);
  tessera_imgur_view_open (self, &query);
}

static void
on_control_changed (GObject *control, GParamSpec *pspec, gpointer user_data)
{
  reopen_from_controls (TESSERA_IMGUR_VIEW (user_data));
}

static void
on_search_activate (GtkSearchEntry *entry, gpointer user_data)
{
  reopen_from_controls (TESSERA_IMGUR_VIEW (user_data));
}

static void
on_near_end (TesseraGalleryView *view, gpointer user_data)
{
  TesseraImgurView *self = user_data;

  /* Only an idle source: after a failure, trying again is the person's choice. */
  if (self->source != NULL && self->album_source == NULL
      && tessera_imgur_source_get_state (self->source) == TESSERA_IMGUR_IDLE)
    tessera_imgur_source_load_more (self->source);
}

static void
open_album (TesseraImgurView *self, TesseraTile *tile)
{
  TesseraImgurQuery query = { .album = (char *) tessera_tile_get_id (tile) };
  const char *title = tessera_tile_get_title (tile);

  self->album_gallery = tessera_gallery_new (tessera_gallery_get_loader (self->gallery));
  tessera_gallery_view_set_gallery (self->album_view, self->album_gallery);
  self->album_source = new_source (self, self->album_gallery, &query);
  gtk_label_set_text (self->album_title, title ? title : _ ("Album"));
  gtk_stack_set_visible_child_name (self->content_stack, "album");
  gtk_revealer_set_reveal_child (self->problem_revealer, FALSE);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SHOWN_GALLERY]);
  tessera_imgur_source_load_more (self->album_source);
}

static void
on_tile_activated (TesseraGalleryView *view, TesseraTile *tile, gpointer user_data)
{
  TesseraImgurView *self = user_data;

  if (tessera_tile_get_kind (tile) == TESSERA_TILE_ALBUM && tessera_tile_get_id (tile) != NULL
      && self->album_source == NULL)
    open_album (self, tile);
}

static void
retry_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TesseraImgurSource *source = shown_source (TESSERA_IMGUR_VIEW (widget));

  if (source != NULL)
    tessera_imgur_source_load_more (source);
}

static void
back_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  close_album (TESSERA_IMGUR_VIEW (widget));
}

static void
change_client_id_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TesseraImgurView *self = TESSERA_IMGUR_VIEW (widget);
  g_autofree char *client_id = tessera_imgur_client_id (self->settings);

  gtk_revealer_set_reveal_child (self->problem_revealer, FALSE);
  gtk_stack_set_visible_child_name (self->content_stack, "setup");
  /* The one in use, to correct a typo rather than type it all again. */
  gtk_editable_set_text (self->client_id_entry, client_id != NULL ? client_id : "");
  gtk_widget_grab_focus (GTK_WIDGET (self->client_id_entry));
}

/* Saving the setting reopens the gallery with it (see on_settings_changed). */
static void
save_client_id_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TesseraImgurView *self = TESSERA_IMGUR_VIEW (widget);
  g_autofree char *client_id
      = g_strstrip (g_strdup (gtk_editable_get_text (self->client_id_entry)));

  if (*client_id == '\0' || self->settings == NULL)
    return;
  gtk_editable_set_text (self->client_id_entry, "");
  if (!g_settings_set_string (self->settings, TESSERA_IMGUR_CLIENT_ID_KEY, client_id))
    g_warning ("The Imgur Client ID setting is not writable");
}

static void
on_client_id_activate (GtkEditable *entry, gpointer user_data)
{
  gtk_widget_activate_action (GTK_WIDGET (user_data), "imgur.save-client-id", NULL);
}

static void
on_settings_changed (GSettings *settings, const char *key, gpointer user_data)
{
  TesseraImgurView *self = user_data;
  g_auto (TesseraImgurQuery) query = { 0 };

  if (self->source == NULL)
    return;
  query_from_controls (self, &query);
  tessera_imgur_view_open (self, &query);
}

static void
set_settings (TesseraImgurView *self, GSettings *settings)
{
  g_return_if_fail (TESSERA_IS_IMGUR_VIEW (self));

  if (self->settings != NULL)
    g_signal_handlers_disconnect_by_data (self->settings, self);
  if (!g_set_object (&self->settings, settings) || settings == NULL)
    return;
  g_signal_connect (settings, "changed::" TESSERA_IMGUR_CLIENT_ID_KEY,
                    G_CALLBACK (on_settings_changed), self);
  g_signal_connect (settings, "changed::" TESSERA_IMGUR_SHOW_NSFW_KEY,
                    G_CALLBACK (on_settings_changed), self);
  g_signal_connect (settings, "changed::" TESSERA_IMGUR_SHOW_PROMOTED_KEY,
                    G_CALLBACK (on_settings_changed), self);
}

TesseraImgurSource *
tessera_imgur_view_get_source (TesseraImgurView *self)
{
  g_return_val_if_fail (TESSERA_IS_IMGUR_VIEW (self), NULL);
  return self->source;
}

TesseraGalleryView *
tessera_imgur_view_get_shown_view (TesseraImgurView *self)
{
  g_return_val_if_fail (TESSERA_IS_IMGUR_VIEW (self), NULL);
  return self->album_gallery != NULL ? self->album_view : self->gallery_view;
}

TesseraGallery *
tessera_imgur_view_get_shown_gallery (TesseraImgurView *self)
{
  g_return_val_if_fail (TESSERA_IS_IMGUR_VIEW (self), NULL);
  return self->album_gallery != NULL ? self->album_gallery : self->gallery;
}

static void
tessera_imgur_view_dispose (GObject *object)
{
  TesseraImgurView *self = TESSERA_IMGUR_VIEW (object);

  set_settings (self, NULL);
  g_clear_object (&self->album_source);
  g_clear_object (&self->source);
  gtk_widget_dispose_template (GTK_WIDGET (self), TESSERA_TYPE_IMGUR_VIEW);
  /* dispose_template unparents only the bound children; the toolbar is not one. */
  for (GtkWidget *child; (child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL;)
    gtk_widget_unparent (child);
  g_clear_object (&self->album_gallery);
  g_clear_object (&self->gallery);

  G_OBJECT_CLASS (tessera_imgur_view_parent_class)->dispose (object);
}

static void
tessera_imgur_view_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  TesseraImgurView *self = TESSERA_IMGUR_VIEW (object);

  switch (prop_id)
    {
    case PROP_SHOWN_GALLERY:
      g_value_set_object (value, tessera_imgur_view_get_shown_gallery (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tessera_imgur_view_class_init (TesseraImgurViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tessera_imgur_view_dispose;
  object_class->get_property = tessera_imgur_view_get_property;

  properties[PROP_SHOWN_GALLERY]
      = g_param_spec_object ("shown-gallery", NULL, NULL, TESSERA_TYPE_GALLERY,
                             G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (TESSERA_TYPE_GALLERY_VIEW);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/tessera/Tessera/tessera-imgur-view.ui");
  gtk_widget_class_bind_template_child (widget_class, TesseraImgurView, section_dropdown);
  gtk_widget_class_bind_template_child (widget_class, TesseraImgurView, sort_dropdown);
  gtk_widget_class_bind_template_child (widget_class, TesseraImgurView, window_dropdown);
  gtk_widget_class_bind_template_child (widget_class, TesseraImgurView, search_entry);
  gtk_widget_class_bind_template_child (widget_class, TesseraImgurView, remaining_label);
  gtk_widget_class_bind_template_child (widget_class, TesseraImgurView, problem_revealer);
  gtk_widget_class_bind_template_child (widget_class, TesseraImgurView, problem_label);
  gtk_widget_class_bind_template_child (widget_class, TesseraImgurView, retry_button);
  gtk_widget_class_bind_template_child (widget_class, TesseraImgurView, change_id_button);
  gtk_widget_class_bind_template_child (widget_class, TesseraImgurView, content_stack);
  gtk_widget_class_bind_template_child (widget_class, TesseraImgurView, gallery_view);
  gtk_widget_class_bind_template_child (widget_class, TesseraImgurView, album_view);
  gtk_widget_class_bind_template_child (widget_class, TesseraImgurView, album_title);
  gtk_widget_class_bind_template_child (widget_class, TesseraImgurView, setup_label);
  gtk_widget_class_bind_template_child (widget_class, TesseraImgurView, client_id_entry);
  gtk_widget_class_bind_template_callback (widget_class, on_tile_activated);
  gtk_widget_class_bind_template_callback (widget_class, on_near_end);
  gtk_widget_class_bind_template_callback (widget_class, on_client_id_activate);

  gtk_widget_class_install_action (widget_class, "imgur.retry", NULL, retry_activated);
  gtk_widget_class_install_action (widget_class, "imgur.back", NULL, back_activated);
  gtk_widget_class_install_action (widget_class, "imgur.change-client-id", NULL,
                                   change_client_id_activated);
  gtk_widget_class_install_action (widget_class, "imgur.save-client-id", NULL,
                                   save_client_id_activated);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Left, GDK_ALT_MASK, "imgur.back",
                                       NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F5, 0, "imgur.retry", NULL);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BOX_LAYOUT);
}

/* A dropdown's items: the engine's choices, in its order, in words. */
static void
set_choices (GtkDropDown *dropdown, TesseraImgurChoice choice, const ChoiceLabel *labels)
{
  const char *const *ids = tessera_imgur_choices (choice);
  g_autoptr (GtkStringList) model = gtk_string_list_new (NULL);

  for (guint i = 0; ids[i] != NULL; i++)
    {
      const char *label = ids[i];

      for (const ChoiceLabel *known = labels; known->id != NULL; known++)
        if (g_str_equal (known->id, ids[i]))
          label = _ (known->label);
      gtk_string_list_append (model, label);
    }
  gtk_drop_down_set_model (dropdown, G_LIST_MODEL (model));
}

static void
set_setup_text (TesseraImgurView *self)
{
  g_autofree char *text = g_strdup_printf (
      _ ("Imgur’s API answers only applications that name themselves with a Client ID, and "
         "Tessera does not ship one. Register an application at api.imgur.com to get yours, "
         "then paste it here, or start Tessera with %s set in the environment."),
      TESSERA_IMGUR_CLIENT_ID_ENV);

  gtk_label_set_text (self->setup_label, text);
}

static void
tessera_imgur_view_init (TesseraImgurView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_orientable_set_orientation (
      GTK_ORIENTABLE (gtk_widget_get_layout_manager (GTK_WIDGET (self))), GTK_ORIENTATION_VERTICAL);
  set_choices (self->section_dropdown, TESSERA_IMGUR_CHOICE_SECTION, section_labels);
  set_choices (self->sort_dropdown, TESSERA_IMGUR_CHOICE_SORT, sort_labels);
  set_choices (self->window_dropdown, TESSERA_IMGUR_CHOICE_WINDOW, window_labels);
  set_setup_text (self);

  g_signal_connect (self->section_dropdown, "notify::selected", G_CALLBACK (on_control_changed),
                    self);
  g_signal_connect (self->sort_dropdown, "notify::selected", G_CALLBACK (on_control_changed), self);
  g_signal_connect (self->window_dropdown, "notify::selected", G_CALLBACK (on_control_changed),
                    self);
  g_signal_connect (self->search_entry, "activate", G_CALLBACK (on_search_activate), self);
}

GtkWidget *
tessera_imgur_view_new (TesseraGallery *gallery, GSettings *settings)
{
  TesseraImgurView *self;

  g_return_val_if_fail (TESSERA_IS_GALLERY (gallery), NULL);

  self = g_object_new (TESSERA_TYPE_IMGUR_VIEW, NULL);
  self->gallery = g_object_ref (gallery);
  tessera_gallery_view_set_gallery (self->gallery_view, gallery);
  set_settings (self, settings);
  return GTK_WIDGET (self);
}
