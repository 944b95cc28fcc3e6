/* SPDX-License-Identifier: GPL-3.0-or-later */
/* tessera-make-demo.c: renders the demo pictures shown when there is no network
 *
 * Usage: tessera-make-demo OUTDIR [COUNT]
 *
 * Writes demo-01.png, demo-02.png, demo-03.jpg, ... (every third one a JPEG) to
 * OUTDIR. Runs at build time, so it uses only cairo image surfaces (no display),
 * and every picture comes from a fixed seed so builds are reproducible.
 */

#define G_LOG_DOMAIN "tessera-make-demo"

#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include <cairo.h>
#include <gdk-pixbuf/gdk-pixbuf.h>
#include <glib/gstdio.h>
#include <pango/pangocairo.h>

#define DEFAULT_COUNT        24
#define MAX_COUNT            99 /* file names have two digits */
#define JPEG_EVERY           3
#define JPEG_QUALITY         "90"
#define SEED_MULTIPLIER      0x9E3779B9u
#define SEED_OFFSET          0x7E55E4Au
#define MIN_TILE_SIZE        10.0
#define CAPTION_FONT         "Sans Bold"
#define CAPTION_MIN_PIXELS   11.0
#define CAPTION_SIZE_DIVISOR 30.0 /* of the square root of the area */

G_DEFINE_AUTOPTR_CLEANUP_FUNC (cairo_t, cairo_destroy)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (cairo_surface_t, cairo_surface_destroy)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (cairo_pattern_t, cairo_pattern_destroy)

#define DEMO_ERROR (demo_error_quark ())
/* clang-format off: it would space out the quark's name */
static G_DEFINE_QUARK (tessera-make-demo-error, demo_error)
/* clang-format on */

typedef struct
{
  guint32 state;
} Rng;

#define PALETTE_SIZE 5

typedef struct
{
  guint32 colors[PALETTE_SIZE]; /* 0xRRGGBB */
  guint32 grout;
} Palette;

typedef struct
{
  int width;
  int height;
} Size;

typedef void (*PatternFunc) (cairo_t *cr, int width, int height, Rng *rng, const Palette *palette);

static const Palette palettes[] = {
  { { 0xD4A017, 0x1F4E79, 0xB5523B, 0xEDE3C8, 0x2E5E4E }, 0x2B2724 }, /* Byzantine */
  { { 0x0B3C5D, 0x328CC1, 0x7FC8D6, 0xD9EEF2, 0xF2C14E }, 0xF4F1EA }, /* sea */
  { { 0x6A0572, 0xAB83A1, 0xF15BB5, 0xFEE440, 0xFF9F1C }, 0x1E1420 }, /* sunset */
  { { 0x283618, 0x606C38, 0xDDA15E, 0xBC6C25, 0xFEFAE0 }, 0x3A3226 }, /* forest */
  { { 0x8C2F39, 0xB23A48, 0xFCB9B2, 0xFED0BB, 0x461220 }, 0xF7EDE2 }, /* Roman */
  { { 0x2E3440, 0x5E81AC, 0x88C0D0, 0xA3BE8C, 0xEBCB8B }, 0xD8DEE9 }, /* northern */
};

static const Size sizes[] = {
  { 640, 480 },  { 480, 640 }, { 800, 300 },  { 300, 300 },
  { 1200, 900 }, { 600, 800 }, { 1024, 576 },
};

static Rng
rng_for_demo (guint number)
{
  guint32 seed = (number * SEED_MULTIPLIER) ^ SEED_OFFSET;

  /* xorshift never leaves zero. */
  return (Rng){ .state = seed != 0 ? seed : 1 };
}

/* xorshift32: tiny, deterministic on every platform. */
static guint32
rng_next (Rng *rng)
{
  guint32 x = rng->state;

  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  rng->state = x;
  return x;
}

static double
rng_range (Rng *rng, double low, double high)
{
  return low + (high - low) * (rng_next (rng) / 4294967296.0);
}

static guint
rng_below (Rng *rng, guint n)
{
  return rng_next (rng) % n;
}

static void
unpack_rgb (guint32 rgb, double *r, double *g, double *b)
{
  *r = ((rgb >> 16) & 0xFF) / 255.0;
  *g = ((rgb >> 8) & 0xFF) / 255.0;
  *b = (rgb & 0xFF) / 255.0;
}

static void
set_color (cairo_t *cr, guint32 rgb, double shade, double alpha)
{
  double r, g, b;

  unpack_rgb (rgb, &r, &g, &b);
  cairo_set_source_rgba (cr, CLAMP (r * shade, 0, 1), CLAMP (g * shade, 0, 1),
                         CLAMP (b * shade, 0, 1), alpha);
}

static void
add_color_stop (cairo_pattern_t *pattern, double offset, guint32 rgb)
{
  double r, g, b;

  unpack_rgb (rgb, &r, &g, &b);
  cairo_pattern_add_color_stop_rgb (pattern, offset, r, g, b);
}

/* A palette colour with the small variation real stone and glass tiles have. */
static void
set_tile_color (cairo_t *cr, const Palette *palette, int index, Rng *rng)
{
  int wrapped = ((index % PALETTE_SIZE) + PALETTE_SIZE) % PALETTE_SIZE;

  set_color (cr, palette->colors[wrapped], rng_range (rng, 0.88, 1.08), 1.0);
}

static void
fill_background (cairo_t *cr, guint32 rgb)
{
  set_color (cr, rgb, 1.0, 1.0);
  cairo_paint (cr);
}

/* Separate statements fix the order of the random draws, so every compiler makes the
 * same picture. On an empty path cairo_line_to () starts it. */
static void
line_to_jittered (cairo_t *cr, double x, double y, double jitter, Rng *rng)
{
  double dx = rng_range (rng, -jitter, jitter);
  double dy = rng_range (rng, -jitter, jitter);

  cairo_line_to (cr, x + dx, y + dy);
}

/* Opus tessellatum: a grid of slightly irregular square tiles in wavy colour bands. */
static void
draw_tile_grid (cairo_t *cr, int width, int height, Rng *rng, const Palette *palette)
{
  double tile = MAX (MIN_TILE_SIZE, MIN (width, height) / rng_range (rng, 12, 20));
  double gap = tile * 0.12;
  double jitter = tile * 0.07;
  double fx = rng_range (rng, 1.5, 3.5) * 2 * G_PI / width;
  double fy = rng_range (rng, 1.0, 3.0) * 2 * G_PI / height;
  double phase = rng_range (rng, 0, 2 * G_PI);

  fill_background (cr, palette->grout);
  for (double y = 0; y < height; y += tile)
    for (double x = 0; x < width; x += tile)
      {
        double wave = sin (x * fx + phase) + cos (y * fy - phase);
        int band = (int) floor ((wave + 2) / 4 * PALETTE_SIZE + rng_range (rng, -0.4, 0.4));

        line_to_jittered (cr, x + gap, y + gap, jitter, rng);
        line_to_jittered (cr, x + tile - gap, y + gap, jitter, rng);
        line_to_jittered (cr, x + tile - gap, y + tile - gap, jitter, rng);
        line_to_jittered (cr, x + gap, y + tile - gap, jitter, rng);
        cairo_close_path (cr);
        set_tile_color (cr, palette, band, rng);
        cairo_fill (cr);
      }
}

/* Smith's truchet tiles: quarter circles that join into meandering ribbons. */
static void
draw_truchet (cairo_t *cr, int width, int height, Rng *rng, const Palette *palette)
{
  double tile = MAX (MIN_TILE_SIZE, MIN (width, height) / rng_range (rng, 6, 11));
  double half = tile / 2;
  int background = (int) rng_below (rng, PALETTE_SIZE);

  fill_background (cr, palette->colors[background]);
  cairo_set_line_cap (cr, CAIRO_LINE_CAP_BUTT);
  for (double y = 0; y < height; y += tile)
    for (double x = 0; x < width; x += tile)
      {
        int band = background + 1 + (int) ((x + y) / (tile * 3)) % (PALETTE_SIZE - 1);

        cairo_new_path (cr);
        if (rng_below (rng, 2) == 0)
          {
            cairo_arc (cr, x, y, half, 0, G_PI / 2);
            cairo_new_sub_path (cr);
            cairo_arc (cr, x + tile, y + tile, half, G_PI, 3 * G_PI / 2);
          }
        else
          {
            cairo_arc (cr, x + tile, y, half, G_PI / 2, G_PI);
            cairo_new_sub_path (cr);
            cairo_arc (cr, x, y + tile, half, 3 * G_PI / 2, 2 * G_PI);
          }
        set_color (cr, palette->grout, 1.0, 1.0);
        cairo_set_line_width (cr, tile * 0.36);
        cairo_stroke_preserve (cr);
        set_tile_color (cr, palette, band, rng);
        cairo_set_line_width (cr, tile * 0.26);
        cairo_stroke (cr);
      }
}

/* Opus circulatum: rings of curved tiles around a point. */
static void
draw_tile_rings (cairo_t *cr, int width, int height, Rng *rng, const Palette *palette)
{
  double tile = MAX (MIN_TILE_SIZE, MIN (width, height) / rng_range (rng, 12, 18));
  double gap = tile * 0.12;
  double cx = width * rng_range (rng, 0.3, 0.7);
  double cy = height * rng_range (rng, 0.3, 0.7);
  double max_radius = hypot (MAX (cx, width - cx), MAX (cy, height - cy));
  int ring = 0;

  fill_background (cr, palette->grout);
  cairo_arc (cr, cx, cy, tile * 0.6 - gap, 0, 2 * G_PI);
  set_tile_color (cr, palette, 0, rng);
  cairo_fill (cr);

  for (double inner = tile * 0.6; inner < max_radius; inner += tile, ring++)
    {
      double outer = inner + tile - gap;
      double middle = (inner + outer) / 2;
      int n_tiles = MAX (6, (int) ceil (2 * G_PI * middle / tile));
      double step = 2 * G_PI / n_tiles;
      double gap_angle = gap / middle;
      double offset = rng_range (rng, 0, step);

      for (int k = 0; k < n_tiles; k++)
        {
          double a0 = offset + k * step + gap_angle / 2;
          double a1 = a0 + step - gap_angle;
          /* An occasional odd tile, as a real mosaicist would leave. */
          int band = rng_below (rng, 12) == 0 ? ring + 2 : ring / 2;

          cairo_arc (cr, cx, cy, outer, a0, a1);
          cairo_arc_negative (cr, cx, cy, inner, a1, a0);
          cairo_close_path (cr);
          set_tile_color (cr, palette, band, rng);
          cairo_fill (cr);
        }
    }
}

/* Jittered triangles shaded along a gradient, with thin grout lines. */
static void
draw_triangles (cairo_t *cr, int width, int height, Rng *rng, const Palette *palette)
{
  double cell = MAX (MIN_TILE_SIZE, MIN (width, height) / rng_range (rng, 5, 9));
  int cols = (int) ceil (width / cell) + 1;
  int rows = (int) ceil (height / cell) + 1;
  g_autofree double *vx = g_new (double, (gsize) (cols + 1) * (gsize) (rows + 1));
  g_autofree double *vy = g_new (double, (gsize) (cols + 1) * (gsize) (rows + 1));
  double angle = rng_range (rng, 0, 2 * G_PI);
  double dx = cos (angle) / hypot (width, height);
  double dy = sin (angle) / hypot (width, height);

  /* Shared, jittered vertices so neighbouring triangles meet exactly. */
  for (int j = 0; j <= rows; j++)
    for (int i = 0; i <= cols; i++)
      {
        vx[j * (cols + 1) + i] = (i - 0.5) * cell + rng_range (rng, -0.3, 0.3) * cell;
        vy[j * (cols + 1) + i] = (j - 0.5) * cell + rng_range (rng, -0.3, 0.3) * cell;
      }

  fill_background (cr, palette->grout);
  cairo_set_line_width (cr, MAX (1.0, cell * 0.03));
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  for (int j = 0; j < rows; j++)
    for (int i = 0; i < cols; i++)
      {
        int corner[4] = { j * (cols + 1) + i, j * (cols + 1) + i + 1, (j + 1) * (cols + 1) + i + 1,
                          (j + 1) * (cols + 1) + i };
        int flip = (int) rng_below (rng, 2);

        for (int half = 0; half < 2; half++)
          {
            int a = corner[(flip + 2 * half) % 4];
            int b = corner[(flip + 2 * half + 1) % 4];
            int c = corner[(flip + 2 * half + 2) % 4];
            double mx = (vx[a] + vx[b] + vx[c]) / 3;
            double my = (vy[a] + vy[b] + vy[c]) / 3;
            double t = CLAMP ((mx - width / 2.0) * dx + (my - height / 2.0) * dy + 0.5
                                  + rng_range (rng, -0.08, 0.08),
                              0, 1);
            double position = t * (PALETTE_SIZE - 1);
            int lower = MIN ((int) position, PALETTE_SIZE - 2);

            cairo_move_to (cr, vx[a], vy[a]);
            cairo_line_to (cr, vx[b], vy[b]);
            cairo_line_to (cr, vx[c], vy[c]);
            cairo_close_path (cr);
            /* Blend two neighbouring palette colours for a smooth sweep across the image. */
            set_tile_color (cr, palette, lower, rng);
            cairo_fill_preserve (cr);
            set_color (cr, palette->colors[lower + 1], 1.0, position - lower);
            cairo_fill_preserve (cr);
            set_color (cr, palette->grout, 1.0, 1.0);
            cairo_stroke (cr);
          }
      }
}

/* Hexagonal tiles in rings of colour around a focus. */
static void
draw_hexagons (cairo_t *cr, int width, int height, Rng *rng, const Palette *palette)
{
  double radius = MAX (MIN_TILE_SIZE, MIN (width, height) / rng_range (rng, 12, 20));
  double gap = radius * 0.1;
  double column_step = sqrt (3) * radius;
  double row_step = 1.5 * radius;
  double fx = width * rng_range (rng, 0.2, 0.8);
  double fy = height * rng_range (rng, 0.2, 0.8);
  int row = 0;

  fill_background (cr, palette->grout);
  for (double y = 0; y < height + radius; y += row_step, row++)
    for (double x = (row % 2) * column_step / 2; x < width + radius; x += column_step)
      {
        int band = (int) (hypot (x - fx, y - fy) / (radius * 2.5) + rng_range (rng, 0, 0.6));

        for (int k = 0; k < 6; k++)
          {
            double a = G_PI / 6 + k * G_PI / 3;

            cairo_line_to (cr, x + (radius - gap) * cos (a), y + (radius - gap) * sin (a));
          }
        cairo_close_path (cr);
        set_tile_color (cr, palette, band, rng);
        cairo_fill (cr);
      }
}

/* Overlapping sets of concentric circles over a soft gradient. */
static void
draw_circles (cairo_t *cr, int width, int height, Rng *rng, const Palette *palette)
{
  g_autoptr (cairo_pattern_t) gradient = cairo_pattern_create_linear (0, 0, width, height);
  int first = (int) rng_below (rng, PALETTE_SIZE);
  /* Wide or tall pictures get more sets so the circles reach across them. */
  int n_sets = 2 + (int) rng_below (rng, 3) + MAX (width, height) / MIN (width, height);
  double largest = MIN (width, height) * 0.45;

  add_color_stop (gradient, 0, palette->colors[first]);
  add_color_stop (gradient, 1, palette->grout);
  cairo_set_source (cr, gradient);
  cairo_paint (cr);

  for (int s = 0; s < n_sets; s++)
    {
      double cx = rng_range (rng, 0, width);
      double cy = rng_range (rng, 0, height);
      double outer = largest * rng_range (rng, 0.5, 1.0) * (1.0 - s * 0.12);
      int n_rings = 4 + (int) rng_below (rng, 5);
      double ring_width = outer / n_rings;

      for (int r = 0; r < n_rings; r++)
        {
          cairo_arc (cr, cx, cy, outer - r * ring_width, 0, 2 * G_PI);
          set_tile_color (cr, palette, first + 1 + (s + r) % (PALETTE_SIZE - 1), rng);
          cairo_fill_preserve (cr);
          set_color (cr, palette->grout, 1.0, 0.8);
          cairo_set_line_width (cr, MAX (1.0, ring_width * 0.12));
          cairo_stroke (cr);
        }
    }
}

static const PatternFunc patterns[] = {
  draw_tile_grid, draw_truchet, draw_tile_rings, draw_triangles, draw_hexagons, draw_circles,
};

static void
rounded_rectangle (cairo_t *cr, double x, double y, double width, double height, double radius)
{
  cairo_new_sub_path (cr);
  cairo_arc (cr, x + width - radius, y + radius, radius, -G_PI / 2, 0);
  cairo_arc (cr, x + width - radius, y + height - radius, radius, 0, G_PI / 2);
  cairo_arc (cr, x + radius, y + height - radius, radius, G_PI / 2, G_PI);
  cairo_arc (cr, x + radius, y + radius, radius, G_PI, 3 * G_PI / 2);
  cairo_close_path (cr);
}

/* "Tessera demo 7" on a dark rounded label at the bottom of the centre square, the part
 * a tile crops out of a wide or tall picture, so every tile shows it whole. */
static void
draw_caption (cairo_t *cr, int width, int height, guint number)
{
  g_autoptr (PangoLayout) layout = pango_cairo_create_layout (cr);
  g_autoptr (PangoFontDescription) font = pango_font_description_from_string (CAPTION_FONT);
  g_autofree char *text = g_strdup_printf ("Tessera demo %u", number);
  double font_pixels
      = MAX (CAPTION_MIN_PIXELS, sqrt ((double) width * height) / CAPTION_SIZE_DIVISOR);
  double padding = font_pixels * 0.5;
  double margin = font_pixels * 0.75;
  PangoRectangle extents;
  double box_height, box_width, box_x, box_y;

  pango_font_description_set_absolute_size (font, font_pixels * PANGO_SCALE);
  pango_layout_set_font_description (layout, font);
  pango_layout_set_text (layout, text, -1);
  pango_layout_get_pixel_extents (layout, NULL, &extents);
  box_height = extents.height + 2 * padding;
  box_width = extents.width + 2 * padding;
  box_x = (width - box_width) / 2;
  box_y = (height + MIN (width, height)) / 2.0 - margin - box_height;

  rounded_rectangle (cr, box_x, box_y, box_width, box_height, padding);
  cairo_set_source_rgba (cr, 0.05, 0.05, 0.08, 0.62);
  cairo_fill (cr);

  cairo_move_to (cr, box_x + padding - extents.x, box_y + padding - extents.y);
  cairo_set_source_rgb (cr, 1, 1, 1);
  pango_cairo_show_layout (cr, layout);
}

static cairo_surface_t *
render_demo (guint number, GError **error)
{
  const Size *size = &sizes[(number - 1) % G_N_ELEMENTS (sizes)];
  const Palette *palette
      = &palettes[(number - 1 + (number - 1) / G_N_ELEMENTS (patterns)) % G_N_ELEMENTS (palettes)];
  PatternFunc pattern = patterns[(number - 1) % G_N_ELEMENTS (patterns)];
  Rng rng = rng_for_demo (number);
  g_autoptr (cairo_surface_t) surface
      = cairo_image_surface_create (CAIRO_FORMAT_RGB24, size->width, size->height);
  g_autoptr (cairo_t) cr = cairo_create (surface);

  pattern (cr, size->width, size->height, &rng, palette);
  draw_caption (cr, size->width, size->height, number);
  cairo_surface_flush (surface);

  if (cairo_status (cr) != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, DEMO_ERROR, 0, "drawing demo %u failed: %s", number,
                   cairo_status_to_string (cairo_status (cr)));
      return NULL;
    }

  return g_steal_pointer (&surface);
}

static cairo_status_t
append_to_byte_array (void *closure, const unsigned char *data, unsigned int length)
{
  g_byte_array_append (closure, data, length);
  return CAIRO_STATUS_SUCCESS;
}

static GBytes *
encode_png (cairo_surface_t *surface, GError **error)
{
  g_autoptr (GByteArray) png = g_byte_array_new ();
  cairo_status_t status = cairo_surface_write_to_png_stream (surface, append_to_byte_array, png);

  if (status != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, DEMO_ERROR, 0, "PNG encoding failed: %s",
                   cairo_status_to_string (status));
      return NULL;
    }

  return g_byte_array_free_to_bytes (g_steal_pointer (&png));
}

/* Copies an opaque RGB24 surface (native-endian 0x00RRGGBB words) into a pixbuf. */
static GdkPixbuf *
pixbuf_from_surface (cairo_surface_t *surface)
{
  int width = cairo_image_surface_get_width (surface);
  int height = cairo_image_surface_get_height (surface);
  int stride = cairo_image_surface_get_stride (surface);
  const guchar *data = cairo_image_surface_get_data (surface);
  GdkPixbuf *pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, width, height);
  guchar *pixels;
  int rowstride;

  if (pixbuf == NULL)
    return NULL;

  pixels = gdk_pixbuf_get_pixels (pixbuf);
  rowstride = gdk_pixbuf_get_rowstride (pixbuf);
  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      {
        guint32 word = ((const guint32 *) (data + (gsize) y * (gsize) stride))[x];
        guchar *out = pixels + (gsize) y * (gsize) rowstride + (gsize) x * 3;

        out[0] = (word >> 16) & 0xFF;
        out[1] = (word >> 8) & 0xFF;
        out[2] = word & 0xFF;
      }

  return pixbuf;
}

static GBytes *
encode_jpeg (cairo_surface_t *surface, GError **error)
{
  g_autoptr (GdkPixbuf) pixbuf = pixbuf_from_surface (surface);
  g_autofree char *jpeg = NULL;
  gsize jpeg_len = 0;

  if (pixbuf == NULL)
    {
      g_set_error_literal (error, DEMO_ERROR, 0, "out of memory for the JPEG pixels");
      return NULL;
    }
  if (!gdk_pixbuf_save_to_buffer (pixbuf, &jpeg, &jpeg_len, "jpeg", error, "quality", JPEG_QUALITY,
                                  NULL))
    return NULL;

  return g_bytes_new_take (g_steal_pointer (&jpeg), jpeg_len);
}

/* Renders demo @number and writes it under @outdir; g_file_set_contents () writes a
 * temporary file and renames it, so a reader never sees half a picture. */
static gboolean
write_demo (const char *outdir, guint number, GError **error)
{
  gboolean is_jpeg = number % JPEG_EVERY == 0;
  g_autofree char *name = g_strdup_printf ("demo-%02u.%s", number, is_jpeg ? "jpg" : "png");
  g_autofree char *path = g_build_filename (outdir, name, NULL);
  g_autoptr (cairo_surface_t) surface = render_demo (number, error);
  g_autoptr (GBytes) bytes = NULL;
  gsize len = 0;
  gconstpointer data;

  if (surface == NULL)
    return FALSE;

  bytes = is_jpeg ? encode_jpeg (surface, error) : encode_png (surface, error);
  if (bytes == NULL)
    {
      g_prefix_error (error, "%s: ", name);
      return FALSE;
    }

  data = g_bytes_get_data (bytes, &len);
  return g_file_set_contents (path, data, (gssize) len, error);
}

static gboolean
parse_count (const char *text, guint *count, GError **error)
{
  guint64 value = 0;

  if (!g_ascii_string_to_unsigned (text, 10, 1, MAX_COUNT, &value, error))
    return FALSE;

  *count = (guint) value;
  return TRUE;
}

int
main (int argc, char *argv[])
{
  g_autoptr (GError) error = NULL;
  guint count = DEFAULT_COUNT;
  const char *outdir;

  if (argc < 2 || argc > 3)
    {
      g_printerr ("Usage: %s OUTDIR [COUNT]\n", argv[0]);
      return EXIT_FAILURE;
    }
  outdir = argv[1];

  if (argc == 3 && !parse_count (argv[2], &count, &error))
    {
      g_printerr ("%s: bad COUNT: %s\n", argv[0], error->message);
      return EXIT_FAILURE;
    }

  if (g_mkdir_with_parents (outdir, 0755) != 0)
    {
      g_printerr ("%s: cannot create %s: %s\n", argv[0], outdir, g_strerror (errno));
      return EXIT_FAILURE;
    }

  for (guint number = 1; number <= count; number++)
    if (!write_demo (outdir, number, &error))
      {
        g_printerr ("%s: %s\n", argv[0], error->message);
        return EXIT_FAILURE;
      }

  return EXIT_SUCCESS;
}
