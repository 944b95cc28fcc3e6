/* SPDX-License-Identifier: GPL-3.0-or-later */
/* tessera-image.c: recognise image bytes and decode them to a tile, in a worker thread */

#define G_LOG_DOMAIN "tessera-image"

#include "config.h"

#include <glib/gi18n.h>
#include <cairo.h>
#include <gdk-pixbuf/gdk-pixbuf.h>
#include <string.h>

#include "tessera-engine.h"
#include "tessera-error.h"
#include "tessera-image-private.h"
#include "tessera-util.h"

/* TRUE when @data holds the string literal @magic at @offset. */
#define HAS_MAGIC_AT(data, len, offset, magic)                                                     \
  has_bytes_at ((data), (len), (offset), (const guint8 *) (magic), sizeof (magic) - 1)

#define JPEG_MAGIC     "\xff\xd8\xff"
#define PNG_MAGIC      "\x89PNG\r\n\x1a\n"
#define GIF87_MAGIC    "GIF87a"
#define GIF89_MAGIC    "GIF89a"
#define RIFF_MAGIC     "RIFF"
#define WEBP_MAGIC     "WEBP"
#define WEBP_MAGIC_POS 8

/* PNG: signature, then the IHDR chunk: length, type, width, height, ... */
#define PNG_IHDR_LENGTH_POS 8
#define PNG_IHDR_TYPE_POS   12
#define PNG_WIDTH_POS       16
#define PNG_HEIGHT_POS      20
#define PNG_HEADER_END      24
#define PNG_IHDR_LENGTH     13

/* GIF: signature, then the logical screen width and height. */
#define GIF_WIDTH_POS  6
#define GIF_HEIGHT_POS 8
#define GIF_HEADER_END 10

/* WebP: "RIFF", file size, "WEBP", then the first chunk's FourCC, size and payload. */
#define WEBP_CHUNK_FOURCC_POS 12
#define WEBP_CHUNK_SIZE_POS   16
#define WEBP_CHUNK_DATA_POS   20

/* VP8 (lossy) key frame: 3-byte frame tag, start code, 14-bit width and height. */
#define VP8_FRAME_TAG_NOT_KEY 0x01
#define VP8_START_CODE        "\x9d\x01\x2a"
#define VP8_START_CODE_POS    3
#define VP8_WIDTH_POS         6
#define VP8_HEIGHT_POS        8
#define VP8_HEADER_END        10
#define VP8_SIZE_MASK         0x3fff

/* VP8L (lossless): signature, then width-1 and height-1 in 14 bits each, alpha, version. */
#define VP8L_SIGNATURE     0x2f
#define VP8L_BITS_POS      1
#define VP8L_HEADER_END    5
#define VP8L_SIZE_BITS     14
#define VP8L_SIZE_MASK     0x3fff
#define VP8L_VERSION_SHIFT 29

/* VP8X (extended): flags, reserved, canvas width-1 and height-1 in 24 bits each. */
#define VP8X_WIDTH_POS  4
#define VP8X_HEIGHT_POS 7
#define VP8X_HEADER_END 10

/* JPEG markers (the byte after 0xFF). */
#define JPEG_SOI_LEN             2
#define JPEG_MARKER_PREFIX       0xff
#define JPEG_NOT_A_MARKER        0x00
#define JPEG_TEM                 0x01
#define JPEG_SOF0                0xc0
#define JPEG_SOF15               0xcf
#define JPEG_DHT                 0xc4
#define JPEG_JPG                 0xc8
#define JPEG_DAC                 0xcc
#define JPEG_RST0                0xd0
#define JPEG_RST7                0xd7
#define JPEG_SOI                 0xd8
#define JPEG_EOI                 0xd9
#define JPEG_SOS                 0xda
#define JPEG_LENGTH_LEN          2
/* SOF segment: length, precision, height, width, component count. */
#define JPEG_SOF_HEIGHT_POS      3
#define JPEG_SOF_WIDTH_POS       5
#define JPEG_SOF_MIN_LENGTH      8
/* then per component: identifier, sampling factors (h << 4 | v), quantisation table */
#define JPEG_SOF_COMPONENT_POS   8
#define JPEG_SOF_COMPONENT_LEN   3
#define JPEG_SOF_SAMPLING_OFFSET 1
/* SOF2, SOF6, SOF10 and SOF14 are the progressive modes. */
#define JPEG_SOF_MODE_MASK       0x03
#define JPEG_SOF_PROGRESSIVE     0x02

/* The ends of the other formats: PNG's IEND chunk type (then its CRC), GIF's trailer,
 * RIFF's size field (of what follows the first 8 bytes). */
#define PNG_IEND_FROM_END    8
#define GIF_TRAILER          0x3b
#define WEBP_RIFF_SIZE_POS   4
#define WEBP_RIFF_HEADER_LEN 8

#define MEGAPIXEL 1000000u

/* What decoding holds per pixel: the output, as RGBA at most; and in a progressive JPEG,
 * every 16-bit DCT coefficient of the whole image until the last scan (libjpeg's
 * buffered-image mode), 64 a block. */
#define DECODED_BYTES_PER_PIXEL 4u
#define JPEG_COEFFICIENT_BYTES  2u

/* Decode memory shared by every decoding thread of the process (see
 * TESSERA_IMAGE_DECODE_BUDGET). Reservations are served in the order they come, so a large
 * one is never passed over for ever by small ones. */
typedef struct
{
  GMutex lock;
  GCond changed;
  gsize capacity; /* 0: TESSERA_IMAGE_DECODE_BUDGET */
  gsize in_use;
  guint64 next_ticket;
  guint64 serving;
  guint running;
  guint peak_running;
} DecodeBudget;

static DecodeBudget decode_budget;

typedef struct
{
  const char *extension;
  const char *loader_type; /* the gdk-pixbuf module name */
} FormatInfo;

/* What a JPEG's frame header and the markers up to its first scan say. */
typedef struct
{
  guint width;
  guint height;
  gboolean progressive;
  guint blocks;         /* 8×8 blocks of all components in one MCU: the sum of h × v */
  guint largest_blocks; /* those of a full-resolution component: max h × max v */
  gsize scan_data;      /* where the first scan's coded data starts; 0: not reached */
  gboolean ran_out;     /* the bytes ended before any coded data (not garbage) */
} JpegHeader;

static const FormatInfo format_infos[] = {
  [TESSERA_IMAGE_FORMAT_UNKNOWN] = { NULL, NULL },  [TESSERA_IMAGE_FORMAT_JPEG] = { "jpg", "jpeg" },
  [TESSERA_IMAGE_FORMAT_PNG] = { "png", "png" },    [TESSERA_IMAGE_FORMAT_GIF] = { "gif", "gif" },
  [TESSERA_IMAGE_FORMAT_WEBP] = { "webp", "webp" },
};

/* What the loader's "size-prepared" handler learns and asks for. */
typedef struct
{
  guint tile_px;
  TesseraImageFormat format;
  guint width;
  guint height;
  gboolean too_large;
  int rows_done; /* of the decoder's output, from "area-updated" */
} SizeRequest;

static gboolean
has_bytes_at (const guint8 *data, gsize len, gsize offset, const guint8 *bytes, gsize n_bytes)
{
  return offset <= len && n_bytes <= len - offset && memcmp (data + offset, bytes, n_bytes) == 0;
}

/* The readers below expect the caller to have checked the bounds. */
static guint
read_be16 (const guint8 *p)
{
  return ((guint) p[0] << 8) | p[1];
}

static guint32
read_be32 (const guint8 *p)
{
  return ((guint32) p[0] << 24) | ((guint32) p[1] << 16) | ((guint32) p[2] << 8) | p[3];
}

static guint
read_le16 (const guint8 *p)
{
  return p[0] | ((guint) p[1] << 8);
}

static guint32
read_le24 (const guint8 *p)
{
  return p[0] | ((guint32) p[1] << 8) | ((guint32) p[2] << 16);
}

static guint32
read_le32 (const guint8 *p)
{
  return read_le24 (p) | ((guint32) p[3] << 24);
}

TesseraImageFormat
tessera_image_sniff (const guint8 *data, gsize len)
{
  g_return_val_if_fail (data != NULL || len == 0, TESSERA_IMAGE_FORMAT_UNKNOWN);

  if (HAS_MAGIC_AT (data, len, 0, JPEG_MAGIC))
    return TESSERA_IMAGE_FORMAT_JPEG;
  if (HAS_MAGIC_AT (data, len, 0, PNG_MAGIC))
    return TESSERA_IMAGE_FORMAT_PNG;
  if (HAS_MAGIC_AT (data, len, 0, GIF87_MAGIC) || HAS_MAGIC_AT (data, len, 0, GIF89_MAGIC))
    return TESSERA_IMAGE_FORMAT_GIF;
  if (HAS_MAGIC_AT (data, len, 0, RIFF_MAGIC)
      && HAS_MAGIC_AT (data, len, WEBP_MAGIC_POS, WEBP_MAGIC))
    return TESSERA_IMAGE_FORMAT_WEBP;

  return TESSERA_IMAGE_FORMAT_UNKNOWN;
}

const char *
tessera_image_format_extension (TesseraImageFormat format)
{
  g_return_val_if_fail ((guint) format < G_N_ELEMENTS (format_infos), NULL);

  return format_infos[format].extension;
}

static gboolean
probe_png (const guint8 *data, gsize len, guint *width, guint *height)
{
  /* IHDR must come first and be exactly 13 bytes long. */
  if (len < PNG_HEADER_END || read_be32 (data + PNG_IHDR_LENGTH_POS) != PNG_IHDR_LENGTH
      || !HAS_MAGIC_AT (data, len, PNG_IHDR_TYPE_POS, "IHDR"))
    return FALSE;

  *width = read_be32 (data + PNG_WIDTH_POS);
  *height = read_be32 (data + PNG_HEIGHT_POS);
  return TRUE;
}

static gboolean
probe_gif (const guint8 *data, gsize len, guint *width, guint *height)
{
  if (len < GIF_HEADER_END)
    return FALSE;

  *width = read_le16 (data + GIF_WIDTH_POS);
  *height = read_le16 (data + GIF_HEIGHT_POS);
  return TRUE;
}

static gboolean
probe_vp8 (const guint8 *chunk, gsize chunk_len, guint *width, guint *height)
{
  /* Only a key frame carries the start code and the size. */
  if (chunk_len < VP8_HEADER_END || (chunk[0] & VP8_FRAME_TAG_NOT_KEY) != 0
      || !HAS_MAGIC_AT (chunk, chunk_len, VP8_START_CODE_POS, VP8_START_CODE))
    return FALSE;

  /* The top two bits of each field are an upscaling hint, not size. */
  *width = read_le16 (chunk + VP8_WIDTH_POS) & VP8_SIZE_MASK;
  *height = read_le16 (chunk + VP8_HEIGHT_POS) & VP8_SIZE_MASK;
  return TRUE;
}

static gboolean
probe_vp8l (const guint8 *chunk, gsize chunk_len, guint *width, guint *height)
{
  guint32 bits;

  if (chunk_len < VP8L_HEADER_END || chunk[0] != VP8L_SIGNATURE)
    return FALSE;

  bits = read_le32 (chunk + VP8L_BITS_POS);
  if ((bits >> VP8L_VERSION_SHIFT) != 0)
    return FALSE;

  *width = (bits & VP8L_SIZE_MASK) + 1;
  *height = ((bits >> VP8L_SIZE_BITS) & VP8L_SIZE_MASK) + 1;
  return TRUE;
}

static gboolean
probe_vp8x (const guint8 *chunk, gsize chunk_len, guint *width, guint *height)
{
  if (chunk_len < VP8X_HEADER_END)
    return FALSE;

  *width = read_le24 (chunk + VP8X_WIDTH_POS) + 1;
  *height = read_le24 (chunk + VP8X_HEIGHT_POS) + 1;
  return TRUE;
}

static gboolean
probe_webp (const guint8 *data, gsize len, guint *width, guint *height)
{
  const guint8 *chunk;
  gsize chunk_len;

  if (len < WEBP_CHUNK_DATA_POS)
    return FALSE;

  /* The header ends where the buffer or the chunk's own size field says, whichever is first. */
  chunk = data + WEBP_CHUNK_DATA_POS;
  chunk_len = MIN (read_le32 (data + WEBP_CHUNK_SIZE_POS), len - WEBP_CHUNK_DATA_POS);

  if (HAS_MAGIC_AT (data, len, WEBP_CHUNK_FOURCC_POS, "VP8 "))
    return probe_vp8 (chunk, chunk_len, width, height);
  if (HAS_MAGIC_AT (data, len, WEBP_CHUNK_FOURCC_POS, "VP8L"))
    return probe_vp8l (chunk, chunk_len, width, height);
  if (HAS_MAGIC_AT (data, len, WEBP_CHUNK_FOURCC_POS, "VP8X"))
    return probe_vp8x (chunk, chunk_len, width, height);

  return FALSE;
}

static gboolean
jpeg_marker_is_sof (guint8 marker)
{
  return marker >= JPEG_SOF0 && marker <= JPEG_SOF15 && marker != JPEG_DHT && marker != JPEG_JPG
         && marker != JPEG_DAC;
}

static gboolean
jpeg_marker_is_standalone (guint8 marker)
{
  return marker == JPEG_TEM || (marker >= JPEG_RST0 && marker <= JPEG_RST7);
}

/* Past these no frame header can follow that a marker walk could reach. */
static gboolean
jpeg_marker_ends_walk (guint8 marker)
{
  return marker == JPEG_NOT_A_MARKER || marker == JPEG_SOI || marker == JPEG_EOI;
}

/* Reads a frame header (the segment from its length field on). */
static gboolean
read_jpeg_frame (const guint8 *segment, gsize segment_len, guint8 marker, JpegHeader *header)
{
  guint max_h = 1;
  guint max_v = 1;

  if (segment_len < JPEG_SOF_MIN_LENGTH)
    return FALSE;
  header->height = read_be16 (segment + JPEG_SOF_HEIGHT_POS);
  header->width = read_be16 (segment + JPEG_SOF_WIDTH_POS);
  header->progressive = (marker & JPEG_SOF_MODE_MASK) == JPEG_SOF_PROGRESSIVE;
  for (gsize at = JPEG_SOF_COMPONENT_POS; at + JPEG_SOF_COMPONENT_LEN <= segment_len;
       at += JPEG_SOF_COMPONENT_LEN)
    {
      guint8 sampling = segment[at + JPEG_SOF_SAMPLING_OFFSET];
      guint h = MAX (sampling >> 4, 1u);
      guint v = MAX (sampling & 0x0f, 1u);

      header->blocks += h * v;
      max_h = MAX (max_h, h);
      max_v = MAX (max_v, v);
    }
  header->blocks = MAX (header->blocks, 1u);
  header->largest_blocks = max_h * max_v;
  return TRUE;
}

/* Walks the markers up to the first scan. FALSE when no frame header comes first. */
static gboolean
read_jpeg_header (const guint8 *data, gsize len, JpegHeader *header)
{
  gsize pos = JPEG_SOI_LEN;
  gboolean have_frame = FALSE;

  *header = (JpegHeader){ 0 };
  while (pos < len && data[pos] == JPEG_MARKER_PREFIX)
    {
      guint8 marker;
      gsize segment_len;

      /* Any number of 0xFF fill bytes may precede a marker. */
      while (pos < len && data[pos] == JPEG_MARKER_PREFIX)
        pos++;
      if (pos == len)
        break;

      marker = data[pos++];
      if (jpeg_marker_is_standalone (marker))
        continue;
      if (jpeg_marker_ends_walk (marker))
        return have_frame;
      /* The length counts itself but not the marker. */
      if (len - pos < JPEG_LENGTH_LEN)
        break;
      segment_len = read_be16 (data + pos);
      if (segment_len < JPEG_LENGTH_LEN)
        return have_frame;
      if (segment_len > len - pos)
        break;

      if (marker == JPEG_SOS)
        {
          header->scan_data = pos + segment_len < len ? pos + segment_len : 0;
          header->ran_out = header->scan_data == 0;
          return have_frame;
        }
      if (jpeg_marker_is_sof (marker) && !have_frame)
        {
          if (!read_jpeg_frame (data + pos, segment_len, marker, header))
            return FALSE;
          have_frame = TRUE;
        }
      pos += segment_len;
    }

  /* Garbage where a marker should be, or the bytes ran out. */
  header->ran_out = pos >= len;
  return have_frame;
}

static gboolean
probe_jpeg (const guint8 *data, gsize len, guint *width, guint *height)
{
  JpegHeader header;

  if (!read_jpeg_header (data, len, &header))
    return FALSE;
  *width = header.width;
  *height = header.height;
  return TRUE;
}

gboolean
tessera_image_probe_size (const guint8 *data, gsize len, TesseraImageFormat format, guint *width,
                          guint *height)
{
  g_return_val_if_fail (data != NULL || len == 0, FALSE);
  g_return_val_if_fail (width != NULL && height != NULL, FALSE);

  if (tessera_image_sniff (data, len) != format)
    return FALSE;

  switch (format)
    {
    case TESSERA_IMAGE_FORMAT_JPEG:
      return probe_jpeg (data, len, width, height);
    case TESSERA_IMAGE_FORMAT_PNG:
      return probe_png (data, len, width, height);
    case TESSERA_IMAGE_FORMAT_GIF:
      return probe_gif (data, len, width, height);
    case TESSERA_IMAGE_FORMAT_WEBP:
      return probe_webp (data, len, width, height);
    case TESSERA_IMAGE_FORMAT_UNKNOWN:
    default:
      return FALSE;
    }
}

static gboolean
pixel_size_allowed (guint width, guint height)
{
  return width > 0 && height > 0 && width <= TESSERA_IMAGE_MAX_SIDE
         && height <= TESSERA_IMAGE_MAX_SIDE
         && (guint64) width * height <= TESSERA_IMAGE_MAX_PIXELS;
}

static void
set_too_large_error (GError **error, guint width, guint height)
{
  g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_TOO_LARGE,
               _ ("The image is %u × %u pixels; the limit is %u pixels a side and %u megapixels"),
               width, height, (guint) TESSERA_IMAGE_MAX_SIDE, TESSERA_IMAGE_MAX_PIXELS / MEGAPIXEL);
}

/* A decoder's failure in plain words: its own message names library internals ("Improper
 * call to JPEG library in state 205"), so it goes to the debug log only. */
static void
set_broken_error (GError **error, const GError *decoder_error)
{
  g_debug ("Decoder: %s", decoder_error != NULL ? decoder_error->message : "no message");
  if (g_error_matches (decoder_error, GDK_PIXBUF_ERROR, GDK_PIXBUF_ERROR_INSUFFICIENT_MEMORY))
    g_set_error_literal (error, TESSERA_ERROR, TESSERA_ERROR_BROKEN,
                         _ ("Not enough memory to decode the image"));
  else
    g_set_error_literal (error, TESSERA_ERROR, TESSERA_ERROR_BROKEN,
                         _ ("The image data is damaged and could not be decoded"));
}

static void
set_cut_short_error (GError **error)
{
  g_set_error_literal (error, TESSERA_ERROR, TESSERA_ERROR_CUT_SHORT,
                       _ ("The image data ends before the picture is complete"));
}

static void
set_out_of_memory_error (GError **error)
{
  g_set_error_literal (error, TESSERA_ERROR, TESSERA_ERROR_BROKEN,
                       _ ("Not enough memory to decode the image"));
}

/* libjpeg's smallest scaled decode: an eighth of each side. */
#define JPEG_MAX_DENOMINATOR 8

/* @side divided by @denominator, rounded up, as libjpeg sizes a scaled decode. */
static int
scale_side_up (guint side, guint denominator)
{
  return (int) ((side + denominator - 1) / denominator);
}

/* @side scaled by @num / @den, rounded. */
static int
scale_side (guint side, guint num, guint den)
{
  return (int) (((guint64) side * num + den / 2) / den);
}

/* The largest of libjpeg's fractions (1/1 to 1/8) whose decode of a @shorter side still
 * covers @tile_px. */
static guint
jpeg_denominator (guint shorter, guint tile_px)
{
  guint denominator = 1;

  while (denominator < JPEG_MAX_DENOMINATOR
         && (shorter + denominator * 2 - 1) / (denominator * 2) >= tile_px)
    denominator *= 2;
  return denominator;
}

static void
on_area_updated (GdkPixbufLoader *loader, int x, int y, int width, int height, gpointer user_data)
{
  SizeRequest *request = user_data;

  request->rows_done = MAX (request->rows_done, y + height);
}

static void
on_size_prepared (GdkPixbufLoader *loader, int width, int height, gpointer user_data)
{
  SizeRequest *request = user_data;
  guint shorter;

  request->width = (guint) MAX (width, 0);
  request->height = (guint) MAX (height, 0);

  /* The decoder may disagree with the header we probed: never let it allocate past the limits. */
  if (!pixel_size_allowed (request->width, request->height))
    {
      request->too_large = TRUE;
      gdk_pixbuf_loader_set_size (loader, 1, 1);
      return;
    }

  shorter = MIN (request->width, request->height);
  if (shorter <= request->tile_px)
    return;
  /* libjpeg decodes at 1/2, 1/4 or 1/8 of the size for less than the whole: ask for the
   * smallest of those that still covers the tile, exactly, so the loader does not scale
   * as well; crop_to_tile () scales once, the square only. */
  if (request->format == TESSERA_IMAGE_FORMAT_JPEG)
    {
      guint denominator = jpeg_denominator (shorter, request->tile_px);

      if (denominator > 1)
        gdk_pixbuf_loader_set_size (loader, scale_side_up (request->width, denominator),
                                    scale_side_up (request->height, denominator));
      return;
    }
  /* Others decode whole anyway: shrink so the shorter side becomes the tile; both sides
   * stay at least tile_px >= 1. */
  gdk_pixbuf_loader_set_size (loader, scale_side (request->width, request->tile_px, shorter),
                              scale_side (request->height, request->tile_px, shorter));
}

static GdkPixbufLoader *
new_loader_for_format (TesseraImageFormat format, GError **error)
{
  g_autoptr (GError) local_error = NULL;
  GdkPixbufLoader *loader;

  /* By name, so that no other gdk-pixbuf module ever parses network bytes. */
  loader = gdk_pixbuf_loader_new_with_type (format_infos[format].loader_type, &local_error);
  if (loader != NULL)
    return loader;

  if (format == TESSERA_IMAGE_FORMAT_WEBP
      && g_error_matches (local_error, GDK_PIXBUF_ERROR, GDK_PIXBUF_ERROR_UNKNOWN_TYPE))
    g_set_error_literal (error, TESSERA_ERROR, TESSERA_ERROR_BROKEN,
                         _ ("No WebP decoder installed (webp-pixbuf-loader)"));
  else
    set_broken_error (error, local_error);
  return NULL;
}

/* Whether the bytes of a JPEG stop inside its first scan or later, before the end marker:
 * what a cut-short download or file leaves. */
static gboolean
jpeg_is_cut_short (const guint8 *data, gsize len)
{
  JpegHeader header;

  /* Without a frame header, only running out says it was cut. */
  read_jpeg_header (data, len, &header);
  if (header.scan_data == 0)
    return header.ran_out;
  /* Coded data never holds 0xFF followed by a marker other than a restart. From the end:
   * a whole file has its end marker there (or a few bytes of padding before it), so the
   * search is short where a forward one would read all the coded data. */
  for (gsize i = len - 1; i > header.scan_data; i--)
    if (data[i - 1] == JPEG_MARKER_PREFIX && data[i] == JPEG_EOI)
      return FALSE;
  return TRUE;
}

/* Whether @data stops before its format's end: a download or a file cut short, rather than
 * damaged bytes. */
static gboolean
is_cut_short (const guint8 *data, gsize len, TesseraImageFormat format)
{
  switch (format)
    {
    case TESSERA_IMAGE_FORMAT_JPEG:
      return jpeg_is_cut_short (data, len);
    case TESSERA_IMAGE_FORMAT_PNG:
      return !HAS_MAGIC_AT (data, len, len - MIN (len, PNG_IEND_FROM_END), "IEND");
    case TESSERA_IMAGE_FORMAT_GIF:
      return data[len - 1] != GIF_TRAILER;
    case TESSERA_IMAGE_FORMAT_WEBP:
      return len < WEBP_CHUNK_FOURCC_POS
             || (guint64) read_le32 (data + WEBP_RIFF_SIZE_POS) + WEBP_RIFF_HEADER_LEN > len;
    case TESSERA_IMAGE_FORMAT_UNKNOWN:
    default:
      return FALSE;
    }
}

/* Whether a JPEG's bytes reach into its first scan's coded data. */
static gboolean
has_coded_data (const guint8 *data, gsize len)
{
  JpegHeader header;

  return read_jpeg_header (data, len, &header) && header.scan_data > 0;
}

/* A JPEG cut short inside its coded data still gives a picture: libjpeg writes every row
 * of the output, grey where the data is missing, as a browser shows it. The decoder only
 * refuses to finish a progressive one. Others leave the rows they did not reach unwritten. */
static gboolean
is_partial_picture (const guint8 *data, gsize len, TesseraImageFormat format, gboolean all_rows)
{
  return format == TESSERA_IMAGE_FORMAT_JPEG && all_rows && jpeg_is_cut_short (data, len)
         && has_coded_data (data, len);
}

gsize
tessera_image_decode_cost (const guint8 *data, gsize len, guint tile_px)
{
  TesseraImageFormat format = tessera_image_sniff (data, len);
  JpegHeader header;
  guint64 pixels;
  guint64 cost;
  guint denominator;

  g_return_val_if_fail (data != NULL || len == 0, 0);

  if (format != TESSERA_IMAGE_FORMAT_JPEG)
    {
      guint width;
      guint height;

      /* gdk-pixbuf's other loaders decode the whole picture, then shrink it. */
      if (!tessera_image_probe_size (data, len, format, &width, &height))
        return 0;
      return (gsize) MIN ((guint64) width * height * DECODED_BYTES_PER_PIXEL, G_MAXSIZE);
    }
  if (!read_jpeg_header (data, len, &header))
    return 0;
  pixels = (guint64) header.width * header.height;
  denominator = jpeg_denominator (MIN (header.width, header.height), tile_px);
  cost = (guint64) scale_side_up (header.width, denominator)
         * (guint64) scale_side_up (header.height, denominator) * DECODED_BYTES_PER_PIXEL;
  if (header.progressive)
    cost += pixels * JPEG_COEFFICIENT_BYTES * header.blocks / header.largest_blocks;
  return (gsize) MIN (cost, G_MAXSIZE);
}

/* Whether @cost fits beside what runs; anything fits when nothing does. */
static gboolean
budget_fits (const DecodeBudget *budget, gsize cost)
{
  gsize capacity = budget->capacity > 0 ? budget->capacity : TESSERA_IMAGE_DECODE_BUDGET;

  return budget->running == 0 || (budget->in_use <= capacity && cost <= capacity - budget->in_use);
}

/* Waits until @cost fits beside the decodes running, or until none runs when it is larger
 * than the whole budget, then takes it. */
static void
reserve_decode_memory (gsize cost)
{
  DecodeBudget *budget = &decode_budget;
  guint64 ticket;

  g_mutex_lock (&budget->lock);
  ticket = budget->next_ticket++;
  while (ticket != budget->serving || !budget_fits (budget, cost))
    g_cond_wait (&budget->changed, &budget->lock);
  budget->serving++;
  budget->in_use += cost;
  budget->running++;
  budget->peak_running = MAX (budget->peak_running, budget->running);
  /* The next in line may fit too. */
  g_cond_broadcast (&budget->changed);
  g_mutex_unlock (&budget->lock);
}

static void
release_decode_memory (gsize cost)
{
  DecodeBudget *budget = &decode_budget;

  g_mutex_lock (&budget->lock);
  budget->in_use -= cost;
  budget->running--;
  g_cond_broadcast (&budget->changed);
  g_mutex_unlock (&budget->lock);
}

void
tessera_image_set_decode_budget (gsize bytes)
{
  g_mutex_lock (&decode_budget.lock);
  decode_budget.capacity = bytes;
  decode_budget.peak_running = decode_budget.running;
  g_cond_broadcast (&decode_budget.changed);
  g_mutex_unlock (&decode_budget.lock);
}

guint
tessera_image_get_peak_decodes (void)
{
  guint peak;

  g_mutex_lock (&decode_budget.lock);
  peak = decode_budget.peak_running;
  g_mutex_unlock (&decode_budget.lock);
  return peak;
}

/* The first frame, shrunk while decoding and turned upright. */
static GdkPixbuf *
load_upright_pixbuf (const guint8 *data, gsize len, TesseraImageFormat format, guint tile_px,
                     GError **error)
{
  g_autoptr (GdkPixbufLoader) loader = NULL;
  g_autoptr (GError) local_error = NULL;
  SizeRequest request = { .tile_px = tile_px, .format = format };
  GdkPixbuf *frame;
  GdkPixbuf *upright;
  gboolean loaded;
  gboolean all_rows;

  loader = new_loader_for_format (format, error);
  if (loader == NULL)
    return NULL;

  g_signal_connect (loader, "size-prepared", G_CALLBACK (on_size_prepared), &request);
  g_signal_connect (loader, "area-updated", G_CALLBACK (on_area_updated), &request);
  /* A failed write closes the loader itself. */
  loaded = gdk_pixbuf_loader_write (loader, data, len, &local_error)
           && gdk_pixbuf_loader_close (loader, &local_error);

  if (request.too_large)
    {
      set_too_large_error (error, request.width, request.height);
      return NULL;
    }
  /* A scaled loader makes a new pixbuf on every call, so ask once. */
  frame = gdk_pixbuf_loader_get_pixbuf (loader);
  all_rows = frame != NULL && request.rows_done >= gdk_pixbuf_get_height (frame);
  /* Some loaders finish a cut-short image without a word, its last rows never written. */
  if ((!loaded && !is_partial_picture (data, len, format, all_rows))
      || (loaded && !all_rows && is_cut_short (data, len, format)))
    {
      if (is_cut_short (data, len, format))
        set_cut_short_error (error);
      else
        set_broken_error (error, local_error);
      return NULL;
    }
  if (!loaded)
    g_debug ("Showing what was decoded of a cut-short image: %s", local_error->message);
  if (frame == NULL)
    {
      g_set_error_literal (error, TESSERA_ERROR, TESSERA_ERROR_BROKEN,
                           _ ("The image holds no picture"));
      return NULL;
    }

  upright = gdk_pixbuf_apply_embedded_orientation (frame);
  if (upright == NULL)
    set_out_of_memory_error (error);
  return upright;
}

/* load_upright_pixbuf () once its estimated memory is reserved in the shared budget. */
static GdkPixbuf *
load_within_budget (const guint8 *data, gsize len, TesseraImageFormat format, guint tile_px,
                    GError **error)
{
  gsize cost = tessera_image_decode_cost (data, len, tile_px);
  GdkPixbuf *upright;

  reserve_decode_memory (cost);
  upright = load_upright_pixbuf (data, len, format, tile_px, error);
  release_decode_memory (cost);
  return upright;
}

/* RGB rows of @pixbuf as cairo's RGB24 (xRGB in native order) rows of @surface. */
static void
copy_rgb_rows (GdkPixbuf *pixbuf, cairo_surface_t *surface)
{
  const guint8 *pixels = gdk_pixbuf_read_pixels (pixbuf);
  int rowstride = gdk_pixbuf_get_rowstride (pixbuf);
  int channels = gdk_pixbuf_get_n_channels (pixbuf);
  int width = gdk_pixbuf_get_width (pixbuf);
  int height = gdk_pixbuf_get_height (pixbuf);
  guint8 *rows = cairo_image_surface_get_data (surface);
  int stride = cairo_image_surface_get_stride (surface);

  cairo_surface_flush (surface);
  for (int y = 0; y < height; y++)
    {
      const guint8 *in = pixels + (gsize) y * (gsize) rowstride;
      guint32 *out = (guint32 *) (gpointer) (rows + (gsize) y * (gsize) stride);

      for (int x = 0; x < width; x++, in += channels)
        out[x] = 0xff000000u | ((guint32) in[0] << 16) | ((guint32) in[1] << 8) | in[2];
    }
  cairo_surface_mark_dirty (surface);
}

/* The opaque pixels of @surface (cairo's ARGB32) as packed RGB rows. */
static GBytes *
pack_rgb_rows (cairo_surface_t *surface)
{
  int width = cairo_image_surface_get_width (surface);
  int height = cairo_image_surface_get_height (surface);
  int stride = cairo_image_surface_get_stride (surface);
  const guint8 *rows;
  guint8 *packed = g_malloc ((gsize) width * (gsize) height * 3);
  guint8 *out = packed;

  cairo_surface_flush (surface);
  rows = cairo_image_surface_get_data (surface);
  for (int y = 0; y < height; y++)
    {
      const guint32 *in = (const guint32 *) (gconstpointer) (rows + (gsize) y * (gsize) stride);

      for (int x = 0; x < width; x++)
        {
          *out++ = (guint8) (in[x] >> 16);
          *out++ = (guint8) (in[x] >> 8);
          *out++ = (guint8) in[x];
        }
    }
  return g_bytes_new_take (packed, (gsize) width * (gsize) height * 3);
}

/* @square (opaque) shrunk to @target by less than half, with cairo's bilinear filter: at
 * such a ratio it skips no pixel, and pixman does it several times faster than
 * gdk-pixbuf. */
static GdkTexture *
scale_opaque (GdkPixbuf *square, int target, GError **error)
{
  int side = gdk_pixbuf_get_width (square);
  cairo_surface_t *source = cairo_image_surface_create (CAIRO_FORMAT_RGB24, side, side);
  cairo_surface_t *tile = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, target, target);
  g_autoptr (GBytes) pixels = NULL;
  GdkTexture *texture = NULL;
  cairo_t *cr;

  if (cairo_surface_status (source) == CAIRO_STATUS_SUCCESS
      && cairo_surface_status (tile) == CAIRO_STATUS_SUCCESS)
    {
      copy_rgb_rows (square, source);
      cr = cairo_create (tile);
      cairo_scale (cr, (double) target / side, (double) target / side);
      cairo_set_source_surface (cr, source, 0, 0);
      cairo_pattern_set_filter (cairo_get_source (cr), CAIRO_FILTER_BILINEAR);
      cairo_paint (cr);
      cairo_destroy (cr);
      pixels = pack_rgb_rows (tile);
      /* Three bytes a pixel, as gdk-pixbuf's opaque pictures: a quarter less to keep. */
      texture
          = gdk_memory_texture_new (target, target, GDK_MEMORY_R8G8B8, pixels, (gsize) target * 3);
    }
  else
    set_out_of_memory_error (error);
  cairo_surface_destroy (source);
  cairo_surface_destroy (tile);
  return texture;
}

/* The centre square, shrunk to @tile_px but never enlarged, as a texture. */
static GdkTexture *
crop_to_tile (GdkPixbuf *pixbuf, guint tile_px, GError **error)
{
  g_autoptr (GdkPixbuf) square = NULL;
  g_autoptr (GdkPixbuf) tile = NULL;
  int width = gdk_pixbuf_get_width (pixbuf);
  int height = gdk_pixbuf_get_height (pixbuf);
  int side = MIN (width, height);
  int target = (int) MIN ((guint) side, tile_px);

  square = gdk_pixbuf_new_subpixbuf (pixbuf, (width - side) / 2, (height - side) / 2, side, side);
  /* What a JPEG decoded at a fraction of its size leaves. */
  if (target < side && side < 2 * target && !gdk_pixbuf_get_has_alpha (pixbuf))
    return scale_opaque (square, target, error);
  if (target < side)
    tile = gdk_pixbuf_scale_simple (square, target, target, GDK_INTERP_BILINEAR);
  else if ((tile = gdk_pixbuf_new (GDK_COLORSPACE_RGB, gdk_pixbuf_get_has_alpha (pixbuf), 8, target,
                                   target)))
    /* Only copied out of the larger buffer: a 1:1 filtered scale costs as much as a real one. */
    gdk_pixbuf_copy_area (square, 0, 0, side, side, tile, 0, 0);
  if (tile == NULL)
    {
      set_out_of_memory_error (error);
      return NULL;
    }
  return gdk_texture_new_for_pixbuf (tile);
}

/* Sniffs the format and refuses, before any decoder runs, what is not an image or is
 * larger than the limits. */
static gboolean
check_decodable (const guint8 *data, gsize len, TesseraImageFormat *format, GError **error)
{
  guint width;
  guint height;

  *format = tessera_image_sniff (data, len);
  if (*format == TESSERA_IMAGE_FORMAT_UNKNOWN)
    {
      g_set_error_literal (error, TESSERA_ERROR, TESSERA_ERROR_NOT_IMAGE,
                           _ ("The data is not a JPEG, PNG, GIF or WebP image"));
      return FALSE;
    }
  /* A JPEG that ends before its first scan's data holds no picture at all. */
  if (!tessera_image_probe_size (data, len, *format, &width, &height)
      || (*format == TESSERA_IMAGE_FORMAT_JPEG && jpeg_is_cut_short (data, len)
          && !has_coded_data (data, len)))
    {
      if (is_cut_short (data, len, *format))
        set_cut_short_error (error);
      else
        g_set_error_literal (error, TESSERA_ERROR, TESSERA_ERROR_BROKEN,
                             _ ("The image header does not say its size"));
      return FALSE;
    }
  if (!pixel_size_allowed (width, height))
    {
      set_too_large_error (error, width, height);
      return FALSE;
    }
  return TRUE;
}

gboolean
tessera_image_check_original (const guint8 *data, gsize len, GError **error)
{
  TesseraImageFormat format;

  g_return_val_if_fail (data != NULL || len == 0, FALSE);

  if (!check_decodable (data, len, &format, error))
    return FALSE;
  if (is_cut_short (data, len, format))
    {
      set_cut_short_error (error);
      return FALSE;
    }
  return TRUE;
}

GdkTexture *
tessera_image_decode_tile (GBytes *bytes, guint tile_px, TesseraImageFormat *format, GError **error)
{
  g_autoptr (GdkPixbuf) upright = NULL;
  TesseraImageFormat sniffed;
  gboolean decodable;
  const guint8 *data;
  gsize len;

  TESSERA_ASSERT_WORKER_THREAD ();

  g_return_val_if_fail (bytes != NULL, NULL);
  g_return_val_if_fail (tile_px > 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  data = g_bytes_get_data (bytes, &len);
  decodable = check_decodable (data, len, &sniffed, error);
  if (format != NULL)
    *format = sniffed;
  if (!decodable)
    return NULL;

  upright = load_within_budget (data, len, sniffed, tile_px, error);
  if (upright == NULL)
    return NULL;

  return crop_to_tile (upright, tile_px, error);
}

GdkTexture *
tessera_image_decode_full (GBytes *bytes, GError **error)
{
  g_autoptr (GdkPixbuf) upright = NULL;
  TesseraImageFormat format;
  const guint8 *data;
  gsize len;

  TESSERA_ASSERT_WORKER_THREAD ();

  g_return_val_if_fail (bytes != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  data = g_bytes_get_data (bytes, &len);
  if (!check_decodable (data, len, &format, error))
    return NULL;
  /* No side is ever larger than G_MAXUINT: nothing is shrunk. */
  upright = load_within_budget (data, len, format, G_MAXUINT, error);
  if (upright == NULL)
    return NULL;
  return gdk_texture_new_for_pixbuf (upright);
}
