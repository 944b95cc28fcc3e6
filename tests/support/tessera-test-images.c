/* SPDX-License-Identifier: GPL-3.0-or-later */
/* tessera-test-images.c: the test server's images, painted from a seed and encoded, and the
 * broken ones its fault routes serve */

#define G_LOG_DOMAIN "tessera-test-server"

#include "config.h"

#include "tessera-test-server-private.h"

#include <gdk-pixbuf/gdk-pixbuf.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>

#include <jpeglib.h>

#define IMAGE_CACHE_MAX_BYTES (64 * 1024 * 1024)
#define JPEG_QUALITY          "90"
#define PROGRESSIVE_QUALITY   90
/* gdk-pixbuf 2.42 writes baseline JPEGs only: progressive ones come from libjpeg. */
#define PROGRESSIVE_TYPE      "progressive-jpeg"
#define FAULT_IMAGE_SEED      7

#define HUGE_PNG_SIDE          100000
#define CORRUPT_JPEG_KEPT      300
#define CORRUPT_JPEG_JUNK      2000
#define CORRUPT_JPEG_JUNK_BYTE 0x55

#define GIF_SIDE           4
#define GIF_MIN_CODE_SIZE  2
#define GIF_CLEAR_CODE     (1u << GIF_MIN_CODE_SIZE)
#define GIF_END_CODE       (GIF_CLEAR_CODE + 1)
#define GIF_CODE_BITS      (GIF_MIN_CODE_SIZE + 1)
#define GIF_MAX_SUB_BLOCK  255
#define GIF_FRAME_DELAY_CS 10

#define CRC32_POLYNOMIAL 0xedb88320u

static guint32
crc32_update (guint32 crc, const guint8 *data, gsize len)
{
  crc = ~crc;
  for (gsize i = 0; i < len; i++)
    {
      crc ^= data[i];
      for (guint bit = 0; bit < 8; bit++)
        crc = (crc >> 1) ^ (CRC32_POLYNOMIAL & (0u - (crc & 1u)));
    }
  return ~crc;
}

static void
append_be32 (GByteArray *out, guint32 value)
{
  guint32 be = GUINT32_TO_BE (value);

  g_byte_array_append (out, (const guint8 *) &be, sizeof be);
}

static void
append_le16 (GByteArray *out, guint16 value)
{
  guint16 le = GUINT16_TO_LE (value);

  g_byte_array_append (out, (const guint8 *) &le, sizeof le);
}

static void
append_repeated (GByteArray *out, guint8 byte, gsize count)
{
  gsize start = out->len;

  g_byte_array_set_size (out, start + count);
  memset (out->data + start, byte, count);
}

static void
png_append_chunk (GByteArray *out, const char *type, const guint8 *data, gsize len)
{
  guint32 crc = crc32_update (0, (const guint8 *) type, 4);

  append_be32 (out, len);
  g_byte_array_append (out, (const guint8 *) type, 4);
  g_byte_array_append (out, data, len);
  append_be32 (out, crc32_update (crc, data, len));
}

/* ---- generated images ---- */

G_LOCK_DEFINE_STATIC (image_cache);
static GHashTable *image_cache; /* "type:w:h:seed" -> GBytes; kept for the process */
static gsize image_cache_bytes;

static void
random_colour (GRand *rand, guint8 colour[3])
{
  for (guint i = 0; i < 3; i++)
    colour[i] = g_rand_int_range (rand, 0, 256);
}

static void
paint_rectangle (GdkPixbuf *pixbuf, GRand *rand)
{
  guint width = gdk_pixbuf_get_width (pixbuf);
  guint height = gdk_pixbuf_get_height (pixbuf);
  guint x0 = g_rand_int_range (rand, 0, width);
  guint y0 = g_rand_int_range (rand, 0, height);
  guint rect_width = 1 + g_rand_int_range (rand, 0, width / 2 + 1);
  guint rect_height = 1 + g_rand_int_range (rand, 0, height / 2 + 1);
  guint x1 = MIN (width, x0 + rect_width);
  guint y1 = MIN (height, y0 + rect_height);
  guint rowstride = gdk_pixbuf_get_rowstride (pixbuf);
  guint8 *pixels = gdk_pixbuf_get_pixels (pixbuf);
  guint8 colour[3];

  random_colour (rand, colour);
  for (guint y = y0; y < y1; y++)
    for (guint x = x0; x < x1; x++)
      memcpy (pixels + (gsize) y * rowstride + x * 3, colour, 3);
}

/* A diagonal gradient between two colours plus two rectangles, all chosen by @seed. */
static GdkPixbuf *
paint_test_pattern (guint width, guint height, guint seed)
{
  g_autoptr (GdkPixbuf) pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, width, height);
  g_autoptr (GRand) rand = g_rand_new_with_seed (seed);
  guint8 from[3], to[3];
  guint span = width + height - 1;

  if (pixbuf == NULL)
    return NULL;

  random_colour (rand, from);
  random_colour (rand, to);
  for (guint y = 0; y < height; y++)
    {
      guint8 *row = gdk_pixbuf_get_pixels (pixbuf) + (gsize) y * gdk_pixbuf_get_rowstride (pixbuf);

      for (guint x = 0; x < width; x++)
        for (guint c = 0; c < 3; c++)
          row[x * 3 + c] = from[c] + ((int) to[c] - from[c]) * (int) (x + y) / (int) MAX (span, 1);
    }
  paint_rectangle (pixbuf, rand);
  paint_rectangle (pixbuf, rand);

  return g_steal_pointer (&pixbuf);
}

typedef struct
{
  struct jpeg_error_mgr manager;
  jmp_buf escape;
} JpegErrors;

static void
jpeg_escape (j_common_ptr cinfo)
{
  longjmp (((JpegErrors *) (gpointer) cinfo->err)->escape, 1);
}

/* Compresses @pixbuf (RGB) into @cinfo's destination; FALSE when libjpeg fails. Nothing
 * here lives across the longjmp but what @cinfo holds. */
static gboolean
write_progressive_jpeg (struct jpeg_compress_struct *cinfo, JpegErrors *errors, GdkPixbuf *pixbuf)
{
  if (setjmp (errors->escape) != 0)
    return FALSE;
  cinfo->image_width = (JDIMENSION) gdk_pixbuf_get_width (pixbuf);
  cinfo->image_height = (JDIMENSION) gdk_pixbuf_get_height (pixbuf);
  cinfo->input_components = 3;
  cinfo->in_color_space = JCS_RGB;
  jpeg_set_defaults (cinfo);
  jpeg_set_quality (cinfo, PROGRESSIVE_QUALITY, TRUE);
  jpeg_simple_progression (cinfo);
  jpeg_start_compress (cinfo, TRUE);
  while (cinfo->next_scanline < cinfo->image_height)
    {
      JSAMPROW row = gdk_pixbuf_get_pixels (pixbuf)
                     + (gsize) cinfo->next_scanline * gdk_pixbuf_get_rowstride (pixbuf);

      jpeg_write_scanlines (cinfo, &row, 1);
    }
  jpeg_finish_compress (cinfo);
  return TRUE;
}

/* @pixbuf (RGB) as a progressive JPEG (libjpeg's usual scans), or NULL. */
static GBytes *
encode_progressive_jpeg (GdkPixbuf *pixbuf)
{
  struct jpeg_compress_struct cinfo;
  JpegErrors errors;
  unsigned char *buffer = NULL;
  unsigned long size = 0;
  GBytes *jpeg = NULL;

  cinfo.err = jpeg_std_error (&errors.manager);
  errors.manager.error_exit = jpeg_escape;
  jpeg_create_compress (&cinfo);
  jpeg_mem_dest (&cinfo, &buffer, &size);
  if (write_progressive_jpeg (&cinfo, &errors, pixbuf))
    jpeg = g_bytes_new (buffer, size);
  else
    g_warning ("libjpeg could not encode a progressive test image");
  jpeg_destroy_compress (&cinfo);
  free (buffer);
  return jpeg;
}

static GBytes *
encode_test_image (const char *pixbuf_type, guint width, guint height, guint seed)
{
  static const char *jpeg_keys[] = { "quality", NULL };
  static const char *jpeg_values[] = { JPEG_QUALITY, NULL };
  static const char *no_options[] = { NULL };
  gboolean is_jpeg = g_str_equal (pixbuf_type, "jpeg");
  g_autoptr (GdkPixbuf) pixbuf = paint_test_pattern (width, height, seed);
  g_autoptr (GError) error = NULL;
  char *buffer = NULL;
  gsize size = 0;

  if (pixbuf == NULL)
    {
      g_warning ("Cannot allocate a %u×%u test image", width, height);
      return NULL;
    }
  if (g_str_equal (pixbuf_type, PROGRESSIVE_TYPE))
    return encode_progressive_jpeg (pixbuf);
  if (!gdk_pixbuf_save_to_bufferv (pixbuf, &buffer, &size, pixbuf_type,
                                   (char **) (is_jpeg ? jpeg_keys : no_options),
                                   (char **) (is_jpeg ? jpeg_values : no_options), &error))
    {
      g_warning ("Cannot encode a test image as %s: %s", pixbuf_type, error->message);
      return NULL;
    }
  return g_bytes_new_take (buffer, size);
}

/* Encodes once per (type, size, seed), so one URL always serves the very same bytes. */
GBytes *
_tessera_test_make_image (const char *pixbuf_type, guint width, guint height, guint seed)
{
  g_autofree char *key = g_strdup_printf ("%s:%u:%u:%u", pixbuf_type, width, height, seed);
  g_autoptr (GBytes) made = NULL;
  GBytes *cached;

  G_LOCK (image_cache);
  cached = image_cache != NULL ? g_hash_table_lookup (image_cache, key) : NULL;
  if (cached != NULL)
    g_bytes_ref (cached);
  G_UNLOCK (image_cache);
  if (cached != NULL)
    return cached;

  made = encode_test_image (pixbuf_type, width, height, seed);
  if (made == NULL)
    return NULL;

  G_LOCK (image_cache);
  if (image_cache == NULL)
    image_cache
        = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_bytes_unref);
  /* Another thread may have made it meanwhile: serve the first copy. */
  cached = g_hash_table_lookup (image_cache, key);
  if (cached == NULL)
    {
      if (image_cache_bytes + g_bytes_get_size (made) > IMAGE_CACHE_MAX_BYTES)
        {
          g_hash_table_remove_all (image_cache);
          image_cache_bytes = 0;
        }
      cached = made;
      image_cache_bytes += g_bytes_get_size (made);
      g_hash_table_insert (image_cache, g_steal_pointer (&key), g_bytes_ref (made));
    }
  g_bytes_ref (cached);
  G_UNLOCK (image_cache);

  return cached;
}

GBytes *
tessera_test_make_png (guint width, guint height, guint seed)
{
  g_return_val_if_fail (width > 0 && width <= TESSERA_TEST_IMAGE_MAX_SIDE, NULL);
  g_return_val_if_fail (height > 0 && height <= TESSERA_TEST_IMAGE_MAX_SIDE, NULL);

  return _tessera_test_make_image ("png", width, height, seed);
}

GBytes *
tessera_test_make_jpeg (guint width, guint height, guint seed)
{
  g_return_val_if_fail (width > 0 && width <= TESSERA_TEST_IMAGE_MAX_SIDE, NULL);
  g_return_val_if_fail (height > 0 && height <= TESSERA_TEST_IMAGE_MAX_SIDE, NULL);

  return _tessera_test_make_image ("jpeg", width, height, seed);
}

GBytes *
tessera_test_make_progressive_jpeg (guint width, guint height, guint seed)
{
  g_return_val_if_fail (width > 0 && width <= TESSERA_TEST_IMAGE_MAX_SIDE, NULL);
  g_return_val_if_fail (height > 0 && height <= TESSERA_TEST_IMAGE_MAX_SIDE, NULL);

  return _tessera_test_make_image (PROGRESSIVE_TYPE, width, height, seed);
}

GBytes *
tessera_test_cut_jpeg (GBytes *jpeg, guint keep_percent)
{
  gsize len = 0;
  const guint8 *data = g_bytes_get_data (jpeg, &len);
  gsize kept = len * MIN (keep_percent, 100u) / 100;

  /* The first SOS segment: marker, then a length that counts itself. */
  for (gsize i = 0; keep_percent == 0 && i + 3 < len; i++)
    if (data[i] == 0xff && data[i + 1] == 0xda)
      {
        kept = MIN (len, i + 2 + ((gsize) data[i + 2] << 8 | data[i + 3]));
        break;
      }
  return g_bytes_new_from_bytes (jpeg, 0, kept);
}

typedef struct
{
  GByteArray *bytes;
  guint n_bits;
} BitWriter;

/* GIF packs LZW codes least significant bit first. */
static void
bit_writer_put (BitWriter *writer, guint code, guint width)
{
  static const guint8 zero = 0;

  for (guint i = 0; i < width; i++, writer->n_bits++)
    {
      if (writer->n_bits % 8 == 0)
        g_byte_array_append (writer->bytes, &zero, 1);
      if (code & (1u << i))
        writer->bytes->data[writer->n_bits / 8] |= 1u << (writer->n_bits % 8);
    }
}

/* Image data of one colour. A clear code before every pixel keeps the decoder's table
 * from growing, so every code stays GIF_CODE_BITS wide. */
static void
gif_append_image_data (GByteArray *out, guint8 colour_index, guint n_pixels)
{
  static const guint8 min_code_size = GIF_MIN_CODE_SIZE;
  static const guint8 terminator = 0;
  g_autoptr (GByteArray) codes = g_byte_array_new ();
  BitWriter writer = { codes, 0 };

  for (guint i = 0; i < n_pixels; i++)
    {
      bit_writer_put (&writer, GIF_CLEAR_CODE, GIF_CODE_BITS);
      bit_writer_put (&writer, colour_index, GIF_CODE_BITS);
    }
  bit_writer_put (&writer, GIF_END_CODE, GIF_CODE_BITS);

  g_byte_array_append (out, &min_code_size, 1);
  for (guint offset = 0; offset < codes->len; offset += GIF_MAX_SUB_BLOCK)
    {
      guint8 block_len = MIN (GIF_MAX_SUB_BLOCK, codes->len - offset);

      g_byte_array_append (out, &block_len, 1);
      g_byte_array_append (out, codes->data + offset, block_len);
    }
  g_byte_array_append (out, &terminator, 1);
}

static void
gif_append_frame (GByteArray *out, guint8 colour_index)
{
  /* Graphic control: keep the frame, GIF_FRAME_DELAY_CS, no transparency. */
  static const guint8 control[] = { 0x21, 0xf9, 0x04, 0x04, GIF_FRAME_DELAY_CS, 0x00, 0x00, 0x00 };
  static const guint8 separator = 0x2c;
  static const guint8 no_local_palette = 0x00;

  g_byte_array_append (out, control, sizeof control);
  g_byte_array_append (out, &separator, 1);
  append_le16 (out, 0);
  append_le16 (out, 0);
  append_le16 (out, GIF_SIDE);
  append_le16 (out, GIF_SIDE);
  g_byte_array_append (out, &no_local_palette, 1);
  gif_append_image_data (out, colour_index, GIF_SIDE * GIF_SIDE);
}

GBytes *
tessera_test_make_gif (void)
{
  /* Global palette flag, 2-bit colour resolution, 4 entries; background 0; square pixels. */
  static const guint8 screen_flags[] = { 0x91, 0x00, 0x00 };
  static const guint8 palette[] = {
    0x00, 0x00, 0x00, /* black */
    0xff, 0x00, 0x00, /* red: frame 1 */
    0x00, 0x00, 0xff, /* blue: frame 2 */
    0xff, 0xff, 0xff,
  };
  static const guint8 loop_forever[] = {
    0x21, 0xff, 0x0b, 'N', 'E',  'T',  'S',  'C',  'A',  'P',
    'E',  '2',  '.',  '0', 0x03, 0x01, 0x00, 0x00, 0x00,
  };
  static const guint8 trailer = 0x3b;
  g_autoptr (GByteArray) out = g_byte_array_new ();

  g_byte_array_append (out, (const guint8 *) "GIF89a", 6);
  append_le16 (out, GIF_SIDE);
  append_le16 (out, GIF_SIDE);
  g_byte_array_append (out, screen_flags, sizeof screen_flags);
  g_byte_array_append (out, palette, sizeof palette);
  g_byte_array_append (out, loop_forever, sizeof loop_forever);
  gif_append_frame (out, 1);
  gif_append_frame (out, 2);
  g_byte_array_append (out, &trailer, 1);

  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

/* A valid PNG header claiming HUGE_PNG_SIDE² RGBA pixels, with a token IDAT. */
GBytes *
_tessera_test_make_huge_png (void)
{
  /* A zlib stream holding one stored block of 16 zero bytes. */
  static const guint8 idat[] = {
    0x78, 0x01, 0x01, 0x10, 0x00, 0xef, 0xff, 0, 0, 0,    0,    0,    0,    0,
    0,    0,    0,    0,    0,    0,    0,    0, 0, 0x00, 0x10, 0x00, 0x01,
  };
  /* Bit depth 8, colour type 6 (RGBA), default compression, filter and no interlace. */
  static const guint8 ihdr_tail[] = { 8, 6, 0, 0, 0 };
  g_autoptr (GByteArray) ihdr = g_byte_array_new ();
  g_autoptr (GByteArray) out = g_byte_array_new ();

  append_be32 (ihdr, HUGE_PNG_SIDE);
  append_be32 (ihdr, HUGE_PNG_SIDE);
  g_byte_array_append (ihdr, ihdr_tail, sizeof ihdr_tail);

  g_byte_array_append (out, (const guint8 *) TESSERA_TEST_PNG_SIGNATURE,
                       TESSERA_TEST_PNG_SIGNATURE_LEN);
  png_append_chunk (out, "IHDR", ihdr->data, ihdr->len);
  png_append_chunk (out, "IDAT", idat, sizeof idat);
  png_append_chunk (out, "IEND", NULL, 0);

  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

/* The start of a real JPEG, then junk and no end marker. */
GBytes *
_tessera_test_make_corrupt_jpeg (void)
{
  g_autoptr (GBytes) jpeg = tessera_test_make_jpeg (TESSERA_TEST_IMAGE_WIDTH,
                                                    TESSERA_TEST_IMAGE_HEIGHT, FAULT_IMAGE_SEED);
  g_autoptr (GByteArray) out = g_byte_array_new ();

  if (jpeg == NULL)
    return NULL;
  g_byte_array_append (out, g_bytes_get_data (jpeg, NULL),
                       MIN (CORRUPT_JPEG_KEPT, g_bytes_get_size (jpeg)));
  append_repeated (out, CORRUPT_JPEG_JUNK_BYTE, CORRUPT_JPEG_JUNK);

  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

GBytes *
_tessera_test_make_fault_png (void)
{
  return tessera_test_make_png (TESSERA_TEST_IMAGE_WIDTH, TESSERA_TEST_IMAGE_HEIGHT,
                                FAULT_IMAGE_SEED);
}
