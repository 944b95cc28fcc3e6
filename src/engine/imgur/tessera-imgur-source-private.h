/* SPDX-License-Identifier: GPL-3.0-or-later */
/* tessera-imgur-source-private.h: what the tests check directly */
#pragma once

#include "tessera-imgur-source.h"

G_BEGIN_DECLS

/* The API request for page @page (from 0) of @query under @api_base (see
 * tessera_imgur_build_uri): …/3/gallery/{section}/{sort}/{window}/{page}, the search
 * …/3/gallery/search/{sort}/{window}/{page}?q=…, or the album …/3/gallery/album/{id}.
 * Missing parts of @query take the defaults. Returns (transfer full) the URI, or NULL when
 * @api_base is not a base tessera_imgur_build_uri takes. Any thread. */
char *tessera_imgur_page_uri (const char *api_base, const TesseraImgurQuery *query, guint page,
                              gboolean show_nsfw);

/* How many page requests went out, for tests and the curious. */
guint tessera_imgur_source_get_n_requests (TesseraImgurSource *self);

G_END_DECLS
