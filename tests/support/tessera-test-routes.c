/* SPDX-License-Identifier: GPL-3.0-or-later */
/* tessera-test-routes.c: the test server's built-in paths: images, faults, redirects, hangs,
 * trickles, lists, served files and recorded fixtures */

#define G_LOG_DOMAIN "tessera-test-server"

#include "config.h"

#include "tessera-test-server-private.h"

#include <string.h>

#define DEFAULT_RETRY_AFTER_S      1
#define MAX_RETRY_AFTER_S          3600
#define TRUNCATED_DECLARED         20000
#define TRUNCATED_SENT             100
#define TRICKLE_LENGTH             100000
#define TRICKLE_INTERVAL_MS        1000
#define ENDLESS_CHUNK_BYTES        (64 * 1024)
#define ENDLESS_LIMIT_BYTES        ((guint64) 2 << 30)
#define DEFAULT_LIST_LINES         10
#define TESSERA_TEST_LAST_MODIFIED "Mon, 02 Nov 2026 10:00:00 GMT"
#define MAX_LIST_LINES             100000

typedef TesseraTestReply (*RouteFunc) (TesseraTestConnection *conn, TesseraTestRequest *req,
                                       const char *rest, TesseraTestResponse *resp);

typedef struct
{
  const char *path;
  gboolean is_prefix;
  RouteFunc func;
} Route;

typedef struct
{
  const char *path;
  const char *content_type;
  const char *body;
} FixedRoute;

typedef struct
{
  const char *extension;
  const char *pixbuf_type;
  const char *content_type;
} ImageFormat;

void
_tessera_test_fixture_free (gpointer data)
{
  TesseraTestFixture *fixture = data;

  g_free (fixture->file);
  g_free (fixture->headers);
  g_free (fixture->authorization);
  g_free (fixture);
}

static const ImageFormat *
image_format_for (const char *extension)
{
  static const ImageFormat formats[] = {
    { "png", "png", "image/png" },
    { "jpg", "jpeg", "image/jpeg" },
    { "jpeg", "jpeg", "image/jpeg" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (formats); i++)
    if (g_str_equal (formats[i].extension, extension))
      return &formats[i];
  return NULL;
}

/* What caches see of /img/: ?cc=VALUE sends "Cache-Control: VALUE"; ?etag=TAG sends
 * ETag "TAG" and answers a matching If-None-Match with a 304; ?lm sends a fixed
 * Last-Modified and answers that If-Modified-Since with a 304. TRUE for a 304. */
static gboolean
answer_validators (TesseraTestRequest *req, TesseraTestResponse *resp)
{
  const char *control = g_hash_table_lookup (req->params, "cc");
  const char *etag = g_hash_table_lookup (req->params, "etag");
  const char *if_none_match = g_hash_table_lookup (req->headers, "if-none-match");
  const char *if_modified_since = g_hash_table_lookup (req->headers, "if-modified-since");
  g_autofree char *quoted = etag ? g_strdup_printf ("\"%s\"", etag) : NULL;
  gboolean not_modified = FALSE;

  if (control != NULL)
    g_string_append_printf (resp->headers, "Cache-Control: %s\r\n", control);
  if (quoted != NULL)
    {
      g_string_append_printf (resp->headers, "ETag: %s\r\n", quoted);
      not_modified = g_strcmp0 (if_none_match, quoted) == 0;
    }
  if (g_hash_table_contains (req->params, "lm"))
    {
      g_string_append (resp->headers, "Last-Modified: " TESSERA_TEST_LAST_MODIFIED "\r\n");
      not_modified = not_modified || g_strcmp0 (if_modified_since, TESSERA_TEST_LAST_MODIFIED) == 0;
    }
  return not_modified;
}

/* Imgur's videos: an MP4 of three boxes, written here box by box. */
#define MP4_BRAND         "isom"
#define MP4_MINOR_VERSION 0x200
#define MP4_TIMESCALE     1000
#define MP4_RATE_ONE      0x00010000
#define MP4_VOLUME_ONE    0x0100
#define MP4_MATRIX_ONE    0x00010000
#define MP4_MATRIX_W      0x40000000
#define MP4_MVHD_RESERVED 10
#define MP4_PRE_DEFINED   24
#define MP4_NEXT_TRACK_ID 1

static void
append_be32 (GByteArray *array, guint32 value)
{
  guint8 bytes[] = { value >> 24, (value >> 16) & 0xff, (value >> 8) & 0xff, value & 0xff };

  g_byte_array_append (array, bytes, sizeof bytes);
}

/* Sets the size of the box that starts at @start to what follows it. */
static void
close_box (GByteArray *array, guint start)
{
  guint32 size = array->len - start;

  array->data[start] = size >> 24;
  array->data[start + 1] = (size >> 16) & 0xff;
  array->data[start + 2] = (size >> 8) & 0xff;
  array->data[start + 3] = size & 0xff;
}

static guint
open_box (GByteArray *array, const char *type)
{
  guint start = array->len;

  append_be32 (array, 0);
  g_byte_array_append (array, (const guint8 *) type, 4);
  return start;
}

GBytes *
tessera_test_make_mp4 (const char *brand)
{
  const guint32 matrix[] = { MP4_MATRIX_ONE, 0, 0, 0, MP4_MATRIX_ONE, 0, 0, 0, MP4_MATRIX_W };
  const guint8 zeros[MP4_PRE_DEFINED] = { 0 };
  GByteArray *mp4 = g_byte_array_new ();
  guint ftyp, moov, mvhd;

  g_return_val_if_fail (brand != NULL && strlen (brand) == 4, NULL);

  ftyp = open_box (mp4, "ftyp");
  g_byte_array_append (mp4, (const guint8 *) brand, 4);
  append_be32 (mp4, MP4_MINOR_VERSION);
  g_byte_array_append (mp4, (const guint8 *) brand, 4);
  g_byte_array_append (mp4, (const guint8 *) "mp41", 4);
  close_box (mp4, ftyp);

  moov = open_box (mp4, "moov");
  mvhd = open_box (mp4, "mvhd");
  append_be32 (mp4, 0); /* version 0, no flags */
  append_be32 (mp4, 0); /* created */
  append_be32 (mp4, 0); /* modified */
  append_be32 (mp4, MP4_TIMESCALE);
  append_be32 (mp4, 0); /* duration */
  append_be32 (mp4, MP4_RATE_ONE);
  append_be32 (mp4, MP4_VOLUME_ONE << 16); /* volume, then 2 of the reserved bytes */
  g_byte_array_append (mp4, zeros, MP4_MVHD_RESERVED - 2);
  for (gsize i = 0; i < G_N_ELEMENTS (matrix); i++)
    append_be32 (mp4, matrix[i]);
  g_byte_array_append (mp4, zeros, MP4_PRE_DEFINED);
  append_be32 (mp4, MP4_NEXT_TRACK_ID);
  close_box (mp4, mvhd);
  close_box (mp4, moov);

  close_box (mp4, open_box (mp4, "mdat"));
  return g_byte_array_free_to_bytes (mp4);
}

/* /img/<name>.{png,jpg,gif,mp4}?w=W&h=H&seed=S, with answer_validators ()'s parameters */
static TesseraTestReply
route_image (TesseraTestConnection *conn, TesseraTestRequest *req, const char *rest,
             TesseraTestResponse *resp)
{
  const char *dot = strrchr (rest, '.');
  g_autofree char *name = NULL;
  const ImageFormat *format;
  guint width, height, seed;

  if (dot == NULL || dot == rest || strchr (rest, '/') != NULL)
    return _tessera_test_reply_status (resp, 404);
  if (answer_validators (req, resp))
    return _tessera_test_reply_bytes (resp, 304, NULL, g_bytes_new (NULL, 0));
  if (g_str_equal (dot + 1, "gif"))
    return _tessera_test_reply_bytes (resp, 200, "image/gif", tessera_test_make_gif ());
  if (g_str_equal (dot + 1, "mp4"))
    return _tessera_test_reply_bytes (resp, 200, "video/mp4", tessera_test_make_mp4 (MP4_BRAND));
  format = image_format_for (dot + 1);
  if (format == NULL)
    return _tessera_test_reply_status (resp, 404);

  name = g_strndup (rest, dot - rest);
  if (!_tessera_test_request_get_uint (req, "w", TESSERA_TEST_IMAGE_WIDTH, G_MAXUINT, &width)
      || !_tessera_test_request_get_uint (req, "h", TESSERA_TEST_IMAGE_HEIGHT, G_MAXUINT, &height)
      || !_tessera_test_request_get_uint (req, "seed", g_str_hash (name), G_MAXUINT, &seed))
    return _tessera_test_reply_text (resp, 400, "Bad w, h or seed\n");

  return _tessera_test_reply_bytes (
      resp, 200, format->content_type,
      _tessera_test_make_image (format->pixbuf_type, CLAMP (width, 1, TESSERA_TEST_IMAGE_MAX_SIDE),
                                CLAMP (height, 1, TESSERA_TEST_IMAGE_MAX_SIDE), seed));
}

static gboolean
parse_status (const char *text, guint *status)
{
  guint64 number;

  if (!g_ascii_string_to_unsigned (text, 10, 200, 599, &number, NULL))
    return FALSE;
  *status = number;
  return TRUE;
}

/* /status/<code> */
static TesseraTestReply
route_status (TesseraTestConnection *conn, TesseraTestRequest *req, const char *rest,
              TesseraTestResponse *resp)
{
  guint status;

  if (!parse_status (rest, &status))
    return _tessera_test_reply_text (resp, 400, "Bad status\n");
  if (status == 204 || status == 304)
    return _tessera_test_reply_bytes (resp, status, NULL, g_bytes_new (NULL, 0));
  return _tessera_test_reply_status (resp, status);
}

/* /retry/<code>/<n>/<key>?after=S */
static TesseraTestReply
route_retry (TesseraTestConnection *conn, TesseraTestRequest *req, const char *rest,
             TesseraTestResponse *resp)
{
  g_auto (GStrv) parts = g_strsplit (rest, "/", 3);
  guint64 n_failures;
  guint status, after;

  if (g_strv_length (parts) != 3 || parts[2][0] == '\0' || !parse_status (parts[0], &status)
      || !g_ascii_string_to_unsigned (parts[1], 10, 0, G_MAXUINT, &n_failures, NULL)
      || !_tessera_test_request_get_uint (req, "after", DEFAULT_RETRY_AFTER_S, MAX_RETRY_AFTER_S,
                                          &after))
    return _tessera_test_reply_text (resp, 400, "Bad retry route\n");

  if (_tessera_test_server_bump_retry (conn->server, parts[2]) > n_failures)
    return _tessera_test_reply_bytes (resp, 200, "image/png", _tessera_test_make_fault_png ());
  g_string_append_printf (resp->headers, "Retry-After: %u\r\n", after);
  return _tessera_test_reply_status (resp, status);
}

/* /vanish/<n>/<key>: an image the first n times for <key> (with answer_validators ()'s
 * headers), then a 404: a picture deleted after it was seen. */
static TesseraTestReply
route_vanish (TesseraTestConnection *conn, TesseraTestRequest *req, const char *rest,
              TesseraTestResponse *resp)
{
  g_auto (GStrv) parts = g_strsplit (rest, "/", 2);
  guint64 n_answers;

  if (g_strv_length (parts) != 2 || parts[1][0] == '\0'
      || !g_ascii_string_to_unsigned (parts[0], 10, 0, G_MAXUINT, &n_answers, NULL))
    return _tessera_test_reply_text (resp, 400, "Bad vanish route\n");
  if (_tessera_test_server_bump_retry (conn->server, parts[1]) > n_answers)
    return _tessera_test_reply_status (resp, 404);
  answer_validators (req, resp);
  return _tessera_test_reply_bytes (resp, 200, "image/png", _tessera_test_make_fault_png ());
}

/* /redirect/<n>[?absolute]: n hops, then /img/redirected.png; with absolute, each Location
 * is a whole URL on this server, as many hosts send it, rather than a path. */
static TesseraTestReply
route_redirect (TesseraTestConnection *conn, TesseraTestRequest *req, const char *rest,
                TesseraTestResponse *resp)
{
  gboolean absolute = g_hash_table_contains (req->params, "absolute");
  g_autofree char *target = NULL;
  g_autofree char *location = NULL;
  guint64 hops;

  if (!g_ascii_string_to_unsigned (rest, 10, 0, G_MAXUINT, &hops, NULL))
    return _tessera_test_reply_text (resp, 400, "Bad redirect count\n");
  if (hops == 0)
    target = g_strdup ("/img/redirected.png");
  else
    target = g_strdup_printf ("/redirect/%" G_GUINT64_FORMAT "%s", hops - 1,
                              absolute ? "?absolute" : "");
  if (!absolute)
    return _tessera_test_reply_redirect (resp, target);
  location = g_strdup_printf ("http://127.0.0.1:%u%s", conn->server->port, target);
  return _tessera_test_reply_redirect (resp, location);
}

static TesseraTestReply
route_redirect_file (TesseraTestConnection *conn, TesseraTestRequest *req, const char *rest,
                     TesseraTestResponse *resp)
{
  return _tessera_test_reply_redirect (resp, "file:///etc/passwd");
}

static TesseraTestReply
route_redirect_loop (TesseraTestConnection *conn, TesseraTestRequest *req, const char *rest,
                     TesseraTestResponse *resp)
{
  return _tessera_test_reply_redirect (resp, req->path);
}

/* Hangs up before the body's end: after TRUNCATED_SENT bytes of a PNG when it promised
 * @declared, or, chunked (@declared -1), after the whole PNG in one chunk, before the last
 * (empty) one: the body never ended, whatever its bytes hold. */
static TesseraTestReply
hang_up_mid_body (TesseraTestConnection *conn, TesseraTestRequest *req, gint64 declared,
                  TesseraTestResponse *resp)
{
  g_autoptr (GBytes) png = _tessera_test_make_fault_png ();
  TesseraTestReply done;
  gsize len;
  gboolean sent;

  if (png == NULL)
    return _tessera_test_reply_bytes (resp, 500, NULL, NULL);
  if (!_tessera_test_connection_open_body (conn, req, "image/png", declared, &done))
    return done;
  len = g_bytes_get_size (png);
  sent = declared < 0
             ? _tessera_test_connection_send_chunk (conn, g_bytes_get_data (png, NULL), len)
             : _tessera_test_connection_send_all (conn, g_bytes_get_data (png, NULL),
                                                  MIN (TRUNCATED_SENT, len));
  if (!sent)
    g_debug ("Test server: client left before the truncated body");
  return TESSERA_TEST_REPLY_CLOSE;
}

static TesseraTestReply
route_truncated (TesseraTestConnection *conn, TesseraTestRequest *req, const char *rest,
                 TesseraTestResponse *resp)
{
  return hang_up_mid_body (conn, req, TRUNCATED_DECLARED, resp);
}

static TesseraTestReply
route_truncated_chunked (TesseraTestConnection *conn, TesseraTestRequest *req, const char *rest,
                         TesseraTestResponse *resp)
{
  return hang_up_mid_body (conn, req, -1, resp);
}

/* Never answers; swallows whatever comes until the client or the server goes. */
static TesseraTestReply
route_hang (TesseraTestConnection *conn, TesseraTestRequest *req, const char *rest,
            TesseraTestResponse *resp)
{
  _tessera_test_connection_drain (conn, -1);
  return TESSERA_TEST_REPLY_CLOSE;
}

/* One byte a second of a PNG padded with zeros. */
static TesseraTestReply
route_trickle (TesseraTestConnection *conn, TesseraTestRequest *req, const char *rest,
               TesseraTestResponse *resp)
{
  g_autoptr (GBytes) png = _tessera_test_make_fault_png ();
  const guint8 *png_bytes;
  gsize png_len;
  TesseraTestReply done;

  if (png == NULL)
    return _tessera_test_reply_bytes (resp, 500, NULL, NULL);
  if (!_tessera_test_connection_open_body (conn, req, "image/png", TRICKLE_LENGTH, &done))
    return done;

  png_bytes = g_bytes_get_data (png, &png_len);
  for (gsize i = 0; i < TRICKLE_LENGTH; i++)
    {
      guint8 byte = i < png_len ? png_bytes[i] : 0;

      if (i > 0 && !_tessera_test_connection_pause (conn, TRICKLE_INTERVAL_MS))
        return TESSERA_TEST_REPLY_CLOSE;
      if (!_tessera_test_connection_send_all (conn, &byte, 1))
        return TESSERA_TEST_REPLY_CLOSE;
    }
  return TESSERA_TEST_REPLY_SENT;
}

/* A chunked PNG signature followed by zeros, as fast as the client reads. */
static TesseraTestReply
route_endless (TesseraTestConnection *conn, TesseraTestRequest *req, const char *rest,
               TesseraTestResponse *resp)
{
  static const guint8 zeros[ENDLESS_CHUNK_BYTES];
  TesseraTestReply done;

  if (!_tessera_test_connection_open_body (conn, req, "image/png", -1, &done))
    return done;
  if (!_tessera_test_connection_send_chunk (conn, TESSERA_TEST_PNG_SIGNATURE,
                                            TESSERA_TEST_PNG_SIGNATURE_LEN))
    return TESSERA_TEST_REPLY_CLOSE;
  for (guint64 sent = 0; sent < ENDLESS_LIMIT_BYTES; sent += sizeof zeros)
    if (!_tessera_test_connection_send_chunk (conn, zeros, sizeof zeros))
      return TESSERA_TEST_REPLY_CLOSE;
  return _tessera_test_connection_send_all (conn, "0\r\n\r\n", 5) ? TESSERA_TEST_REPLY_SENT
                                                                  : TESSERA_TEST_REPLY_CLOSE;
}

static TesseraTestReply
route_huge_png (TesseraTestConnection *conn, TesseraTestRequest *req, const char *rest,
                TesseraTestResponse *resp)
{
  return _tessera_test_reply_bytes (resp, 200, "image/png", _tessera_test_make_huge_png ());
}

static TesseraTestReply
route_corrupt_jpeg (TesseraTestConnection *conn, TesseraTestRequest *req, const char *rest,
                    TesseraTestResponse *resp)
{
  return _tessera_test_reply_bytes (resp, 200, "image/jpeg", _tessera_test_make_corrupt_jpeg ());
}

/* What servers and hosts do to images: placeholders for removed ones, compressed bodies,
 * cut-short progressive JPEGs. */

/* Imgur's placeholder for a removed image, under this server's image base (/img, as
 * TESSERA_IMGUR_IMAGES points the tests at it). */
#define REMOVED_PLACEHOLDER "/img/removed.png"
/* A gzip bomb: a PNG signature and then this many zero bytes, about 64 KiB compressed. */
#define GZIP_BOMB_BYTES     (64u * 1024u * 1024u)

/* /gone/<name>: how Imgur answers for a deleted image: a redirect to its placeholder. */
static TesseraTestReply
route_gone (TesseraTestConnection *conn, TesseraTestRequest *req, const char *rest,
            TesseraTestResponse *resp)
{
  return _tessera_test_reply_redirect (resp, REMOVED_PLACEHOLDER);
}

static GBytes *
compress_bytes (GBytes *bytes, GZlibCompressorFormat format)
{
  g_autoptr (GZlibCompressor) compressor = g_zlib_compressor_new (format, -1);
  g_autoptr (GOutputStream) memory = g_memory_output_stream_new_resizable ();
  g_autoptr (GOutputStream) out = g_converter_output_stream_new (memory, G_CONVERTER (compressor));
  gsize len = 0;
  const guint8 *data = g_bytes_get_data (bytes, &len);

  if (!g_output_stream_write_all (out, data, len, NULL, NULL, NULL)
      || !g_output_stream_close (out, NULL, NULL))
    return NULL;
  return g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (memory));
}

/* /gzip/<path> and /deflate/<path>: what <path> answers, its body compressed and sent with
 * that Content-Encoding whatever the request's Accept-Encoding said, as some CDNs do. */
static TesseraTestReply
route_encoded (TesseraTestConnection *conn, TesseraTestRequest *req, const char *rest,
               TesseraTestResponse *resp, GZlibCompressorFormat format, const char *encoding)
{
  g_autofree char *outer = g_steal_pointer (&req->path);
  g_autoptr (GBytes) compressed = NULL;
  TesseraTestReply reply;

  req->path = g_strconcat ("/", rest, NULL);
  reply = _tessera_test_routes_dispatch (conn, req, resp);
  g_free (req->path);
  req->path = g_steal_pointer (&outer);
  if (reply != TESSERA_TEST_REPLY_SEND || resp->status != 200 || resp->body == NULL)
    return reply;
  compressed = compress_bytes (resp->body, format);
  if (compressed == NULL)
    return _tessera_test_reply_status (resp, 500);
  g_bytes_unref (resp->body);
  resp->body = g_steal_pointer (&compressed);
  g_string_append_printf (resp->headers, "Content-Encoding: %s\r\n", encoding);
  return reply;
}

static TesseraTestReply
route_gzip (TesseraTestConnection *conn, TesseraTestRequest *req, const char *rest,
            TesseraTestResponse *resp)
{
  return route_encoded (conn, req, rest, resp, G_ZLIB_COMPRESSOR_FORMAT_GZIP, "gzip");
}

/* HTTP's deflate is the zlib format. */
static TesseraTestReply
route_deflate (TesseraTestConnection *conn, TesseraTestRequest *req, const char *rest,
               TesseraTestResponse *resp)
{
  return route_encoded (conn, req, rest, resp, G_ZLIB_COMPRESSOR_FORMAT_ZLIB, "deflate");
}

static gpointer
make_gzip_bomb (gpointer data)
{
  g_autofree guint8 *zeros = g_malloc0 (GZIP_BOMB_BYTES);
  g_autoptr (GBytes) plain = NULL;

  memcpy (zeros, TESSERA_TEST_PNG_SIGNATURE, TESSERA_TEST_PNG_SIGNATURE_LEN);
  plain = g_bytes_new_take (g_steal_pointer (&zeros), GZIP_BOMB_BYTES);
  return compress_bytes (plain, G_ZLIB_COMPRESSOR_FORMAT_GZIP);
}

/* /gzip-bomb.png: a small gzip body that decodes to GZIP_BOMB_BYTES. */
static TesseraTestReply
route_gzip_bomb (TesseraTestConnection *conn, TesseraTestRequest *req, const char *rest,
                 TesseraTestResponse *resp)
{
  static GOnce once = G_ONCE_INIT;
  GBytes *bomb = g_once (&once, make_gzip_bomb, NULL);

  if (bomb == NULL)
    return _tessera_test_reply_status (resp, 500);
  g_string_append (resp->headers, "Content-Encoding: gzip\r\n");
  return _tessera_test_reply_bytes (resp, 200, "image/png", g_bytes_ref (bomb));
}

/* /progressive/<name>.jpg?w=W&h=H&seed=S&keep=P: a progressive JPEG, its first P percent
 * only (default 100), as a server holding a cut-short file sends it (complete, 200); P=0
 * keeps the headers up to the first scan's data. */
static TesseraTestReply
route_progressive (TesseraTestConnection *conn, TesseraTestRequest *req, const char *rest,
                   TesseraTestResponse *resp)
{
  g_autoptr (GBytes) jpeg = NULL;
  guint width, height, seed, keep;

  if (!_tessera_test_request_get_uint (req, "w", TESSERA_TEST_IMAGE_WIDTH,
                                       TESSERA_TEST_IMAGE_MAX_SIDE, &width)
      || !_tessera_test_request_get_uint (req, "h", TESSERA_TEST_IMAGE_HEIGHT,
                                          TESSERA_TEST_IMAGE_MAX_SIDE, &height)
      || !_tessera_test_request_get_uint (req, "seed", g_str_hash (rest), G_MAXUINT, &seed)
      || !_tessera_test_request_get_uint (req, "keep", 100, 100, &keep) || width == 0
      || height == 0)
    return _tessera_test_reply_text (resp, 400, "Bad w, h, seed or keep\n");
  jpeg = tessera_test_make_progressive_jpeg (width, height, seed);
  if (jpeg == NULL)
    return _tessera_test_reply_status (resp, 500);
  return _tessera_test_reply_bytes (resp, 200, "image/jpeg", tessera_test_cut_jpeg (jpeg, keep));
}

/* /list?n=N&prefix=P&each=Q: N image URLs on this server, Q appended to each query. */
static TesseraTestReply
route_list (TesseraTestConnection *conn, TesseraTestRequest *req, const char *rest,
            TesseraTestResponse *resp)
{
  const char *prefix = g_hash_table_lookup (req->params, "prefix");
  const char *each = g_hash_table_lookup (req->params, "each");
  g_autofree char *escaped_prefix
      = g_uri_escape_string (prefix != NULL ? prefix : "img", NULL, FALSE);
  g_autoptr (GString) text = g_string_new (NULL);
  guint n_lines;

  if (!_tessera_test_request_get_uint (req, "n", DEFAULT_LIST_LINES, MAX_LIST_LINES, &n_lines))
    return _tessera_test_reply_text (resp, 400, "Bad n\n");
  for (guint i = 0; i < n_lines; i++)
    g_string_append_printf (text, "http://127.0.0.1:%u/img/%s%u.jpg?w=640&h=480&seed=%u%s%s\n",
                            conn->server->port, escaped_prefix, i, i, each != NULL ? "&" : "",
                            each != NULL ? each : "");

  return _tessera_test_reply_bytes (resp, 200, "text/plain; charset=utf-8",
                                    g_string_free_to_bytes (g_steal_pointer (&text)));
}

static const char *
content_type_for_file (const char *path)
{
  static const struct
  {
    const char *extension;
    const char *content_type;
  } types[] = {
    { ".png", "image/png" },  { ".jpg", "image/jpeg" },  { ".jpeg", "image/jpeg" },
    { ".gif", "image/gif" },  { ".webp", "image/webp" }, { ".svg", "image/svg+xml" },
    { ".html", "text/html" }, { ".txt", "text/plain" },  { ".json", "application/json" },
  };
  g_autofree char *lower = g_ascii_strdown (path, -1);

  for (gsize i = 0; i < G_N_ELEMENTS (types); i++)
    if (g_str_has_suffix (lower, types[i].extension))
      return types[i].content_type;
  return "application/octet-stream";
}

static gboolean
is_safe_relative_path (const char *path)
{
  g_auto (GStrv) parts = NULL;

  if (path == NULL || path[0] == '\0' || g_path_is_absolute (path))
    return FALSE;
  parts = g_strsplit (path, "/", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    if (g_str_equal (parts[i], ".."))
      return FALSE;
  return TRUE;
}

static char *
server_dup_serve_dir (TesseraTestServer *server)
{
  g_autoptr (GMutexLocker) locker = g_mutex_locker_new (&server->lock);

  return g_strdup (server->serve_dir);
}

/* /files/<relpath> from the serve directory, if one was set. */
static TesseraTestReply
route_files (TesseraTestConnection *conn, TesseraTestRequest *req, const char *rest,
             TesseraTestResponse *resp)
{
  g_autofree char *relative = g_uri_unescape_string (rest, NULL);
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autoptr (GMappedFile) file = NULL;
  g_autoptr (GError) error = NULL;

  dir = server_dup_serve_dir (conn->server);
  if (dir == NULL)
    return _tessera_test_reply_status (resp, 404);
  if (!is_safe_relative_path (relative))
    return _tessera_test_reply_status (resp, 403);

  path = g_build_filename (dir, relative, NULL);
  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
    return _tessera_test_reply_status (resp, 404);
  file = g_mapped_file_new (path, FALSE, &error);
  if (file == NULL)
    {
      g_debug ("Test server: %s", error->message);
      return _tessera_test_reply_status (resp, 403);
    }
  return _tessera_test_reply_bytes (resp, 200, content_type_for_file (path),
                                    g_mapped_file_get_bytes (file));
}

static const Route routes[] = {
  { "/img/", TRUE, route_image },
  { "/status/", TRUE, route_status },
  { "/retry/", TRUE, route_retry },
  { "/vanish/", TRUE, route_vanish },
  { "/redirect/", TRUE, route_redirect },
  { "/redirect-file", FALSE, route_redirect_file },
  { "/redirect-loop", FALSE, route_redirect_loop },
  { "/truncated.png", FALSE, route_truncated },
  { "/truncated-chunked.png", FALSE, route_truncated_chunked },
  { "/hang", FALSE, route_hang },
  { "/trickle", FALSE, route_trickle },
  { "/endless", FALSE, route_endless },
  { "/huge.png", FALSE, route_huge_png },
  { "/corrupt.jpg", FALSE, route_corrupt_jpeg },
  { "/list", FALSE, route_list },
  { "/files/", TRUE, route_files },
  /* servers and hosts */
  { "/gone/", TRUE, route_gone },
  { "/gzip/", TRUE, route_gzip },
  { "/deflate/", TRUE, route_deflate },
  { "/gzip-bomb.png", FALSE, route_gzip_bomb },
  { "/progressive/", TRUE, route_progressive },
};

static const FixedRoute fixed_routes[] = {
  { "/page.html", "text/html; charset=utf-8",
    "<!DOCTYPE html>\n<html><head><title>Tessera test page</title></head>\n"
    "<body><p>Not an image.</p></body></html>\n" },
  { "/text.jpg", "image/jpeg", "This is plain text wearing a JPEG content type.\n" },
};

/* Imgur's answer to a bad Client ID, as the captured fixture has it. */
#define FIXTURE_REFUSAL                                                                            \
  "{\"data\":{\"error\":\"Invalid client_id\",\"request\":\"\\/3\\/gallery\","                     \
  "\"method\":\"GET\"},\"success\":false,\"status\":403}"
#define IMGUR_IMAGE_HOST "i.imgur.com"

/* Copies what it needs under the lock; NULL when @path has no fixture. */
static TesseraTestFixture *
server_find_fixture (TesseraTestServer *server, const char *path)
{
  g_autoptr (GMutexLocker) locker = g_mutex_locker_new (&server->lock);
  TesseraTestFixture *found = g_hash_table_lookup (server->fixtures, path);
  TesseraTestFixture *copy;

  if (found == NULL)
    return NULL;
  copy = g_new0 (TesseraTestFixture, 1);
  copy->file = g_strdup (found->file);
  copy->status = found->status;
  copy->headers = g_strdup (found->headers);
  copy->authorization = g_strdup (found->authorization);
  return copy;
}

static char *
replace_all (const char *text, const char *from, const char *to)
{
  g_auto (GStrv) pieces = g_strsplit (text, from, -1);

  return g_strjoinv (to, pieces);
}

/* The file's bytes with every i.imgur.com link pointing at this server's /img/ instead,
 * over plain HTTP whatever the scheme was (JSON may escape the slashes). */
static GBytes *
rewrite_image_links (TesseraTestServer *server, const char *text, gsize len)
{
  g_autofree char *body = g_strndup (text, len);
  g_autofree char *here = g_strdup_printf ("127.0.0.1:%u/img", server->port);
  g_autofree char *secure = g_strconcat ("https://", here, NULL);
  g_autofree char *secure_escaped = g_strconcat ("https:\\/\\/", here, NULL);
  g_autofree char *plain = g_strconcat ("http://", here, NULL);
  g_autofree char *plain_escaped = g_strconcat ("http:\\/\\/", here, NULL);
  g_autofree char *moved = replace_all (body, IMGUR_IMAGE_HOST, here);
  g_autofree char *unescaped = replace_all (moved, secure, plain);
  char *rewritten = replace_all (unescaped, secure_escaped, plain_escaped);

  return g_bytes_new_take (rewritten, strlen (rewritten));
}

static gboolean
dispatch_fixture (TesseraTestServer *server, TesseraTestRequest *req, TesseraTestResponse *resp)
{
  TesseraTestFixture *fixture = server_find_fixture (server, req->path);
  const char *authorization;
  g_autofree char *contents = NULL;
  gsize len = 0;

  if (fixture == NULL)
    return FALSE;
  authorization = g_hash_table_lookup (req->headers, "authorization");
  if (fixture->authorization != NULL && g_strcmp0 (authorization, fixture->authorization) != 0)
    {
      _tessera_test_fixture_free (fixture);
      _tessera_test_reply_bytes (resp, 403, "application/json",
                                 g_bytes_new_static (FIXTURE_REFUSAL, strlen (FIXTURE_REFUSAL)));
      return TRUE;
    }
  if (!g_file_get_contents (fixture->file, &contents, &len, NULL))
    {
      _tessera_test_fixture_free (fixture);
      _tessera_test_reply_status (resp, 500);
      return TRUE;
    }
  g_string_append (resp->headers, fixture->headers ? fixture->headers : "");
  _tessera_test_reply_bytes (resp, fixture->status, "application/json",
                             rewrite_image_links (server, contents, len));
  _tessera_test_fixture_free (fixture);
  return TRUE;
}

TesseraTestReply
_tessera_test_routes_dispatch (TesseraTestConnection *conn, TesseraTestRequest *req,
                               TesseraTestResponse *resp)
{
  if (dispatch_fixture (conn->server, req, resp))
    return TESSERA_TEST_REPLY_SEND;

  for (gsize i = 0; i < G_N_ELEMENTS (routes); i++)
    {
      const Route *route = &routes[i];

      if (route->is_prefix ? g_str_has_prefix (req->path, route->path)
                           : g_str_equal (req->path, route->path))
        return route->func (conn, req, req->path + strlen (route->path), resp);
    }
  for (gsize i = 0; i < G_N_ELEMENTS (fixed_routes); i++)
    if (g_str_equal (req->path, fixed_routes[i].path))
      return _tessera_test_reply_bytes (
          resp, 200, fixed_routes[i].content_type,
          g_bytes_new_static (fixed_routes[i].body, strlen (fixed_routes[i].body)));

  return _tessera_test_reply_status (resp, 404);
}

void
tessera_test_server_set_serve_dir (TesseraTestServer *server, const char *dir)
{
  g_autoptr (GMutexLocker) locker = NULL;

  g_return_if_fail (server != NULL);

  locker = g_mutex_locker_new (&server->lock);
  g_free (server->serve_dir);
  server->serve_dir = g_strdup (dir);
}

void
tessera_test_server_add_fixture (TesseraTestServer *server, const char *path, const char *file,
                                 guint status, const char *headers, const char *authorization)
{
  TesseraTestFixture *fixture;

  g_return_if_fail (server != NULL);
  g_return_if_fail (path != NULL && file != NULL);

  fixture = g_new0 (TesseraTestFixture, 1);
  fixture->file = g_strdup (file);
  fixture->status = status;
  fixture->headers = g_strdup (headers);
  fixture->authorization = g_strdup (authorization);

  g_mutex_lock (&server->lock);
  g_hash_table_replace (server->fixtures, g_strdup (path), fixture);
  g_mutex_unlock (&server->lock);
}
