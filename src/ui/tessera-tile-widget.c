/* SPDX-License-Identifier: GPL-3.0-or-later */
/* tessera-tile-widget.c
 *
 * Built in code rather than from a template: the grid keeps a couple of hundred tiles
 * alive, so each makes only the children its tile's state needs (the picture once loaded,
 * the reason once failed) and keeps them for reuse. A waiting tile is its placeholder
 * background alone: a spinner in each of hundreds of tiles restyled the window on every
 * frame and took half the main loop while tiles arrived.
 */

#define G_LOG_DOMAIN "tessera-tile-widget"

#include "config.h"

#include <glib/gi18n.h>

#include "tessera-tile-widget.h"

#define FAILED_ICON_PX 32

struct _TesseraTileWidget
{
  GtkWidget parent_instance;

  TesseraTile *tile;
  gulong state_handler;
  gulong texture_handler;

  /* Each NULL until first needed. */
  GtkWidget *picture;
  GtkWidget *failed_box;
  GtkLabel *reason_label;
  GtkLabel *badge; /* an album's count, GIF, Promoted */
};

G_DEFINE_FINAL_TYPE (TesseraTileWidget, tessera_tile_widget, GTK_TYPE_WIDGET)

/* The tile widget GTK last asked for its tooltip. GTK shows one tooltip at a time and asks
 * the widget it shows it for, so no other tile can have one on screen, and only this one
 * asks again when its state changes (asking looks the pointer up: an X round trip). Whether
 * the pointer is inside cannot tell: a tile that appears under a resting pointer (the grid
 * filling in) gets no enter event, yet GTK shows its tooltip. Cleared when the pointer
 * leaves it, so its state never takes another widget's tooltip away. Main thread only. */
static TesseraTileWidget *tooltip_owner;

/* The title when the tile has one (an Imgur post), else the URI. */
static char *
describe_tile (TesseraTile *tile)
{
  const char *title = tessera_tile_get_title (tile);
  const char *uri = title != NULL ? title : tessera_tile_get_uri (tile);

  switch (tessera_tile_get_state (tile))
    {
    case TESSERA_TILE_FAILED:
      /* The reason alone when the detail says no more. */
      if (g_strcmp0 (tessera_tile_get_reason (tile), tessera_tile_get_detail (tile)) == 0)
        return g_strdup_printf ("%s\n%s", tessera_tile_get_reason (tile), uri);
      return g_strdup_printf ("%s: %s\n%s", tessera_tile_get_reason (tile),
                              tessera_tile_get_detail (tile), uri);
    case TESSERA_TILE_WAITING:
      return g_strdup_printf (_ ("Loading…\n%s"), uri);
    case TESSERA_TILE_LOADED:
    default:
      return g_strdup (uri);
    }
}

static GtkWidget *
centred (GtkWidget *child)
{
  gtk_widget_set_halign (child, GTK_ALIGN_CENTER);
  gtk_widget_set_valign (child, GTK_ALIGN_CENTER);
  return child;
}

/* Children made later still lie under the badge. */
static void
add_below_badge (TesseraTileWidget *self, GtkWidget *child)
{
  gtk_widget_insert_before (child, GTK_WIDGET (self), GTK_WIDGET (self->badge));
}

static void
ensure_picture (TesseraTileWidget *self)
{
  if (self->picture != NULL)
    return;
  self->picture = gtk_picture_new ();
  /* Textures arrive square and tile-sized; fill the tile exactly. */
  gtk_picture_set_can_shrink (GTK_PICTURE (self->picture), TRUE);
  gtk_picture_set_content_fit (GTK_PICTURE (self->picture), GTK_CONTENT_FIT_FILL);
  add_below_badge (self, self->picture);
}

static void
ensure_failed_box (TesseraTileWidget *self)
{
  GtkWidget *icon;

  if (self->failed_box != NULL)
    return;
  self->failed_box = centred (gtk_box_new (GTK_ORIENTATION_VERTICAL, 6));
  icon = gtk_image_new_from_icon_name ("image-missing-symbolic");
  gtk_image_set_pixel_size (GTK_IMAGE (icon), FAILED_ICON_PX);
  self->reason_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_ellipsize (self->reason_label, PANGO_ELLIPSIZE_END);
  gtk_label_set_max_width_chars (self->reason_label, 18);
  gtk_label_set_justify (self->reason_label, GTK_JUSTIFY_CENTER);
  gtk_box_append (GTK_BOX (self->failed_box), icon);
  gtk_box_append (GTK_BOX (self->failed_box), GTK_WIDGET (self->reason_label));
  add_below_badge (self, self->failed_box);
}

static void
show_loaded (TesseraTileWidget *self, gboolean loaded)
{
  if (loaded)
    ensure_picture (self);
  if (self->picture == NULL)
    return;
  gtk_picture_set_paintable (GTK_PICTURE (self->picture),
                             loaded ? GDK_PAINTABLE (tessera_tile_get_texture (self->tile)) : NULL);
  gtk_widget_set_visible (self->picture, loaded);
}

static void
show_waiting (TesseraTileWidget *self, gboolean waiting)
{
  if (waiting)
    gtk_widget_add_css_class (GTK_WIDGET (self), "waiting");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self), "waiting");
}

static void
show_failed (TesseraTileWidget *self, gboolean failed)
{
  if (failed)
    {
      ensure_failed_box (self);
      gtk_label_set_text (self->reason_label, tessera_tile_get_reason (self->tile));
      gtk_widget_add_css_class (GTK_WIDGET (self), "failed");
    }
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self), "failed");
  if (self->failed_box != NULL)
    gtk_widget_set_visible (self->failed_box, failed);
}

/* What kind of post the tile is: an album's count, GIF; NULL for a picture. */
static char *
kind_text (TesseraTile *tile)
{
  guint n_images = tessera_tile_get_n_images (tile);

  switch (tessera_tile_get_kind (tile))
    {
    case TESSERA_TILE_ALBUM:
      return n_images > 0 ? g_strdup_printf (ngettext ("%u image", "%u images", n_images), n_images)
                          : g_strdup (_ ("Album"));
    case TESSERA_TILE_ANIMATION:
      return g_strdup (_ ("GIF"));
    case TESSERA_TILE_PICTURE:
    default:
      return NULL;
    }
}

/* The kind, and before it whether the post is an ad, so one is never taken for the other. */
static char *
badge_text (TesseraTile *tile)
{
  g_autofree char *kind = kind_text (tile);

  if (!tessera_tile_get_promoted (tile))
    return g_steal_pointer (&kind);
  if (kind == NULL)
    return g_strdup (_ ("Promoted"));
  /* Translators: on a promoted post's tile, %s is its kind: "Promoted · 3 images" */
  return g_strdup_printf (_ ("Promoted · %s"), kind);
}

/* Over the picture, bottom right: what kind of post this is, and whether it is an ad. */
static void
show_badge (TesseraTileWidget *self)
{
  g_autofree char *text = self->tile ? badge_text (self->tile) : NULL;

  if (text != NULL && self->badge == NULL)
    {
      self->badge = GTK_LABEL (gtk_label_new (NULL));
      gtk_widget_set_halign (GTK_WIDGET (self->badge), GTK_ALIGN_END);
      gtk_widget_set_valign (GTK_WIDGET (self->badge), GTK_ALIGN_END);
      gtk_widget_add_css_class (GTK_WIDGET (self->badge), "badge");
      gtk_widget_set_parent (GTK_WIDGET (self->badge), GTK_WIDGET (self));
    }
  if (self->badge == NULL)
    return;
  gtk_label_set_text (self->badge, text ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (self->badge), text != NULL);
}

static void
show_state (TesseraTileWidget *self)
{
  TesseraTileState state = self->tile ? tessera_tile_get_state (self->tile) : TESSERA_TILE_WAITING;
  g_autofree char *description = self->tile ? describe_tile (self->tile) : NULL;
  /* A loaded tile far from the screen may have dropped its picture: it waits for it again
   * and never shows another tile's. */
  gboolean has_picture = self->tile != NULL && tessera_tile_get_texture (self->tile) != NULL;

  show_loaded (self, state == TESSERA_TILE_LOADED && has_picture);
  show_waiting (self, self->tile != NULL
                          && (state == TESSERA_TILE_WAITING
                              || (state == TESSERA_TILE_LOADED && !has_picture)));
  show_failed (self, self->tile != NULL && state == TESSERA_TILE_FAILED);
  show_badge (self);

  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  description ? description : "", -1);
  /* A tooltip showing "Loading…" follows the tile into its new state. */
  if (self == tooltip_owner)
    gtk_widget_trigger_tooltip_query (GTK_WIDGET (self));
}

/* Asked for on hover rather than set on every change: setting a tooltip makes GTK look up
 * the pointer, an X round trip per tile while hundreds of tiles change state. */
static gboolean
on_query_tooltip (GtkWidget *widget, int x, int y, gboolean keyboard_mode, GtkTooltip *tooltip,
                  gpointer user_data)
{
  TesseraTileWidget *self = TESSERA_TILE_WIDGET (widget);
  g_autofree char *description = NULL;

  if (self->tile == NULL)
    return FALSE;
  description = describe_tile (self->tile);
  gtk_tooltip_set_text (tooltip, description);
  tooltip_owner = self;
  return TRUE;
}

static void
on_pointer_left (GtkEventControllerMotion *motion, gpointer user_data)
{
  if (tooltip_owner == user_data)
    tooltip_owner = NULL;
}

static void
on_state_changed (TesseraTile *tile, GParamSpec *pspec, gpointer user_data)
{
  show_state (TESSERA_TILE_WIDGET (user_data));
}

void
tessera_tile_widget_set_tile (TesseraTileWidget *self, TesseraTile *tile)
{
  g_return_if_fail (TESSERA_IS_TILE_WIDGET (self));
  g_return_if_fail (tile == NULL || TESSERA_IS_TILE (tile));

  if (self->tile == tile)
    return;

  if (self->tile != NULL)
    {
      g_clear_signal_handler (&self->state_handler, self->tile);
      g_clear_signal_handler (&self->texture_handler, self->tile);
    }
  g_set_object (&self->tile, tile);
  if (tile != NULL)
    {
      self->state_handler
          = g_signal_connect (tile, "notify::state", G_CALLBACK (on_state_changed), self);
      self->texture_handler
          = g_signal_connect (tile, "notify::texture", G_CALLBACK (on_state_changed), self);
    }
  show_state (self);
}

TesseraTile *
tessera_tile_widget_get_tile (TesseraTileWidget *self)
{
  g_return_val_if_fail (TESSERA_IS_TILE_WIDGET (self), NULL);
  return self->tile;
}

static void
tessera_tile_widget_dispose (GObject *object)
{
  TesseraTileWidget *self = TESSERA_TILE_WIDGET (object);

  if (tooltip_owner == self)
    tooltip_owner = NULL;
  tessera_tile_widget_set_tile (self, NULL);
  g_clear_pointer (&self->picture, gtk_widget_unparent);
  g_clear_pointer (&self->failed_box, gtk_widget_unparent);
  if (self->badge != NULL)
    gtk_widget_unparent (GTK_WIDGET (g_steal_pointer (&self->badge)));
  self->reason_label = NULL;

  G_OBJECT_CLASS (tessera_tile_widget_parent_class)->dispose (object);
}

static void
tessera_tile_widget_class_init (TesseraTileWidgetClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tessera_tile_widget_dispose;

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "tile");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
tessera_tile_widget_init (TesseraTileWidget *self)
{
  GtkWidget *widget = GTK_WIDGET (self);
  GtkEventController *motion = gtk_event_controller_motion_new ();

  gtk_widget_set_overflow (widget, GTK_OVERFLOW_HIDDEN);
  centred (widget);
  gtk_widget_set_size_request (widget, TESSERA_TILE_SIZE, TESSERA_TILE_SIZE);
  gtk_widget_set_has_tooltip (widget, TRUE);
  g_signal_connect (self, "query-tooltip", G_CALLBACK (on_query_tooltip), NULL);
  g_signal_connect (motion, "leave", G_CALLBACK (on_pointer_left), self);
  gtk_widget_add_controller (widget, motion);
}

GtkWidget *
tessera_tile_widget_new (void)
{
  return g_object_new (TESSERA_TYPE_TILE_WIDGET, NULL);
}
