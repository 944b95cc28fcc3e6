/* tessera-tile-widget.c */
#include <glib/gi18n.h>

#include "tessera-tile-widget.h"

struct _TesseraTileWidget
{
  GtkWidget parent_instance;

  TesseraTile *tile;
  gulong state_handler;

  GtkPicture *picture;
  GtkSpinner *spinner;
  GtkWidget *failed_box;
  GtkLabel *reason_label;
  GtkEventController *motion;  /* knows whether the pointer is over the tile */
};

G_DEFINE_FINAL_TYPE (TesseraTileWidget, tessera_tile_widget, GTK_TYPE_WIDGET)

static char *
describe_tile (TesseraTile *tile)
{
  const char *uri = tessera_tile_get_uri (tile);

  switch (tessera_tile_get_state (tile))
    {
    case TESSERA_TILE_FAILED:
      return g_strdup_printf ("%s: %s\n%s", tessera_tile_get_reason (tile),
                              tessera_tile_get_detail (tile), uri);
    case TESSERA_TILE_WAITING:
      return g_strdup_printf (_("Loading…\n%s"), uri);
    case TESSERA_TILE_LOADED:
    default:
      return g_strdup (uri);
    }
}

static void
show_state (TesseraTileWidget *self)
{
  TesseraTileState state = self->tile ? tessera_tile_get_state (self->tile) : TESSERA_TILE_WAITING;
  gboolean waiting = state == TESSERA_TILE_WAITING;
  gboolean failed = state == TESSERA_TILE_FAILED;
  g_autofree char *description = self->tile ? describe_tile (self->tile) : NULL;

  gtk_picture_set_paintable (self->picture, self->tile && state == TESSERA_TILE_LOADED
                                              ? GDK_PAINTABLE (tessera_tile_get_texture (self->tile))
                                              : NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->picture), state == TESSERA_TILE_LOADED);
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), waiting);
  gtk_spinner_set_spinning (self->spinner, waiting);
  gtk_widget_set_visible (self->failed_box, failed);
  gtk_label_set_text (self->reason_label, failed ? tessera_tile_get_reason (self->tile) : "");

  if (failed)
    gtk_widget_add_css_class (GTK_WIDGET (self), "failed");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self), "failed");

  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  description ? description : "", -1);
  /* A tooltip already showing "Loading…" follows the tile into its new state. */
  if (gtk_event_controller_motion_contains_pointer (GTK_EVENT_CONTROLLER_MOTION (self->motion)))
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
  return TRUE;
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
    g_clear_signal_handler (&self->state_handler, self->tile);
  g_set_object (&self->tile, tile);
  if (tile != NULL)
    self->state_handler = g_signal_connect (tile, "notify::state", G_CALLBACK (on_state_changed),
                                            self);
  show_state (self);
}

static void
tessera_tile_widget_dispose (GObject *object)
{
  TesseraTileWidget *self = TESSERA_TILE_WIDGET (object);

  tessera_tile_widget_set_tile (self, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), TESSERA_TYPE_TILE_WIDGET);

  G_OBJECT_CLASS (tessera_tile_widget_parent_class)->dispose (object);
}

static void
tessera_tile_widget_class_init (TesseraTileWidgetClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tessera_tile_widget_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/tessera/Tessera/ui/tessera-tile-widget.ui");
  gtk_widget_class_bind_template_child (widget_class, TesseraTileWidget, picture);
  gtk_widget_class_bind_template_child (widget_class, TesseraTileWidget, spinner);
  gtk_widget_class_bind_template_child (widget_class, TesseraTileWidget, failed_box);
  gtk_widget_class_bind_template_child (widget_class, TesseraTileWidget, reason_label);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "tile");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
tessera_tile_widget_init (TesseraTileWidget *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_widget_set_has_tooltip (GTK_WIDGET (self), TRUE);
  self->motion = gtk_event_controller_motion_new ();
  gtk_widget_add_controller (GTK_WIDGET (self), self->motion);
  g_signal_connect (self, "query-tooltip", G_CALLBACK (on_query_tooltip), NULL);
  gtk_widget_set_size_request (GTK_WIDGET (self), TESSERA_TILE_SIZE, TESSERA_TILE_SIZE);
}

GtkWidget *
tessera_tile_widget_new (void)
{
  return g_object_new (TESSERA_TYPE_TILE_WIDGET, NULL);
}
