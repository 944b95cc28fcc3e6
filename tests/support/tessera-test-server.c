/* SPDX-License-Identifier: GPL-3.0-or-later */
/* tessera-test-server.c: a threaded HTTP/1.1 server on 127.0.0.1 for the tests: listening,
 * connections, parsing requests, sending responses, counters and handlers
 *
 * One thread accepts; every connection gets a thread of its own doing blocking I/O on a
 * GSocket. All blocking calls and pauses watch one GCancellable, so freeing the server
 * cancels it and then joins every thread, however stuck its client is. What it answers is
 * up to the handlers, then tessera-test-routes.c.
 */

#define G_LOG_DOMAIN "tessera-test-server"

#include "config.h"

#include "tessera-test-server-private.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>

#define LISTEN_BACKLOG      128
#define MAX_CONNECTIONS     512
#define ACCEPT_RETRY_MS     50
#define DRAIN_SCRATCH_BYTES 4096
#define LINGER_MS           500

typedef struct
{
  char *prefix;
  TesseraTestHandler func;
  gpointer user_data;
} Handler;

typedef enum
{
  READ_OK,
  READ_CLOSED,
  READ_TOO_LARGE,
  READ_MALFORMED,
} ReadResult;

typedef struct
{
  guint status;
  const char *reason;
} StatusReason;

static void
request_free (TesseraTestRequest *req)
{
  g_free (req->method);
  g_free (req->path);
  g_free (req->query);
  g_clear_pointer (&req->params, g_hash_table_unref);
  g_clear_pointer (&req->headers, g_hash_table_unref);
  g_free (req);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TesseraTestRequest, request_free)

static void
response_clear (TesseraTestResponse *resp)
{
  g_clear_pointer (&resp->content_type, g_free);
  if (resp->headers != NULL)
    g_string_free (g_steal_pointer (&resp->headers), TRUE);
  g_clear_pointer (&resp->body, g_bytes_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (TesseraTestResponse, response_clear)

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

guint
_tessera_test_server_bump_retry (TesseraTestServer *server, const char *key)
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

gboolean
_tessera_test_connection_send_all (TesseraTestConnection *conn, const void *data, gsize len)
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
gboolean
_tessera_test_connection_pause (TesseraTestConnection *conn, guint ms)
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
connection_send_head (TesseraTestConnection *conn, guint status, const char *content_type,
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

  return _tessera_test_connection_send_all (conn, head->str, head->len);
}

static gboolean
connection_send_response (TesseraTestConnection *conn, TesseraTestResponse *resp, gboolean is_head,
                          gboolean keep_alive)
{
  gsize len = resp->body != NULL ? g_bytes_get_size (resp->body) : 0;

  if (!connection_send_head (conn, resp->status, resp->content_type, len, resp->headers->str,
                             keep_alive))
    return FALSE;
  if (is_head || len == 0)
    return TRUE;
  return _tessera_test_connection_send_all (conn, g_bytes_get_data (resp->body, NULL), len);
}

/* For routes that write their own body: sends the head and says whether the body should
 * follow; if not, *done says what to do next. */
gboolean
_tessera_test_connection_open_body (TesseraTestConnection *conn, TesseraTestRequest *req,
                                    const char *content_type, gint64 content_length,
                                    TesseraTestReply *done)
{
  if (!connection_send_head (conn, 200, content_type, content_length, NULL, req->keep_alive))
    {
      *done = TESSERA_TEST_REPLY_CLOSE;
      return FALSE;
    }
  *done = TESSERA_TEST_REPLY_SENT;
  return !req->is_head;
}

gboolean
_tessera_test_connection_send_chunk (TesseraTestConnection *conn, const void *data, gsize len)
{
  char size_line[32];
  gint size_len = g_snprintf (size_line, sizeof size_line, "%" G_GSIZE_MODIFIER "x\r\n", len);

  return _tessera_test_connection_send_all (conn, size_line, size_len)
         && _tessera_test_connection_send_all (conn, data, len)
         && _tessera_test_connection_send_all (conn, "\r\n", 2);
}

/* Reads and drops input until end of stream, an error, the server stopping or, unless
 * @timeout_ms is -1, that many milliseconds passing. */
void
_tessera_test_connection_drain (TesseraTestConnection *conn, gint64 timeout_ms)
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
request_add_header (TesseraTestRequest *req, const char *line)
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
request_set_target (TesseraTestRequest *req, const char *target)
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
request_has_token (TesseraTestRequest *req, const char *header, const char *token)
{
  const char *value = g_hash_table_lookup (req->headers, header);
  g_auto (GStrv) tokens = g_strsplit (value != NULL ? value : "", ",", -1);

  for (guint i = 0; tokens[i] != NULL; i++)
    if (g_ascii_strcasecmp (g_strstrip (tokens[i]), token) == 0)
      return TRUE;
  return FALSE;
}

static TesseraTestRequest *
request_parse (const char *head)
{
  g_auto (GStrv) lines = g_strsplit (head, "\r\n", -1);
  g_auto (GStrv) parts = g_strsplit (lines[0] != NULL ? lines[0] : "", " ", -1);
  g_autoptr (TesseraTestRequest) req = g_new0 (TesseraTestRequest, 1);

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
connection_read_request (TesseraTestConnection *conn, TesseraTestRequest **out)
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
gboolean
_tessera_test_request_get_uint (TesseraTestRequest *req, const char *name, guint fallback,
                                guint max, guint *value)
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
TesseraTestReply
_tessera_test_reply_bytes (TesseraTestResponse *resp, guint status, const char *content_type,
                           GBytes *body)
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
  return TESSERA_TEST_REPLY_SEND;
}

TesseraTestReply
_tessera_test_reply_text (TesseraTestResponse *resp, guint status, const char *text)
{
  return _tessera_test_reply_bytes (resp, status, "text/plain; charset=utf-8",
                                    g_bytes_new (text, strlen (text)));
}

TesseraTestReply
_tessera_test_reply_status (TesseraTestResponse *resp, guint status)
{
  g_autofree char *text = g_strdup_printf ("%u %s\n", status, reason_phrase (status));

  return _tessera_test_reply_text (resp, status, text);
}

TesseraTestReply
_tessera_test_reply_redirect (TesseraTestResponse *resp, const char *location)
{
  g_string_append_printf (resp->headers, "Location: %s\r\n", location);
  return _tessera_test_reply_status (resp, 302);
}

/* ---- handlers ---- */

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
dispatch_custom (TesseraTestServer *server, TesseraTestRequest *req, TesseraTestResponse *resp)
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

static TesseraTestReply
dispatch_request (TesseraTestConnection *conn, TesseraTestRequest *req, TesseraTestResponse *resp)
{
  if (!g_str_equal (req->method, "GET") && !req->is_head)
    {
      /* It may have sent a body we will not read. */
      req->keep_alive = FALSE;
      g_string_append (resp->headers, "Allow: GET, HEAD\r\n");
      return _tessera_test_reply_status (resp, 405);
    }
  if (dispatch_custom (conn->server, req, resp))
    return TESSERA_TEST_REPLY_SEND;
  return _tessera_test_routes_dispatch (conn, req, resp);
}

/* ---- connection threads ---- */

/* Answers @req after any delay; FALSE when the connection must close. */
static gboolean
connection_answer (TesseraTestConnection *conn, TesseraTestRequest *req)
{
  g_auto (TesseraTestResponse) resp = { 0 };
  guint latency_ms = g_atomic_int_get (&conn->server->latency_ms);
  guint delay_ms;
  TesseraTestReply action;

  resp.headers = g_string_new (NULL);
  if (!_tessera_test_request_get_uint (req, "delay", 0, TESSERA_TEST_MAX_DELAY_MS, &delay_ms))
    action = _tessera_test_reply_text (&resp, 400, "Bad delay\n");
  else if (!_tessera_test_connection_pause (conn, latency_ms + delay_ms))
    return FALSE;
  else
    action = dispatch_request (conn, req, &resp);

  if (action == TESSERA_TEST_REPLY_SEND && resp.status == 304)
    {
      g_autoptr (GMutexLocker) locker = g_mutex_locker_new (&conn->server->lock);

      conn->server->n_not_modified++;
    }
  switch (action)
    {
    case TESSERA_TEST_REPLY_SEND:
      return connection_send_response (conn, &resp, req->is_head, req->keep_alive)
             && req->keep_alive;
    case TESSERA_TEST_REPLY_SENT:
      return req->keep_alive;
    case TESSERA_TEST_REPLY_CLOSE:
    default:
      return FALSE;
    }
}

static void
connection_refuse (TesseraTestConnection *conn, guint status)
{
  g_auto (TesseraTestResponse) resp = { 0 };

  resp.headers = g_string_new (NULL);
  _tessera_test_reply_status (&resp, status);
  if (!connection_send_response (conn, &resp, FALSE, FALSE))
    {
      g_debug ("Test server: client left before its %u", status);
      return;
    }
  /* Closing with its request still unread would reset the connection, and the client
   * could lose the answer: stop writing, and swallow its input for a while first. */
  if (g_socket_shutdown (conn->socket, FALSE, TRUE, NULL))
    _tessera_test_connection_drain (conn, LINGER_MS);
}

/* Serves one request; FALSE when the connection should close. */
static gboolean
connection_serve_one (TesseraTestConnection *conn)
{
  g_autoptr (TesseraTestRequest) req = NULL;
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
  TesseraTestConnection *conn = data;
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
  TesseraTestConnection *conn = data;

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
      TesseraTestConnection *conn = g_ptr_array_index (server->connections, i - 1);

      if (g_atomic_int_get (&conn->finished))
        g_ptr_array_remove_index_fast (server->connections, i - 1);
    }
}

static void
server_add_connection (TesseraTestServer *server, GSocket *socket)
{
  g_autoptr (GMutexLocker) locker = g_mutex_locker_new (&server->lock);
  g_autoptr (GError) error = NULL;
  TesseraTestConnection *conn;

  server_reap_connections_locked (server);
  if (server->connections->len >= MAX_CONNECTIONS)
    {
      g_warning ("Test server: more than %d connections, dropping one", MAX_CONNECTIONS);
      return;
    }
  /* Heads and bodies go out as separate writes: do not let Nagle hold the body back. */
  if (!g_socket_set_option (socket, IPPROTO_TCP, TCP_NODELAY, TRUE, &error))
    g_debug ("Test server: TCP_NODELAY: %s", error->message);

  conn = g_new0 (TesseraTestConnection, 1);
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
  server->fixtures
      = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, _tessera_test_fixture_free);
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

  g_atomic_int_set (&server->latency_ms, MIN (latency_ms, TESSERA_TEST_MAX_DELAY_MS));
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
tessera_test_server_get_open_connections (TesseraTestServer *server)
{
  g_autoptr (GMutexLocker) locker = NULL;
  guint n_open = 0;

  g_return_val_if_fail (server != NULL, 0);

  locker = g_mutex_locker_new (&server->lock);
  for (guint i = 0; i < server->connections->len; i++)
    {
      TesseraTestConnection *conn = g_ptr_array_index (server->connections, i);

      if (!g_atomic_int_get (&conn->finished))
        n_open++;
    }
  return n_open;
}

guint
tessera_test_server_get_requests (TesseraTestServer *server)
{
  g_return_val_if_fail (server != NULL, 0);

  return server_read_counter (server, &server->n_requests);
}

guint
tessera_test_server_get_not_modified (TesseraTestServer *server)
{
  g_return_val_if_fail (server != NULL, 0);

  return server_read_counter (server, &server->n_not_modified);
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
  server->n_not_modified = 0;
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
