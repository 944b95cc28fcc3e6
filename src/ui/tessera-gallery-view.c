/* SPDX-License-Identifier: GPL-3.0-or-later */
/* tessera-gallery-view.c */

#define G_LOG_DOMAIN "tessera-gallery-view"

#include "config.h"

#include "tessera-gallery-view-private.h"
#include "tessera-original.h"
#include "tessera-tile-widget.h"

struct _TesseraGalleryView
{
  GtkWidget parent_instance;

  TesseraGallery *gallery;
  GtkSliceListModel *shown; /* the gallery's tiles that the grid has been given so far */
  guint reveal_tick;
  guint columns_tick;
  GtkMultiSelection *selection;
  GtkScrolledWindow *scroller;
  GtkGridView *grid_view;
  GMenuModel *tile_menu;
  GtkWidget *tile_popover;
  TesseraTile *menu_tile;    /* the tile the last context menu was opened on */
  GtkWidget *focus_for_menu; /* weak: where the keyboard focus returns when it closes */
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

  /* A page size of 0: not laid out yet; the layout will say. */
  if (self->gallery != NULL && gtk_widget_get_mapped (GTK_WIDGET (self))
      && gtk_adjustment_get_page_size (adjustment) > 0 && to_end < TESSERA_GALLERY_VIEW_NEAR_END_PX)
    g_signal_emit (self, signals[SIGNAL_NEAR_END], 0);
}

/* Tick callbacks run before their frame's layout: the next frame's sees this one's. */
static gboolean
check_near_end_after_layout (GtkWidget *widget, GdkFrameClock *frame_clock, gpointer user_data)
{
  gint64 *asked_in_frame = user_data;

  if (gdk_frame_clock_get_frame_counter (frame_clock) <= *asked_in_frame)
    return G_SOURCE_CONTINUE;
  check_near_end (TESSERA_GALLERY_VIEW (widget));
  return G_SOURCE_REMOVE;
}

void
tessera_gallery_view_check_near_end (TesseraGalleryView *self)
{
  GdkFrameClock *frame_clock;
  gint64 *asked_in_frame;

  g_return_if_fail (TESSERA_IS_GALLERY_VIEW (self));

  if ((frame_clock = gtk_widget_get_frame_clock (GTK_WIDGET (self))) == NULL)
    return; /* not shown: mapping it lays it out and checks anyway */
  asked_in_frame = g_new (gint64, 1);
  *asked_in_frame = gdk_frame_clock_get_frame_counter (frame_clock);
  gtk_widget_add_tick_callback (GTK_WIDGET (self), check_near_end_after_layout, asked_in_frame,
                                g_free);
}

/* The grid's columns, from the width of a tile's cell (all are alike); 0 before layout. */
static guint
count_columns (TesseraGalleryView *self)
{
  GtkWidget *grid = GTK_WIDGET (self->grid_view);

  for (GtkWidget *child = gtk_widget_get_first_child (grid); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      int cell_width = gtk_widget_get_width (child);

      if (cell_width > 0 && g_str_equal (gtk_widget_get_css_name (child), "child"))
        return (guint) MAX (1, gtk_widget_get_width (grid) / cell_width);
    }
  return 0;
}

/* Tells the gallery which tiles are on screen, so that those load first. Rows are all one
 * height, so the scroll position says which rows show. */
static void
update_focus (TesseraGalleryView *self)
{
  GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (self->scroller);
  double upper = gtk_adjustment_get_upper (adjustment);
  double top = gtk_adjustment_get_value (adjustment);
  double bottom = top + gtk_adjustment_get_page_size (adjustment);
  guint n_tiles, n_columns, n_rows;
  double row_height;

  if (self->gallery == NULL || !gtk_widget_get_mapped (GTK_WIDGET (self)))
    return;
  /* The rows laid out are those of the tiles the grid has been given. */
  n_tiles = g_list_model_get_n_items (G_LIST_MODEL (self->shown));
  n_columns = count_columns (self);
  if (n_tiles == 0 || n_columns == 0 || upper <= 0)
    return;
  n_rows = (n_tiles + n_columns - 1) / n_columns;
  row_height = upper / n_rows;
  tessera_gallery_set_focus (self->gallery, (guint) (top / row_height) * n_columns,
                             ((guint) (MAX (bottom - 1, top) / row_height) + 1) * n_columns - 1);
}

static gboolean
update_focus_after_layout (GtkWidget *widget, GdkFrameClock *frame_clock, gpointer user_data)
{
  update_focus (TESSERA_GALLERY_VIEW (widget));
  return G_SOURCE_REMOVE;
}

/* Shown again (another page or an album was in front): the loader's focus is ours again,
 * once the grid is laid out. */
static void
on_map (GtkWidget *widget, gpointer user_data)
{
  gtk_widget_add_tick_callback (widget, update_focus_after_layout, NULL, NULL);
}

static void
on_adjustment_changed (GtkAdjustment *adjustment, gpointer user_data)
{
  check_near_end (TESSERA_GALLERY_VIEW (user_data));
  update_focus (TESSERA_GALLERY_VIEW (user_data));
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

/* New tiles the grid is given at once; it gets the rest over the next frames, each time
 * as many again as it has. It makes a cell for every tile in its 30 rows around the view:
 * 10,000 tiles at once made 160 cells, styled and measured them all in one frame. */
#define REVEAL_AT_ONCE 32

static gboolean
reveal_more (GtkWidget *widget, GdkFrameClock *frame_clock, gpointer user_data)
{
  TesseraGalleryView *self = TESSERA_GALLERY_VIEW (widget);
  guint n_tiles = g_list_model_get_n_items (tessera_gallery_get_model (self->gallery));
  guint n_shown = MIN (n_tiles, 2 * gtk_slice_list_model_get_size (self->shown));

  gtk_slice_list_model_set_size (self->shown, n_shown);
  if (n_shown < n_tiles)
    return G_SOURCE_CONTINUE;
  self->reveal_tick = 0;
  return G_SOURCE_REMOVE;
}

static void
stop_revealing (TesseraGalleryView *self)
{
  if (self->reveal_tick != 0)
    gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->reveal_tick);
  self->reveal_tick = 0;
}

/* Every tile, for what acts on them all. */
static void
reveal_all (TesseraGalleryView *self)
{
  stop_revealing (self);
  gtk_slice_list_model_set_size (
      self->shown, g_list_model_get_n_items (tessera_gallery_get_model (self->gallery)));
}

/* The person moves (a key, the scrollbar) while tiles are still being given to the grid:
 * End, Page Down or a drag must reach the real end, not the end revealed so far. */
static gboolean
on_key_pressed (GtkEventControllerKey *controller, guint keyval, guint keycode,
                GdkModifierType state, gpointer user_data)
{
  TesseraGalleryView *self = user_data;

  if (self->reveal_tick != 0)
    reveal_all (self);
  return GDK_EVENT_PROPAGATE;
}

static void
on_scrolled (GtkAdjustment *adjustment, gpointer user_data)
{
  TesseraGalleryView *self = user_data;

  if (self->reveal_tick != 0)
    reveal_all (self);
}

/* Removed tiles leave the grid at once; a few new ones join it at once, and the rest, if
 * any, over the next frames. */
static void
on_tiles_changed (GListModel *model, guint position, guint removed, guint added, gpointer user_data)
{
  TesseraGalleryView *self = user_data;
  guint n_tiles = g_list_model_get_n_items (model);
  guint n_shown = MIN (n_tiles, gtk_slice_list_model_get_size (self->shown));

  if (self->reveal_tick == 0)
    n_shown = MIN (n_tiles, n_shown + REVEAL_AT_ONCE);
  gtk_slice_list_model_set_size (self->shown, n_shown);
  if (n_shown < n_tiles && self->reveal_tick == 0)
    self->reveal_tick = gtk_widget_add_tick_callback (GTK_WIDGET (self), reveal_more, NULL, NULL);
}

static void
on_selection_changed (GtkSelectionModel *model, guint position, guint n_items, gpointer user_data)
{
  g_signal_emit (user_data, signals[SIGNAL_SELECTION_CHANGED], 0);
}

/* GtkMultiSelection does not say "selection-changed" when selected items are removed
 * (the gallery cleared), so the count the header shows would go stale. */
static void
on_items_changed (GListModel *model, guint position, guint removed, guint added, gpointer user_data)
{
  if (removed > 0)
    g_signal_emit (user_data, signals[SIGNAL_SELECTION_CHANGED], 0);
}

static TesseraTileWidget *
tile_widget_at (TesseraGalleryView *self, double x, double y)
{
  GtkWidget *picked = gtk_widget_pick (GTK_WIDGET (self->grid_view), x, y, GTK_PICK_DEFAULT);
  GtkWidget *found = picked ? gtk_widget_get_ancestor (picked, TESSERA_TYPE_TILE_WIDGET) : NULL;

  return found ? TESSERA_TILE_WIDGET (found) : NULL;
}

/* The grid focuses its cells; ours is the cell's child. */
static TesseraTileWidget *
focused_tile_widget (TesseraGalleryView *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWidget *focus = root ? gtk_root_get_focus (root) : NULL;
  GtkWidget *found;

  if (focus == NULL || !gtk_widget_is_ancestor (focus, GTK_WIDGET (self->grid_view)))
    return NULL;
  found = gtk_widget_get_ancestor (focus, TESSERA_TYPE_TILE_WIDGET);
  if (found == NULL && TESSERA_IS_TILE_WIDGET (gtk_widget_get_first_child (focus)))
    found = gtk_widget_get_first_child (focus);
  return found ? TESSERA_TILE_WIDGET (found) : NULL;
}

/* A context menu acts on the selection when the tile is part of it; otherwise the tile
 * becomes the selection, as in a file manager. */
static void
select_for_menu (TesseraGalleryView *self, TesseraTile *tile)
{
  guint position;

  if (self->gallery == NULL
      || !g_list_store_find (G_LIST_STORE (tessera_gallery_get_model (self->gallery)), tile,
                             &position))
    return;
  if (!gtk_selection_model_is_selected (GTK_SELECTION_MODEL (self->selection), position))
    gtk_selection_model_select_item (GTK_SELECTION_MODEL (self->selection), position, TRUE);
}

static void
update_tile_actions (TesseraGalleryView *self)
{
  TesseraTile *tile = self->menu_tile;
  GtkWidget *widget = GTK_WIDGET (self);

  gtk_widget_action_set_enabled (widget, "tile.copy-image",
                                 tile != NULL && tessera_tile_get_texture (tile) != NULL);
  gtk_widget_action_set_enabled (widget, "tile.copy-url", tile != NULL);
  gtk_widget_action_set_enabled (widget, "tile.open", tile != NULL);
  gtk_widget_action_set_enabled (
      widget, "tile.retry", tile != NULL && tessera_tile_get_state (tile) == TESSERA_TILE_FAILED);
}

static void
show_tile_menu (TesseraGalleryView *self, TesseraTileWidget *tile_widget, double x, double y)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  graphene_rect_t bounds;
  GdkRectangle target;

  g_set_object (&self->menu_tile, tessera_tile_widget_get_tile (tile_widget));
  if (self->menu_tile == NULL)
    return;
  g_set_weak_pointer (&self->focus_for_menu, root ? gtk_root_get_focus (root) : NULL);
  select_for_menu (self, self->menu_tile);
  update_tile_actions (self);
  if (x < 0 && gtk_widget_compute_bounds (GTK_WIDGET (tile_widget), GTK_WIDGET (self), &bounds))
    target = (GdkRectangle){ (int) bounds.origin.x, (int) bounds.origin.y, (int) bounds.size.width,
                             (int) bounds.size.height };
  else
    target = (GdkRectangle){ (int) x, (int) y, 1, 1 };
  gtk_popover_set_pointing_to (GTK_POPOVER (self->tile_popover), &target);
  gtk_popover_popup (GTK_POPOVER (self->tile_popover));
}

static void
show_tile_menu_at (TesseraGalleryView *self, double grid_x, double grid_y)
{
  TesseraTileWidget *tile_widget = tile_widget_at (self, grid_x, grid_y);
  graphene_point_t point;

  if (tile_widget == NULL
      || !gtk_widget_compute_point (GTK_WIDGET (self->grid_view), GTK_WIDGET (self),
                                    &GRAPHENE_POINT_INIT ((float) grid_x, (float) grid_y), &point))
    return;
  show_tile_menu (self, tile_widget, point.x, point.y);
}

static void
on_secondary_click (GtkGestureClick *gesture, int n_press, double x, double y, gpointer user_data)
{
  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
  show_tile_menu_at (TESSERA_GALLERY_VIEW (user_data), x, y);
}

static void
on_long_press (GtkGestureLongPress *gesture, double x, double y, gpointer user_data)
{
  show_tile_menu_at (TESSERA_GALLERY_VIEW (user_data), x, y);
}

/* Back to the tile the keyboard was on, not the window's first button. */
static void
on_tile_popover_closed (GtkPopover *popover, gpointer user_data)
{
  TesseraGalleryView *self = user_data;

  if (self->focus_for_menu != NULL
      && gtk_widget_is_ancestor (self->focus_for_menu, GTK_WIDGET (self->grid_view)))
    gtk_widget_grab_focus (self->focus_for_menu);
  g_clear_weak_pointer (&self->focus_for_menu);
}

/* Menu key and Shift+F10: the menu of the tile with the keyboard focus. */
static void
tile_menu_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TesseraGalleryView *self = TESSERA_GALLERY_VIEW (widget);
  TesseraTileWidget *tile_widget = focused_tile_widget (self);

  if (tile_widget != NULL)
    show_tile_menu (self, tile_widget, -1, -1);
}

/* What "the URL" of a tile is: a post's own link (its original or album page), else the
 * address the picture came from. */
static const char *
tile_address (TesseraTile *tile)
{
  const char *link = tessera_tile_get_link (tile);

  return link != NULL ? link : tessera_tile_get_uri (tile);
}

typedef struct
{
  GdkClipboard *clipboard;
  GdkTexture *thumbnail; /* copied when the original cannot be */
} ImageCopy;

static void
image_copy_free (ImageCopy *copy)
{
  g_object_unref (copy->clipboard);
  g_object_unref (copy->thumbnail);
  g_free (copy);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ImageCopy, image_copy_free)

static void
on_original_decoded (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (ImageCopy) copy = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GdkTexture) original = tessera_original_decode_finish (result, &error);

  if (original == NULL)
    g_debug ("Copying the thumbnail, not the original: %s", error->message);
  gdk_clipboard_set_texture (copy->clipboard, original ? original : copy->thumbnail);
}

/* The full image when its bytes are kept (a local file, or in the cache), decoded off
 * the main thread within the same limits as any image; else the thumbnail. */
static void
copy_image_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TesseraGalleryView *self = TESSERA_GALLERY_VIEW (widget);
  GdkTexture *texture = self->menu_tile ? tessera_tile_get_texture (self->menu_tile) : NULL;
  ImageCopy *copy;

  if (texture == NULL)
    return;
  if (!tessera_tile_get_original_kept (self->menu_tile))
    {
      gdk_clipboard_set_texture (gtk_widget_get_clipboard (widget), texture);
      return;
    }
  copy = g_new0 (ImageCopy, 1);
  copy->clipboard = g_object_ref (gtk_widget_get_clipboard (widget));
  copy->thumbnail = g_object_ref (texture);
  tessera_original_decode_async (tessera_gallery_get_loader (self->gallery),
                                 tessera_tile_get_uri (self->menu_tile), NULL, on_original_decoded,
                                 copy);
}

static void
copy_url_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TesseraGalleryView *self = TESSERA_GALLERY_VIEW (widget);

  if (self->menu_tile != NULL)
    gdk_clipboard_set_text (gtk_widget_get_clipboard (widget), tile_address (self->menu_tile));
}

static void
open_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TesseraGalleryView *self = TESSERA_GALLERY_VIEW (widget);
  GtkRoot *root = gtk_widget_get_root (widget);

  if (self->menu_tile != NULL)
    gtk_show_uri (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, tile_address (self->menu_tile),
                  GDK_CURRENT_TIME);
}

static void
retry_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TesseraGalleryView *self = TESSERA_GALLERY_VIEW (widget);

  if (self->menu_tile != NULL && self->gallery != NULL)
    tessera_gallery_retry (self->gallery, self->menu_tile);
}

/* Lets go of the tiles the grid is given and of the selection over them. */
static void
drop_shown (TesseraGalleryView *self)
{
  if (self->selection != NULL)
    g_signal_handlers_disconnect_by_data (self->selection, self);
  g_clear_object (&self->selection);
  if (self->shown != NULL)
    g_signal_handlers_disconnect_by_data (gtk_slice_list_model_get_model (self->shown), self);
  g_clear_object (&self->shown);
  stop_revealing (self);
}

void
tessera_gallery_view_set_gallery (TesseraGalleryView *self, TesseraGallery *gallery)
{
  g_return_if_fail (TESSERA_IS_GALLERY_VIEW (self));
  g_return_if_fail (gallery == NULL || TESSERA_IS_GALLERY (gallery));

  if (!g_set_object (&self->gallery, gallery))
    return;
  drop_shown (self);
  /* Selections survive tiles arriving: the store only ever grows at its end. */
  if (gallery != NULL)
    {
      GListModel *tiles = tessera_gallery_get_model (gallery);

      self->shown = gtk_slice_list_model_new (g_object_ref (tiles), 0, 0);
      g_signal_connect (tiles, "items-changed", G_CALLBACK (on_tiles_changed), self);
      on_tiles_changed (tiles, 0, 0, 0, self);
      self->selection = gtk_multi_selection_new (g_object_ref (G_LIST_MODEL (self->shown)));
      g_signal_connect (self->selection, "selection-changed", G_CALLBACK (on_selection_changed),
                        self);
      g_signal_connect (self->selection, "items-changed", G_CALLBACK (on_items_changed), self);
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

void
tessera_gallery_view_select_all (TesseraGalleryView *self, gboolean select)
{
  g_return_if_fail (TESSERA_IS_GALLERY_VIEW (self));

  if (self->selection == NULL)
    return;
  if (select)
    {
      reveal_all (self);
      gtk_selection_model_select_all (GTK_SELECTION_MODEL (self->selection));
    }
  else
    gtk_selection_model_unselect_all (GTK_SELECTION_MODEL (self->selection));
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
  drop_shown (self);
  g_clear_object (&self->gallery);
  if (self->columns_tick != 0)
    gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->columns_tick);
  self->columns_tick = 0;
  g_clear_object (&self->menu_tile);
  g_clear_weak_pointer (&self->focus_for_menu);
  g_clear_pointer (&self->tile_popover, gtk_widget_unparent);

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
tessera_gallery_view_measure (GtkWidget *widget, GtkOrientation orientation, int for_size,
                              int *minimum, int *natural, int *minimum_baseline,
                              int *natural_baseline)
{
  gtk_widget_measure (GTK_WIDGET (TESSERA_GALLERY_VIEW (widget)->scroller), orientation, for_size,
                      minimum, natural, minimum_baseline, natural_baseline);
}

/* GtkGridView keeps cells for max-columns × 30 rows around its anchor, however few fit
 * (GTK 4.8): at 64 columns that was 2,000 tile widgets to make, bind and lay out on every
 * frame. So the most columns the view's width can hold, counting a tile without its cell's
 * padding so that the grid's own count (from the cell's width) is never cut. */
static guint
columns_that_fit (TesseraGalleryView *self)
{
  return (guint) MAX (1, gtk_widget_get_width (GTK_WIDGET (self)) / TESSERA_TILE_SIZE);
}

static gboolean
update_max_columns (GtkWidget *widget, GdkFrameClock *frame_clock, gpointer user_data)
{
  TesseraGalleryView *self = TESSERA_GALLERY_VIEW (widget);

  gtk_grid_view_set_max_columns (self->grid_view, columns_that_fit (self));
  self->columns_tick = 0;
  return G_SOURCE_REMOVE;
}

/* The scroller fills the view; the context menu is a popover, which must be presented. A
 * new width changes the grid's columns before the next frame's layout: changing them
 * during this one would leave the window's layout undone for this frame. */
static void
tessera_gallery_view_size_allocate (GtkWidget *widget, int width, int height, int baseline)
{
  TesseraGalleryView *self = TESSERA_GALLERY_VIEW (widget);

  if (gtk_grid_view_get_max_columns (self->grid_view) != columns_that_fit (self)
      && self->columns_tick == 0)
    self->columns_tick = gtk_widget_add_tick_callback (widget, update_max_columns, NULL, NULL);
  gtk_widget_size_allocate (GTK_WIDGET (self->scroller), &(GtkAllocation){ 0, 0, width, height },
                            baseline);
  gtk_popover_present (GTK_POPOVER (self->tile_popover));
}

static void
tessera_gallery_view_class_init (TesseraGalleryViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tessera_gallery_view_dispose;
  object_class->get_property = tessera_gallery_view_get_property;
  object_class->set_property = tessera_gallery_view_set_property;
  widget_class->measure = tessera_gallery_view_measure;
  widget_class->size_allocate = tessera_gallery_view_size_allocate;

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
      widget_class, "/io/github/tessera/Tessera/tessera-gallery-view.ui");
  gtk_widget_class_bind_template_child (widget_class, TesseraGalleryView, scroller);
  gtk_widget_class_bind_template_child (widget_class, TesseraGalleryView, grid_view);
  gtk_widget_class_bind_template_child (widget_class, TesseraGalleryView, tile_menu);
  gtk_widget_class_bind_template_callback (widget_class, on_activate);
  gtk_widget_class_bind_template_callback (widget_class, on_secondary_click);
  gtk_widget_class_bind_template_callback (widget_class, on_long_press);

  gtk_widget_class_install_action (widget_class, "tile.menu", NULL, tile_menu_activated);
  gtk_widget_class_install_action (widget_class, "tile.copy-image", NULL, copy_image_activated);
  gtk_widget_class_install_action (widget_class, "tile.copy-url", NULL, copy_url_activated);
  gtk_widget_class_install_action (widget_class, "tile.open", NULL, open_activated);
  gtk_widget_class_install_action (widget_class, "tile.retry", NULL, retry_activated);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Menu, 0, "tile.menu", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F10, GDK_SHIFT_MASK, "tile.menu",
                                       NULL);
}

static void
tessera_gallery_view_init (TesseraGalleryView *self)
{
  g_autoptr (GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();
  GtkEventController *keys = gtk_event_controller_key_new ();
  GtkAdjustment *adjustment;

  gtk_widget_init_template (GTK_WIDGET (self));
  self->tile_popover = gtk_popover_menu_new_from_model (self->tile_menu);
  gtk_popover_set_has_arrow (GTK_POPOVER (self->tile_popover), FALSE);
  gtk_widget_set_halign (self->tile_popover, GTK_ALIGN_START);
  gtk_widget_set_parent (self->tile_popover, GTK_WIDGET (self));
  g_signal_connect (self->tile_popover, "closed", G_CALLBACK (on_tile_popover_closed), self);
  update_tile_actions (self);

  g_signal_connect (factory, "setup", G_CALLBACK (setup_tile), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_tile), NULL);
  g_signal_connect (factory, "unbind", G_CALLBACK (unbind_tile), NULL);
  gtk_grid_view_set_factory (self->grid_view, factory);

  adjustment = gtk_scrolled_window_get_vadjustment (self->scroller);
  g_signal_connect_object (adjustment, "value-changed", G_CALLBACK (on_adjustment_changed), self,
                           0);
  g_signal_connect_object (adjustment, "changed", G_CALLBACK (on_adjustment_changed), self, 0);
  g_signal_connect_object (adjustment, "value-changed", G_CALLBACK (on_scrolled), self, 0);
  /* Before the grid handles the key. */
  gtk_event_controller_set_propagation_phase (keys, GTK_PHASE_CAPTURE);
  g_signal_connect (keys, "key-pressed", G_CALLBACK (on_key_pressed), self);
  gtk_widget_add_controller (GTK_WIDGET (self), keys);
  g_signal_connect (self, "notify::scale-factor", G_CALLBACK (on_scale_factor_changed), NULL);
  g_signal_connect (self, "map", G_CALLBACK (on_map), NULL);
}
