/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-image.c: sniffing, header probing and tile decoding, on images made here */

#define G_LOG_DOMAIN "test-image"

#include "config.h"

#include <gdk-pixbuf/gdk-pixbuf.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>

#include "tessera-engine.h"
#include "tessera-error.h"
#include "tessera-image-private.h"
#include "tessera-original.h"
#include "tessera-test-util.h"
#include "tessera-test-server.h"

#define TILE_PX          256
#define SMALL_TILE_PX    100
#define COLOUR_TOLERANCE 48
#define N_DECODE_THREADS 4
/* A refusal from the header alone must not take anywhere near a decode's time (allocating
 * and filling 10 gigapixels), which stays far above this × tessera_test_slowdown(). */
#define INSTANT_SECONDS  0.1

/* gdk_pixbuf_fill() colours, 0xRRGGBBAA */
#define RED   0xff0000ffu
#define GREEN 0x00ff00ffu
#define BLUE  0x0000ffffu

/* Handcrafted WebP payloads */
#define VP8_KEY_FRAME_TAG   0x50, 0x02, 0x00
#define VP8_START_CODE      0x9d, 0x01, 0x2a
#define VP8_SCALE_HINT_BITS 0xc000

/* ---- helpers ---- */

static void
put_be16 (guint8 *p, guint value)
{
  p[0] = (value >> 8) & 0xff;
  p[1] = value & 0xff;
}

static void
put_be32 (guint8 *p, guint32 value)
{
  put_be16 (p, value >> 16);
  put_be16 (p + 2, value & 0xffff);
}

static void
append_le16 (GByteArray *array, guint value)
{
  guint8 bytes[] = { value & 0xff, (value >> 8) & 0xff };

  g_byte_array_append (array, bytes, sizeof bytes);
}

static void
append_le24 (GByteArray *array, guint32 value)
{
  guint8 bytes[] = { value & 0xff, (value >> 8) & 0xff, (value >> 16) & 0xff };

  g_byte_array_append (array, bytes, sizeof bytes);
}

static void
append_le32 (GByteArray *array, guint32 value)
{
  append_le16 (array, value & 0xffff);
  append_le16 (array, value >> 16);
}

static void
append_string (GByteArray *array, const char *string)
{
  g_byte_array_append (array, (const guint8 *) string, strlen (string));
}

static GBytes *
bytes_from_string (const char *string)
{
  return g_bytes_new_static (string, strlen (string));
}

static GdkPixbuf *
make_solid (int width, int height, guint32 rgba)
{
  GdkPixbuf *pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, width, height);

  g_assert_nonnull (pixbuf);
  gdk_pixbuf_fill (pixbuf, rgba);
  return pixbuf;
}

/* Left half one colour, right half another. */
static GdkPixbuf *
make_halves (int width, int height, guint32 left_rgba, guint32 right_rgba)
{
  GdkPixbuf *pixbuf = make_solid (width, height, right_rgba);
  g_autoptr (GdkPixbuf) left = gdk_pixbuf_new_subpixbuf (pixbuf, 0, 0, width / 2, height);

  gdk_pixbuf_fill (left, left_rgba);
  return pixbuf;
}

static GBytes *
encode (GdkPixbuf *pixbuf, const char *type)
{
  g_autoptr (GError) error = NULL;
  char *buffer = NULL;
  gsize size = 0;

  g_assert_true (gdk_pixbuf_save_to_bufferv (pixbuf, &buffer, &size, type, NULL, NULL, &error));
  g_assert_no_error (error);
  return g_bytes_new_take (buffer, size);
}

static GBytes *
encode_solid (int width, int height, const char *type)
{
  g_autoptr (GdkPixbuf) pixbuf = make_solid (width, height, GREEN);

  return encode (pixbuf, type);
}

static GBytes *
make_png_header (guint32 width, guint32 height)
{
  /* Signature, IHDR (8-bit RGB), and a CRC nobody gets to check. */
  guint8 header[]
      = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R', 0,
          0,    0,   0,   0,   0,    0,    0,    8,    2, 0, 0, 0,  0,   0,   0,   0 };

  put_be32 (header + 16, width);
  put_be32 (header + 20, height);
  return g_bytes_new (header, sizeof header);
}

static GBytes *
make_webp (const char *fourcc, const guint8 *payload, gsize payload_len)
{
  GByteArray *webp = g_byte_array_new ();

  append_string (webp, "RIFF");
  append_le32 (webp, 4 + 8 + payload_len);
  append_string (webp, "WEBP");
  append_string (webp, fourcc);
  append_le32 (webp, payload_len);
  g_byte_array_append (webp, payload, payload_len);
  return g_byte_array_free_to_bytes (webp);
}

static GBytes *
make_vp8l_header (guint width, guint height)
{
  g_autoptr (GByteArray) payload = g_byte_array_new ();
  guint8 signature = 0x2f;

  g_byte_array_append (payload, &signature, 1);
  append_le32 (payload, (width - 1) | ((height - 1) << 14));
  return make_webp ("VP8L", payload->data, payload->len);
}

/* A JPEG with an APP1 Exif segment holding only an orientation, inserted after SOI. */
static GBytes *
insert_exif_orientation (GBytes *jpeg, guint orientation)
{
  const guint8 app1[]
      = { 0xff, 0xe1, 0x00, 0x22, 'E', 'x', 'i', 'f', 0, 0,           'M', 'M',
          0x00, 0x2a, 0,    0,    0,   8, /* TIFF header, IFD0 at 8 */
          0,    1,                        /* one entry */
          0x01, 0x12, 0,    3,    0,   0,   0,   1,   0, orientation, 0,   0, /* SHORT */
          0,    0,    0,    0 };                                              /* no next IFD */
  GByteArray *out = g_byte_array_new ();
  gsize len;
  const guint8 *data = g_bytes_get_data (jpeg, &len);

  g_assert_cmpuint (len, >, 2);
  g_byte_array_append (out, data, 2);
  g_byte_array_append (out, app1, sizeof app1);
  g_byte_array_append (out, data + 2, len - 2);
  return g_byte_array_free_to_bytes (out);
}

static char *
read_pixbuf_option (GBytes *bytes, const char *key)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GInputStream) stream = g_memory_input_stream_new_from_bytes (bytes);
  g_autoptr (GdkPixbuf) pixbuf = gdk_pixbuf_new_from_stream (stream, NULL, &error);

  g_assert_no_error (error);
  return g_strdup (gdk_pixbuf_get_option (pixbuf, key));
}

/* tessera_test_make_gif(): a 4×4 animation, a red frame then a blue one. */
#define GIF_SIDE 4

static gboolean
have_writable_pixbuf_format (const char *name)
{
  g_autoptr (GSList) formats = gdk_pixbuf_get_formats ();

  for (GSList *l = formats; l != NULL; l = l->next)
    {
      g_autofree char *format_name = gdk_pixbuf_format_get_name (l->data);

      if (g_str_equal (format_name, name))
        return gdk_pixbuf_format_is_writable (l->data);
    }
  return FALSE;
}

static GdkTexture *
decode_ok (GBytes *bytes, guint tile_px, TesseraImageFormat expected_format)
{
  g_autoptr (GError) error = NULL;
  TesseraImageFormat format = TESSERA_IMAGE_FORMAT_UNKNOWN;
  GdkTexture *texture = tessera_image_decode_tile (bytes, tile_px, &format, &error);

  g_assert_no_error (error);
  g_assert_nonnull (texture);
  g_assert_cmpint (format, ==, expected_format);
  return texture;
}

static void
assert_decode_fails (GBytes *bytes, TesseraErrorCode code)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GdkTexture) texture = tessera_image_decode_tile (bytes, TILE_PX, NULL, &error);

  g_assert_error (error, TESSERA_ERROR, (int) code);
  g_assert_null (texture);
}

static void
assert_texture_size (GdkTexture *texture, int width, int height)
{
  g_assert_cmpint (gdk_texture_get_width (texture), ==, width);
  g_assert_cmpint (gdk_texture_get_height (texture), ==, height);
}

/* GDK_MEMORY_DEFAULT is premultiplied ARGB in native-endian 32-bit words; ours are opaque. */
static void
assert_pixel_colour (GdkTexture *texture, int x, int y, guint32 rgba)
{
  int width = gdk_texture_get_width (texture);
  int height = gdk_texture_get_height (texture);
  g_autofree guint32 *pixels = g_new (guint32, (gsize) width * height);
  guint32 argb;

  g_assert_cmpint (x, <, width);
  g_assert_cmpint (y, <, height);
  gdk_texture_download (texture, (guchar *) pixels, (gsize) width * sizeof (guint32));
  argb = pixels[(gsize) y * width + x];

  for (guint shift = 8; shift <= 24; shift += 8)
    {
      int expected = (rgba >> shift) & 0xff;
      int actual = (argb >> (shift - 8)) & 0xff;

      g_assert_cmpint (ABS (actual - expected), <=, COLOUR_TOLERANCE);
    }
}

static void
assert_probe (GBytes *bytes, TesseraImageFormat format, guint expected_width, guint expected_height)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (bytes, &len);
  guint width = 0;
  guint height = 0;

  g_assert_true (tessera_image_probe_size (data, len, format, &width, &height));
  g_assert_cmpuint (width, ==, expected_width);
  g_assert_cmpuint (height, ==, expected_height);
}

static void
assert_probe_fails (const guint8 *data, gsize len, TesseraImageFormat format)
{
  guint width = 0;
  guint height = 0;

  g_assert_false (tessera_image_probe_size (data, len, format, &width, &height));
}

/* Every cut of the header before @needed bytes loses the size; @needed bytes are enough. */
static void
assert_probe_needs (GBytes *bytes, gsize needed, TesseraImageFormat format)
{
  const guint8 *data = g_bytes_get_data (bytes, NULL);
  g_autoptr (GBytes) exact = g_bytes_new (data, needed);
  guint width;
  guint height;

  g_assert_cmpuint (needed, <=, g_bytes_get_size (bytes));
  for (gsize len = 0; len < needed; len++)
    {
      /* A fresh copy so that ASan catches any read past the cut. */
      g_autofree guint8 *cut = g_memdup2 (data, len);

      assert_probe_fails (cut, len, format);
    }
  g_assert_true (
      tessera_image_probe_size (g_bytes_get_data (exact, NULL), needed, format, &width, &height));
}

/* ---- sniffing ---- */

typedef struct
{
  const char *bytes;
  gsize len;
  TesseraImageFormat format;
} SniffCase;

#define SNIFF_CASE(literal, format)                                                                \
  {                                                                                                \
    literal, sizeof (literal) - 1, format                                                          \
  }

static void
test_sniff (void)
{
  const SniffCase cases[] = {
    SNIFF_CASE ("\xff\xd8\xff\xe0", TESSERA_IMAGE_FORMAT_JPEG),
    SNIFF_CASE ("\xff\xd8\xff", TESSERA_IMAGE_FORMAT_JPEG),
    SNIFF_CASE ("\xff\xd8", TESSERA_IMAGE_FORMAT_UNKNOWN),
    SNIFF_CASE ("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", TESSERA_IMAGE_FORMAT_PNG),
    SNIFF_CASE ("\x89PNG\r\n\x1a", TESSERA_IMAGE_FORMAT_UNKNOWN),
    SNIFF_CASE ("GIF87a\x01\0\x01\0", TESSERA_IMAGE_FORMAT_GIF),
    SNIFF_CASE ("GIF89a", TESSERA_IMAGE_FORMAT_GIF),
    SNIFF_CASE ("GIF8 is a fine name for a text file", TESSERA_IMAGE_FORMAT_UNKNOWN),
    SNIFF_CASE ("GIF88a", TESSERA_IMAGE_FORMAT_UNKNOWN),
    SNIFF_CASE ("GIF89", TESSERA_IMAGE_FORMAT_UNKNOWN),
    SNIFF_CASE ("RIFF\x24\0\0\0WEBPVP8 ", TESSERA_IMAGE_FORMAT_WEBP),
    SNIFF_CASE ("RIFF\x24\0\0\0WAVEfmt ", TESSERA_IMAGE_FORMAT_UNKNOWN),
    SNIFF_CASE ("RIFF\x24\0\0\0WEB", TESSERA_IMAGE_FORMAT_UNKNOWN),
    SNIFF_CASE ("<!DOCTYPE html><html><body>Not found</body></html>", TESSERA_IMAGE_FORMAT_UNKNOWN),
    SNIFF_CASE ("plain text", TESSERA_IMAGE_FORMAT_UNKNOWN),
    SNIFF_CASE ("", TESSERA_IMAGE_FORMAT_UNKNOWN),
    SNIFF_CASE ("\xff", TESSERA_IMAGE_FORMAT_UNKNOWN),
    SNIFF_CASE ("GIF", TESSERA_IMAGE_FORMAT_UNKNOWN),
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      /* A copy of just the bytes, so that ASan catches any read past them. */
      g_autofree guint8 *data = g_memdup2 (cases[i].bytes, cases[i].len);

      g_test_message ("case %" G_GSIZE_FORMAT, i);
      g_assert_cmpint (tessera_image_sniff (data, cases[i].len), ==, cases[i].format);
    }

  g_assert_cmpint (tessera_image_sniff (NULL, 0), ==, TESSERA_IMAGE_FORMAT_UNKNOWN);
}

static void
test_format_extension (void)
{
  g_assert_cmpstr (tessera_image_format_extension (TESSERA_IMAGE_FORMAT_JPEG), ==, "jpg");
  g_assert_cmpstr (tessera_image_format_extension (TESSERA_IMAGE_FORMAT_PNG), ==, "png");
  g_assert_cmpstr (tessera_image_format_extension (TESSERA_IMAGE_FORMAT_GIF), ==, "gif");
  g_assert_cmpstr (tessera_image_format_extension (TESSERA_IMAGE_FORMAT_WEBP), ==, "webp");
  g_assert_null (tessera_image_format_extension (TESSERA_IMAGE_FORMAT_UNKNOWN));
}

/* ---- probing ---- */

static void
test_probe_encoded_sizes (void)
{
  const struct
  {
    int width;
    int height;
  } sizes[] = { { 1, 1 }, { 3000, 2000 }, { 17, 5 }, { 5, 17 }, { 640, 480 } };

  for (gsize i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      g_autoptr (GBytes) png = encode_solid (sizes[i].width, sizes[i].height, "png");
      g_autoptr (GBytes) jpeg = encode_solid (sizes[i].width, sizes[i].height, "jpeg");

      assert_probe (png, TESSERA_IMAGE_FORMAT_PNG, sizes[i].width, sizes[i].height);
      assert_probe (jpeg, TESSERA_IMAGE_FORMAT_JPEG, sizes[i].width, sizes[i].height);
    }
}

static void
test_probe_png_header (void)
{
  g_autoptr (GBytes) huge = make_png_header (100000, 100000);
  g_autoptr (GBytes) normal = make_png_header (640, 480);
  gsize header_len = g_bytes_get_size (normal);
  g_autofree guint8 *bad_length = g_memdup2 (g_bytes_get_data (normal, NULL), header_len);
  g_autofree guint8 *not_ihdr = g_memdup2 (g_bytes_get_data (normal, NULL), header_len);

  assert_probe (huge, TESSERA_IMAGE_FORMAT_PNG, 100000, 100000);
  assert_probe (normal, TESSERA_IMAGE_FORMAT_PNG, 640, 480);
  assert_probe_needs (normal, 24, TESSERA_IMAGE_FORMAT_PNG);

  bad_length[11] = 14;
  assert_probe_fails (bad_length, header_len, TESSERA_IMAGE_FORMAT_PNG);
  memcpy (not_ihdr + 12, "tEXt", 4);
  assert_probe_fails (not_ihdr, header_len, TESSERA_IMAGE_FORMAT_PNG);

  /* The bytes must be what the caller says they are. */
  assert_probe_fails (g_bytes_get_data (normal, NULL), header_len, TESSERA_IMAGE_FORMAT_GIF);
}

static void
test_probe_gif_header (void)
{
  const guint8 header[] = { 'G', 'I', 'F', '8', '7', 'a', 0x2c, 0x01, 0xc8, 0x00, 0x80, 0, 0 };
  g_autoptr (GBytes) bytes = g_bytes_new (header, sizeof header);
  g_autoptr (GBytes) gif = tessera_test_make_gif ();

  assert_probe (bytes, TESSERA_IMAGE_FORMAT_GIF, 300, 200);
  assert_probe_needs (bytes, 10, TESSERA_IMAGE_FORMAT_GIF);
  assert_probe (gif, TESSERA_IMAGE_FORMAT_GIF, GIF_SIDE, GIF_SIDE);
}

static void
test_probe_webp_vp8 (void)
{
  /* The two top bits of each size field are a scaling hint and must be ignored. */
  guint8 payload[] = { VP8_KEY_FRAME_TAG, VP8_START_CODE, 0, 0, 0, 0, 0, 0 };
  g_autoptr (GBytes) webp = NULL;
  g_autoptr (GBytes) short_chunk = NULL;
  g_autoptr (GBytes) not_key = NULL;
  g_autoptr (GBytes) no_start = NULL;

  payload[6] = (640 | VP8_SCALE_HINT_BITS) & 0xff;
  payload[7] = (640 | VP8_SCALE_HINT_BITS) >> 8;
  payload[8] = 480 & 0xff;
  payload[9] = 480 >> 8;
  webp = make_webp ("VP8 ", payload, sizeof payload);
  assert_probe (webp, TESSERA_IMAGE_FORMAT_WEBP, 640, 480);
  assert_probe_needs (webp, 30, TESSERA_IMAGE_FORMAT_WEBP);

  /* A chunk that says it is shorter than the frame header holds no size. */
  short_chunk = make_webp ("VP8 ", payload, 9);
  assert_probe_fails (g_bytes_get_data (short_chunk, NULL), g_bytes_get_size (short_chunk),
                      TESSERA_IMAGE_FORMAT_WEBP);

  payload[0] |= 0x01;
  not_key = make_webp ("VP8 ", payload, sizeof payload);
  assert_probe_fails (g_bytes_get_data (not_key, NULL), g_bytes_get_size (not_key),
                      TESSERA_IMAGE_FORMAT_WEBP);

  payload[0] &= ~0x01;
  payload[4] = 0x02;
  no_start = make_webp ("VP8 ", payload, sizeof payload);
  assert_probe_fails (g_bytes_get_data (no_start, NULL), g_bytes_get_size (no_start),
                      TESSERA_IMAGE_FORMAT_WEBP);
}

static void
test_probe_webp_vp8l (void)
{
  g_autoptr (GBytes) small = make_vp8l_header (300, 200);
  g_autoptr (GBytes) largest = make_vp8l_header (16384, 16384);
  guint8 wrong_signature[] = { 0x2e, 0, 0, 0, 0 };
  guint8 future_version[] = { 0x2f, 0, 0, 0, 0x20 };
  g_autoptr (GBytes) bad = make_webp ("VP8L", wrong_signature, sizeof wrong_signature);
  g_autoptr (GBytes) future = make_webp ("VP8L", future_version, sizeof future_version);

  assert_probe (small, TESSERA_IMAGE_FORMAT_WEBP, 300, 200);
  assert_probe (largest, TESSERA_IMAGE_FORMAT_WEBP, 16384, 16384);
  assert_probe_needs (small, 25, TESSERA_IMAGE_FORMAT_WEBP);
  assert_probe_fails (g_bytes_get_data (bad, NULL), g_bytes_get_size (bad),
                      TESSERA_IMAGE_FORMAT_WEBP);
  assert_probe_fails (g_bytes_get_data (future, NULL), g_bytes_get_size (future),
                      TESSERA_IMAGE_FORMAT_WEBP);
}

static void
test_probe_webp_vp8x (void)
{
  g_autoptr (GByteArray) payload = g_byte_array_new ();
  const guint8 flags[] = { 0x10, 0, 0, 0 };
  g_autoptr (GBytes) webp = NULL;
  g_autoptr (GBytes) unknown = NULL;

  g_byte_array_append (payload, flags, sizeof flags);
  append_le24 (payload, 100000 - 1);
  append_le24 (payload, 3 - 1);
  webp = make_webp ("VP8X", payload->data, payload->len);
  unknown = make_webp ("ALPH", payload->data, payload->len);

  assert_probe (webp, TESSERA_IMAGE_FORMAT_WEBP, 100000, 3);
  assert_probe_needs (webp, 30, TESSERA_IMAGE_FORMAT_WEBP);
  assert_probe_fails (g_bytes_get_data (unknown, NULL), g_bytes_get_size (unknown),
                      TESSERA_IMAGE_FORMAT_WEBP);
}

static void
test_probe_jpeg_app1 (void)
{
  g_autoptr (GBytes) plain = encode_solid (320, 240, "jpeg");
  g_autoptr (GBytes) with_exif = insert_exif_orientation (plain, 6);
  const guint8 *data = g_bytes_get_data (with_exif, NULL);

  g_assert_cmphex (data[2], ==, 0xff);
  g_assert_cmphex (data[3], ==, 0xe1);
  assert_probe (with_exif, TESSERA_IMAGE_FORMAT_JPEG, 320, 240);
}

static void
test_probe_jpeg_walk (void)
{
  const guint8 jpeg[] = {
    0xff, 0xd8,                                               /* SOI */
    0xff, 0xff, 0xff, 0xe1, 0,    6,    'a', 'b',  'c',  'd', /* fill bytes, then APP1 */
    0xff, 0xd0,                                               /* RST0, no length */
    0xff, 0x01,                                               /* TEM, no length */
    0xff, 0xc4, 0,    4,    0xc0, 0xc0,                       /* DHT is not a frame header */
    0xff, 0xc8, 0,    2,                                      /* JPG neither */
    0xff, 0xcc, 0,    4,    0,    0,                          /* DAC neither */
    0xff, 0xc2, 0,    11,   8,    0,    123, 0x01, 0xc8, 1,   1, 0x11, 0, /* SOF2: 456 × 123 */
  };
  g_autoptr (GBytes) bytes = g_bytes_new (jpeg, sizeof jpeg);

  assert_probe (bytes, TESSERA_IMAGE_FORMAT_JPEG, 456, 123);
  /* The whole frame header segment must be there. */
  assert_probe_needs (bytes, sizeof jpeg, TESSERA_IMAGE_FORMAT_JPEG);
}

static void
test_probe_jpeg_malformed (void)
{
  const guint8 overrun[] = { 0xff, 0xd8, 0xff, 0xe1, 0x01, 0x00, 'E', 'x', 'i', 'f', 0,    0, 0xff,
                             0xc0, 0,    11,   8,    0,    10,   0,   10,  1,   1,   0x11, 0 };
  const guint8 short_length[]
      = { 0xff, 0xd8, 0xff, 0xe0, 0, 1, 0xff, 0xc0, 0, 11, 8, 0, 10, 0, 10, 1, 1, 0x11, 0 };
  const guint8 short_sof[] = { 0xff, 0xd8, 0xff, 0xc0, 0, 7, 8, 0, 10, 0, 10 };
  const guint8 scan_first[]
      = { 0xff, 0xd8, 0xff, 0xda, 0, 2, 0xff, 0xc0, 0, 11, 8, 0, 10, 0, 10, 1, 1, 0x11, 0 };
  const guint8 junk_between[]
      = { 0xff, 0xd8, 0x12, 0xff, 0xc0, 0, 11, 8, 0, 10, 0, 10, 1, 1, 0x11, 0 };
  const guint8 only_fill[] = { 0xff, 0xd8, 0xff, 0xff, 0xff, 0xff };

  assert_probe_fails (overrun, sizeof overrun, TESSERA_IMAGE_FORMAT_JPEG);
  assert_probe_fails (short_length, sizeof short_length, TESSERA_IMAGE_FORMAT_JPEG);
  assert_probe_fails (short_sof, sizeof short_sof, TESSERA_IMAGE_FORMAT_JPEG);
  assert_probe_fails (scan_first, sizeof scan_first, TESSERA_IMAGE_FORMAT_JPEG);
  assert_probe_fails (junk_between, sizeof junk_between, TESSERA_IMAGE_FORMAT_JPEG);
  assert_probe_fails (only_fill, sizeof only_fill, TESSERA_IMAGE_FORMAT_JPEG);
}

/* ---- decoding ---- */

static void
test_decode_large_jpeg (void)
{
  g_autoptr (GdkPixbuf) pixbuf = make_halves (3000, 2000, RED, BLUE);
  g_autoptr (GBytes) jpeg = encode (pixbuf, "jpeg");
  g_autoptr (GdkTexture) texture = decode_ok (jpeg, TILE_PX, TESSERA_IMAGE_FORMAT_JPEG);

  assert_texture_size (texture, TILE_PX, TILE_PX);
  assert_pixel_colour (texture, 10, 10, RED);
  assert_pixel_colour (texture, TILE_PX - 10, TILE_PX - 10, BLUE);
}

/* Copy Image's decode: the whole picture, upright, not cropped or shrunk; the limits hold. */
static void
test_decode_full (void)
{
  g_autoptr (GdkPixbuf) pixbuf = make_halves (800, 400, RED, BLUE);
  g_autoptr (GBytes) plain = encode (pixbuf, "jpeg");
  g_autoptr (GBytes) rotated = insert_exif_orientation (plain, 6);
  g_autoptr (GBytes) too_wide = make_png_header (TESSERA_IMAGE_MAX_SIDE + 1, 1);
  g_autoptr (GBytes) text = g_bytes_new_static ("<html>", 6);
  g_autoptr (GError) error = NULL;
  g_autoptr (GdkTexture) texture = tessera_image_decode_full (rotated, &error);

  g_assert_no_error (error);
  assert_texture_size (texture, 400, 800);
  assert_pixel_colour (texture, 200, 100, RED);
  assert_pixel_colour (texture, 200, 700, BLUE);

  g_assert_null (tessera_image_decode_full (too_wide, &error));
  g_assert_error (error, TESSERA_ERROR, TESSERA_ERROR_TOO_LARGE);
  g_clear_error (&error);
  g_assert_null (tessera_image_decode_full (text, &error));
  g_assert_error (error, TESSERA_ERROR, TESSERA_ERROR_NOT_IMAGE);
}

/* Runs tessera_original_decode_async for the file at @path to its end, through a loader
 * whose byte cap is @max_bytes. */
static GdkTexture *
decode_file (const char *path, gsize max_bytes, GCancellable *cancellable, GError **error)
{
  g_autofree char *uri = g_filename_to_uri (path, NULL, NULL);
  g_autoptr (TesseraLoader) loader = NULL;
  g_autoptr (GAsyncResult) result = NULL;
  TesseraFetchLimits limits;

  tessera_fetch_limits_init (&limits);
  limits.max_bytes = max_bytes;
  loader = tessera_loader_new (1, &limits);
  tessera_original_decode_async (loader, uri, cancellable, tessera_test_store_result, &result);
  g_assert_true (tessera_test_wait_for_result (&result, 10000));
  return tessera_original_decode_finish (result, error);
}

/* Copy Image's read and decode of a local file, on a worker: the whole picture, within
 * the byte cap and the pixel limits, only for images, and not at all once cancelled. */
static void
test_decode_file (void)
{
  g_autofree char *dir = g_dir_make_tmp ("tessera-image-XXXXXX", NULL);
  g_autoptr (GdkPixbuf) pixbuf = make_halves (800, 400, RED, BLUE);
  g_autoptr (GBytes) jpeg = encode (pixbuf, "jpeg");
  g_autoptr (GBytes) too_wide = make_png_header (TESSERA_IMAGE_MAX_SIDE + 1, 1);
  g_autoptr (GBytes) text = g_bytes_new_static ("<html>", 6);
  g_autofree char *jpeg_path = tessera_test_write_file (dir, "picture.jpg", jpeg);
  g_autofree char *wide_path = tessera_test_write_file (dir, "wide.png", too_wide);
  g_autofree char *text_path = tessera_test_write_file (dir, "page.jpg", text);
  gsize jpeg_len = g_bytes_get_size (jpeg);
  g_autoptr (GCancellable) cancelled = g_cancellable_new ();
  g_autoptr (GdkTexture) texture = NULL;
  g_autoptr (GError) error = NULL;

  texture = decode_file (jpeg_path, jpeg_len, NULL, &error);
  g_assert_no_error (error);
  assert_texture_size (texture, 800, 400);
  assert_pixel_colour (texture, 100, 200, RED);
  assert_pixel_colour (texture, 700, 200, BLUE);

  g_assert_null (decode_file (jpeg_path, jpeg_len - 1, NULL, &error));
  g_assert_error (error, TESSERA_ERROR, TESSERA_ERROR_TOO_LARGE);
  g_clear_error (&error);
  g_assert_null (decode_file (wide_path, jpeg_len, NULL, &error));
  g_assert_error (error, TESSERA_ERROR, TESSERA_ERROR_TOO_LARGE);
  g_clear_error (&error);
  g_assert_null (decode_file (text_path, jpeg_len, NULL, &error));
  g_assert_error (error, TESSERA_ERROR, TESSERA_ERROR_NOT_IMAGE);
  g_clear_error (&error);
  g_assert_null (decode_file (dir, jpeg_len, NULL, &error));
  g_assert_error (error, TESSERA_ERROR, TESSERA_ERROR_FILE);
  g_clear_error (&error);

  g_cancellable_cancel (cancelled);
  g_assert_null (decode_file (jpeg_path, jpeg_len, cancelled, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  g_unlink (jpeg_path);
  g_unlink (wide_path);
  g_unlink (text_path);
  g_rmdir (dir);
}

static void
test_decode_small_png (void)
{
  g_autoptr (GBytes) png = encode_solid (100, 50, "png");
  g_autoptr (GBytes) dot = encode_solid (1, 1, "png");
  g_autoptr (GdkTexture) texture = decode_ok (png, TILE_PX, TESSERA_IMAGE_FORMAT_PNG);
  g_autoptr (GdkTexture) dot_texture = decode_ok (dot, TILE_PX, TESSERA_IMAGE_FORMAT_PNG);

  assert_texture_size (texture, 50, 50);
  assert_pixel_colour (texture, 0, 0, GREEN);
  assert_pixel_colour (texture, 49, 49, GREEN);
  assert_texture_size (dot_texture, 1, 1);
  assert_pixel_colour (dot_texture, 0, 0, GREEN);
}

static void
test_decode_centre_crop (void)
{
  /* 120 × 40: red 0-59, blue 60-119. The centre square is 40-79: half red, half blue. */
  g_autoptr (GdkPixbuf) pixbuf = make_halves (120, 40, RED, BLUE);
  g_autoptr (GBytes) png = encode (pixbuf, "png");
  g_autoptr (GdkTexture) texture = decode_ok (png, TILE_PX, TESSERA_IMAGE_FORMAT_PNG);
  g_autoptr (GdkTexture) shrunk = decode_ok (png, 20, TESSERA_IMAGE_FORMAT_PNG);

  assert_texture_size (texture, 40, 40);
  assert_pixel_colour (texture, 0, 20, RED);
  assert_pixel_colour (texture, 19, 20, RED);
  assert_pixel_colour (texture, 20, 20, BLUE);
  assert_pixel_colour (texture, 39, 20, BLUE);

  assert_texture_size (shrunk, 20, 20);
  assert_pixel_colour (shrunk, 2, 10, RED);
  assert_pixel_colour (shrunk, 17, 10, BLUE);
}

/* Orientation 6 turns the picture a quarter clockwise: its left (red) half ends up on top.
 * Unturned, the top right corner would be blue; turned the other way, the bottom left red. */
static void
assert_turned_clockwise (GdkTexture *texture, int side)
{
  int margin = side / 8;

  assert_texture_size (texture, side, side);
  assert_pixel_colour (texture, margin, margin, RED);
  assert_pixel_colour (texture, side - margin, margin, RED);
  assert_pixel_colour (texture, margin, side - margin, BLUE);
  assert_pixel_colour (texture, side - margin, side - margin, BLUE);
}

static void
test_decode_exif_rotated (void)
{
  g_autoptr (GdkPixbuf) pixbuf = make_halves (80, 40, RED, BLUE);
  g_autoptr (GBytes) plain = encode (pixbuf, "jpeg");
  g_autoptr (GBytes) rotated = insert_exif_orientation (plain, 6);
  g_autofree char *orientation = read_pixbuf_option (rotated, "orientation");
  g_autoptr (GdkTexture) texture = decode_ok (rotated, TILE_PX, TESSERA_IMAGE_FORMAT_JPEG);

  g_assert_cmpstr (orientation, ==, "6");
  assert_turned_clockwise (texture, 40);
}

static void
test_decode_exif_rotated_shrunk (void)
{
  /* Shrunk while loading: the orientation must survive the loader's scaling. */
  g_autoptr (GdkPixbuf) pixbuf = make_halves (800, 400, RED, BLUE);
  g_autoptr (GBytes) plain = encode (pixbuf, "jpeg");
  g_autoptr (GBytes) rotated = insert_exif_orientation (plain, 6);
  g_autoptr (GdkTexture) texture = decode_ok (rotated, SMALL_TILE_PX, TESSERA_IMAGE_FORMAT_JPEG);

  assert_turned_clockwise (texture, SMALL_TILE_PX);
}

static void
test_decode_gif_first_frame (void)
{
  g_autoptr (GBytes) gif = tessera_test_make_gif ();
  g_autoptr (GInputStream) stream = g_memory_input_stream_new_from_bytes (gif);
  g_autoptr (GError) error = NULL;
  g_autoptr (GdkPixbufAnimation) animation
      = gdk_pixbuf_animation_new_from_stream (stream, NULL, &error);
  g_autoptr (GdkTexture) texture = NULL;

  /* Our GIF really is an animation to gdk-pixbuf. */
  g_assert_no_error (error);
  g_assert_false (gdk_pixbuf_animation_is_static_image (animation));

  texture = decode_ok (gif, TILE_PX, TESSERA_IMAGE_FORMAT_GIF);
  assert_texture_size (texture, GIF_SIDE, GIF_SIDE);
  assert_pixel_colour (texture, 0, 0, RED);
  assert_pixel_colour (texture, GIF_SIDE - 1, GIF_SIDE - 1, RED);
}

static void
test_decode_webp (void)
{
  g_autoptr (GdkPixbuf) pixbuf = NULL;
  g_autoptr (GBytes) webp = NULL;
  g_autoptr (GdkTexture) texture = NULL;

  if (!have_writable_pixbuf_format ("webp"))
    {
      g_test_skip ("No WebP pixbuf loader that can also write WebP");
      return;
    }

  /* 300 × 200 shrinks to 150 × 100; its centre square is 25-124: red, then blue from 75. */
  pixbuf = make_halves (300, 200, RED, BLUE);
  webp = encode (pixbuf, "webp");
  texture = decode_ok (webp, SMALL_TILE_PX, TESSERA_IMAGE_FORMAT_WEBP);
  assert_texture_size (texture, SMALL_TILE_PX, SMALL_TILE_PX);
  assert_pixel_colour (texture, 10, 50, RED);
  assert_pixel_colour (texture, SMALL_TILE_PX - 10, 50, BLUE);
}

static void
test_decode_webp_missing_decoder (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (GBytes) webp = make_vp8l_header (300, 200);
      g_autoptr (GdkTexture) texture = NULL;
      g_autofree char *empty_cache = NULL;
      int fd;

      /* An empty module list leaves gdk-pixbuf only its built-in loaders. */
      fd = g_file_open_tmp ("tessera-loaders-XXXXXX.cache", &empty_cache, &error);
      g_assert_no_error (error);
      g_assert_true (g_close (fd, NULL));
      g_assert_true (g_setenv ("GDK_PIXBUF_MODULE_FILE", empty_cache, TRUE));

      texture = tessera_image_decode_tile (webp, TILE_PX, NULL, &error);
      g_assert_cmpint (g_unlink (empty_cache), ==, 0);
      g_assert_null (texture);
      g_assert_error (error, TESSERA_ERROR, TESSERA_ERROR_BROKEN);
      g_assert_cmpstr (error->message, ==, "No WebP decoder installed (webp-pixbuf-loader)");
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

static void
test_decode_not_image (void)
{
  g_autoptr (GBytes) text = bytes_from_string ("Hello, this is text.");
  g_autoptr (GBytes) html = bytes_from_string ("<html><body>404</body></html>");
  g_autoptr (GError) error = NULL;
  TesseraImageFormat format = TESSERA_IMAGE_FORMAT_PNG;
  g_autoptr (GdkTexture) texture = tessera_image_decode_tile (text, TILE_PX, &format, &error);

  g_assert_null (texture);
  g_assert_error (error, TESSERA_ERROR, TESSERA_ERROR_NOT_IMAGE);
  g_assert_cmpstr (error->message, ==, "The data is not a JPEG, PNG, GIF or WebP image");
  g_assert_cmpint (format, ==, TESSERA_IMAGE_FORMAT_UNKNOWN);
  assert_decode_fails (html, TESSERA_ERROR_NOT_IMAGE);
}

static void
test_decode_empty (void)
{
  g_autoptr (GBytes) empty = g_bytes_new (NULL, 0);

  assert_decode_fails (empty, TESSERA_ERROR_NOT_IMAGE);
}

static void
test_decode_too_large (void)
{
  g_autoptr (GBytes) huge = make_png_header (100000, 100000);
  g_autoptr (GTimer) timer = g_timer_new ();
  g_autoptr (GError) error = NULL;
  TesseraImageFormat format = TESSERA_IMAGE_FORMAT_UNKNOWN;
  g_autoptr (GdkTexture) texture = tessera_image_decode_tile (huge, TILE_PX, &format, &error);

  g_assert_cmpfloat (g_timer_elapsed (timer, NULL), <, INSTANT_SECONDS * tessera_test_slowdown ());
  g_assert_null (texture);
  g_assert_error (error, TESSERA_ERROR, TESSERA_ERROR_TOO_LARGE);
  g_assert_nonnull (strstr (error->message, "100000 × 100000"));
  g_assert_cmpint (format, ==, TESSERA_IMAGE_FORMAT_PNG);
}

static void
test_decode_size_limits (void)
{
  g_autoptr (GBytes) too_wide = make_png_header (TESSERA_IMAGE_MAX_SIDE + 1, 1);
  g_autoptr (GBytes) too_many = make_png_header (10000, 5001);
  g_autoptr (GBytes) zero = make_png_header (0, 10);
  /* Within the limits, so the decoder gets it, and fails on the missing pixel data: the
   * bytes end after the header, so it was cut short. */
  g_autoptr (GBytes) widest = make_png_header (TESSERA_IMAGE_MAX_SIDE, 1);
  g_autoptr (GBytes) huge_webp = make_vp8l_header (16384, 16384);

  assert_decode_fails (too_wide, TESSERA_ERROR_TOO_LARGE);
  assert_decode_fails (too_many, TESSERA_ERROR_TOO_LARGE);
  assert_decode_fails (zero, TESSERA_ERROR_TOO_LARGE);
  assert_decode_fails (widest, TESSERA_ERROR_CUT_SHORT);
  assert_decode_fails (huge_webp, TESSERA_ERROR_TOO_LARGE);
}

static void
test_decode_broken_jpeg (void)
{
  g_autoptr (GBytes) jpeg = encode_solid (640, 480, "jpeg");
  g_autoptr (GByteArray) broken = g_byte_array_new ();
  g_autoptr (GBytes) broken_bytes = NULL;
  guint8 junk[2000];

  memset (junk, 0x55, sizeof junk);
  g_byte_array_append (broken, g_bytes_get_data (jpeg, NULL), 300);
  g_byte_array_append (broken, junk, sizeof junk);
  broken_bytes = g_bytes_new (broken->data, broken->len);

  assert_decode_fails (broken_bytes, TESSERA_ERROR_BROKEN);
}

/* No failure carries a decoder's own words ("Error interpreting JPEG image file (Improper
 * call to JPEG library in state 205)"). */
static void
assert_plain_failure (GBytes *bytes, TesseraErrorCode code)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GdkTexture) texture = tessera_image_decode_tile (bytes, TILE_PX, NULL, &error);

  g_assert_null (texture);
  g_assert_error (error, TESSERA_ERROR, (int) code);
  g_test_message ("%s", error->message);
  g_assert_null (strstr (error->message, "JPEG"));
  g_assert_null (strstr (error->message, "library"));
  g_assert_null (strstr (error->message, "state"));
}

/* A progressive JPEG cut short shows what was decoded, as a baseline one does and browsers
 * do: near the whole picture when most of it came; with no coded data at all it fails as
 * Cut short, in plain words. */
static void
test_decode_cut_progressive (void)
{
  static const struct
  {
    guint keep_percent;
    gboolean loads;
    gboolean like_whole; /* the centre as in the whole picture */
  } cases[] = {
    { 100, TRUE, TRUE }, { 90, TRUE, TRUE }, { 60, TRUE, TRUE },
    { 30, TRUE, FALSE }, { 5, TRUE, FALSE }, { 0, FALSE, FALSE },
  };
  g_autoptr (GBytes) whole = tessera_test_make_progressive_jpeg (640, 480, 3);
  g_autoptr (GdkTexture) whole_tile = decode_ok (whole, TILE_PX, TESSERA_IMAGE_FORMAT_JPEG);
  g_autofree guint32 *whole_pixels = g_new (guint32, TILE_PX * TILE_PX);

  gdk_texture_download (whole_tile, (guchar *) whole_pixels, TILE_PX * sizeof (guint32));
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GBytes) cut = tessera_test_cut_jpeg (whole, cases[i].keep_percent);
      g_autoptr (GdkTexture) tile = NULL;
      guint32 centre = whole_pixels[(TILE_PX / 2) * TILE_PX + TILE_PX / 2];

      g_test_message ("kept %u%%", cases[i].keep_percent);
      if (!cases[i].loads)
        {
          assert_plain_failure (cut, TESSERA_ERROR_CUT_SHORT);
          continue;
        }
      tile = decode_ok (cut, TILE_PX, TESSERA_IMAGE_FORMAT_JPEG);
      assert_texture_size (tile, TILE_PX, TILE_PX);
      if (cases[i].like_whole)
        /* ARGB word to the RGBA the helper takes; opaque. */
        assert_pixel_colour (tile, TILE_PX / 2, TILE_PX / 2, (centre << 8) | 0xffu);
    }
}

/* Damaged bytes in each format fail in plain words, whatever the decoder said. */
static void
test_decode_plain_failures (void)
{
  g_autoptr (GBytes) jpeg = tessera_test_make_jpeg (320, 240, 5);
  g_autoptr (GBytes) png = tessera_test_make_png (320, 240, 5);
  g_autoptr (GByteArray) damaged_jpeg = g_byte_array_new ();
  g_autoptr (GByteArray) damaged_png = g_byte_array_new ();
  g_autoptr (GBytes) damaged_jpeg_bytes = NULL;
  g_autoptr (GBytes) damaged_png_bytes = NULL;
  g_autoptr (GBytes) cut_png = NULL;
  gsize png_len = g_bytes_get_size (png);

  /* The headers, then garbage where the coded data was, then the end marker. */
  g_byte_array_append (damaged_jpeg, g_bytes_get_data (jpeg, NULL), 300);
  for (guint i = 0; i < 2000; i++)
    g_byte_array_append (damaged_jpeg, (const guint8 *) "\x55", 1);
  g_byte_array_append (damaged_jpeg, (const guint8 *) "\xff\xd9", 2);
  damaged_jpeg_bytes = g_bytes_new (damaged_jpeg->data, damaged_jpeg->len);
  /* A PNG with its pixel data overwritten but its end intact. */
  g_byte_array_append (damaged_png, g_bytes_get_data (png, NULL), png_len);
  memset (damaged_png->data + 60, 0x55, png_len - 60 - 12);
  damaged_png_bytes = g_bytes_new (damaged_png->data, damaged_png->len);
  cut_png = g_bytes_new_from_bytes (png, 0, png_len / 2);

  assert_plain_failure (damaged_jpeg_bytes, TESSERA_ERROR_BROKEN);
  assert_plain_failure (damaged_png_bytes, TESSERA_ERROR_BROKEN);
  assert_plain_failure (cut_png, TESSERA_ERROR_CUT_SHORT);
}

/* What a decode reserves from the budget: the output; the whole picture for formats
 * gdk-pixbuf decodes whole; and a progressive JPEG's coefficients, 3 bytes a pixel in
 * 4:2:0, whatever the tile. */
static void
test_decode_cost (void)
{
  g_autoptr (GBytes) baseline = tessera_test_make_jpeg (2000, 1000, 1);
  g_autoptr (GBytes) progressive = tessera_test_make_progressive_jpeg (2000, 1000, 1);
  g_autoptr (GBytes) png = tessera_test_make_png (2000, 1000, 1);
  const struct
  {
    GBytes *bytes;
    guint tile_px;
    gsize cost;
  } cases[] = {
    /* 1000 / 4 = 250 still covers 200 px: 500 × 250 × 4 */
    { baseline, 200, 500 * 250 * 4 },
    { baseline, G_MAXUINT, 2000 * 1000 * 4 },
    { progressive, 200, 500 * 250 * 4 + 2000 * 1000 * 3 },
    { progressive, G_MAXUINT, 2000 * 1000 * 4 + 2000 * 1000 * 3 },
    { png, 200, 2000 * 1000 * 4 },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      gsize len = 0;
      const guint8 *data = g_bytes_get_data (cases[i].bytes, &len);

      g_assert_cmpuint (tessera_image_decode_cost (data, len, cases[i].tile_px), ==, cases[i].cost);
    }
  g_assert_cmpuint (tessera_image_decode_cost ((const guint8 *) "not an image", 12, 200), ==, 0);
}

static void
test_decode_no_size (void)
{
  const guint8 soi_only[] = { 0xff, 0xd8, 0xff, 0xd9 };
  g_autoptr (GBytes) bytes = g_bytes_new (soi_only, sizeof soi_only);

  assert_decode_fails (bytes, TESSERA_ERROR_BROKEN);
}

static gpointer
decode_in_thread (gpointer data)
{
  GBytes *bytes = data;
  g_autoptr (GdkTexture) texture = decode_ok (bytes, TILE_PX, TESSERA_IMAGE_FORMAT_JPEG);

  assert_texture_size (texture, TILE_PX, TILE_PX);
  return NULL;
}

static void
test_decode_in_threads (void)
{
  g_autoptr (GBytes) jpeg = encode_solid (1200, 800, "jpeg");
  GThread *threads[N_DECODE_THREADS];

  for (guint i = 0; i < N_DECODE_THREADS; i++)
    threads[i] = g_thread_new ("decode", decode_in_thread, jpeg);
  for (guint i = 0; i < N_DECODE_THREADS; i++)
    g_thread_join (threads[i]);
}

/* Debug builds (the ones tests run) refuse to decode on the main thread: the guard the
 * window tests rely on to prove decoding never blocks the UI. */
static void
test_decode_refused_on_main_thread (void)
{
#ifdef TESSERA_THREAD_CHECKS
  if (g_test_subprocess ())
    {
      g_autoptr (GBytes) png = encode_solid (10, 10, "png");
      g_autoptr (GdkTexture) texture = NULL;

      tessera_engine_init ();
      texture = tessera_image_decode_tile (png, TILE_PX, NULL, NULL);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*assertion failed*main_thread*");
#else
  g_test_skip ("Thread checks are compiled only into debug builds");
#endif
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/image/sniff", test_sniff);
  g_test_add_func ("/image/format-extension", test_format_extension);
  g_test_add_func ("/image/probe/encoded-sizes", test_probe_encoded_sizes);
  g_test_add_func ("/image/probe/png-header", test_probe_png_header);
  g_test_add_func ("/image/probe/gif-header", test_probe_gif_header);
  g_test_add_func ("/image/probe/webp-vp8", test_probe_webp_vp8);
  g_test_add_func ("/image/probe/webp-vp8l", test_probe_webp_vp8l);
  g_test_add_func ("/image/probe/webp-vp8x", test_probe_webp_vp8x);
  g_test_add_func ("/image/probe/jpeg-app1", test_probe_jpeg_app1);
  g_test_add_func ("/image/probe/jpeg-walk", test_probe_jpeg_walk);
  g_test_add_func ("/image/probe/jpeg-malformed", test_probe_jpeg_malformed);
  g_test_add_func ("/image/decode/large-jpeg", test_decode_large_jpeg);
  g_test_add_func ("/image/decode/small-png", test_decode_small_png);
  g_test_add_func ("/image/decode/centre-crop", test_decode_centre_crop);
  g_test_add_func ("/image/decode/exif-rotated", test_decode_exif_rotated);
  g_test_add_func ("/image/decode/exif-rotated-shrunk", test_decode_exif_rotated_shrunk);
  g_test_add_func ("/image/decode/full", test_decode_full);
  g_test_add_func ("/image/decode/original-file", test_decode_file);
  g_test_add_func ("/image/decode/gif-first-frame", test_decode_gif_first_frame);
  g_test_add_func ("/image/decode/webp", test_decode_webp);
  g_test_add_func ("/image/decode/webp-missing-decoder", test_decode_webp_missing_decoder);
  g_test_add_func ("/image/decode/not-image", test_decode_not_image);
  g_test_add_func ("/image/decode/empty", test_decode_empty);
  g_test_add_func ("/image/decode/too-large", test_decode_too_large);
  g_test_add_func ("/image/decode/size-limits", test_decode_size_limits);
  g_test_add_func ("/image/decode/broken-jpeg", test_decode_broken_jpeg);
  g_test_add_func ("/image/decode/no-size", test_decode_no_size);
  g_test_add_func ("/image/decode/cut-progressive", test_decode_cut_progressive);
  g_test_add_func ("/image/decode/plain-failures", test_decode_plain_failures);
  g_test_add_func ("/image/decode/cost", test_decode_cost);
  g_test_add_func ("/image/decode/in-threads", test_decode_in_threads);
  g_test_add_func ("/image/decode/refused-on-main-thread", test_decode_refused_on_main_thread);

  return g_test_run ();
}
