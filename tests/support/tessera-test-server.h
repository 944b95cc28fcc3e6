/* SPDX-License-Identifier: GPL-3.0-or-later */
/* tessera-test-server.h: an HTTP/1.1 server on 127.0.0.1 for the tests, with fault injection */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _TesseraTestServer TesseraTestServer;

/* Binds 127.0.0.1 on a free port and serves from a thread of its own, so the test's
 * main thread may block or run its own main loop. */
TesseraTestServer *tessera_test_server_new (void);
/* The same on a chosen @port (0: a free one); NULL with @error if it cannot bind. */
TesseraTestServer *tessera_test_server_new_full (guint16 port, GError **error);
/* Closes every connection (hanging and trickling ones too) and joins the server's threads. */
void tessera_test_server_free (TesseraTestServer *server);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TesseraTestServer, tessera_test_server_free)

guint16 tessera_test_server_get_port (TesseraTestServer *server);
/* "http://127.0.0.1:PORT" + @path */
char *tessera_test_server_url (TesseraTestServer *server, const char *path);

/* Added before every response, on top of any ?delay=MS in the request. */
void tessera_test_server_set_latency_ms (TesseraTestServer *server, guint latency_ms);

/* Counters since creation or the last reset. */
guint tessera_test_server_get_connections (TesseraTestServer *server);      /* accepted */
guint tessera_test_server_get_open_connections (TesseraTestServer *server); /* not closed yet */
guint tessera_test_server_get_requests (TesseraTestServer *server);         /* parsed */
guint tessera_test_server_get_not_modified (TesseraTestServer *server);     /* answered 304 */
guint tessera_test_server_get_max_in_flight (
    TesseraTestServer *server); /* most requests being answered at once */
guint
tessera_test_server_count_path (TesseraTestServer *server,
                                const char *path); /* requests whose path (no query) is @path */
guint tessera_test_server_get_in_flight (TesseraTestServer *server); /* being answered now */
/* Zeroes the counters and the /retry keys' counts. Requests still being answered stay in
 * flight, so the maximum restarts from their number. */
void tessera_test_server_reset_counters (TesseraTestServer *server);

/* A handler for a path prefix, tried before the built-in routes. Runs on a server thread.
 * Return FALSE to fall through. Fill *status, *content_type (static or g_strdup'd into
 * *headers) and *body; @headers gets extra "Name: value\r\n" lines.
 * That is: the server copies *content_type and never frees it; for a computed type leave it
 * NULL and append a "Content-Type: ..." line to @headers. *status starts at 200, the server
 * takes *body (NULL: empty), and handlers are tried longest prefix first.
 * @request_headers maps lower-case header names to their values. */
typedef gboolean (*TesseraTestHandler) (const char *path, const char *query,
                                        GHashTable *request_headers, guint *status,
                                        const char **content_type, GString *headers, GBytes **body,
                                        gpointer user_data);
void tessera_test_server_add_handler (TesseraTestServer *server, const char *prefix,
                                      TesseraTestHandler handler, gpointer user_data);

/* Serves @file as JSON with @status at exactly @path (the query is ignored), with every
 * "i.imgur.com" in it pointing at this server's /img/ route, and the extra @headers lines
 * ("Name: value\r\n", may be NULL). With @authorization, a request whose Authorization
 * header is not exactly that gets Imgur's 403 for a bad Client ID. Replaces any fixture
 * already at @path. */
void tessera_test_server_add_fixture (TesseraTestServer *server, const char *path, const char *file,
                                      guint status, const char *headers, const char *authorization);

/* Serves the files under @dir as /files/<relpath> (the standalone binary's --serve-dir). */
void tessera_test_server_set_serve_dir (TesseraTestServer *server, const char *dir);

/* Test images the server makes (and the tests compare against). */
GBytes *tessera_test_make_png (guint width, guint height, guint seed);
GBytes *tessera_test_make_jpeg (guint width, guint height, guint seed);
/* The same picture as tessera_test_make_jpeg () as a progressive JPEG (4:2:0, libjpeg's
 * usual ten scans). */
GBytes *tessera_test_make_progressive_jpeg (guint width, guint height, guint seed);
/* The first @keep_percent of @jpeg's bytes, as a cut-short download leaves them; 0 keeps
 * the headers up to the first scan's coded data. */
GBytes *tessera_test_cut_jpeg (GBytes *jpeg, guint keep_percent);
GBytes *tessera_test_make_gif (void); /* a tiny animated GIF, two frames */

/* A tiny real MP4 (what Imgur's video posts link to): an "ftyp" box of brand @brand (4
 * characters; "isom" for a video, "heic" for a HEIF picture), an empty movie header and an
 * empty media box. /img/<name>.mp4 serves it with "isom". */
GBytes *tessera_test_make_mp4 (const char *brand);

G_END_DECLS
