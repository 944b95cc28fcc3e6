/* SPDX-License-Identifier: GPL-3.0-or-later */
/* tessera-test-h2.h: an HTTP/2 TLS server (Node's http2 in front of the test server), with a test CA */
#pragma once

#include "tessera-test-server.h"

G_BEGIN_DECLS

typedef struct _TesseraTestH2 TesseraTestH2;

/* Makes a test CA, a certificate for 127.0.0.1 signed by it and a second, unrelated CA
 * (openssl), in a temporary folder; starts tessera-h2-server.js (TESSERA_NODE,
 * TESSERA_H2_SERVER_SCRIPT) in front of @backend, which must outlive it, and returns once
 * it listens. Returns (transfer full) the server; the test fails when it cannot start. */
TesseraTestH2 *tessera_test_h2_new (TesseraTestServer *backend);
/* Stops the server and removes its folder; NULL does nothing. */
void tessera_test_h2_free (TesseraTestH2 *h2);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TesseraTestH2, tessera_test_h2_free)

/* https://127.0.0.1:port@path (transfer full). */
char *tessera_test_h2_url (TesseraTestH2 *h2, const char *path);
/* The CA that signed the server's certificate, and one that did not (transfer none). */
const char *tessera_test_h2_get_ca_file (TesseraTestH2 *h2);
const char *tessera_test_h2_get_other_ca_file (TesseraTestH2 *h2);

/* What the server counted so far: TLS sessions (connections), streams (requests), the
 * most streams open at once on one session, streams the client cancelled, streams the
 * server cut because its backend broke off, and streams open now. */
typedef struct
{
  guint sessions;
  guint streams;
  guint most_streams_at_once;
  guint reset_streams; /* reset by the client before their end (a cancelled transfer) */
  guint cut_streams;   /* reset by the server: the backend hung up before the body's end */
  guint open_streams;  /* now, on every session */
} TesseraTestH2Stats;

TesseraTestH2Stats tessera_test_h2_get_stats (TesseraTestH2 *h2);

G_END_DECLS
