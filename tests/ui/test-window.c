/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-window.c: the gallery window in a real display (run under Xvfb) */

#define G_LOG_DOMAIN "test-window"

#include "config.h"

#include <gtk/gtk.h>

#include "tessera-engine.h"
#include "tessera-gallery-view-private.h"
#include "tessera-preferences.h"
#include "tessera-test-server.h"
#include "tessera-test-util.h"
#include "tessera-tile-widget.h"
#include "tessera-window-private.h"

/* Not a speed target (the benchmark holds that; machines here are noisy) but a net for a
 * main loop that stops turning. Network and decoding work on the main thread is caught
 * exactly by the thread assertions that debug builds (these tests) compile in. */
#define MAX_MAIN_LOOP_GAP_MS 250
#define N_TILES              200u
/* How often the gap watch expects to run when nothing blocks the main loop. */
#define TICK_MS              1
/* The same kind of net for painting while results arrive: frames keep coming (one a
 * refresh, 16 ms, when nothing holds them up), none late by more than this. */
#define MAX_FRAME_GAP_MS     250
#define MIN_FRAMES           10

/* One per process: a GApplication cannot be registered twice on the session bus. */
static GtkApplication *test_application;

typedef struct
{
  TesseraTestServer *server;
  TesseraGallery *gallery;
  TesseraGallery *imgur_gallery;
  TesseraWindow *window;
} Fixture;

static gboolean
window_drawn (gpointer data)
{
  GtkWidget *window = data;
  GdkFrameClock *clock = gtk_widget_get_frame_clock (window);

  return gtk_widget_get_mapped (window) && clock != NULL
         && gdk_frame_clock_get_frame_counter (clock) > 0;
}

static void
fixture_set_up (Fixture *fixture, gconstpointer data)
{
  g_autoptr (TesseraLoader) loader = tessera_test_loader_new (TESSERA_LOADER_DEFAULT_JOBS);
  g_autoptr (TesseraCache) cache = tessera_test_cache_new ();

  /* As the app has it: downloads kept in a disk cache of the window's own. */
  tessera_loader_set_cache (loader, cache);
  fixture->server = tessera_test_server_new ();
  fixture->gallery = tessera_gallery_new (loader);
  fixture->imgur_gallery = tessera_gallery_new (loader);
  fixture->window
      = tessera_window_new (test_application, fixture->gallery, fixture->imgur_gallery, NULL);
  gtk_window_present (GTK_WINDOW (fixture->window));
  /* As a person sees it: the window is on screen before any URL arrives. */
  g_assert_true (tessera_test_wait_until (window_drawn, fixture->window, 10000));
}

static void
fixture_tear_down (Fixture *fixture, gconstpointer data)
{
  gtk_window_destroy (GTK_WINDOW (fixture->window));
  g_clear_object (&fixture->gallery);
  g_clear_object (&fixture->imgur_gallery);
  tessera_test_server_free (fixture->server);
}

static const char *
template_label_text (Fixture *fixture, const char *name)
{
  GObject *label
      = gtk_widget_get_template_child (GTK_WIDGET (fixture->window), TESSERA_TYPE_WINDOW, name);
  return gtk_label_get_text (GTK_LABEL (label));
}

/* The longest time between marks: turns of the main loop, or frames. */
typedef struct
{
  guint n_marks;
  gint64 last_mark_us;
  gint64 max_gap_us;
} GapWatch;

static void
gap_watch_mark (GapWatch *watch, gint64 now_us)
{
  if (watch->n_marks > 0)
    watch->max_gap_us = MAX (watch->max_gap_us, now_us - watch->last_mark_us);
  watch->last_mark_us = now_us;
  watch->n_marks++;
}

static gboolean
on_tick (gpointer data)
{
  gap_watch_mark (data, g_get_monotonic_time ());
  return G_SOURCE_CONTINUE;
}

/* The frame clock's own time for each frame it runs; asking for the next tick keeps it
 * running, as a spinner does. */
static gboolean
on_frame (GtkWidget *widget, GdkFrameClock *clock, gpointer data)
{
  gap_watch_mark (data, gdk_frame_clock_get_frame_time (clock));
  return G_SOURCE_CONTINUE;
}

typedef struct
{
  Fixture *fixture;
  guint n_checks;
  gboolean early_full;
} ProgressCheck;

/* The header follows the counts once a frame, so it may lag them, but it is never ahead
 * of what has finished, and the bar is never full early. */
static void
on_progress (TesseraGallery *gallery, GParamSpec *pspec, gpointer data)
{
  ProgressCheck *check = data;
  guint finished = tessera_gallery_get_n_finished (gallery);
  GObject *bar = gtk_widget_get_template_child (GTK_WIDGET (check->fixture->window),
                                                TESSERA_TYPE_WINDOW, "progress_bar");
  guint shown = 0, n_tiles = 0;

  g_assert_cmpint (
      sscanf (template_label_text (check->fixture, "progress_label"), "%u of %u", &shown, &n_tiles),
      ==, 2);
  g_assert_cmpuint (shown, <=, finished);
  if (finished < N_TILES && gtk_progress_bar_get_fraction (GTK_PROGRESS_BAR (bar)) >= 1.0)
    check->early_full = TRUE;
  check->n_checks++;
}

/* The header follows the counts on the next frame: no update is waiting for one. */
static gboolean
header_settled (gpointer window)
{
  return ((TesseraWindow *) window)->progress_tick == 0;
}

typedef struct
{
  Fixture *fixture;
  const char *text;
} LabelWait;

static gboolean
progress_says (gpointer data)
{
  LabelWait *wait = data;

  return g_str_equal (template_label_text (wait->fixture, "progress_label"), wait->text);
}

/* 200 slow images load while the main loop keeps turning and frames keep painting;
 * progress is never ahead. */
static void
test_fills_while_responsive (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GPtrArray) urls = g_ptr_array_new_with_free_func (g_free);
  ProgressCheck check = { fixture, 0, FALSE };
  LabelWait done = { fixture, "200 of 200" };
  GapWatch watch = { 0 };
  GapWatch frames = { 0 };
  gint64 slowdown = tessera_test_slowdown ();
  guint tick;
  guint frame_tick;

  tessera_test_server_set_latency_ms (fixture->server, 50);
  for (guint i = 0; i < N_TILES; i++)
    {
      g_autofree char *path = g_strdup_printf ("/img/tile-%u.jpg?w=1024&h=768&seed=%u", i, i);
      g_ptr_array_add (urls, tessera_test_server_url (fixture->server, path));
    }
  g_signal_connect (fixture->gallery, "notify::n-finished", G_CALLBACK (on_progress), &check);
  tick = g_timeout_add (TICK_MS, on_tick, &watch);
  frame_tick = gtk_widget_add_tick_callback (GTK_WIDGET (fixture->window), on_frame, &frames, NULL);

  tessera_gallery_add_uris (fixture->gallery, (const char *const *) urls->pdata, urls->len, NULL);
  g_assert_true (tessera_test_wait_for_gallery (fixture->gallery, 120000));
  /* The next frame shows the last count. */
  g_assert_true (tessera_test_wait_until (progress_says, &done, 5000));
  g_source_remove (tick);
  gtk_widget_remove_tick_callback (GTK_WIDGET (fixture->window), frame_tick);
  /* Frames that stopped before the last result count as one long gap. */
  gap_watch_mark (&frames, g_get_monotonic_time ());

  g_test_message ("longest main loop gap: %" G_GINT64_FORMAT " ms", watch.max_gap_us / 1000);
  g_test_message ("%u frames, longest gap between them: %" G_GINT64_FORMAT " ms", frames.n_marks,
                  frames.max_gap_us / 1000);
  g_assert_cmpint (watch.max_gap_us, <, MAX_MAIN_LOOP_GAP_MS * G_TIME_SPAN_MILLISECOND * slowdown);
  g_assert_cmpint (frames.max_gap_us, <, MAX_FRAME_GAP_MS * G_TIME_SPAN_MILLISECOND * slowdown);
  g_assert_cmpuint (frames.n_marks, >=, MIN_FRAMES);
  g_assert_cmpuint (check.n_checks, ==, N_TILES);
  g_assert_false (check.early_full);
  g_assert_cmpstr (template_label_text (fixture, "progress_label"), ==, "200 of 200");
  g_assert_cmpuint (tessera_gallery_get_n_failed (fixture->gallery), ==, 0);
  g_signal_handlers_disconnect_by_data (fixture->gallery, &check);
}

static gboolean
has_two_tiles (gpointer data)
{
  return tessera_gallery_get_n_tiles (data) == 2;
}

typedef struct
{
  Fixture *fixture;
  const char *expected;
} NoticeWait;

static gboolean
notice_says (gpointer data)
{
  NoticeWait *wait = data;

  return g_str_has_prefix (template_label_text (wait->fixture, "notice_label"), wait->expected);
}

/* Ctrl+V's action: URLs from the clipboard text, with a summary of what happened. */
static void
test_paste (Fixture *fixture, gconstpointer data)
{
  GdkClipboard *clipboard = gtk_widget_get_clipboard (GTK_WIDGET (fixture->window));
  g_autofree char *a = tessera_test_server_url (fixture->server, "/img/paste-a.png");
  g_autofree char *b = tessera_test_server_url (fixture->server, "/img/paste-b.png");
  g_autofree char *text
      = g_strdup_printf ("Look at these:\n%s, \"%s\"\nno links here\n%s\n", a, b, a);
  NoticeWait summary = { fixture, "Added 2 images" };
  NoticeWait empty = { fixture, "The clipboard holds no text" };

  gdk_clipboard_set_text (clipboard, text);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.paste", NULL));
  g_assert_true (tessera_test_wait_until (has_two_tiles, fixture->gallery, 10000));
  g_assert_true (tessera_test_wait_until (notice_says, &summary, 10000));
  g_assert_nonnull (strstr (template_label_text (fixture, "notice_label"), "1 duplicate skipped"));
  g_assert_nonnull (
      strstr (template_label_text (fixture, "notice_label"), "2 lines were not URLs"));

  /* Pasting the same again adds nothing and says so. */
  summary.expected = "No new image URLs found";
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.paste", NULL));
  g_assert_true (tessera_test_wait_until (notice_says, &summary, 10000));
  g_assert_cmpuint (tessera_gallery_get_n_tiles (fixture->gallery), ==, 2);

  /* An empty clipboard is a message, not a failure. */
  gdk_clipboard_set_content (clipboard, NULL);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.paste", NULL));
  g_assert_true (tessera_test_wait_until (notice_says, &empty, 10000));
}

/* Input that could not be read (a dropped file gone missing) is counted in the notice,
 * which names the first and why; hovering it lists them all. */
static void
test_skipped_input (Fixture *fixture, gconstpointer data)
{
  g_autoptr (TesseraUrlList) list = tessera_url_list_new ();
  g_autoptr (GError) missing = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "Gone");
  GtkWidget *notice = GTK_WIDGET (gtk_widget_get_template_child (
      GTK_WIDGET (fixture->window), TESSERA_TYPE_WINDOW, "notice_label"));

  tessera_url_list_add_skipped (list, "trip.txt", missing);
  list->n_not_urls = 1;
  tessera_window_add_url_list (fixture->window, list);

  g_assert_cmpstr (template_label_text (fixture, "notice_label"), ==,
                   "No image URLs found · 1 line was not a URL · “trip.txt”: Gone");
  g_assert_cmpstr (gtk_widget_get_tooltip_text (notice), ==, "Skipping “trip.txt”: Gone");
}

/* The visible children of @widget, depth first, that are of @type. */
static void
collect_visible (GtkWidget *widget, GType type, GPtrArray *found)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (!gtk_widget_get_visible (child))
        continue;
      if (G_TYPE_CHECK_INSTANCE_TYPE (child, type))
        g_ptr_array_add (found, child);
      collect_visible (child, type, found);
    }
}

static guint
count_visible (GtkWidget *widget, GType type)
{
  g_autoptr (GPtrArray) found = g_ptr_array_new ();

  collect_visible (widget, type, found);
  return found->len;
}

static const char *
visible_label_text (GtkWidget *widget)
{
  g_autoptr (GPtrArray) found = g_ptr_array_new ();

  collect_visible (widget, GTK_TYPE_LABEL, found);
  return found->len == 1 ? gtk_label_get_text (found->pdata[0]) : NULL;
}

/* Waiting: the placeholder alone, no animation. Loaded: the picture. Failed: the short reason. One tile widget goes
 * through all three, as recycled grid cells do, and never changes size. */
static void
test_tile_looks (void)
{
  g_autoptr (TesseraTile) waiting = tessera_tile_new ("https://example.com/a.png");
  g_autoptr (TesseraTile) failed = tessera_tile_new ("https://example.com/b.png");
  g_autoptr (GdkPixbuf) pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, 16, 16);
  g_autoptr (GdkTexture) texture = NULL;
  GtkWidget *window = gtk_window_new ();
  GtkWidget *widget = tessera_tile_widget_new ();
  int width, height;

  gdk_pixbuf_fill (pixbuf, 0x336699ff);
  texture = gdk_texture_new_for_pixbuf (pixbuf);
  gtk_window_set_child (GTK_WINDOW (window), widget);
  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (tessera_test_wait_until (window_drawn, window, 10000));

  tessera_tile_widget_set_tile (TESSERA_TILE_WIDGET (widget), waiting);
  g_assert_true (gtk_widget_has_css_class (widget, "waiting"));
  g_assert_cmpuint (count_visible (widget, GTK_TYPE_SPINNER), ==, 0);
  g_assert_cmpuint (count_visible (widget, GTK_TYPE_PICTURE), ==, 0);
  gtk_widget_measure (widget, GTK_ORIENTATION_HORIZONTAL, -1, &width, NULL, NULL, NULL);
  gtk_widget_measure (widget, GTK_ORIENTATION_VERTICAL, -1, &height, NULL, NULL, NULL);

  tessera_tile_set_loaded (waiting, texture, 10);
  g_assert_false (gtk_widget_has_css_class (widget, "waiting"));
  g_assert_cmpuint (count_visible (widget, GTK_TYPE_PICTURE), ==, 1);

  tessera_tile_set_failed (failed, "HTTP 404", "The server answered 404 Not Found", 20);
  tessera_tile_widget_set_tile (TESSERA_TILE_WIDGET (widget), failed);
  g_assert_cmpuint (count_visible (widget, GTK_TYPE_PICTURE), ==, 0);
  g_assert_false (gtk_widget_has_css_class (widget, "waiting"));
  g_assert_cmpstr (visible_label_text (widget), ==, "HTTP 404");
  g_assert_true (gtk_widget_has_css_class (widget, "failed"));

  /* Fixed size whatever the state, so the grid never jumps. */
  for (GtkOrientation o = GTK_ORIENTATION_HORIZONTAL; o <= GTK_ORIENTATION_VERTICAL; o++)
    {
      int natural;

      gtk_widget_measure (widget, o, -1, &natural, NULL, NULL, NULL);
      g_assert_cmpint (natural, ==, o == GTK_ORIENTATION_HORIZONTAL ? width : height);
      g_assert_cmpint (natural, ==, TESSERA_TILE_SIZE);
    }

  gtk_window_destroy (GTK_WINDOW (window));
}

#define IMGUR_CLIENT_ID  "window0test"
#define IMGUR_LATENCY_MS 200

static gboolean
imgur_page_loaded (gpointer data)
{
  TesseraImgurSource *source = data;

  return tessera_imgur_source_get_state (source) == TESSERA_IMGUR_IDLE
         && tessera_gallery_get_n_tiles (tessera_imgur_source_get_gallery (source)) > 0;
}

static gboolean
imgur_ended (gpointer data)
{
  return tessera_imgur_source_get_state (data) == TESSERA_IMGUR_ENDED;
}

static GtkWidget *
find_descendant (GtkWidget *widget, GType type)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found;

      if (G_TYPE_CHECK_INSTANCE_TYPE (child, type))
        return child;
      if ((found = find_descendant (child, type)) != NULL)
        return found;
    }
  return NULL;
}

static TesseraTileWidget *
find_tile_widget (GtkWidget *widget, TesseraTile *tile)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      TesseraTileWidget *found;

      if (TESSERA_IS_TILE_WIDGET (child)
          && tessera_tile_widget_get_tile (TESSERA_TILE_WIDGET (child)) == tile)
        return TESSERA_TILE_WIDGET (child);
      if ((found = find_tile_widget (child, tile)) != NULL)
        return found;
    }
  return NULL;
}

typedef struct
{
  GtkWidget *grid_view;
  TesseraGallery *gallery;
  guint position;
} ItemWait;

/* The grid has a mapped widget for the item, at least partly within its visible area. */
static gboolean
item_shown (gpointer data)
{
  ItemWait *wait = data;
  g_autoptr (TesseraTile) tile
      = g_list_model_get_item (tessera_gallery_get_model (wait->gallery), wait->position);
  TesseraTileWidget *widget = find_tile_widget (wait->grid_view, tile);
  graphene_rect_t bounds;

  return widget != NULL && gtk_widget_get_mapped (GTK_WIDGET (widget))
         && gtk_widget_compute_bounds (GTK_WIDGET (widget), wait->grid_view, &bounds)
         && bounds.origin.y + bounds.size.height > 0
         && bounds.origin.y < gtk_widget_get_height (wait->grid_view);
}

typedef struct
{
  GdkFrameClock *clock;
  gint64 until_frame;
} FrameWait;

static gboolean
frame_reached (gpointer data)
{
  FrameWait *wait = data;

  return gdk_frame_clock_get_frame_counter (wait->clock) >= wait->until_frame;
}

/* A frame lays out what was queued before it began; the one after it, anything the first
 * queued again. */
#define LAYOUT_FRAMES 2

/* Waits for @widget's window to paint LAYOUT_FRAMES frames from now. */
static void
wait_for_layout (GtkWidget *widget)
{
  FrameWait wait = { gtk_widget_get_frame_clock (widget), 0 };

  wait.until_frame = gdk_frame_clock_get_frame_counter (wait.clock) + LAYOUT_FRAMES;
  gtk_widget_queue_draw (widget);
  if (!tessera_test_wait_until (frame_reached, &wait, 10000))
    g_error ("The window painted no frame");
}

/* The grid has been given the item: new tiles reach it over a few frames. */
static gboolean
grid_has_item (gpointer data)
{
  ItemWait *wait = data;

  return wait->position < g_list_model_get_n_items (
             G_LIST_MODEL (gtk_grid_view_get_model (GTK_GRID_VIEW (wait->grid_view))));
}

/* GTK 4.8's grid has no scroll_to, and moves its own adjustment back to its anchor: scroll
 * with its action once the grid has the item and knows where every item goes (it scrolls
 * nowhere before), then wait for the layout that brings the item into view. */
static void
scroll_to_item (GtkWidget *grid_view, TesseraGallery *gallery, guint position)
{
  ItemWait wait = { grid_view, gallery, position };

  if (!tessera_test_wait_until (grid_has_item, &wait, 10000))
    g_error ("The grid was never given item %u", position);
  wait_for_layout (grid_view);
  g_assert_true (gtk_widget_activate_action (grid_view, "list.scroll-to-item", "u", position));
  if (!tessera_test_wait_until (item_shown, &wait, 10000))
    g_error ("The grid never showed item %u", position);
}

static guint
first_album (TesseraGallery *gallery)
{
  GListModel *model = tessera_gallery_get_model (gallery);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr (TesseraTile) tile = g_list_model_get_item (model, i);

      if (tessera_tile_get_kind (tile) == TESSERA_TILE_ALBUM)
        return i;
    }
  g_assert_not_reached ();
}

static gboolean
album_shown (gpointer data)
{
  TesseraImgurView *view = data;
  TesseraGallery *shown = tessera_imgur_view_get_shown_gallery (view);

  return tessera_gallery_get_n_tiles (shown) == 42 && tessera_gallery_is_done (shown);
}

/* Scrolling to the end asks for the next page once, however often the person scrolls
 * while it loads, until an empty page ends the gallery. An album opens over the gallery,
 * and going back finds the gallery where it was. */
static void
test_imgur_scroll_and_album (Fixture *fixture, gconstpointer data)
{
  LabelWait album_done = { fixture, "42 of 42" };
  TesseraImgurView *view = tessera_window_get_imgur_view (fixture->window);
  TesseraImgurQuery query = { 0 };
  g_autofree char *api = tessera_test_server_url (fixture->server, "");
  g_autofree char *images = tessera_test_server_url (fixture->server, "/img");
  TesseraImgurSource *source;
  GtkAdjustment *adjustment;
  GtkWidget *grid;
  GtkWidget *grid_view;
  double where;

  tessera_test_serve_imgur (fixture->server, tessera_test_imgur_fixtures (), IMGUR_CLIENT_ID);
  tessera_test_server_set_latency_ms (fixture->server, IMGUR_LATENCY_MS);
  g_setenv ("TESSERA_IMGUR_API", api, TRUE);
  g_setenv ("TESSERA_IMGUR_IMAGES", images, TRUE);
  g_setenv ("IMGUR_CLIENT_ID", IMGUR_CLIENT_ID, TRUE);

  tessera_window_open_imgur (fixture->window, &query);
  source = tessera_imgur_view_get_source (view);
  g_assert_true (tessera_test_wait_until (imgur_page_loaded, source, 30000));
  g_assert_cmpuint (tessera_gallery_get_n_tiles (fixture->imgur_gallery), ==, 183);
  g_assert_cmpuint (tessera_test_server_count_path (fixture->server, TESSERA_TEST_IMGUR_PAGE (1)),
                    ==, 0);

  grid = find_descendant (GTK_WIDGET (view), TESSERA_TYPE_GALLERY_VIEW);
  grid_view = find_descendant (grid, GTK_TYPE_GRID_VIEW);
  adjustment = tessera_gallery_view_get_vadjustment (TESSERA_GALLERY_VIEW (grid));
  /* To the end, and again and again while the next page is on its way. */
  for (guint i = 0; i < 5; i++)
    {
      scroll_to_item (grid_view, fixture->imgur_gallery, 100);
      scroll_to_item (grid_view, fixture->imgur_gallery,
                      tessera_gallery_get_n_tiles (fixture->imgur_gallery) - 1);
    }
  g_assert_true (tessera_test_wait_until (imgur_ended, source, 30000));
  g_assert_cmpuint (tessera_test_server_count_path (fixture->server, TESSERA_TEST_IMGUR_PAGE (1)),
                    ==, 1);
  g_assert_cmpuint (tessera_test_server_count_path (fixture->server, TESSERA_TEST_IMGUR_PAGE (2)),
                    ==, 1);
  g_assert_cmpuint (tessera_test_server_count_path (fixture->server, "/3/gallery/hot/viral/day/3"),
                    ==, 0);
  /* Page 1 holds 8 posts; two are NSFW and stay hidden. */
  g_assert_cmpuint (tessera_gallery_get_n_tiles (fixture->imgur_gallery), ==, 183 + 6);

  scroll_to_item (grid_view, fixture->imgur_gallery, 60);
  wait_for_layout (grid_view);
  where = gtk_adjustment_get_value (adjustment);
  g_assert_cmpfloat (where, >, 0);
  g_assert_true (gtk_widget_activate_action (grid_view, "list.activate-item", "u",
                                             first_album (fixture->imgur_gallery)));
  g_assert_true (tessera_test_wait_until (album_shown, view, 30000));
  g_assert_true (tessera_test_wait_until (progress_says, &album_done, 5000));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "imgur.back", NULL));
  g_assert_true (tessera_imgur_view_get_shown_gallery (view) == fixture->imgur_gallery);
  wait_for_layout (grid_view);
  g_assert_cmpfloat (gtk_adjustment_get_value (adjustment), ==, where);
  /* The header is about the gallery again (whose thumbnails may still be arriving). */
  g_assert_true (g_str_has_suffix (template_label_text (fixture, "progress_label"), " of 189"));

  g_unsetenv ("IMGUR_CLIENT_ID");
}

static GtkWidget *
find_file_chooser (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr (GtkWidget) window = g_list_model_get_item (toplevels, i);

      if (GTK_IS_FILE_CHOOSER_DIALOG (window) && gtk_widget_get_visible (window))
        return window;
    }
  return NULL;
}

static gboolean
file_chooser_shown (gpointer data)
{
  return find_file_chooser () != NULL;
}

/* Select with the grid's keyboard actions (Ctrl+A, Ctrl+Space), Ctrl+S, choose the folder in
 * the file chooser: exactly the selected images land there, and the window says so. */
/* Save… on the selection into @target, as a keyboard user does it: the folder's path
 * typed into the location entry, @what ("original" or "thumbnail") chosen, then Save. */
static void
save_through_chooser (Fixture *fixture, const char *target, const char *what)
{
  g_autoptr (GFile) folder = g_file_new_for_path (target);
  GtkWidget *chooser;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.save", NULL));
  g_assert_true (tessera_test_wait_until (file_chooser_shown, NULL, 10000));
  chooser = find_file_chooser ();
  g_signal_emit_by_name (find_descendant (chooser, GTK_TYPE_FILE_CHOOSER_WIDGET), "location-popup",
                         target);
  gtk_file_chooser_set_choice (GTK_FILE_CHOOSER (chooser), "what", what);
  /* Never press Save on any other folder: a wrong answer would write outside the test's. */
  {
    g_autoptr (GFile) chosen = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));

    g_assert_nonnull (chosen);
    g_assert_true (g_file_equal (chosen, folder));
  }
  gtk_widget_activate (
      gtk_dialog_get_widget_for_response (GTK_DIALOG (chooser), GTK_RESPONSE_ACCEPT));
}

/* Thumbnails as shown: a selected tile that failed has none, and the summary says so
 * instead of counting only what was saved. */
static void
test_save_thumbnails_of_failed (Fixture *fixture, gconstpointer data)
{
  g_autofree char *target = g_dir_make_tmp ("tessera-window-save-XXXXXX", NULL);
  g_autofree char *good = tessera_test_server_url (fixture->server, "/img/thumb-good.png");
  g_autofree char *missing = tessera_test_server_url (fixture->server, "/status/404");
  const char *urls[] = { good, missing };
  NoticeWait saved = { fixture, "Saved 1 of 2" };
  GtkWidget *grid_view;

  tessera_gallery_add_uris (fixture->gallery, urls, G_N_ELEMENTS (urls), NULL);
  g_assert_true (tessera_test_wait_for_gallery (fixture->gallery, 20000));
  grid_view = find_descendant (GTK_WIDGET (fixture->window), GTK_TYPE_GRID_VIEW);
  gtk_widget_grab_focus (grid_view);
  g_assert_true (gtk_widget_activate_action (grid_view, "list.select-all", NULL));

  save_through_chooser (fixture, target, "thumbnail");
  if (!tessera_test_wait_until (notice_says, &saved, 20000))
    g_error ("notice: %s", template_label_text (fixture, "notice_label"));
  g_assert_cmpuint (tessera_test_count_files (target), ==, 1);
  tessera_test_remove_tree (target);
}

static void
test_select_and_save (Fixture *fixture, gconstpointer data)
{
  g_autofree char *target = g_dir_make_tmp ("tessera-window-save-XXXXXX", NULL);
  g_autoptr (GPtrArray) urls = g_ptr_array_new_with_free_func (g_free);
  GtkWidget *grid_view;
  NoticeWait saved = { fixture, "Saved 3 images to " };

  for (guint i = 0; i < 5; i++)
    {
      g_autofree char *path = g_strdup_printf ("/img/pick-%u.png?w=64&h=48&seed=%u", i, i);

      g_ptr_array_add (urls, tessera_test_server_url (fixture->server, path));
    }
  tessera_gallery_add_uris (fixture->gallery, (const char *const *) urls->pdata, urls->len, NULL);
  g_assert_true (tessera_test_wait_for_gallery (fixture->gallery, 20000));
  /* Nothing selected: nothing to save. */
  g_assert_false (gtk_widget_get_sensitive (GTK_WIDGET (gtk_widget_get_template_child (
      GTK_WIDGET (fixture->window), TESSERA_TYPE_WINDOW, "save_button"))));

  grid_view = find_descendant (GTK_WIDGET (fixture->window), GTK_TYPE_GRID_VIEW);
  gtk_widget_grab_focus (grid_view);
  g_assert_true (gtk_widget_activate_action (grid_view, "list.select-all", NULL));
  g_assert_cmpstr (template_label_text (fixture, "selected_label"), ==, "5 selected");
  g_assert_true (gtk_widget_activate_action (grid_view, "list.unselect-all", NULL));
  for (guint i = 0; i < 3; i++)
    g_assert_true (
        gtk_widget_activate_action (grid_view, "list.select-item", "(ubb)", i * 2, TRUE, FALSE));
  g_assert_cmpstr (template_label_text (fixture, "selected_label"), ==, "3 selected");
  g_assert_true (gtk_widget_get_sensitive (GTK_WIDGET (gtk_widget_get_template_child (
      GTK_WIDGET (fixture->window), TESSERA_TYPE_WINDOW, "save_button"))));

  /* More tiles arriving leave the selection as it was. */
  {
    g_autofree char *more = tessera_test_server_url (fixture->server, "/img/more.png");
    const char *more_urls[] = { more };

    tessera_gallery_add_uris (fixture->gallery, more_urls, 1, NULL);
    g_assert_true (tessera_test_wait_for_gallery (fixture->gallery, 20000));
    g_assert_cmpstr (template_label_text (fixture, "selected_label"), ==, "3 selected");
  }

  save_through_chooser (fixture, target, "original");

  if (!tessera_test_wait_until (notice_says, &saved, 20000))
    g_error ("notice: %s", template_label_text (fixture, "notice_label"));
  g_assert_cmpuint (tessera_test_count_files (target), ==, 3);
  for (guint i = 0; i < 5; i++)
    {
      g_autofree char *name = g_strdup_printf ("pick-%u.png", i);
      g_autofree char *path = g_build_filename (target, name, NULL);

      g_assert_true (g_file_test (path, G_FILE_TEST_EXISTS) == (i % 2 == 0));
    }
  tessera_test_remove_tree (target);
}

/* Enough tiles, slow enough, that loading them in list order would take many rounds. */
#define VISIBLE_FIRST_TILES      600u
#define VISIBLE_FIRST_DELAY_MS   100u
/* In list order the last tile would come after all the others; ranked by what is on
 * screen it comes within the first few rounds. */
#define VISIBLE_FIRST_MAX_BEFORE (VISIBLE_FIRST_TILES / 2)

static gboolean
grid_laid_out (gpointer data)
{
  GtkAdjustment *adjustment = data;

  return gtk_adjustment_get_upper (adjustment) > gtk_adjustment_get_page_size (adjustment);
}

static gboolean
tile_finished (gpointer data)
{
  return tessera_tile_get_state (data) != TESSERA_TILE_WAITING;
}

/* Jumping to the end loads the last screen next, not after the tiles before it. */
static void
test_visible_first (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GPtrArray) urls = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (TesseraTile) last = NULL;
  ItemWait last_item = { NULL, fixture->gallery, VISIBLE_FIRST_TILES - 1 };
  TesseraGalleryView *view;
  GtkAdjustment *adjustment;
  guint n_finished;

  for (guint i = 0; i < VISIBLE_FIRST_TILES; i++)
    {
      g_autofree char *path = g_strdup_printf ("/img/vf-%u.png?w=32&h=32&seed=%u&delay=%u", i, i,
                                               VISIBLE_FIRST_DELAY_MS);

      g_ptr_array_add (urls, tessera_test_server_url (fixture->server, path));
    }
  tessera_gallery_add_uris (fixture->gallery, (const char *const *) urls->pdata, urls->len, NULL);
  view = TESSERA_GALLERY_VIEW (
      find_descendant (GTK_WIDGET (fixture->window), TESSERA_TYPE_GALLERY_VIEW));
  adjustment = tessera_gallery_view_get_vadjustment (view);
  last_item.grid_view = find_descendant (GTK_WIDGET (view), GTK_TYPE_GRID_VIEW);
  /* The whole grid, as a person pressing End sees it. */
  g_assert_true (tessera_test_wait_until (grid_has_item, &last_item, 10000));
  g_assert_true (tessera_test_wait_until (grid_laid_out, adjustment, 10000));
  wait_for_layout (last_item.grid_view);

  /* As End does. */
  gtk_adjustment_set_value (adjustment, gtk_adjustment_get_upper (adjustment));
  last = g_list_model_get_item (tessera_gallery_get_model (fixture->gallery),
                                VISIBLE_FIRST_TILES - 1);
  g_assert_true (tessera_test_wait_until (tile_finished, last, 60000));
  n_finished = tessera_gallery_get_n_finished (fixture->gallery);
  g_test_message ("the last tile came after %u of %u", n_finished, VISIBLE_FIRST_TILES);
  g_assert_cmpuint (n_finished, <, VISIBLE_FIRST_MAX_BEFORE);
  g_assert_cmpint (tessera_tile_get_state (last), ==, TESSERA_TILE_LOADED);
}

/* Far more tiles than fit, never loaded: only the grid's cells are looked at. */
#define MANY_TILES               3000u
/* GtkGridView keeps 30 rows of cells around the one in view, plus a row either side. */
#define MAX_ROWS_OF_TILE_WIDGETS 40u

static void
collect_tile_widgets (GtkWidget *widget, GPtrArray *found)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (TESSERA_IS_TILE_WIDGET (child))
      g_ptr_array_add (found, child);
    else
      collect_tile_widgets (child, found);
}

/* How many of @tile_widgets lie on the same row as the first tile's. */
static guint
count_first_row (GPtrArray *tile_widgets, TesseraTileWidget *first, GtkWidget *grid_view)
{
  graphene_rect_t first_bounds, bounds;
  guint n_columns = 0;

  g_assert_true (gtk_widget_compute_bounds (GTK_WIDGET (first), grid_view, &first_bounds));
  for (guint i = 0; i < tile_widgets->len; i++)
    if (gtk_widget_get_child_visible (gtk_widget_get_parent (tile_widgets->pdata[i]))
        && gtk_widget_compute_bounds (tile_widgets->pdata[i], grid_view, &bounds)
        && bounds.origin.y == first_bounds.origin.y)
      n_columns++;
  return n_columns;
}

/* Columns that fit the grid now, and checks that the first row shows that many. */
static guint
check_columns (GtkWidget *grid_view, TesseraTile *first, GPtrArray *tile_widgets)
{
  TesseraTileWidget *first_widget;
  int cell_width;
  guint fits;

  wait_for_layout (grid_view);
  first_widget = find_tile_widget (grid_view, first);
  gtk_widget_measure (gtk_widget_get_parent (GTK_WIDGET (first_widget)), GTK_ORIENTATION_HORIZONTAL,
                      -1, NULL, &cell_width, NULL, NULL);
  fits = (guint) (gtk_widget_get_width (grid_view) / cell_width);
  g_ptr_array_set_size (tile_widgets, 0);
  collect_tile_widgets (grid_view, tile_widgets);
  g_test_message ("%u columns fit; %u tile widgets", fits, tile_widgets->len);
  g_assert_cmpuint (count_first_row (tile_widgets, first_widget, grid_view), ==, fits);
  return fits;
}

/* The grid shows as many columns as its width holds, also after the window grows, and
 * makes tile widgets for the rows around the view in that many columns, not in the most a
 * grid may have: a grid that allowed 64 columns made 2,000 tile widgets for 10,000 tiles,
 * and laid them all out on every frame. */
static void
test_tile_widgets_follow_width (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GPtrArray) urls = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) tile_widgets = g_ptr_array_new ();
  g_autoptr (TesseraTile) first = NULL;
  GtkWidget *grid_view;
  int width, height;
  guint fits;

  tessera_gallery_set_load_thumbnails (fixture->gallery, FALSE);
  for (guint i = 0; i < MANY_TILES; i++)
    g_ptr_array_add (urls, g_strdup_printf ("https://example.invalid/%u.png", i));
  tessera_gallery_add_uris (fixture->gallery, (const char *const *) urls->pdata, urls->len, NULL);
  first = g_list_model_get_item (tessera_gallery_get_model (fixture->gallery), 0);
  grid_view = find_descendant (GTK_WIDGET (fixture->window), GTK_TYPE_GRID_VIEW);
  g_assert_true (tessera_test_wait_until (
      grid_laid_out, gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (grid_view)), 10000));

  fits = check_columns (grid_view, first, tile_widgets);
  g_assert_cmpuint (fits, >, 1);
  g_assert_cmpuint (tile_widgets->len, <=, MAX_ROWS_OF_TILE_WIDGETS * fits);

  /* A column wider: the cells are spread over the width, so one more fits. */
  width = gtk_widget_get_width (GTK_WIDGET (fixture->window));
  height = gtk_widget_get_height (GTK_WIDGET (fixture->window));
  gtk_window_set_default_size (GTK_WINDOW (fixture->window),
                               width + gtk_widget_get_width (grid_view) / (int) fits, height);
  g_assert_cmpuint (check_columns (grid_view, first, tile_widgets), ==, fits + 1);
  g_assert_cmpuint (tile_widgets->len, <=, MAX_ROWS_OF_TILE_WIDGETS * (fits + 1));
}

typedef struct
{
  GtkWidget *grid_view;
  guint n_cells;
  guint most_made; /* between two frames */
} CellCount;

static gboolean
count_cells (GtkWidget *widget, GdkFrameClock *frame_clock, gpointer data)
{
  CellCount *count = data;
  g_autoptr (GPtrArray) tile_widgets = g_ptr_array_new ();

  collect_tile_widgets (count->grid_view, tile_widgets);
  if (tile_widgets->len > count->n_cells)
    count->most_made = MAX (count->most_made, tile_widgets->len - count->n_cells);
  count->n_cells = tile_widgets->len;
  return G_SOURCE_CONTINUE;
}

/* Thousands of tiles reach the grid over a few frames, so that no frame makes, styles and
 * lays out the cells of all 30 rows the grid keeps (it did, in one frame of 15 ms); all of
 * them get there. */
static void
test_cells_made_over_frames (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GPtrArray) urls = g_ptr_array_new_with_free_func (g_free);
  TesseraGalleryView *view = TESSERA_GALLERY_VIEW (
      find_descendant (GTK_WIDGET (fixture->window), TESSERA_TYPE_GALLERY_VIEW));
  CellCount count = { find_descendant (GTK_WIDGET (view), GTK_TYPE_GRID_VIEW), 0, 0 };
  ItemWait last = { count.grid_view, fixture->gallery, MANY_TILES - 1 };
  guint tick;

  tessera_gallery_set_load_thumbnails (fixture->gallery, FALSE);
  for (guint i = 0; i < MANY_TILES; i++)
    g_ptr_array_add (urls, g_strdup_printf ("https://example.invalid/%u.png", i));
  tick = gtk_widget_add_tick_callback (GTK_WIDGET (fixture->window), count_cells, &count, NULL);
  tessera_gallery_add_uris (fixture->gallery, (const char *const *) urls->pdata, urls->len, NULL);
  g_assert_true (tessera_test_wait_until (grid_has_item, &last, 10000));
  wait_for_layout (GTK_WIDGET (fixture->window));
  gtk_widget_remove_tick_callback (GTK_WIDGET (fixture->window), tick);

  g_test_message ("%u cells, at most %u made between two frames", count.n_cells, count.most_made);
  g_assert_cmpuint (count.n_cells, >, 0);
  g_assert_cmpuint (count.most_made, <=, count.n_cells / 2);

  /* Select all while more are still on their way to the grid: all of them. */
  g_ptr_array_set_size (urls, 0);
  for (guint i = 0; i < MANY_TILES; i++)
    g_ptr_array_add (urls, g_strdup_printf ("https://example.invalid/more-%u.png", i));
  tessera_gallery_add_uris (fixture->gallery, (const char *const *) urls->pdata, urls->len, NULL);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.select-all", NULL));
  g_assert_cmpuint (tessera_gallery_view_get_n_selected (view), ==, 2 * MANY_TILES);
  g_assert_cmpstr (template_label_text (fixture, "selected_label"), ==, "6000 selected");
}

/* Clearing the gallery empties the selection the header counts and disables Save. */
static void
test_clear_drops_selection (Fixture *fixture, gconstpointer data)
{
  g_autofree char *url = tessera_test_server_url (fixture->server, "/img/cleared.png");
  const char *urls[] = { url };
  GtkWidget *grid_view;

  tessera_gallery_add_uris (fixture->gallery, urls, 1, NULL);
  g_assert_true (tessera_test_wait_for_gallery (fixture->gallery, 20000));
  grid_view = find_descendant (GTK_WIDGET (fixture->window), GTK_TYPE_GRID_VIEW);
  g_assert_true (gtk_widget_activate_action (grid_view, "list.select-all", NULL));
  g_assert_cmpstr (template_label_text (fixture, "selected_label"), ==, "1 selected");
  _tessera_window_show_notice (fixture->window, "Added 1 image");

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.clear", NULL));
  /* The notice was about what is gone. */
  g_assert_false (gtk_revealer_get_reveal_child (GTK_REVEALER (gtk_widget_get_template_child (
      GTK_WIDGET (fixture->window), TESSERA_TYPE_WINDOW, "notice_revealer"))));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (gtk_widget_get_template_child (
      GTK_WIDGET (fixture->window), TESSERA_TYPE_WINDOW, "selected_label"))));
  g_assert_false (gtk_widget_get_sensitive (GTK_WIDGET (gtk_widget_get_template_child (
      GTK_WIDGET (fixture->window), TESSERA_TYPE_WINDOW, "save_button"))));
}

static gboolean
tile_loaded (gpointer data)
{
  return tessera_tile_get_state (data) == TESSERA_TILE_LOADED;
}

static char *
dup_clipboard_text (GtkWidget *widget)
{
  GdkContentProvider *content = gdk_clipboard_get_content (gtk_widget_get_clipboard (widget));
  g_auto (GValue) value = G_VALUE_INIT;

  g_value_init (&value, G_TYPE_STRING);
  if (content == NULL || !gdk_content_provider_get_value (content, &value, NULL))
    return NULL;
  return g_value_dup_string (&value);
}

static gboolean
second_page_asked_twice (gpointer data)
{
  return tessera_test_server_count_path (data, TESSERA_TEST_IMGUR_PAGE (1)) >= 2;
}

/* A first page too short to fill the view goes on to the next at once, and so does the
 * same query opened again (as a changed setting reopens it): nothing to scroll means no
 * scroll to ask for more. */
static void
test_imgur_short_page_reopened (Fixture *fixture, gconstpointer data)
{
  TesseraImgurView *view = tessera_window_get_imgur_view (fixture->window);
  TesseraImgurQuery query = { 0 };
  g_autofree char *api = tessera_test_server_url (fixture->server, "");
  g_autofree char *images = tessera_test_server_url (fixture->server, "/img");
  g_autofree char *short_page
      = g_build_filename (tessera_test_imgur_fixtures (), "own-gallery-real-world-page.json", NULL);
  g_autofree char *authorization = g_strdup_printf ("Client-ID %s", IMGUR_CLIENT_ID);

  tessera_test_serve_imgur (fixture->server, tessera_test_imgur_fixtures (), IMGUR_CLIENT_ID);
  tessera_test_server_add_fixture (fixture->server, TESSERA_TEST_IMGUR_PAGE (0), short_page, 200,
                                   NULL, authorization);
  g_setenv ("TESSERA_IMGUR_API", api, TRUE);
  g_setenv ("TESSERA_IMGUR_IMAGES", images, TRUE);
  g_setenv ("IMGUR_CLIENT_ID", IMGUR_CLIENT_ID, TRUE);

  tessera_window_open_imgur (fixture->window, &query);
  g_assert_true (
      tessera_test_wait_until (imgur_ended, tessera_imgur_view_get_source (view), 30000));
  g_assert_cmpuint (tessera_test_server_count_path (fixture->server, TESSERA_TEST_IMGUR_PAGE (1)),
                    ==, 1);

  tessera_imgur_view_open (view, &query);
  g_assert_true (tessera_test_wait_until (second_page_asked_twice, fixture->server, 30000));
  g_assert_true (
      tessera_test_wait_until (imgur_ended, tessera_imgur_view_get_source (view), 30000));

  g_unsetenv ("IMGUR_CLIENT_ID");
}

/* The Menu key opens the focused tile's menu; its Retry reloads a failed tile and its Copy
 * URL puts the tile's address on the clipboard. */
static void
test_tile_menu (Fixture *fixture, gconstpointer data)
{
  g_autofree char *good = tessera_test_server_url (fixture->server, "/img/menu-good.png");
  g_autofree char *flaky = tessera_test_server_url (fixture->server, "/retry/404/1/menu-flaky");
  const char *urls[] = { good, flaky };
  GtkWidget *view = find_descendant (GTK_WIDGET (fixture->window), TESSERA_TYPE_GALLERY_VIEW);
  GtkWidget *popover;
  g_autoptr (TesseraTile) failed = NULL;
  g_autofree char *copied = NULL;

  tessera_gallery_add_uris (fixture->gallery, urls, G_N_ELEMENTS (urls), NULL);
  g_assert_true (tessera_test_wait_for_gallery (fixture->gallery, 20000));
  failed = g_list_model_get_item (tessera_gallery_get_model (fixture->gallery), 1);
  g_assert_cmpint (tessera_tile_get_state (failed), ==, TESSERA_TILE_FAILED);
  g_assert_true (tessera_test_wait_until (header_settled, fixture->window, 5000));
  g_assert_cmpstr (template_label_text (fixture, "failed_label"), ==, "1 failed");

  /* The cell around the tile is what the grid focuses. */
  g_assert_true (
      gtk_widget_grab_focus (gtk_widget_get_parent (GTK_WIDGET (find_tile_widget (view, failed)))));
  g_assert_true (gtk_widget_activate_action (view, "tile.menu", NULL));
  popover = find_descendant (view, GTK_TYPE_POPOVER_MENU);
  g_assert_true (gtk_widget_get_visible (popover));
  /* The menu's tile became the selection, for its Save…. */
  g_assert_cmpstr (template_label_text (fixture, "selected_label"), ==, "1 selected");

  g_assert_true (gtk_widget_activate_action (view, "tile.copy-url", NULL));
  copied = dup_clipboard_text (view);
  g_assert_cmpstr (copied, ==, flaky);

  g_assert_true (gtk_widget_activate_action (view, "tile.retry", NULL));
  gtk_popover_popdown (GTK_POPOVER (popover));
  g_assert_true (tessera_test_wait_until (tile_loaded, failed, 20000));
  g_assert_true (tessera_test_wait_until (header_settled, fixture->window, 5000));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (gtk_widget_get_template_child (
      GTK_WIDGET (fixture->window), TESSERA_TYPE_WINDOW, "failed_label"))));
  g_assert_cmpuint (tessera_test_server_count_path (fixture->server, "/img/menu-good.png"), ==, 1);
}

static gboolean
clipboard_has_texture (gpointer data)
{
  GdkContentFormats *formats = gdk_clipboard_get_formats (data);

  return gdk_content_formats_contain_gtype (formats, GDK_TYPE_TEXTURE);
}

/* Copy Image puts the whole picture on the clipboard, not the 180 px thumbnail, and takes
 * its bytes from the cache: no second download. */
static void
test_copy_image (Fixture *fixture, gconstpointer data)
{
  g_autofree char *url = tessera_test_server_url (fixture->server, "/img/copy.png?w=300&h=200");
  const char *urls[] = { url };
  GtkWidget *view = find_descendant (GTK_WIDGET (fixture->window), TESSERA_TYPE_GALLERY_VIEW);
  GdkClipboard *clipboard = gtk_widget_get_clipboard (view);
  GdkContentProvider *content;
  g_autoptr (TesseraTile) tile = NULL;
  g_auto (GValue) value = G_VALUE_INIT;
  GdkTexture *copied;

  tessera_gallery_add_uris (fixture->gallery, urls, 1, NULL);
  g_assert_true (tessera_test_wait_for_gallery (fixture->gallery, 20000));
  tile = g_list_model_get_item (tessera_gallery_get_model (fixture->gallery), 0);
  g_assert_true (
      gtk_widget_grab_focus (gtk_widget_get_parent (GTK_WIDGET (find_tile_widget (view, tile)))));
  g_assert_true (gtk_widget_activate_action (view, "tile.menu", NULL));
  g_assert_true (gtk_widget_activate_action (view, "tile.copy-image", NULL));
  g_assert_true (tessera_test_wait_until (clipboard_has_texture, clipboard, 20000));

  content = gdk_clipboard_get_content (clipboard);
  g_value_init (&value, GDK_TYPE_TEXTURE);
  g_assert_true (gdk_content_provider_get_value (content, &value, NULL));
  copied = g_value_get_object (&value);
  g_assert_cmpint (gdk_texture_get_width (copied), ==, 300);
  g_assert_cmpint (gdk_texture_get_height (copied), ==, 200);
  g_assert_cmpuint (tessera_test_server_count_path (fixture->server, "/img/copy.png"), ==, 1);
}

static gboolean
label_says_freed (gpointer data)
{
  return g_str_has_prefix (gtk_label_get_text (data), "Freed");
}

static gboolean
folder_empty (gpointer data)
{
  return tessera_test_count_files (data) == 0;
}

/* Preferences' Empty Cache empties the disk cache, off the main thread, and says so. */
static void
test_preferences_empty_cache (Fixture *fixture, gconstpointer data)
{
  g_autofree char *url = tessera_test_server_url (fixture->server, "/img/kept.png");
  const char *urls[] = { url };
  TesseraCache *cache = tessera_loader_get_cache (tessera_gallery_get_loader (fixture->gallery));
  g_autoptr (GSettings) settings = g_settings_new (TESSERA_APP_ID);
  GtkWidget *preferences;
  GtkLabel *note;

  tessera_gallery_add_uris (fixture->gallery, urls, 1, NULL);
  g_assert_true (tessera_test_wait_for_gallery (fixture->gallery, 20000));
  g_assert_cmpuint (tessera_test_count_files (tessera_cache_get_dir (cache)), ==, 1);

  preferences = tessera_preferences_new (GTK_WINDOW (fixture->window), settings, cache);
  gtk_window_present (GTK_WINDOW (preferences));
  g_assert_true (tessera_test_wait_until (window_drawn, preferences, 10000));
  g_assert_true (gtk_widget_activate_action (preferences, "preferences.empty-cache", NULL));
  g_assert_true (
      tessera_test_wait_until (folder_empty, (gpointer) tessera_cache_get_dir (cache), 10000));
  note = GTK_LABEL (
      gtk_widget_get_template_child (preferences, TESSERA_TYPE_PREFERENCES, "cache_note"));
  g_assert_true (tessera_test_wait_until (label_says_freed, note, 10000));
  gtk_window_destroy (GTK_WINDOW (preferences));
}

/* The shortcut that @accel triggers among @widget's own (local) shortcut controllers,
 * which hold the shortcuts of its class; NULL if none. */
static GtkShortcut *
find_local_shortcut (GtkWidget *widget, const char *accel)
{
  g_autoptr (GListModel) controllers = gtk_widget_observe_controllers (widget);
  g_autoptr (GtkShortcutTrigger) trigger = gtk_shortcut_trigger_parse_string (accel);

  g_assert_nonnull (trigger);
  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr (GtkEventController) controller = g_list_model_get_item (controllers, i);

      if (!GTK_IS_SHORTCUT_CONTROLLER (controller)
          || gtk_shortcut_controller_get_scope (GTK_SHORTCUT_CONTROLLER (controller))
                 != GTK_SHORTCUT_SCOPE_LOCAL)
        continue;
      for (guint j = 0; j < g_list_model_get_n_items (G_LIST_MODEL (controller)); j++)
        {
          g_autoptr (GtkShortcut) shortcut = g_list_model_get_item (G_LIST_MODEL (controller), j);

          if (gtk_shortcut_trigger_equal (gtk_shortcut_get_trigger (shortcut), trigger))
            return g_steal_pointer (&shortcut);
        }
    }
  return NULL;
}

static gboolean
notice_hidden (gpointer data)
{
  Fixture *fixture = data;
  GObject *revealer = gtk_widget_get_template_child (GTK_WIDGET (fixture->window),
                                                     TESSERA_TYPE_WINDOW, "notice_revealer");

  return !gtk_revealer_get_reveal_child (GTK_REVEALER (revealer));
}

/* The window's keys live on its class, not in the application, and each activates its own
 * action: Escape hides a notice, Ctrl+V pastes. */
static void
test_shortcuts (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GtkShortcut) select_all = NULL;
  g_autoptr (GtkShortcut) unselect_all = NULL;
  static const struct
  {
    const char *accel;
    const char *action;
  } expected[] = {
    { "<Control>v", "win.paste" },
    { "<Control>s", "win.save" },
    { "<Control>l", "win.add-urls" },
    { "<Control>o", "win.add-urls" },
    { "<Control><Shift>Delete", "win.clear" },
    { "<Control>r", "win.retry-failed" },
    { "Escape", "win.dismiss-notice" },
    { "<Control>w", "window.close" },
    { "<Control>a", "win.select-all" },
    { "<Control><Shift>a", "win.unselect-all" },
  };
  GtkWidget *window = GTK_WIDGET (fixture->window);
  GdkClipboard *clipboard = gtk_widget_get_clipboard (window);
  g_autofree char *url = tessera_test_server_url (fixture->server, "/img/shortcut.png");
  g_autoptr (GtkShortcut) escape = NULL;
  g_autoptr (GtkShortcut) paste = NULL;

  for (gsize i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_autoptr (GtkShortcut) shortcut = find_local_shortcut (window, expected[i].accel);
      GtkShortcutAction *action = shortcut ? gtk_shortcut_get_action (shortcut) : NULL;

      g_test_message ("%s", expected[i].accel);
      g_assert_nonnull (shortcut);
      g_assert_true (GTK_IS_NAMED_ACTION (action));
      g_assert_cmpstr (gtk_named_action_get_action_name (GTK_NAMED_ACTION (action)), ==,
                       expected[i].action);
    }

  _tessera_window_show_notice (fixture->window, "A notice");
  g_assert_false (notice_hidden (fixture));
  escape = find_local_shortcut (window, "Escape");
  g_assert_true (gtk_shortcut_action_activate (gtk_shortcut_get_action (escape), 0, window, NULL));
  g_assert_true (notice_hidden (fixture));

  gdk_clipboard_set_text (clipboard, url);
  paste = find_local_shortcut (window, "<Control>v");
  g_assert_true (gtk_shortcut_action_activate (gtk_shortcut_get_action (paste), 0, window, NULL));
  g_assert_true (tessera_test_wait_for_gallery (fixture->gallery, 10000));
  g_assert_cmpuint (tessera_gallery_get_n_tiles (fixture->gallery), ==, 1);

  /* Ctrl+A selects on the grid wherever the focus is, here a header button. */
  gtk_widget_grab_focus (GTK_WIDGET (gtk_widget_get_template_child (
      GTK_WIDGET (fixture->window), TESSERA_TYPE_WINDOW, "save_button")));
  select_all = find_local_shortcut (window, "<Control>a");
  g_assert_true (
      gtk_shortcut_action_activate (gtk_shortcut_get_action (select_all), 0, window, NULL));
  g_assert_cmpstr (template_label_text (fixture, "selected_label"), ==, "1 selected");
  unselect_all = find_local_shortcut (window, "<Control><Shift>a");
  g_assert_true (
      gtk_shortcut_action_activate (gtk_shortcut_get_action (unselect_all), 0, window, NULL));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (gtk_widget_get_template_child (
      GTK_WIDGET (fixture->window), TESSERA_TYPE_WINDOW, "selected_label"))));
}

typedef struct
{
  GtkWidget *window;
  const char *text;
} TooltipWait;

/* GTK 4.8 gives a toplevel's tooltip a window of its own among the toplevel's children. */
static GtkWidget *
shown_tooltip (GtkWidget *window)
{
  for (GtkWidget *child = gtk_widget_get_first_child (window); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (g_str_equal (gtk_widget_get_css_name (child), "tooltip") && gtk_widget_get_mapped (child))
      return child;
  return NULL;
}

static gboolean
tooltip_says (gpointer data)
{
  TooltipWait *wait = data;
  GtkWidget *tooltip = shown_tooltip (wait->window);

  return tooltip != NULL && g_strcmp0 (visible_label_text (tooltip), wait->text) == 0;
}

static void
wait_for_tooltip (GtkWidget *window, const char *text)
{
  TooltipWait wait = { window, text };

  if (!tessera_test_wait_until (tooltip_says, &wait, 10000))
    {
      GtkWidget *tooltip = shown_tooltip (window);

      g_error ("The tooltip says “%s”, not “%s”", tooltip ? visible_label_text (tooltip) : "",
               text);
    }
}

/* A tooltip opened on a tile that waits follows the tile when it fails, is retried and
 * loads, also for a tile that appeared under a resting pointer, as tiles do while the grid
 * fills in (no enter event reaches such a tile, and it kept saying "Loading…"). Xvfb's
 * pointer rests in the middle of the screen; so does the tile. */
static void
test_tooltip_follows_state (void)
{
  const char *uri = "https://example.com/hover.png";
  g_autoptr (TesseraTile) tile = tessera_tile_new (uri);
  g_autoptr (GdkPixbuf) pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, 16, 16);
  g_autoptr (GdkTexture) texture = NULL;
  g_autofree char *loading = g_strdup_printf ("Loading…\n%s", uri);
  g_autofree char *failed = g_strdup_printf ("HTTP 404: Not there\n%s", uri);
  GtkWidget *window = gtk_window_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *widget = tessera_tile_widget_new ();
  GdkMonitor *monitor;
  GdkRectangle screen;
  double x, y;
  GtkWidget *picked;

  gdk_pixbuf_fill (pixbuf, 0x336699ff);
  texture = gdk_texture_new_for_pixbuf (pixbuf);
  monitor = g_list_model_get_item (gdk_display_get_monitors (gdk_display_get_default ()), 0);
  gdk_monitor_get_geometry (monitor, &screen);
  g_object_unref (monitor);
  gtk_window_set_default_size (GTK_WINDOW (window), screen.width, screen.height);
  gtk_window_set_child (GTK_WINDOW (window), box);
  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (tessera_test_wait_until (window_drawn, window, 10000));

  tessera_tile_widget_set_tile (TESSERA_TILE_WIDGET (widget), tile);
  gtk_widget_set_vexpand (widget, TRUE);
  gtk_box_append (GTK_BOX (box), widget);
  wait_for_layout (window);
  gdk_surface_get_device_position (
      gtk_native_get_surface (GTK_NATIVE (window)),
      gdk_seat_get_pointer (gdk_display_get_default_seat (gdk_display_get_default ())), &x, &y,
      NULL);
  picked = gtk_widget_pick (window, x, y, GTK_PICK_DEFAULT);
  g_assert_nonnull (picked);
  g_assert_true (picked == widget || gtk_widget_is_ancestor (picked, widget));

  /* As any widget's new tooltip, or the window opening under the pointer, does. Twice: GTK
   * 4.8 still counts a tooltip shown over an earlier test's window, now gone, as showing,
   * and the first query only hides that one. */
  gtk_widget_trigger_tooltip_query (window);
  gtk_widget_trigger_tooltip_query (window);
  wait_for_tooltip (window, loading);
  tessera_tile_set_failed (tile, "HTTP 404", "Not there", 10);
  wait_for_tooltip (window, failed);
  tessera_tile_set_waiting (tile);
  wait_for_tooltip (window, loading);
  tessera_tile_set_loaded (tile, texture, 20);
  wait_for_tooltip (window, uri);

  gtk_window_destroy (GTK_WINDOW (window));
}

/* A promoted post says so in its badge, before its kind, so an ad is never taken for a
 * post; the same posts not promoted show their kind alone. One widget, recycled as grid
 * cells are. */
static void
test_promoted_badge (void)
{
  static const struct
  {
    TesseraTileKind kind;
    guint n_images;
    gboolean promoted;
    const char *badge; /* NULL: none shown */
  } cases[] = {
    { TESSERA_TILE_PICTURE, 0, TRUE, "Promoted" },
    { TESSERA_TILE_PICTURE, 0, FALSE, NULL },
    { TESSERA_TILE_ALBUM, 3, TRUE, "Promoted · 3 images" },
    { TESSERA_TILE_ALBUM, 3, FALSE, "3 images" },
    { TESSERA_TILE_ANIMATION, 0, TRUE, "Promoted · GIF" },
  };
  GtkWidget *widget = g_object_ref_sink (tessera_tile_widget_new ());

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      TesseraTilePost post = { .kind = cases[i].kind,
                               .id = "RwAd001",
                               .n_images = cases[i].n_images,
                               .promoted = cases[i].promoted };
      g_autoptr (TesseraTile) tile = tessera_tile_new_for_post ("https://example.com/a.png", &post);

      tessera_tile_widget_set_tile (TESSERA_TILE_WIDGET (widget), tile);
      g_assert_cmpstr (visible_label_text (widget), ==, cases[i].badge);
    }
  g_object_unref (widget);
}

int
main (int argc, char *argv[])
{
  g_autoptr (GError) error = NULL;
  int status;

  tessera_engine_init ();
  gtk_test_init (&argc, &argv, NULL);
  test_application
      = gtk_application_new ("io.github.tessera.TesseraTest", G_APPLICATION_NON_UNIQUE);
  if (!g_application_register (G_APPLICATION (test_application), NULL, &error))
    g_error ("Cannot register the test application: %s", error->message);

  g_test_add ("/window/fills-while-responsive", Fixture, NULL, fixture_set_up,
              test_fills_while_responsive, fixture_tear_down);
  g_test_add_func ("/window/tile-looks", test_tile_looks);
  g_test_add ("/window/imgur-scroll-and-album", Fixture, NULL, fixture_set_up,
              test_imgur_scroll_and_album, fixture_tear_down);
  g_test_add ("/window/save-thumbnails-of-failed", Fixture, NULL, fixture_set_up,
              test_save_thumbnails_of_failed, fixture_tear_down);
  g_test_add ("/window/select-and-save", Fixture, NULL, fixture_set_up, test_select_and_save,
              fixture_tear_down);
  g_test_add ("/window/tile-menu", Fixture, NULL, fixture_set_up, test_tile_menu,
              fixture_tear_down);
  g_test_add ("/window/paste", Fixture, NULL, fixture_set_up, test_paste, fixture_tear_down);
  g_test_add ("/window/copy-image", Fixture, NULL, fixture_set_up, test_copy_image,
              fixture_tear_down);
  g_test_add ("/window/imgur-short-page-reopened", Fixture, NULL, fixture_set_up,
              test_imgur_short_page_reopened, fixture_tear_down);
  g_test_add ("/window/preferences-empty-cache", Fixture, NULL, fixture_set_up,
              test_preferences_empty_cache, fixture_tear_down);
  g_test_add ("/window/visible-first", Fixture, NULL, fixture_set_up, test_visible_first,
              fixture_tear_down);
  g_test_add ("/window/skipped-input", Fixture, NULL, fixture_set_up, test_skipped_input,
              fixture_tear_down);
  g_test_add ("/window/tile-widgets-follow-width", Fixture, NULL, fixture_set_up,
              test_tile_widgets_follow_width, fixture_tear_down);
  g_test_add ("/window/cells-made-over-frames", Fixture, NULL, fixture_set_up,
              test_cells_made_over_frames, fixture_tear_down);
  g_test_add ("/window/clear-drops-selection", Fixture, NULL, fixture_set_up,
              test_clear_drops_selection, fixture_tear_down);
  g_test_add ("/window/shortcuts", Fixture, NULL, fixture_set_up, test_shortcuts,
              fixture_tear_down);
  g_test_add_func ("/window/tooltip-follows-state", test_tooltip_follows_state);
  g_test_add_func ("/window/promoted-badge", test_promoted_badge);

  status = g_test_run ();
  g_object_unref (test_application);
  return status;
}
