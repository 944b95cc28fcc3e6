/* SPDX-License-Identifier: GPL-3.0-or-later */
/* tessera-test-server-private.h: what the test server's core, routes and image makers share */
#pragma once

#include <gio/gio.h>

#include "tessera-test-server.h"

G_BEGIN_DECLS

#define TESSERA_TEST_MAX_HEAD_BYTES (16 * 1024)
#define TESSERA_TEST_MAX_DELAY_MS   (10 * 60 * 1000)

/* Generated images: the size /img/ serves without ?w= and ?h=, and the largest side. */
#define TESSERA_TEST_IMAGE_WIDTH    64
#define TESSERA_TEST_IMAGE_HEIGHT   48
#define TESSERA_TEST_IMAGE_MAX_SIDE 4000

#define TESSERA_TEST_PNG_SIGNATURE     "\x89PNG\r\n\x1a\n"
#define TESSERA_TEST_PNG_SIGNATURE_LEN 8

struct _TesseraTestServer
{
  GSocket *listener;
  guint16 port;
  GCancellable *cancellable; /* cancelled once, by tessera_test_server_free() */
  GThread *accept_thread;
  gint latency_ms; /* atomic */

  GMutex lock;            /* guards everything below */
  GPtrArray *connections; /* TesseraTestConnection *, with a running or finished thread */
  GArray *handlers;       /* Handler, longest prefix first */
  char *serve_dir;
  guint n_connections;
  guint n_requests;
  guint in_flight;
  guint max_in_flight;
  guint n_not_modified;
  GHashTable *path_counts;  /* path -> count */
  GHashTable *retry_counts; /* /retry key -> count */
  GHashTable *fixtures;     /* exact path -> TesseraTestFixture */
};

/* A recorded answer (a captured API response) served at one path. */
typedef struct
{
  char *file;
  guint status;
  char *headers;       /* extra "Name: value\r\n" lines */
  char *authorization; /* when set, requests without exactly this header get a 403 */
} TesseraTestFixture;

typedef struct
{
  TesseraTestServer *server;
  GSocket *socket;
  GThread *thread;
  gint finished; /* atomic: the thread has nothing left to do */
  gsize len;
  char buf[TESSERA_TEST_MAX_HEAD_BYTES];
} TesseraTestConnection;

typedef struct
{
  char *method;
  char *path;          /* the target up to '?' */
  char *query;         /* after '?', or NULL */
  GHashTable *params;  /* decoded query parameters */
  GHashTable *headers; /* lower-case name -> value */
  gboolean is_head;
  gboolean keep_alive;
} TesseraTestRequest;

typedef struct
{
  guint status;
  char *content_type; /* NULL: no Content-Type line */
  GString *headers;   /* extra "Name: value\r\n" lines */
  GBytes *body;
} TesseraTestResponse;

typedef enum
{
  TESSERA_TEST_REPLY_SEND,  /* the route filled the response; send it */
  TESSERA_TEST_REPLY_SENT,  /* the route wrote its own answer; the connection may go on */
  TESSERA_TEST_REPLY_CLOSE, /* the connection must close now */
} TesseraTestReply;

/* tessera-test-server.c: connections, requests, replies and counters. All run on the
 * connection's thread. */
gboolean _tessera_test_connection_send_all (TesseraTestConnection *conn, const void *data,
                                            gsize len);
gboolean _tessera_test_connection_send_chunk (TesseraTestConnection *conn, const void *data,
                                              gsize len);
gboolean _tessera_test_connection_pause (TesseraTestConnection *conn, guint ms);
gboolean _tessera_test_connection_open_body (TesseraTestConnection *conn, TesseraTestRequest *req,
                                             const char *content_type, gint64 content_length,
                                             TesseraTestReply *done);
void _tessera_test_connection_drain (TesseraTestConnection *conn, gint64 timeout_ms);
gboolean _tessera_test_request_get_uint (TesseraTestRequest *req, const char *name, guint fallback,
                                         guint max, guint *value);
TesseraTestReply _tessera_test_reply_bytes (TesseraTestResponse *resp, guint status,
                                            const char *content_type, GBytes *body);
TesseraTestReply _tessera_test_reply_text (TesseraTestResponse *resp, guint status,
                                           const char *text);
TesseraTestReply _tessera_test_reply_status (TesseraTestResponse *resp, guint status);
TesseraTestReply _tessera_test_reply_redirect (TesseraTestResponse *resp, const char *location);
guint _tessera_test_server_bump_retry (TesseraTestServer *server, const char *key);

/* tessera-test-routes.c: fixtures first, then the built-in routes, else a 404. */
TesseraTestReply _tessera_test_routes_dispatch (TesseraTestConnection *conn,
                                                TesseraTestRequest *req, TesseraTestResponse *resp);
void _tessera_test_fixture_free (gpointer data);

/* tessera-test-images.c: each returns NULL (with a warning) if it cannot make the image. */
GBytes *_tessera_test_make_image (const char *pixbuf_type, guint width, guint height, guint seed);
GBytes *_tessera_test_make_huge_png (void);
GBytes *_tessera_test_make_corrupt_jpeg (void);
GBytes *_tessera_test_make_fault_png (void);

G_END_DECLS
