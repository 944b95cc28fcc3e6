/* tessera-gallery-view.c */
#include "tessera-gallery-view.h"
#include "tessera-tile-widget.h"

struct _TesseraGalleryView
{
  GtkWidget parent_instance;

  TesseraGallery *gallery;
  GtkMultiSelection *selection;
  GtkScrolledWindow *scroller;
  GtkGridView *grid_view;
};

G_DEFINE_FINAL_TYPE (TesseraGalleryView, tessera_gallery_view, GTK_TYPE_WIDGET)

enum
{
  PROP_0,
  PROP_GALLERY,
  N_PROPS
};

enum
{
  SIGNAL_TILE_ACTIVATED,
  SIGNAL_NEAR_END,
  SIGNAL_SELECTION_CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
setup_tile (GtkSignalListItemFactory *factory, GtkListItem *item, gpointer user_data)
{
  gtk_list_item_set_child (item, tessera_tile_widget_new ());
}

static void
bind_tile (GtkSignalListItemFactory *factory, GtkListItem *item, gpointer user_data)
{
  tessera_tile_widget_set_tile (TESSERA_TILE_WIDGET (gtk_list_item_get_child (item)),
                                gtk_list_item_get_item (item));
}

static void
unbind_tile (GtkSignalListItemFactory *factory, GtkListItem *item, gpointer user_data)
{
  tessera_tile_widget_set_tile (TESSERA_TILE_WIDGET (gtk_list_item_get_child (item)), NULL);
}

static void
on_activate (GtkGridView *grid_view, guint position, gpointer user_data)
{
  TesseraGalleryView *self = user_data;
  g_autoptr (TesseraTile) tile = NULL;

  if (self->gallery == NULL)
    return;
  tile = g_list_model_get_item (tessera_gallery_get_model (self->gallery), position);
  if (tile != NULL)
    g_signal_emit (self, signals[SIGNAL_TILE_ACTIVATED], 0, tile);
}

/* Near the end, or the tiles do not fill the view yet: a paged source may add more. */
static void
check_near_end (TesseraGalleryView *self)
{
  GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (self->scroller);
  double to_end = gtk_adjustment_get_upper (adjustment) - gtk_adjustment_get_value (adjustment)
                  - gtk_adjustment_get_page_size (adjustment);

  if (self->gallery != NULL && gtk_widget_get_mapped (GTK_WIDGET (self))
      && to_end < TESSERA_GALLERY_VIEW_NEAR_END_PX)
    g_signal_emit (self, signals[SIGNAL_NEAR_END], 0);
}

static void
on_adjustment_changed (GtkAdjustment *adjustment, gpointer user_data)
{
  check_near_end (TESSERA_GALLERY_VIEW (user_data));
}

/* Decode at the size the screen will show, HiDPI included. */
static void
update_tile_px (TesseraGalleryView *self)
{
  int scale = gtk_widget_get_scale_factor (GTK_WIDGET (self));

  if (self->gallery != NULL)
    tessera_gallery_set_tile_px (self->gallery, TESSERA_TILE_SIZE * MAX (scale, 1));
}

static void
on_scale_factor_changed (GtkWidget *widget, GParamSpec *pspec, gpointer user_data)
{
  update_tile_px (TESSERA_GALLERY_VIEW (widget));
}

static void
on_selection_changed (GtkSelectionModel *model, guint position, guint n_items, gpointer user_data)
{
  g_signal_emit (user_data, signals[SIGNAL_SELECTION_CHANGED], 0);
}

void
tessera_gallery_view_set_gallery (TesseraGalleryView *self, TesseraGallery *gallery)
{
  g_return_if_fail (TESSERA_IS_GALLERY_VIEW (self));
  g_return_if_fail (gallery == NULL || TESSERA_IS_GALLERY (gallery));

  if (!g_set_object (&self->gallery, gallery))
    return;
  if (self->selection != NULL)
    g_signal_handlers_disconnect_by_data (self->selection, self);
  g_clear_object (&self->selection);
  /* Selections survive tiles arriving: the store only ever grows at its end. */
  if (gallery != NULL)
    {
      self->selection
          = gtk_multi_selection_new (g_object_ref (tessera_gallery_get_model (gallery)));
      g_signal_connect (self->selection, "selection-changed", G_CALLBACK (on_selection_changed),
                        self);
    }
  gtk_grid_view_set_model (self->grid_view, GTK_SELECTION_MODEL (self->selection));
  update_tile_px (self);
  g_signal_emit (self, signals[SIGNAL_SELECTION_CHANGED], 0);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_GALLERY]);
}

GPtrArray *
tessera_gallery_view_dup_selected (TesseraGalleryView *self)
{
  GPtrArray *tiles = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr (GtkBitset) selected = NULL;
  GtkBitsetIter iter;
  guint position;

  g_return_val_if_fail (TESSERA_IS_GALLERY_VIEW (self), tiles);

  if (self->selection == NULL)
    return tiles;
  selected = gtk_selection_model_get_selection (GTK_SELECTION_MODEL (self->selection));
  for (gboolean more = gtk_bitset_iter_init_first (&iter, selected, &position); more;
       more = gtk_bitset_iter_next (&iter, &position))
    g_ptr_array_add (tiles, g_list_model_get_item (G_LIST_MODEL (self->selection), position));
  return tiles;
}

guint
tessera_gallery_view_get_n_selected (TesseraGalleryView *self)
{
  g_autoptr (GtkBitset) selected = NULL;

  g_return_val_if_fail (TESSERA_IS_GALLERY_VIEW (self), 0);

  if (self->selection == NULL)
    return 0;
  selected = gtk_selection_model_get_selection (GTK_SELECTION_MODEL (self->selection));
  return (guint) gtk_bitset_get_size (selected);
}

TesseraGallery *
tessera_gallery_view_get_gallery (TesseraGalleryView *self)
{
  g_return_val_if_fail (TESSERA_IS_GALLERY_VIEW (self), NULL);
  return self->gallery;
}

GtkAdjustment *
tessera_gallery_view_get_vadjustment (TesseraGalleryView *self)
{
  g_return_val_if_fail (TESSERA_IS_GALLERY_VIEW (self), NULL);
  return gtk_scrolled_window_get_vadjustment (self->scroller);
}

static void
tessera_gallery_view_dispose (GObject *object)
{
  TesseraGalleryView *self = TESSERA_GALLERY_VIEW (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), TESSERA_TYPE_GALLERY_VIEW);
  if (self->selection != NULL)
    g_signal_handlers_disconnect_by_data (self->selection, self);
  g_clear_object (&self->selection);
  g_clear_object (&self->gallery);

  G_OBJECT_CLASS (tessera_gallery_view_parent_class)->dispose (object);
}

static void
tessera_gallery_view_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  TesseraGalleryView *self = TESSERA_GALLERY_VIEW (object);

  switch (prop_id)
    {
    case PROP_GALLERY:
      g_value_set_object (value, self->gallery);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tessera_gallery_view_set_property (GObject *object, guint prop_id, const GValue *value,
                                   GParamSpec *pspec)
{
  TesseraGalleryView *self = TESSERA_GALLERY_VIEW (object);

  switch (prop_id)
    {
    case PROP_GALLERY:
      tessera_gallery_view_set_gallery (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tessera_gallery_view_class_init (TesseraGalleryViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tessera_gallery_view_dispose;
  object_class->get_property = tessera_gallery_view_get_property;
  object_class->set_property = tessera_gallery_view_set_property;

  properties[PROP_GALLERY]
      = g_param_spec_object ("gallery", NULL, NULL, TESSERA_TYPE_GALLERY,
                             G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* A tile was opened: double click, or Enter. */
  signals[SIGNAL_TILE_ACTIVATED]
      = g_signal_new ("tile-activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                      NULL, G_TYPE_NONE, 1, TESSERA_TYPE_TILE);
  /* The end of the tiles is in sight: a paged source may load more. */
  /* Tiles were selected or unselected. */
  signals[SIGNAL_SELECTION_CHANGED]
      = g_signal_new ("selection-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                      NULL, NULL, G_TYPE_NONE, 0);
  signals[SIGNAL_NEAR_END] = g_signal_new ("near-end", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                           0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (
      widget_class, "/io/github/tessera/Tessera/ui/tessera-gallery-view.ui");
  gtk_widget_class_bind_template_child (widget_class, TesseraGalleryView, scroller);
  gtk_widget_class_bind_template_child (widget_class, TesseraGalleryView, grid_view);
  gtk_widget_class_bind_template_callback (widget_class, on_activate);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
tessera_gallery_view_init (TesseraGalleryView *self)
{
  g_autoptr (GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();
  GtkAdjustment *adjustment;

  gtk_widget_init_template (GTK_WIDGET (self));

  g_signal_connect (factory, "setup", G_CALLBACK (setup_tile), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_tile), NULL);
  g_signal_connect (factory, "unbind", G_CALLBACK (unbind_tile), NULL);
  gtk_grid_view_set_factory (self->grid_view, factory);

  adjustment = gtk_scrolled_window_get_vadjustment (self->scroller);
  g_signal_connect_object (adjustment, "value-changed", G_CALLBACK (on_adjustment_changed), self,
                           0);
  g_signal_connect_object (adjustment, "changed", G_CALLBACK (on_adjustment_changed), self, 0);
  g_signal_connect (self, "notify::scale-factor", G_CALLBACK (on_scale_factor_changed), NULL);
}

GtkWidget *
tessera_gallery_view_new (TesseraGallery *gallery)
{
  return g_object_new (TESSERA_TYPE_GALLERY_VIEW, "gallery", gallery, NULL);
}
