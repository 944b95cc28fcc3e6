/* SPDX-License-Identifier: GPL-3.0-or-later */
/* tessera-test-server.c: a threaded HTTP/1.1 server on 127.0.0.1 with fault-injecting routes
 *
 * One thread accepts; every connection gets a thread of its own doing blocking I/O on a
 * GSocket. All blocking calls and pauses watch one GCancellable, so freeing the server
 * cancels it and then joins every thread, however stuck its client is.
 */

#include "config.h"

#include "tessera-test-server.h"

#include <gdk-pixbuf/gdk-pixbuf.h>
#include <gio/gio.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>

#define LISTEN_BACKLOG      128
#define MAX_CONNECTIONS     512
#define ACCEPT_RETRY_MS     50
#define MAX_HEAD_BYTES      (16 * 1024)
#define DRAIN_SCRATCH_BYTES 4096
#define LINGER_MS           500
#define MAX_DELAY_MS        (10 * 60 * 1000)

#define DEFAULT_IMAGE_WIDTH   64
#define DEFAULT_IMAGE_HEIGHT  48
#define MAX_IMAGE_SIDE        4000
#define IMAGE_CACHE_MAX_BYTES (64 * 1024 * 1024)
#define JPEG_QUALITY          "90"
#define FAULT_IMAGE_SEED      7

#define DEFAULT_RETRY_AFTER_S  1
#define MAX_RETRY_AFTER_S      3600
#define TRUNCATED_DECLARED     20000
#define TRUNCATED_SENT         100
#define TRICKLE_LENGTH         100000
#define TRICKLE_INTERVAL_MS    1000
#define ENDLESS_CHUNK_BYTES    (64 * 1024)
#define ENDLESS_LIMIT_BYTES    ((guint64) 2 << 30)
#define HUGE_PNG_SIDE          100000
#define CORRUPT_JPEG_KEPT      300
#define CORRUPT_JPEG_JUNK      2000
#define CORRUPT_JPEG_JUNK_BYTE 0x55
#define DEFAULT_LIST_LINES     10
#define MAX_LIST_LINES         100000

#define GIF_SIDE           4
#define GIF_MIN_CODE_SIZE  2
#define GIF_CLEAR_CODE     (1u << GIF_MIN_CODE_SIZE)
#define GIF_END_CODE       (GIF_CLEAR_CODE + 1)
#define GIF_CODE_BITS      (GIF_MIN_CODE_SIZE + 1)
#define GIF_MAX_SUB_BLOCK  255
#define GIF_FRAME_DELAY_CS 10

#define CRC32_POLYNOMIAL 0xedb88320u

static const guint8 png_signature[] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };

struct _TesseraTestServer
{
  GSocket *listener;
  guint16 port;
  GCancellable *cancellable; /* cancelled once, by tessera_test_server_free() */
  GThread *accept_thread;
  gint latency_ms; /* atomic */

  GMutex lock;            /* guards everything below */
  GPtrArray *connections; /* Connection *, each with a running or finished thread */
  GArray *handlers;       /* Handler, longest prefix first */
  char *serve_dir;
  guint n_connections;
  guint n_requests;
  guint in_flight;
  guint max_in_flight;
  GHashTable *path_counts;  /* path -> count */
  GHashTable *retry_counts; /* /retry key -> count */
  GHashTable *fixtures;     /* exact path -> Fixture */
};

/* A recorded answer (a captured API response) served at one path. */
typedef struct
{
  char *file;
  guint status;
  char *headers;       /* extra "Name: value\r\n" lines */
  char *authorization; /* when set, requests without exactly this header get a 403 */
} Fixture;

static void
fixture_free (gpointer data)
{
  Fixture *fixture = data;

  g_free (fixture->file);
  g_free (fixture->headers);
  g_free (fixture->authorization);
  g_free (fixture);
}

typedef struct
{
  TesseraTestServer *server;
  GSocket *socket;
  GThread *thread;
  gint finished; /* atomic: the thread has nothing left to do */
  gsize len;
  char buf[MAX_HEAD_BYTES];
} Connection;

typedef struct
{
  char *prefix;
  TesseraTestHandler func;
  gpointer user_data;
} Handler;

typedef struct
{
  char *method;
  char *path;          /* the target up to '?' */
  char *query;         /* after '?', or NULL */
  GHashTable *params;  /* decoded query parameters */
  GHashTable *headers; /* lower-case name -> value */
  gboolean is_head;
  gboolean keep_alive;
} Request;

typedef struct
{
  guint status;
  char *content_type; /* NULL: no Content-Type line */
  GString *headers;   /* extra "Name: value\r\n" lines */
  GBytes *body;
} Response;

typedef enum
{
  REPLY_SEND,  /* the route filled the Response; send it */
  REPLY_SENT,  /* the route wrote its own answer; the connection may go on */
  REPLY_CLOSE, /* the connection must close now */
} ReplyAction;

typedef enum
{
  READ_OK,
  READ_CLOSED,
  READ_TOO_LARGE,
  READ_MALFORMED,
} ReadResult;

typedef ReplyAction (*RouteFunc) (Connection *conn, Request *req, const char *rest, Response *resp);

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

typedef struct
{
  guint status;
  const char *reason;
} StatusReason;

static void
request_free (Request *req)
{
  g_free (req->method);
  g_free (req->path);
  g_free (req->query);
  g_clear_pointer (&req->params, g_hash_table_unref);
  g_clear_pointer (&req->headers, g_hash_table_unref);
  g_free (req);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Request, request_free)

static void
response_clear (Response *resp)
{
  g_clear_pointer (&resp->content_type, g_free);
  if (resp->headers != NULL)
    g_string_free (g_steal_pointer (&resp->headers), TRUE);
  g_clear_pointer (&resp->body, g_bytes_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Response, response_clear)

/* ---- byte helpers ---- */

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
static GBytes *
cached_test_image (const char *pixbuf_type, guint width, guint height, guint seed)
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
  g_return_val_if_fail (width > 0 && width <= MAX_IMAGE_SIDE, NULL);
  g_return_val_if_fail (height > 0 && height <= MAX_IMAGE_SIDE, NULL);

  return cached_test_image ("png", width, height, seed);
}

GBytes *
tessera_test_make_jpeg (guint width, guint height, guint seed)
{
  g_return_val_if_fail (width > 0 && width <= MAX_IMAGE_SIDE, NULL);
  g_return_val_if_fail (height > 0 && height <= MAX_IMAGE_SIDE, NULL);

  return cached_test_image ("jpeg", width, height, seed);
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
static GBytes *
make_huge_png (void)
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

  g_byte_array_append (out, png_signature, sizeof png_signature);
  png_append_chunk (out, "IHDR", ihdr->data, ihdr->len);
  png_append_chunk (out, "IDAT", idat, sizeof idat);
  png_append_chunk (out, "IEND", NULL, 0);

  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

/* The start of a real JPEG, then junk and no end marker. */
static GBytes *
make_corrupt_jpeg (void)
{
  g_autoptr (GBytes) jpeg
      = tessera_test_make_jpeg (DEFAULT_IMAGE_WIDTH, DEFAULT_IMAGE_HEIGHT, FAULT_IMAGE_SEED);
  g_autoptr (GByteArray) out = g_byte_array_new ();

  if (jpeg == NULL)
    return NULL;
  g_byte_array_append (out, g_bytes_get_data (jpeg, NULL),
                       MIN (CORRUPT_JPEG_KEPT, g_bytes_get_size (jpeg)));
  append_repeated (out, CORRUPT_JPEG_JUNK_BYTE, CORRUPT_JPEG_JUNK);

  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

static GBytes *
make_fault_png (void)
{
  return tessera_test_make_png (DEFAULT_IMAGE_WIDTH, DEFAULT_IMAGE_HEIGHT, FAULT_IMAGE_SEED);
}

/* ---- server state ---- */

static void
server_request_begin (TesseraTestServer *server, const char *path)
{
  g_autoptr (GMutexLocker) locker = g_mutex_locker_new (&server->lock);
  guint count = GPOINTER_TO_UINT (g_hash_table_lookup (server->path_counts, path));

  g_hash_table_insert (server->path_counts, g_strdup (path), GUINT_TO_POINTER (count + 1));
  server->n_requests++;
  server->in_flight++;
  server->max_in_flight = MAX (server->max_in_flight, server->in_flight);
}

static void
server_request_end (TesseraTestServer *server)
{
  g_autoptr (GMutexLocker) locker = g_mutex_locker_new (&server->lock);

  server->in_flight--;
}

static guint
server_bump_retry (TesseraTestServer *server, const char *key)
{
  g_autoptr (GMutexLocker) locker = g_mutex_locker_new (&server->lock);
  guint count = GPOINTER_TO_UINT (g_hash_table_lookup (server->retry_counts, key)) + 1;

  g_hash_table_insert (server->retry_counts, g_strdup (key), GUINT_TO_POINTER (count));
  return count;
}

/* Sleeps until @deadline (monotonic µs); FALSE if the server is being freed. */
static gboolean
server_sleep_until (TesseraTestServer *server, gint64 deadline)
{
  GPollFD cancel_fd;
  gint64 now;

  if (!g_cancellable_make_pollfd (server->cancellable, &cancel_fd))
    return FALSE;
  while ((now = g_get_monotonic_time ()) < deadline)
    {
      gint timeout_ms = (deadline - now + G_TIME_SPAN_MILLISECOND - 1) / G_TIME_SPAN_MILLISECOND;

      if (g_poll (&cancel_fd, 1, timeout_ms) > 0)
        break;
    }
  g_cancellable_release_fd (server->cancellable);

  return !g_cancellable_is_cancelled (server->cancellable);
}

/* ---- connection I/O ---- */

static gboolean
connection_send_all (Connection *conn, const void *data, gsize len)
{
  const char *bytes = data;

  while (len > 0)
    {
      g_autoptr (GError) error = NULL;
      gssize sent = g_socket_send (conn->socket, bytes, len, conn->server->cancellable, &error);

      if (sent < 0)
        {
          g_debug ("Test server: send failed: %s", error->message);
          return FALSE;
        }
      bytes += sent;
      len -= sent;
    }
  return TRUE;
}

/* Waits @ms, but gives up (FALSE) when the client hangs up or the server stops. */
static gboolean
connection_pause (Connection *conn, guint ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) ms * G_TIME_SPAN_MILLISECOND;
  g_autoptr (GError) error = NULL;

  if (ms == 0)
    return TRUE;
  if (!g_socket_condition_timed_wait (conn->socket, G_IO_IN, (gint64) ms * G_TIME_SPAN_MILLISECOND,
                                      conn->server->cancellable, &error))
    return g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);

  /* Readable with nothing to read is the client's end of stream. Otherwise it sent its
   * next request already, which must stay unread: just sleep the rest. */
  if (g_socket_get_available_bytes (conn->socket) <= 0)
    return FALSE;
  return server_sleep_until (conn->server, deadline);
}

static const char *
reason_phrase (guint status)
{
  static const StatusReason reasons[] = {
    { 200, "OK" },
    { 204, "No Content" },
    { 206, "Partial Content" },
    { 301, "Moved Permanently" },
    { 302, "Found" },
    { 304, "Not Modified" },
    { 307, "Temporary Redirect" },
    { 308, "Permanent Redirect" },
    { 400, "Bad Request" },
    { 401, "Unauthorized" },
    { 403, "Forbidden" },
    { 404, "Not Found" },
    { 405, "Method Not Allowed" },
    { 408, "Request Timeout" },
    { 410, "Gone" },
    { 429, "Too Many Requests" },
    { 431, "Request Header Fields Too Large" },
    { 500, "Internal Server Error" },
    { 502, "Bad Gateway" },
    { 503, "Service Unavailable" },
    { 504, "Gateway Timeout" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (reasons); i++)
    if (reasons[i].status == status)
      return reasons[i].reason;
  return "Status";
}

/* @content_length < 0 means a chunked body. */
static gboolean
connection_send_head (Connection *conn, guint status, const char *content_type,
                      gint64 content_length, const char *extra_headers, gboolean keep_alive)
{
  g_autoptr (GString) head = g_string_new (NULL);

  g_string_append_printf (head, "HTTP/1.1 %u %s\r\n", status, reason_phrase (status));
  if (content_type != NULL)
    g_string_append_printf (head, "Content-Type: %s\r\n", content_type);
  if (content_length >= 0)
    g_string_append_printf (head, "Content-Length: %" G_GINT64_FORMAT "\r\n", content_length);
  else
    g_string_append (head, "Transfer-Encoding: chunked\r\n");
  g_string_append_printf (head, "Connection: %s\r\n", keep_alive ? "keep-alive" : "close");
  g_string_append (head, extra_headers != NULL ? extra_headers : "");
  g_string_append (head, "\r\n");

  return connection_send_all (conn, head->str, head->len);
}

static gboolean
connection_send_response (Connection *conn, Response *resp, gboolean is_head, gboolean keep_alive)
{
  gsize len = resp->body != NULL ? g_bytes_get_size (resp->body) : 0;

  if (!connection_send_head (conn, resp->status, resp->content_type, len, resp->headers->str,
                             keep_alive))
    return FALSE;
  if (is_head || len == 0)
    return TRUE;
  return connection_send_all (conn, g_bytes_get_data (resp->body, NULL), len);
}

/* For routes that write their own body: sends the head and says whether the body should
 * follow; if not, *done says what to do next. */
static gboolean
connection_open_body (Connection *conn, Request *req, const char *content_type,
                      gint64 content_length, ReplyAction *done)
{
  if (!connection_send_head (conn, 200, content_type, content_length, NULL, req->keep_alive))
    {
      *done = REPLY_CLOSE;
      return FALSE;
    }
  *done = REPLY_SENT;
  return !req->is_head;
}

static gboolean
connection_send_chunk (Connection *conn, const void *data, gsize len)
{
  char size_line[32];
  gint size_len = g_snprintf (size_line, sizeof size_line, "%" G_GSIZE_MODIFIER "x\r\n", len);

  return connection_send_all (conn, size_line, size_len) && connection_send_all (conn, data, len)
         && connection_send_all (conn, "\r\n", 2);
}

/* Reads and drops input until end of stream, an error, the server stopping or, unless
 * @timeout_ms is -1, that many milliseconds passing. */
static void
connection_drain (Connection *conn, gint64 timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + timeout_ms * G_TIME_SPAN_MILLISECOND;
  char scratch[DRAIN_SCRATCH_BYTES];

  for (;;)
    {
      gint64 left_us = timeout_ms < 0 ? -1 : deadline - g_get_monotonic_time ();

      if (timeout_ms >= 0 && left_us <= 0)
        return;
      if (!g_socket_condition_timed_wait (conn->socket, G_IO_IN, left_us, conn->server->cancellable,
                                          NULL))
        return;
      if (g_socket_receive (conn->socket, scratch, sizeof scratch, conn->server->cancellable, NULL)
          <= 0)
        return;
    }
}

/* ---- request parsing ---- */

static gboolean
find_head_end (const char *buf, gsize len, gsize *head_len)
{
  for (gsize i = 0; i + 4 <= len; i++)
    if (memcmp (buf + i, "\r\n\r\n", 4) == 0)
      {
        *head_len = i + 4;
        return TRUE;
      }
  return FALSE;
}

static gboolean
request_add_header (Request *req, const char *line)
{
  const char *colon = strchr (line, ':');
  const char *blank = strpbrk (line, " \t");
  g_autofree char *name = NULL;
  g_autofree char *value = NULL;
  const char *previous;

  if (colon == NULL || colon == line || (blank != NULL && blank < colon))
    return FALSE;
  name = g_ascii_strdown (line, colon - line);
  value = g_strstrip (g_strdup (colon + 1));
  previous = g_hash_table_lookup (req->headers, name);
  if (previous != NULL)
    g_hash_table_insert (req->headers, g_steal_pointer (&name),
                         g_strconcat (previous, ", ", value, NULL));
  else
    g_hash_table_insert (req->headers, g_steal_pointer (&name), g_steal_pointer (&value));
  return TRUE;
}

/* Like g_uri_parse_params(), but a parameter without '=' ("?flag") is fine: its value is "". */
static GHashTable *
parse_query (const char *query)
{
  g_autoptr (GHashTable) params = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_auto (GStrv) pairs = g_strsplit (query != NULL ? query : "", "&", -1);

  for (guint i = 0; pairs[i] != NULL; i++)
    {
      char *equals = strchr (pairs[i], '=');
      g_autofree char *name = NULL;
      g_autofree char *value = NULL;

      if (pairs[i][0] == '\0')
        continue;
      name = g_uri_unescape_segment (pairs[i], equals, NULL);
      value = g_uri_unescape_string (equals != NULL ? equals + 1 : "", NULL);
      if (name == NULL || value == NULL)
        return NULL;
      g_hash_table_insert (params, g_steal_pointer (&name), g_steal_pointer (&value));
    }
  return g_steal_pointer (&params);
}

static gboolean
request_set_target (Request *req, const char *target)
{
  const char *question = strchr (target, '?');

  if (target[0] != '/')
    return FALSE;
  req->path = question != NULL ? g_strndup (target, question - target) : g_strdup (target);
  req->query = question != NULL ? g_strdup (question + 1) : NULL;
  req->params = parse_query (req->query);
  return req->params != NULL;
}

static gboolean
request_has_token (Request *req, const char *header, const char *token)
{
  const char *value = g_hash_table_lookup (req->headers, header);
  g_auto (GStrv) tokens = g_strsplit (value != NULL ? value : "", ",", -1);

  for (guint i = 0; tokens[i] != NULL; i++)
    if (g_ascii_strcasecmp (g_strstrip (tokens[i]), token) == 0)
      return TRUE;
  return FALSE;
}

static Request *
request_parse (const char *head)
{
  g_auto (GStrv) lines = g_strsplit (head, "\r\n", -1);
  g_auto (GStrv) parts = g_strsplit (lines[0] != NULL ? lines[0] : "", " ", -1);
  g_autoptr (Request) req = g_new0 (Request, 1);

  if (g_strv_length (parts) != 3 || !g_str_has_prefix (parts[2], "HTTP/1."))
    return NULL;
  req->headers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  for (guint i = 1; lines[i] != NULL; i++)
    if (!request_add_header (req, lines[i]))
      return NULL;
  if (!request_set_target (req, parts[1]))
    return NULL;

  req->method = g_strdup (parts[0]);
  req->is_head = g_str_equal (req->method, "HEAD");
  if (g_str_equal (parts[2], "HTTP/1.0"))
    req->keep_alive = request_has_token (req, "connection", "keep-alive");
  else
    req->keep_alive = !request_has_token (req, "connection", "close");

  return g_steal_pointer (&req);
}

static ReadResult
connection_read_request (Connection *conn, Request **out)
{
  g_autofree char *head = NULL;
  gsize head_len;

  while (!find_head_end (conn->buf, conn->len, &head_len))
    {
      g_autoptr (GError) error = NULL;
      gssize received;

      if (conn->len == sizeof conn->buf)
        return READ_TOO_LARGE;
      received = g_socket_receive (conn->socket, conn->buf + conn->len,
                                   sizeof conn->buf - conn->len, conn->server->cancellable, &error);
      if (received <= 0)
        return READ_CLOSED;
      conn->len += received;
    }

  /* Drop the blank line; keep what follows, a pipelined request. */
  head = g_strndup (conn->buf, head_len - 4);
  conn->len -= head_len;
  memmove (conn->buf, conn->buf + head_len, conn->len);

  *out = request_parse (head);
  return *out != NULL ? READ_OK : READ_MALFORMED;
}

/* Reads parameter @name as a number in [0, @max]; FALSE if present but not one. */
static gboolean
request_get_uint (Request *req, const char *name, guint fallback, guint max, guint *value)
{
  const char *text = g_hash_table_lookup (req->params, name);
  guint64 number;

  if (text == NULL)
    {
      *value = fallback;
      return TRUE;
    }
  if (!g_ascii_string_to_unsigned (text, 10, 0, max, &number, NULL))
    return FALSE;
  *value = number;
  return TRUE;
}

/* ---- replies ---- */

#define MAKE_FAILED_TEXT "The server could not make this body.\n"

/* Takes @body; a NULL one means the server could not make it: a 500 then. */
static ReplyAction
reply_bytes (Response *resp, guint status, const char *content_type, GBytes *body)
{
  if (body == NULL)
    {
      status = 500;
      content_type = "text/plain";
      body = g_bytes_new_static (MAKE_FAILED_TEXT, strlen (MAKE_FAILED_TEXT));
    }
  resp->status = status;
  g_free (resp->content_type);
  resp->content_type = g_strdup (content_type);
  g_clear_pointer (&resp->body, g_bytes_unref);
  resp->body = body;
  return REPLY_SEND;
}

static ReplyAction
reply_text (Response *resp, guint status, const char *text)
{
  return reply_bytes (resp, status, "text/plain; charset=utf-8", g_bytes_new (text, strlen (text)));
}

static ReplyAction
reply_status (Response *resp, guint status)
{
  g_autofree char *text = g_strdup_printf ("%u %s\n", status, reason_phrase (status));

  return reply_text (resp, status, text);
}

static ReplyAction
reply_redirect (Response *resp, const char *location)
{
  g_string_append_printf (resp->headers, "Location: %s\r\n", location);
  return reply_status (resp, 302);
}

/* ---- built-in routes ---- */

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

/* /img/<name>.{png,jpg,gif}?w=W&h=H&seed=S */
static ReplyAction
route_image (Connection *conn, Request *req, const char *rest, Response *resp)
{
  const char *dot = strrchr (rest, '.');
  g_autofree char *name = NULL;
  const ImageFormat *format;
  guint width, height, seed;

  if (dot == NULL || dot == rest || strchr (rest, '/') != NULL)
    return reply_status (resp, 404);
  if (g_str_equal (dot + 1, "gif"))
    return reply_bytes (resp, 200, "image/gif", tessera_test_make_gif ());
  format = image_format_for (dot + 1);
  if (format == NULL)
    return reply_status (resp, 404);

  name = g_strndup (rest, dot - rest);
  if (!request_get_uint (req, "w", DEFAULT_IMAGE_WIDTH, G_MAXUINT, &width)
      || !request_get_uint (req, "h", DEFAULT_IMAGE_HEIGHT, G_MAXUINT, &height)
      || !request_get_uint (req, "seed", g_str_hash (name), G_MAXUINT, &seed))
    return reply_text (resp, 400, "Bad w, h or seed\n");

  return reply_bytes (resp, 200, format->content_type,
                      cached_test_image (format->pixbuf_type, CLAMP (width, 1, MAX_IMAGE_SIDE),
                                         CLAMP (height, 1, MAX_IMAGE_SIDE), seed));
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
static ReplyAction
route_status (Connection *conn, Request *req, const char *rest, Response *resp)
{
  guint status;

  if (!parse_status (rest, &status))
    return reply_text (resp, 400, "Bad status\n");
  if (status == 204 || status == 304)
    return reply_bytes (resp, status, NULL, g_bytes_new (NULL, 0));
  return reply_status (resp, status);
}

/* /retry/<code>/<n>/<key>?after=S */
static ReplyAction
route_retry (Connection *conn, Request *req, const char *rest, Response *resp)
{
  g_auto (GStrv) parts = g_strsplit (rest, "/", 3);
  guint64 n_failures;
  guint status, after;

  if (g_strv_length (parts) != 3 || parts[2][0] == '\0' || !parse_status (parts[0], &status)
      || !g_ascii_string_to_unsigned (parts[1], 10, 0, G_MAXUINT, &n_failures, NULL)
      || !request_get_uint (req, "after", DEFAULT_RETRY_AFTER_S, MAX_RETRY_AFTER_S, &after))
    return reply_text (resp, 400, "Bad retry route\n");

  if (server_bump_retry (conn->server, parts[2]) > n_failures)
    return reply_bytes (resp, 200, "image/png", make_fault_png ());
  g_string_append_printf (resp->headers, "Retry-After: %u\r\n", after);
  return reply_status (resp, status);
}

/* /redirect/<n> */
static ReplyAction
route_redirect (Connection *conn, Request *req, const char *rest, Response *resp)
{
  g_autofree char *location = NULL;
  guint64 hops;

  if (!g_ascii_string_to_unsigned (rest, 10, 0, G_MAXUINT, &hops, NULL))
    return reply_text (resp, 400, "Bad redirect count\n");
  if (hops == 0)
    return reply_redirect (resp, "/img/redirected.png");
  location = g_strdup_printf ("/redirect/%" G_GUINT64_FORMAT, hops - 1);
  return reply_redirect (resp, location);
}

static ReplyAction
route_redirect_file (Connection *conn, Request *req, const char *rest, Response *resp)
{
  return reply_redirect (resp, "file:///etc/passwd");
}

static ReplyAction
route_redirect_loop (Connection *conn, Request *req, const char *rest, Response *resp)
{
  return reply_redirect (resp, req->path);
}

/* Promises TRUNCATED_DECLARED bytes, sends the start of a PNG, hangs up. */
static ReplyAction
route_truncated (Connection *conn, Request *req, const char *rest, Response *resp)
{
  g_autoptr (GBytes) png = make_fault_png ();
  ReplyAction done;

  if (png == NULL)
    return reply_bytes (resp, 500, NULL, NULL);
  if (!connection_open_body (conn, req, "image/png", TRUNCATED_DECLARED, &done))
    return done;
  if (!connection_send_all (conn, g_bytes_get_data (png, NULL),
                            MIN (TRUNCATED_SENT, g_bytes_get_size (png))))
    g_debug ("Test server: client left before the truncated body");
  return REPLY_CLOSE;
}

/* Never answers; swallows whatever comes until the client or the server goes. */
static ReplyAction
route_hang (Connection *conn, Request *req, const char *rest, Response *resp)
{
  connection_drain (conn, -1);
  return REPLY_CLOSE;
}

/* One byte a second of a PNG padded with zeros. */
static ReplyAction
route_trickle (Connection *conn, Request *req, const char *rest, Response *resp)
{
  g_autoptr (GBytes) png = make_fault_png ();
  const guint8 *png_bytes;
  gsize png_len;
  ReplyAction done;

  if (png == NULL)
    return reply_bytes (resp, 500, NULL, NULL);
  if (!connection_open_body (conn, req, "image/png", TRICKLE_LENGTH, &done))
    return done;

  png_bytes = g_bytes_get_data (png, &png_len);
  for (gsize i = 0; i < TRICKLE_LENGTH; i++)
    {
      guint8 byte = i < png_len ? png_bytes[i] : 0;

      if (i > 0 && !connection_pause (conn, TRICKLE_INTERVAL_MS))
        return REPLY_CLOSE;
      if (!connection_send_all (conn, &byte, 1))
        return REPLY_CLOSE;
    }
  return REPLY_SENT;
}

/* A chunked PNG signature followed by zeros, as fast as the client reads. */
static ReplyAction
route_endless (Connection *conn, Request *req, const char *rest, Response *resp)
{
  static const guint8 zeros[ENDLESS_CHUNK_BYTES];
  ReplyAction done;

  if (!connection_open_body (conn, req, "image/png", -1, &done))
    return done;
  if (!connection_send_chunk (conn, png_signature, sizeof png_signature))
    return REPLY_CLOSE;
  for (guint64 sent = 0; sent < ENDLESS_LIMIT_BYTES; sent += sizeof zeros)
    if (!connection_send_chunk (conn, zeros, sizeof zeros))
      return REPLY_CLOSE;
  return connection_send_all (conn, "0\r\n\r\n", 5) ? REPLY_SENT : REPLY_CLOSE;
}

static ReplyAction
route_huge_png (Connection *conn, Request *req, const char *rest, Response *resp)
{
  return reply_bytes (resp, 200, "image/png", make_huge_png ());
}

static ReplyAction
route_corrupt_jpeg (Connection *conn, Request *req, const char *rest, Response *resp)
{
  return reply_bytes (resp, 200, "image/jpeg", make_corrupt_jpeg ());
}

/* /list?n=N&prefix=P&each=Q: N image URLs on this server, Q appended to each query. */
static ReplyAction
route_list (Connection *conn, Request *req, const char *rest, Response *resp)
{
  const char *prefix = g_hash_table_lookup (req->params, "prefix");
  const char *each = g_hash_table_lookup (req->params, "each");
  g_autofree char *escaped_prefix
      = g_uri_escape_string (prefix != NULL ? prefix : "img", NULL, FALSE);
  g_autoptr (GString) text = g_string_new (NULL);
  guint n_lines;

  if (!request_get_uint (req, "n", DEFAULT_LIST_LINES, MAX_LIST_LINES, &n_lines))
    return reply_text (resp, 400, "Bad n\n");
  for (guint i = 0; i < n_lines; i++)
    g_string_append_printf (text, "http://127.0.0.1:%u/img/%s%u.jpg?w=640&h=480&seed=%u%s%s\n",
                            conn->server->port, escaped_prefix, i, i, each != NULL ? "&" : "",
                            each != NULL ? each : "");

  return reply_bytes (resp, 200, "text/plain; charset=utf-8",
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
static ReplyAction
route_files (Connection *conn, Request *req, const char *rest, Response *resp)
{
  g_autofree char *relative = g_uri_unescape_string (rest, NULL);
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autoptr (GMappedFile) file = NULL;
  g_autoptr (GError) error = NULL;

  dir = server_dup_serve_dir (conn->server);
  if (dir == NULL)
    return reply_status (resp, 404);
  if (!is_safe_relative_path (relative))
    return reply_status (resp, 403);

  path = g_build_filename (dir, relative, NULL);
  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
    return reply_status (resp, 404);
  file = g_mapped_file_new (path, FALSE, &error);
  if (file == NULL)
    {
      g_debug ("Test server: %s", error->message);
      return reply_status (resp, 403);
    }
  return reply_bytes (resp, 200, content_type_for_file (path), g_mapped_file_get_bytes (file));
}

static const Route routes[] = {
  { "/img/", TRUE, route_image },
  { "/status/", TRUE, route_status },
  { "/retry/", TRUE, route_retry },
  { "/redirect/", TRUE, route_redirect },
  { "/redirect-file", FALSE, route_redirect_file },
  { "/redirect-loop", FALSE, route_redirect_loop },
  { "/truncated.png", FALSE, route_truncated },
  { "/hang", FALSE, route_hang },
  { "/trickle", FALSE, route_trickle },
  { "/endless", FALSE, route_endless },
  { "/huge.png", FALSE, route_huge_png },
  { "/corrupt.jpg", FALSE, route_corrupt_jpeg },
  { "/list", FALSE, route_list },
  { "/files/", TRUE, route_files },
};

static const FixedRoute fixed_routes[] = {
  { "/page.html", "text/html; charset=utf-8",
    "<!DOCTYPE html>\n<html><head><title>Tessera test page</title></head>\n"
    "<body><p>Not an image.</p></body></html>\n" },
  { "/text.jpg", "image/jpeg", "This is plain text wearing a JPEG content type.\n" },
};

/* Copies, so they can run unlocked; handlers are never removed before the server goes. */
static GArray *
server_match_handlers (TesseraTestServer *server, const char *path)
{
  g_autoptr (GMutexLocker) locker = g_mutex_locker_new (&server->lock);
  GArray *matches = g_array_new (FALSE, FALSE, sizeof (Handler));

  for (guint i = 0; i < server->handlers->len; i++)
    {
      Handler *handler = &g_array_index (server->handlers, Handler, i);

      if (g_str_has_prefix (path, handler->prefix))
        g_array_append_val (matches, *handler);
    }
  return matches;
}

static gboolean
dispatch_custom (TesseraTestServer *server, Request *req, Response *resp)
{
  g_autoptr (GArray) matches = server_match_handlers (server, req->path);

  for (guint i = 0; i < matches->len; i++)
    {
      Handler *handler = &g_array_index (matches, Handler, i);
      const char *content_type = NULL;
      GBytes *body = NULL;

      resp->status = 200;
      if (handler->func (req->path, req->query, req->headers, &resp->status, &content_type,
                         resp->headers, &body, handler->user_data))
        {
          resp->content_type = g_strdup (content_type);
          resp->body = body != NULL ? body : g_bytes_new (NULL, 0);
          return TRUE;
        }
      g_clear_pointer (&body, g_bytes_unref);
      g_string_truncate (resp->headers, 0);
    }
  return FALSE;
}

/* Imgur's answer to a bad Client ID, as the captured fixture has it. */
#define FIXTURE_REFUSAL                                                                            \
  "{\"data\":{\"error\":\"Invalid client_id\",\"request\":\"\\/3\\/gallery\","                     \
  "\"method\":\"GET\"},\"success\":false,\"status\":403}"
#define IMGUR_IMAGE_HOST "i.imgur.com"

/* Copies what it needs under the lock; NULL when @path has no fixture. */
static Fixture *
server_find_fixture (TesseraTestServer *server, const char *path)
{
  g_autoptr (GMutexLocker) locker = g_mutex_locker_new (&server->lock);
  Fixture *found = g_hash_table_lookup (server->fixtures, path);
  Fixture *copy;

  if (found == NULL)
    return NULL;
  copy = g_new0 (Fixture, 1);
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
dispatch_fixture (TesseraTestServer *server, Request *req, Response *resp)
{
  Fixture *fixture = server_find_fixture (server, req->path);
  const char *authorization;
  g_autofree char *contents = NULL;
  gsize len = 0;

  if (fixture == NULL)
    return FALSE;
  authorization = g_hash_table_lookup (req->headers, "authorization");
  if (fixture->authorization != NULL && g_strcmp0 (authorization, fixture->authorization) != 0)
    {
      fixture_free (fixture);
      reply_bytes (resp, 403, "application/json",
                   g_bytes_new_static (FIXTURE_REFUSAL, strlen (FIXTURE_REFUSAL)));
      return TRUE;
    }
  if (!g_file_get_contents (fixture->file, &contents, &len, NULL))
    {
      fixture_free (fixture);
      reply_status (resp, 500);
      return TRUE;
    }
  g_string_append (resp->headers, fixture->headers ? fixture->headers : "");
  reply_bytes (resp, fixture->status, "application/json",
               rewrite_image_links (server, contents, len));
  fixture_free (fixture);
  return TRUE;
}

static ReplyAction
dispatch_request (Connection *conn, Request *req, Response *resp)
{
  if (!g_str_equal (req->method, "GET") && !req->is_head)
    {
      /* It may have sent a body we will not read. */
      req->keep_alive = FALSE;
      g_string_append (resp->headers, "Allow: GET, HEAD\r\n");
      return reply_status (resp, 405);
    }
  if (dispatch_custom (conn->server, req, resp) || dispatch_fixture (conn->server, req, resp))
    return REPLY_SEND;

  for (gsize i = 0; i < G_N_ELEMENTS (routes); i++)
    {
      const Route *route = &routes[i];

      if (route->is_prefix ? g_str_has_prefix (req->path, route->path)
                           : g_str_equal (req->path, route->path))
        return route->func (conn, req, req->path + strlen (route->path), resp);
    }
  for (gsize i = 0; i < G_N_ELEMENTS (fixed_routes); i++)
    if (g_str_equal (req->path, fixed_routes[i].path))
      return reply_bytes (resp, 200, fixed_routes[i].content_type,
                          g_bytes_new_static (fixed_routes[i].body, strlen (fixed_routes[i].body)));

  return reply_status (resp, 404);
}

/* ---- connection threads ---- */

/* Answers @req after any delay; FALSE when the connection must close. */
static gboolean
connection_answer (Connection *conn, Request *req)
{
  g_auto (Response) resp = { 0 };
  guint latency_ms = g_atomic_int_get (&conn->server->latency_ms);
  guint delay_ms;
  ReplyAction action;

  resp.headers = g_string_new (NULL);
  if (!request_get_uint (req, "delay", 0, MAX_DELAY_MS, &delay_ms))
    action = reply_text (&resp, 400, "Bad delay\n");
  else if (!connection_pause (conn, latency_ms + delay_ms))
    return FALSE;
  else
    action = dispatch_request (conn, req, &resp);

  switch (action)
    {
    case REPLY_SEND:
      return connection_send_response (conn, &resp, req->is_head, req->keep_alive)
             && req->keep_alive;
    case REPLY_SENT:
      return req->keep_alive;
    case REPLY_CLOSE:
    default:
      return FALSE;
    }
}

static void
connection_refuse (Connection *conn, guint status)
{
  g_auto (Response) resp = { 0 };

  resp.headers = g_string_new (NULL);
  reply_status (&resp, status);
  if (!connection_send_response (conn, &resp, FALSE, FALSE))
    {
      g_debug ("Test server: client left before its %u", status);
      return;
    }
  /* Closing with its request still unread would reset the connection, and the client
   * could lose the answer: stop writing, and swallow its input for a while first. */
  if (g_socket_shutdown (conn->socket, FALSE, TRUE, NULL))
    connection_drain (conn, LINGER_MS);
}

/* Serves one request; FALSE when the connection should close. */
static gboolean
connection_serve_one (Connection *conn)
{
  g_autoptr (Request) req = NULL;
  gboolean keep_alive;

  switch (connection_read_request (conn, &req))
    {
    case READ_OK:
      break;
    case READ_TOO_LARGE:
      connection_refuse (conn, 431);
      return FALSE;
    case READ_MALFORMED:
      connection_refuse (conn, 400);
      return FALSE;
    case READ_CLOSED:
    default:
      return FALSE;
    }

  server_request_begin (conn->server, req->path);
  keep_alive = connection_answer (conn, req);
  server_request_end (conn->server);

  return keep_alive;
}

static gpointer
connection_thread (gpointer data)
{
  Connection *conn = data;
  g_autoptr (GError) error = NULL;

  while (connection_serve_one (conn))
    ;
  if (!g_socket_close (conn->socket, &error))
    g_debug ("Test server: closing a connection: %s", error->message);
  g_atomic_int_set (&conn->finished, TRUE);

  return NULL;
}

static void
connection_join_and_free (gpointer data)
{
  Connection *conn = data;

  g_thread_join (conn->thread);
  g_object_unref (conn->socket);
  g_free (conn);
}

/* Joins the threads of connections that ended. Call with the lock held. */
static void
server_reap_connections_locked (TesseraTestServer *server)
{
  for (guint i = server->connections->len; i > 0; i--)
    {
      Connection *conn = g_ptr_array_index (server->connections, i - 1);

      if (g_atomic_int_get (&conn->finished))
        g_ptr_array_remove_index_fast (server->connections, i - 1);
    }
}

static void
server_add_connection (TesseraTestServer *server, GSocket *socket)
{
  g_autoptr (GMutexLocker) locker = g_mutex_locker_new (&server->lock);
  g_autoptr (GError) error = NULL;
  Connection *conn;

  server_reap_connections_locked (server);
  if (server->connections->len >= MAX_CONNECTIONS)
    {
      g_warning ("Test server: more than %d connections, dropping one", MAX_CONNECTIONS);
      return;
    }
  /* Heads and bodies go out as separate writes: do not let Nagle hold the body back. */
  if (!g_socket_set_option (socket, IPPROTO_TCP, TCP_NODELAY, TRUE, &error))
    g_debug ("Test server: TCP_NODELAY: %s", error->message);

  conn = g_new0 (Connection, 1);
  conn->server = server;
  conn->socket = g_object_ref (socket);
  conn->thread = g_thread_try_new ("test-http-conn", connection_thread, conn, &error);
  if (conn->thread == NULL)
    {
      g_warning ("Test server: cannot start a connection thread: %s", error->message);
      g_object_unref (conn->socket);
      g_free (conn);
      return;
    }
  server->n_connections++;
  g_ptr_array_add (server->connections, conn);
}

static gpointer
accept_thread (gpointer data)
{
  TesseraTestServer *server = data;

  for (;;)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (GSocket) socket = g_socket_accept (server->listener, server->cancellable, &error);

      if (socket != NULL)
        server_add_connection (server, socket);
      else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        break;
      else
        {
          /* Out of descriptors, most likely: give the connections time to end. */
          g_debug ("Test server: accept failed: %s", error->message);
          if (!server_sleep_until (server, g_get_monotonic_time ()
                                               + ACCEPT_RETRY_MS * G_TIME_SPAN_MILLISECOND))
            break;
        }
    }
  return NULL;
}

/* ---- public API ---- */

static GSocket *
listen_on_loopback (guint16 port, GError **error)
{
  g_autoptr (GSocket) socket
      = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, error);
  g_autoptr (GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) address = g_inet_socket_address_new (loopback, port);

  if (socket == NULL || !g_socket_bind (socket, address, TRUE, error))
    return NULL;
  g_socket_set_listen_backlog (socket, LISTEN_BACKLOG);
  if (!g_socket_listen (socket, error))
    return NULL;
  return g_steal_pointer (&socket);
}

static guint16
socket_local_port (GSocket *socket, GError **error)
{
  g_autoptr (GSocketAddress) address = g_socket_get_local_address (socket, error);

  if (address == NULL)
    return 0;
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (address));
}

static void
handler_clear (gpointer data)
{
  Handler *handler = data;

  g_free (handler->prefix);
}

TesseraTestServer *
tessera_test_server_new_full (guint16 port, GError **error)
{
  g_autoptr (GSocket) listener = listen_on_loopback (port, error);
  TesseraTestServer *server;

  if (listener == NULL)
    return NULL;
  port = socket_local_port (listener, error);
  if (port == 0)
    return NULL;

  server = g_new0 (TesseraTestServer, 1);
  server->listener = g_steal_pointer (&listener);
  server->port = port;
  server->cancellable = g_cancellable_new ();
  g_mutex_init (&server->lock);
  server->connections = g_ptr_array_new_with_free_func (connection_join_and_free);
  server->handlers = g_array_new (FALSE, FALSE, sizeof (Handler));
  g_array_set_clear_func (server->handlers, handler_clear);
  server->path_counts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  server->retry_counts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  server->fixtures = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, fixture_free);
  server->accept_thread = g_thread_try_new ("test-http-accept", accept_thread, server, error);
  if (server->accept_thread == NULL)
    {
      tessera_test_server_free (server);
      return NULL;
    }
  return server;
}

TesseraTestServer *
tessera_test_server_new (void)
{
  g_autoptr (GError) error = NULL;
  TesseraTestServer *server = tessera_test_server_new_full (0, &error);

  if (server == NULL)
    g_critical ("Cannot start the test server: %s", error->message);
  return server;
}

void
tessera_test_server_free (TesseraTestServer *server)
{
  g_autoptr (GError) error = NULL;

  g_return_if_fail (server != NULL);

  g_cancellable_cancel (server->cancellable);
  if (server->accept_thread != NULL)
    g_thread_join (server->accept_thread);
  /* Only the accept thread adds connections, so the array is settled; freeing it joins
   * every connection thread, each of which the cancellation has woken. */
  g_ptr_array_unref (server->connections);
  if (!g_socket_close (server->listener, &error))
    g_debug ("Test server: closing the listener: %s", error->message);

  g_object_unref (server->listener);
  g_object_unref (server->cancellable);
  g_array_unref (server->handlers);
  g_hash_table_unref (server->path_counts);
  g_hash_table_unref (server->retry_counts);
  g_hash_table_unref (server->fixtures);
  g_free (server->serve_dir);
  g_mutex_clear (&server->lock);
  g_free (server);
}

guint16
tessera_test_server_get_port (TesseraTestServer *server)
{
  g_return_val_if_fail (server != NULL, 0);

  return server->port;
}

char *
tessera_test_server_url (TesseraTestServer *server, const char *path)
{
  g_return_val_if_fail (server != NULL, NULL);
  g_return_val_if_fail (path != NULL, NULL);

  return g_strdup_printf ("http://127.0.0.1:%u%s", server->port, path);
}

void
tessera_test_server_set_latency_ms (TesseraTestServer *server, guint latency_ms)
{
  g_return_if_fail (server != NULL);

  g_atomic_int_set (&server->latency_ms, MIN (latency_ms, MAX_DELAY_MS));
}

static guint
server_read_counter (TesseraTestServer *server, const guint *counter)
{
  g_autoptr (GMutexLocker) locker = g_mutex_locker_new (&server->lock);

  return *counter;
}

guint
tessera_test_server_get_connections (TesseraTestServer *server)
{
  g_return_val_if_fail (server != NULL, 0);

  return server_read_counter (server, &server->n_connections);
}

guint
tessera_test_server_get_requests (TesseraTestServer *server)
{
  g_return_val_if_fail (server != NULL, 0);

  return server_read_counter (server, &server->n_requests);
}

guint
tessera_test_server_get_max_in_flight (TesseraTestServer *server)
{
  g_return_val_if_fail (server != NULL, 0);

  return server_read_counter (server, &server->max_in_flight);
}

guint
tessera_test_server_get_in_flight (TesseraTestServer *server)
{
  g_return_val_if_fail (server != NULL, 0);

  return server_read_counter (server, &server->in_flight);
}

guint
tessera_test_server_count_path (TesseraTestServer *server, const char *path)
{
  g_autoptr (GMutexLocker) locker = NULL;

  g_return_val_if_fail (server != NULL, 0);
  g_return_val_if_fail (path != NULL, 0);

  locker = g_mutex_locker_new (&server->lock);
  return GPOINTER_TO_UINT (g_hash_table_lookup (server->path_counts, path));
}

void
tessera_test_server_reset_counters (TesseraTestServer *server)
{
  g_autoptr (GMutexLocker) locker = NULL;

  g_return_if_fail (server != NULL);

  locker = g_mutex_locker_new (&server->lock);
  server->n_connections = 0;
  server->n_requests = 0;
  server->max_in_flight = server->in_flight;
  g_hash_table_remove_all (server->path_counts);
  g_hash_table_remove_all (server->retry_counts);
}

void
tessera_test_server_add_handler (TesseraTestServer *server, const char *prefix,
                                 TesseraTestHandler handler, gpointer user_data)
{
  g_autoptr (GMutexLocker) locker = NULL;
  Handler entry;
  guint position = 0;

  g_return_if_fail (server != NULL);
  g_return_if_fail (prefix != NULL);
  g_return_if_fail (handler != NULL);

  entry = (Handler){ g_strdup (prefix), handler, user_data };
  locker = g_mutex_locker_new (&server->lock);
  while (position < server->handlers->len
         && strlen (g_array_index (server->handlers, Handler, position).prefix) >= strlen (prefix))
    position++;
  g_array_insert_val (server->handlers, position, entry);
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
  Fixture *fixture;

  g_return_if_fail (server != NULL);
  g_return_if_fail (path != NULL && file != NULL);

  fixture = g_new0 (Fixture, 1);
  fixture->file = g_strdup (file);
  fixture->status = status;
  fixture->headers = g_strdup (headers);
  fixture->authorization = g_strdup (authorization);

  g_mutex_lock (&server->lock);
  g_hash_table_replace (server->fixtures, g_strdup (path), fixture);
  g_mutex_unlock (&server->lock);
}
