/* SPDX-License-Identifier: GPL-3.0-or-later */
/* tessera-test-faults.h: the foundation's fault table and its check, over any front of the test server */
#pragma once

#include "tessera-loader.h"
#include "tessera-test-server.h"

G_BEGIN_DECLS

/* Points Imgur's image host (TESSERA_IMGUR_IMAGES) at @base_url's /img, as the app's tests
 * do: the test server's removed.png is then Imgur's placeholder. @base_url: scheme, host
 * and port ("http://127.0.0.1:PORT"), no slash at the end. */
void tessera_test_point_imgur_at (const char *base_url);

/* Loads every row of the fault table with @loader, each path on the test server asked for
 * at @base_url (which reaches @backend, directly or through a front such as the HTTP/2
 * one); rows that are whole URLs (a refused port, ftp://, file://) as they are. All at
 * once, so the slow ones (timeouts) overlap. Asserts that each ends as the table says:
 * loaded, or failed with its error code and label, delivered once; that @backend saw the
 * retries of 429 and 503 the limits allow; and that @loader holds nothing afterwards.
 * @loader must use tessera_test_fast_limits(). Leaves TESSERA_IMGUR_IMAGES unset. */
void tessera_test_run_faults (TesseraLoader *loader, TesseraTestServer *backend,
                              const char *base_url);

G_END_DECLS
